"""load_dataset: a data set by name (digits, fashion-mnist, mnist) or by path, split into training and test."""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_dtype, check_int
from .csv_files import load_csv
from .dataset import Dataset, _dataset
from .digits import DIGIT_CLASSES, load_digits
from .idx import FASHION_MNIST_CLASSES, _fashion_mnist_dir, _idx_file, load_mnist
from .npz import load_npz

#: Names :func:`load_dataset` knows; anything else is read as a path.
DATASET_NAMES = ("digits", "fashion-mnist", "mnist")


_DIGITS_TEST_SIZE = 300  # the held-out part of the bundled digits, as in the command line's first release
_TEST_FRACTION = 0.2  # held out when a file or directory brings no test set of its own


_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}


def _n_test(test_size, n: int, default, where: str) -> int:
    """The number of samples to hold out: ``test_size`` as a count (int) or a fraction (float in (0, 1))."""
    size = default if test_size is None else test_size
    if isinstance(size, bool) or not isinstance(size, numbers.Real):
        raise TypeError(f"test_size must be a sample count or a fraction in (0, 1); got {size!r}")
    if isinstance(size, numbers.Integral):
        count = int(size)
        if count < 1:
            raise ValueError(f"test_size must be at least 1; got {count}")
    else:
        if not 0 < size < 1:
            raise ValueError(f"test_size as a fraction must lie in (0, 1); got {size!r}")
        count = math.ceil(size * n)
    if count >= n:
        raise ValueError(f"test_size {size} leaves no training data: {where} has {n} samples")
    return count


def _split(X, y, n_test: int, seed: int):
    """A random hold-out split; the permutation is that of ``numpy.random.default_rng(seed)``."""
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def _idx_dataset(directory: Path, name: str, names, dtype, test_size, seed) -> Dataset:
    """Train and t10k IDX sets from ``directory``; without the train files, the t10k set split in two."""
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    if any(_idx_file(directory, f"train-{part}-ubyte") for part in ("images-idx3", "labels-idx1")):
        if test_size is not None:
            raise ValueError(f"{directory} holds a train and a test set; test_size applies only to a set that is split")
        X_train, y_train = load_mnist(directory, kind="train", dtype=dtype)
        X_test, y_test = load_mnist(directory, kind="t10k", dtype=dtype)
        return _dataset(X_train, y_train, X_test, y_test, f"{name} in {directory}", names)
    X, y = load_mnist(directory, kind="t10k", dtype=dtype)
    parts = _split(X, y, _n_test(test_size, len(y), _TEST_FRACTION, f"{directory}/t10k"), seed)
    return _dataset(*parts, f"{name} t10k in {directory}, split", names)


def load_dataset(
    spec: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    dtype: DTypeLike = np.float64,
    test_size: int | float | None = None,
    seed: int = 0,
) -> Dataset:
    """Resolve a data set by name or path into training and test data.

    Parameters
    ----------
    spec : str or path-like
        ``"digits"``: the bundled handwritten digits, split into training and test data.
        ``"fashion-mnist"``: Fashion-MNIST's train and t10k sets (see :func:`load_fashion_mnist`).
        ``"mnist"``: MNIST's train and t10k sets from ``data_dir``.
        Otherwise a path: a directory of IDX files in MNIST's layout, an ``.npz`` file (:func:`load_npz`),
        or a ``.csv``/``.tsv`` file, optionally ``.gz`` (:func:`load_csv`, label in the last column).
        Names win over paths: write ``./digits`` for a directory called ``digits``.
    data_dir : str or path-like, optional
        The directory of the IDX files for ``"mnist"`` (required) and ``"fashion-mnist"`` (optional).
    dtype : float32 or float64
        Element type of the inputs.
    test_size : int or float, optional
        For data without a test set of its own (the digits, a lone t10k set, a file without one): the
        number of samples held out for testing, or a fraction in (0, 1) of them. Default: 300 for the
        digits, else 20%. Giving it for data that bring a test set is an error.
    seed : int
        Seed of the random split (the permutation of ``numpy.random.default_rng(seed)``).

    Returns
    -------
    Dataset
        Always with a test set. Its ``name`` says where the data came from and whether they were split.

    Raises
    ------
    ValueError
        If ``spec`` is neither a known name nor an existing path (the message lists the choices), an argument
        does not apply to or does not fit the data, or a file is invalid (the message names it).
    FileNotFoundError
        If the files of a named data set or a given path are missing (for Fashion-MNIST, saying how to get it).
    TypeError
        If ``dtype`` is not float32 or float64, or an argument has the wrong type.
    """
    dtype = check_dtype(dtype)
    seed = check_int(seed, "seed", 0)
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"spec must be a data set name or a path; got {spec!r}")
    if spec in ("mnist", "fashion-mnist"):
        if spec == "fashion-mnist":
            directory = _fashion_mnist_dir(data_dir, ("t10k",))
            return _idx_dataset(directory, "Fashion-MNIST", FASHION_MNIST_CLASSES, dtype, test_size, seed)
        if data_dir is None:
            raise ValueError(
                "mnist is not bundled: pass data_dir (--data-dir on the command line), a directory of "
                "{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] files"
            )
        return _idx_dataset(Path(data_dir), "MNIST", DIGIT_CLASSES, dtype, test_size, seed)
    if data_dir is not None:
        raise ValueError(f"data_dir applies only to 'mnist' and 'fashion-mnist', not to {os.fspath(spec)!r}")
    if spec == "digits":
        X, y = load_digits(dtype=dtype)
        parts = _split(X, y, _n_test(test_size, len(y), _DIGITS_TEST_SIZE, "the digits data"), seed)
        return Dataset(*parts, name="bundled UCI digits", class_names=DIGIT_CLASSES)
    return _path_dataset(Path(spec).expanduser(), dtype, test_size, seed)


def _path_dataset(path: Path, dtype, test_size, seed) -> Dataset:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes[-1:] == [".gz"]:
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if not path.exists():
        if path.suffix or len(path.parts) > 1:
            raise FileNotFoundError(f"{path}: no such file or directory")
        raise ValueError(
            f"unknown data set {str(path)!r}: choose one of {', '.join(DATASET_NAMES)} or give the path of "
            "an IDX directory (MNIST layout), an .npz file or a .csv/.tsv file"
        )
    if path.is_dir():
        return _idx_dataset(path, "IDX data", None, dtype, test_size, seed)
    if suffix == ".npz":
        data = load_npz(path, dtype=dtype)
    elif suffix in _CSV_SUFFIXES:
        data = load_csv(path, dtype=dtype, delimiter=_CSV_SUFFIXES[suffix])
    else:
        raise ValueError(f"{path}: unknown kind of file; expected a directory of IDX files, .npz, .csv or .tsv")
    if data.X_test is not None:
        if test_size is not None:
            raise ValueError(f"{path} holds a test set; test_size applies only to data that are split")
        return data
    parts = _split(data.X_train, data.y_train, _n_test(test_size, data.n_train, _TEST_FRACTION, str(path)), seed)
    return _dataset(*parts, f"{path}, split", data.class_names)
