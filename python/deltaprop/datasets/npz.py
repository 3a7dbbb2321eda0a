"""A user's data set in a NumPy .npz file (never unpickled)."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_dtype
from ._labels import _features, _numeric_labels, _string_labels
from .dataset import Dataset, _dataset

_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_NPY_MAGIC = b"\x93NUMPY"


# Accepted .npz key names per role; Keras-style lower-case names included.
_NPZ_KEYS = {
    "X_train": ("X", "x", "X_train", "x_train"),
    "y_train": ("y", "Y", "y_train", "Y_train"),
    "X_test": ("X_test", "x_test"),
    "y_test": ("y_test", "Y_test"),
}


def _npz_array(npz, path: Path, role: str):
    keys = [key for key in _NPZ_KEYS[role] if key in npz.files]
    if len(keys) > 1:
        raise ValueError(f"{path}: keys {keys} are ambiguous; keep one of them")
    if not keys:
        return None, None
    key = keys[0]
    try:
        return npz[key], f"{path}[{key!r}]"
    except ValueError as exc:
        if "pickle" in str(exc):  # object arrays need pickle, which is never allowed
            raise ValueError(f"{path}[{key!r}]: an object array, which cannot be read without pickle") from None
        raise ValueError(f"{path}[{key!r}]: corrupt array ({exc})") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}[{key!r}]: corrupt or truncated ({exc})") from None


def _labels(y: np.ndarray, where: str, n: int, test: bool = False, names=None):
    """Codes and class names of labels; test labels are coded by the training labels' ``names`` (None: numbers)."""
    if y.ndim != 1:
        raise ValueError(f"{where}: labels must be 1-D, one per sample; got shape {y.shape}")
    if y.shape[0] != n:
        raise ValueError(f"{where}: {y.shape[0]} labels for {n} samples")
    if y.dtype.kind in "US":
        if test and names is None:
            raise ValueError(f"{where}: labels are names but the training labels are numbers")
        return _string_labels(y.astype(str), names, where)
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{where}: labels must be integers or strings; got an array of dtype {y.dtype}")
    if names is not None:
        raise ValueError(f"{where}: labels are numbers but the training labels are class names {names}")
    return _numeric_labels(y, where), None


def load_npz(path: str | os.PathLike[str], dtype: DTypeLike = np.float64) -> Dataset:
    """Load a classification data set saved with :func:`numpy.savez` (never unpickling anything).

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` file with the training inputs under ``X`` (or ``x``, ``X_train``, ``x_train``) and
        their labels under ``y`` (or ``Y``, ``y_train``, ``Y_train``), and optionally a test set under
        ``X_test``/``x_test`` and ``y_test``/``Y_test``.
    dtype : float32 or float64
        Element type of the returned inputs.

    Returns
    -------
    Dataset
        ``X_test``/``y_test`` are None when the file has no test set. Inputs of shape (n, ...) become rows
        (n, features); uint8 inputs are taken as 8-bit pixels and divided by 255, others are converted
        unchanged. Labels are integers >= 0 (integral floats are accepted), or strings, which become
        codes 0..k-1 in sorted order with the strings as ``class_names``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not an uncorrupted ``.npz``, a key is missing or ambiguous, an array has the wrong
        rank or holds non-numbers, NaN or infinity, the inputs and labels differ in length, or a test label
        is not a training class. The message names the file and the key.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    dtype = check_dtype(dtype)
    path = Path(path)
    with path.open("rb") as file:
        magic = file.read(6)
    if not magic.startswith(_ZIP_MAGICS):
        hint = "; a single .npy array? Save X and y together with numpy.savez" if magic == _NPY_MAGIC else ""
        raise ValueError(f"{path}: not an .npz file (a zip archive of arrays, as numpy.savez writes){hint}")
    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: corrupt or truncated .npz file ({exc})") from None
    with npz:
        arrays = {role: _npz_array(npz, path, role) for role in _NPZ_KEYS}
    for role in ("X_train", "y_train"):
        if arrays[role][0] is None:
            raise ValueError(
                f"{path}: no {' or '.join(_NPZ_KEYS[role])} array (keys found: {', '.join(npz.files) or 'none'})"
            )
    if (arrays["X_test"][0] is None) != (arrays["y_test"][0] is None):
        have, lack = ("X_test", "y_test") if arrays["y_test"][0] is None else ("y_test", "X_test")
        raise ValueError(f"{path}: has {have} but no {lack}; give both or neither")
    (X, x_where), (y, y_where) = arrays["X_train"], arrays["y_train"]
    X_train = _features(X, dtype, x_where)
    y_train, names = _labels(y, y_where, X_train.shape[0])
    X_test = y_test = None
    if arrays["X_test"][0] is not None:
        (X, x_where), (y, y_where) = arrays["X_test"], arrays["y_test"]
        X_test = _features(X, dtype, x_where)
        if X_test.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"{x_where}: {X_test.shape[1]} features per sample, the training data has {X_train.shape[1]}"
            )
        y_test, _ = _labels(y, y_where, X_test.shape[0], test=True, names=names)
    return _dataset(X_train, y_train, X_test, y_test, str(path), names)
