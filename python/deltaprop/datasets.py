"""Data sets: IDX files (MNIST, Fashion-MNIST), the bundled digits, a user's ``.npz`` or CSV file.

Array loaders return C-contiguous arrays, images as floats in [0, 1] and labels as int64, ready for
:class:`deltaprop.Network`. :func:`load_dataset` resolves a data set by name or path into a
:class:`Dataset` with training and test parts. A file that is corrupt, truncated or inconsistent raises
:class:`ValueError` naming the file and the problem; nothing is guessed.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import numbers
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from ._validation import check_dtype, check_int

__all__ = [
    "DATASET_NAMES",
    "DIGIT_CLASSES",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_ENV",
    "MNIST_CLASSES",
    "Dataset",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_idx",
    "load_mnist",
    "load_npz",
]

#: Names :func:`load_dataset` knows; anything else is read as a path.
DATASET_NAMES = ("digits", "fashion-mnist", "mnist")
#: Class names of the handwritten digits (MNIST and the bundled digits): label k is the digit k.
DIGIT_CLASSES = tuple("0123456789")
#: The same digit names, under the data set's name.
MNIST_CLASSES = DIGIT_CLASSES
#: Class names of Fashion-MNIST, by label 0..9.
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
#: Where Debian's and Ubuntu's ``dataset-fashion-mnist`` package installs the IDX files.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
#: Environment variable naming another default directory for Fashion-MNIST.
FASHION_MNIST_ENV = "DELTAPROP_FASHION_MNIST_DIR"

# IDX type code (third byte of the magic number) -> big-endian element dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members, an empty zip
_NPY_MAGIC = b"\x93NUMPY"
_MNIST_KINDS = ("t10k", "train")
_DIGITS_SHAPE = (1797, 64)
_DIGITS_TEST_SIZE = 300  # the held-out part of the bundled digits, as in the command line's first release
_TEST_FRACTION = 0.2  # held out when a file or directory brings no test set of its own
# Accepted .npz key names per role; Keras-style lower-case names included.
_NPZ_KEYS = {
    "X_train": ("X", "x", "X_train", "x_train"),
    "y_train": ("y", "Y", "y_train", "Y_train"),
    "X_test": ("X_test", "x_test"),
    "y_test": ("y_test", "Y_test"),
}
_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}


# ---------------------------------------------------------------- the Dataset type


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Training and test data of a classification task, checked and ready for :meth:`Network.fit`.

    Parameters
    ----------
    X_train : numpy.ndarray, shape (n_train, n_features)
        Training inputs, float32 or float64; made C-contiguous (no copy when already).
    y_train : numpy.ndarray, shape (n_train,)
        Integer class labels, stored as int64.
    X_test, y_test : numpy.ndarray or None
        Test inputs (same dtype and width as ``X_train``) and labels; both or neither.
    name : str
        Where the data came from, for messages and model files.
    class_names : sequence of str or None
        The name of each class, by label; when given, ``n_classes == len(class_names)``.

    Attributes
    ----------
    n_features : int
        Width of a sample.
    n_classes : int
        ``len(class_names)``, or the largest training label + 1 when there are no names.

    Raises
    ------
    TypeError
        If an array has the wrong kind (inputs not float32/float64, labels not integers).
    ValueError
        If shapes disagree, a part is empty, a label is negative, or a test label is not among the
        training classes.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    name: str = ""
    class_names: tuple[str, ...] | None = None
    n_features: int = field(init=False)
    n_classes: int = field(init=False)

    def __post_init__(self):
        X_train = _dataset_inputs(self.X_train, "X_train")
        y_train = _dataset_labels(self.y_train, "y_train", X_train.shape[0])
        if (self.X_test is None) != (self.y_test is None):
            raise ValueError("X_test and y_test must be given together (or both be None)")
        X_test = y_test = None
        if self.X_test is not None:
            X_test = _dataset_inputs(self.X_test, "X_test")
            y_test = _dataset_labels(self.y_test, "y_test", X_test.shape[0])
            if X_test.dtype != X_train.dtype or X_test.shape[1] != X_train.shape[1]:
                raise ValueError(
                    f"X_test ({X_test.shape[1]} features, {X_test.dtype}) must match X_train "
                    f"({X_train.shape[1]} features, {X_train.dtype})"
                )
        names = self.class_names
        if names is not None:
            if isinstance(names, str) or not all(isinstance(c, str) for c in names):
                raise TypeError(f"class_names must be a sequence of strings; got {names!r}")
            names = tuple(names)
            if len(set(names)) != len(names):
                raise ValueError(f"class_names must be distinct; got {names!r}")
            n_classes = len(names)
            for labels, part in ((y_train, "y_train"), (y_test, "y_test")):
                if labels is not None and labels.size and labels.max() >= n_classes:
                    raise ValueError(f"{part} holds label {labels.max()} but there are only {n_classes} class names")
        else:
            n_classes = int(y_train.max()) + 1
            if y_test is not None and y_test.max() >= n_classes:
                raise ValueError(
                    f"y_test holds label {y_test.max()}, a class no training sample has "
                    f"(training labels are at most {n_classes - 1})"
                )
        for key, value in (
            ("X_train", X_train),
            ("y_train", y_train),
            ("X_test", X_test),
            ("y_test", y_test),
            ("class_names", names),
            ("n_features", X_train.shape[1]),
            ("n_classes", n_classes),
        ):
            object.__setattr__(self, key, value)
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string; got {self.name!r}")

    @property
    def dtype(self) -> np.dtype:
        """Element type of the inputs."""
        return self.X_train.dtype

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        """Number of test samples (0 without a test set)."""
        return 0 if self.X_test is None else self.X_test.shape[0]

    def label_names(self, labels) -> np.ndarray:
        """Return the class name of each integer label (the label itself as text when there are no names).

        Use it to turn predictions back into the labels of the source file, e.g.
        ``data.label_names(net.predict(X))``.
        """
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu":
            raise TypeError(f"labels must be integers; got an array of dtype {labels.dtype}")
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise ValueError(
                f"labels must lie in [0, {self.n_classes}); got values in [{labels.min()}, {labels.max()}]"
            )
        names = self.class_names if self.class_names is not None else [str(k) for k in range(self.n_classes)]
        return np.asarray(names, dtype=str)[labels]

    def __repr__(self) -> str:
        test = f" + {self.n_test:,} test" if self.X_test is not None else ""
        return (
            f"Dataset({self.name!r}: {self.n_train:,} training{test} samples, {self.n_features} features, "
            f"{self.n_classes} classes, {self.dtype})"
        )


def _dataset_inputs(X, name: str) -> np.ndarray:
    if not isinstance(X, np.ndarray) or X.dtype not in (np.float32, np.float64):
        kind = X.dtype if isinstance(X, np.ndarray) else type(X).__name__
        raise TypeError(f"{name} must be a float32 or float64 array; got {kind}")
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must have shape (n_samples, n_features), both at least 1; got shape {X.shape}")
    return np.ascontiguousarray(X)


def _dataset_labels(y, name: str, n: int) -> np.ndarray:
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iu":
        kind = y.dtype if isinstance(y, np.ndarray) else type(y).__name__
        raise TypeError(f"{name} must be an array of integer class labels; got {kind}")
    if y.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one label per sample; got shape {y.shape}")
    if y.min() < 0:
        raise ValueError(f"{name} holds a negative label ({y.min()})")
    return np.ascontiguousarray(y, dtype=np.int64)


# ---------------------------------------------------------------- IDX files: MNIST and Fashion-MNIST


def _read_bytes(path: Path) -> bytes:
    """Whole file contents, decompressed when the file is gzip (judged by content, not name)."""
    raw = path.read_bytes()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: corrupt or truncated gzip stream ({exc})") from None


def load_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (the format of MNIST), plain or gzip-compressed.

    Parameters
    ----------
    path : str or path-like
        File to read. Compression is detected from the content, so the name need not end in ``.gz``.

    Returns
    -------
    numpy.ndarray
        Array of the shape stored in the header and the element type of its type code
        (``uint8``, ``int8``, ``int16``, ``int32``, ``float32`` or ``float64``) in native byte order.

    Raises
    ------
    ValueError
        If the magic number, the type code or the header is invalid, or the number of data bytes
        differs from what the dimensions require. The message names the file.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: not an IDX file (only {len(data)} bytes, the header needs at least 4)")
    zero, code, ndim = int.from_bytes(data[0:2], "big"), data[2], data[3]
    if zero != 0:
        raise ValueError(f"{path}: bad IDX magic number 0x{data[:4].hex()} (must start with two zero bytes)")
    if code not in _IDX_DTYPES:
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02x} (expected one of 08 09 0b 0c 0d 0e)")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(data)} bytes, {ndim} dimensions need {header})")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    got = len(data) - header
    if got != expected:
        problem = "truncated" if got < expected else "has trailing bytes"
        raise ValueError(f"{path}: IDX data {problem}: dimensions {shape} need {expected} bytes, found {got}")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    # A native-order copy: writeable and independent of the file buffer.
    return array.astype(dtype.newbyteorder("="), order="C")


def _idx_file(directory: Path, name: str) -> Path | None:
    """``directory/name`` or ``directory/name.gz``, whichever exists, else None."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _find_idx(directory: Path, name: str) -> Path:
    found = _idx_file(directory, name)
    if found is None:
        raise FileNotFoundError(f"{directory}: neither {name} nor {name}.gz found")
    return found


def load_mnist(
    path: str | os.PathLike[str], kind: str = "t10k", dtype: DTypeLike = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (or any data set in its layout) from a directory of IDX files.

    Parameters
    ----------
    path : str or path-like
        Directory holding ``{kind}-images-idx3-ubyte`` and ``{kind}-labels-idx1-ubyte``,
        each optionally gzip-compressed with a ``.gz`` suffix.
    kind : {"t10k", "train"}
        Which split to load.
    dtype : float32 or float64
        Element type of the returned images.

    Returns
    -------
    X : numpy.ndarray
        Images, shape ``(n, rows * cols)`` (``(n, 784)`` for MNIST), C-contiguous, pixel / 255 in [0, 1].
    y : numpy.ndarray
        Labels, shape ``(n,)``, int64.

    Raises
    ------
    FileNotFoundError
        If the directory lacks the image or label file.
    ValueError
        If ``kind`` is unknown, a file is invalid or has the wrong type or rank, or the image and
        label counts differ.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    if kind not in _MNIST_KINDS:
        raise ValueError(f"kind must be one of {_MNIST_KINDS}, got {kind!r}")
    dtype = check_dtype(dtype)
    directory = Path(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    images_path = _find_idx(directory, f"{kind}-images-idx3-ubyte")
    labels_path = _find_idx(directory, f"{kind}-labels-idx1-ubyte")
    images = load_idx(images_path)
    labels = load_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{images_path}: expected 3-D uint8 images, got {images.ndim}-D {images.dtype}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"{labels_path}: expected 1-D uint8 labels, got {labels.ndim}-D {labels.dtype}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} holds {labels.shape[0]} labels"
        )
    X = images.reshape(images.shape[0], -1).astype(dtype)
    X /= 255
    return X, labels.astype(np.int64)


def _fashion_mnist_dir(path, kinds) -> Path:
    """The directory holding Fashion-MNIST's files of ``kinds``, or FileNotFoundError saying how to get them."""
    if path is not None:
        directory = Path(path)
    else:
        # An explicit setting wins outright: falling back to the system copy would hide a mistyped directory.
        directory = Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)
    missing = [
        f"{kind}-{part}-ubyte[.gz]"
        for kind in kinds
        for part in ("images-idx3", "labels-idx1")
        if _idx_file(directory, f"{kind}-{part}-ubyte") is None
    ]
    if missing:
        where = f"{directory} lacks {', '.join(missing)}" if directory.is_dir() else f"no directory {directory}"
        raise FileNotFoundError(
            f"Fashion-MNIST not found ({where}). On Debian/Ubuntu install it with "
            f"`apt-get install dataset-fashion-mnist` (files in {FASHION_MNIST_DIR}), or pass path= (--data-dir on "
            "the command line) a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
            f"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz; {FASHION_MNIST_ENV} sets the default directory"
        )
    return directory


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None, kind: str = "train", dtype: DTypeLike = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST (Zalando's 28x28 grey images of clothing, 10 classes) from its IDX files.

    Parameters
    ----------
    path : str or path-like, optional
        Directory holding ``{kind}-images-idx3-ubyte.gz`` and ``{kind}-labels-idx1-ubyte.gz`` (or the
        uncompressed files). By default the directory in the environment variable
        ``DELTAPROP_FASHION_MNIST_DIR`` when it is set, else ``/usr/share/datasets/fashion-mnist``, where
        Debian's and Ubuntu's ``dataset-fashion-mnist`` package installs them.
    kind : {"train", "t10k"}
        The 60,000 training images or the 10,000 test images.
    dtype : float32 or float64
        Element type of the returned images.

    Returns
    -------
    X : numpy.ndarray
        Images, shape ``(n, 784)``, C-contiguous, pixel / 255 in [0, 1].
    y : numpy.ndarray
        Labels 0..9 (names in :data:`FASHION_MNIST_CLASSES`), shape ``(n,)``, int64.

    Raises
    ------
    FileNotFoundError
        If the files are not there; the message says how to get them.
    ValueError
        If ``kind`` is unknown or a file is invalid (the message names it).
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    if kind not in _MNIST_KINDS:
        raise ValueError(f"kind must be one of {_MNIST_KINDS}, got {kind!r}")
    return load_mnist(_fashion_mnist_dir(path, (kind,)), kind=kind, dtype=dtype)


def load_digits(dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Load the bundled UCI optical handwritten digits (1,797 images of 8x8 pixels, 10 classes).

    The data ship with the package (no download). Source: UCI Machine Learning Repository,
    "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak, CC BY 4.0.

    Parameters
    ----------
    dtype : float32 or float64
        Element type of the returned images.

    Returns
    -------
    X : numpy.ndarray
        Images, shape ``(1797, 64)``, C-contiguous, pixel counts 0..16 divided by 16, so in [0, 1].
    y : numpy.ndarray
        Labels 0..9, shape ``(1797,)``, int64.

    Raises
    ------
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    dtype = check_dtype(dtype)
    source = resources.files("deltaprop") / "data" / "digits.csv.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    if table.shape != (_DIGITS_SHAPE[0], _DIGITS_SHAPE[1] + 1):
        raise ValueError(f"{source}: expected {_DIGITS_SHAPE[0]} rows of 65 values, got shape {table.shape}")
    X = table[:, :-1].astype(dtype)
    X /= 16
    return X, np.ascontiguousarray(table[:, -1])


# ---------------------------------------------------------------- labels and checks shared by .npz and CSV


def _numeric_labels(values: np.ndarray, where: str, lines=None, texts=None) -> np.ndarray:
    """Integer labels from integer, boolean or integral float values (``texts``: as written, for messages)."""
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values) | (values != np.round(values)) | (values < 0)
    else:
        bad = values < 0
    if bad.any():
        i = int(np.argmax(bad))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        label = texts[i] if texts is not None else values[i].item()
        raise ValueError(f"{where}{at}: label {label} is not a class: labels must be integers >= 0 or names")
    return values.astype(np.int64)


def _string_labels(values: np.ndarray, names: tuple[str, ...] | None, where: str, lines=None):
    """Codes 0..k-1 of string labels and the sorted class names (given ``names``: codes into those)."""
    if names is None:
        names_array, codes = np.unique(values, return_inverse=True)
        return codes.reshape(-1).astype(np.int64), tuple(str(c) for c in names_array)
    order = np.asarray(names, dtype=str)
    codes = np.searchsorted(order, values)
    unknown = (codes >= len(order)) | (order[np.minimum(codes, len(order) - 1)] != values)
    if unknown.any():
        i = int(np.argmax(unknown))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        raise ValueError(f"{where}{at}: label {str(values[i])!r} is not one of the training classes {names}")
    return codes.astype(np.int64), names


def _features(X: np.ndarray, dtype: np.dtype, where: str, lines=None) -> np.ndarray:
    """``X`` as a C-contiguous matrix of ``dtype``; uint8 is taken as pixels and scaled by 1/255."""
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{where}: features must be numbers; got an array of dtype {X.dtype}")
    if X.ndim < 2:
        raise ValueError(f"{where}: features must have shape (n_samples, n_features); got shape {X.shape}")
    if X.shape[0] == 0 or math.prod(X.shape[1:]) == 0:
        raise ValueError(f"{where}: no samples or no features (shape {X.shape})")
    # Images (n, rows, cols) become rows of pixels, like the IDX loaders'.
    X = X.reshape(X.shape[0], -1)
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported below
        out = np.ascontiguousarray(X, dtype=dtype)
    if X.dtype == np.uint8:
        out /= 255  # out is a new float array here
    # Only float input can hold NaN/inf or overflow float32; min/max propagate NaN without a temporary.
    if X.dtype.kind == "f" and not (np.isfinite(out.min()) and np.isfinite(out.max())):
        i = int(np.argmin(np.isfinite(out).all(axis=1)))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        extra = " (beyond the float32 range)" if dtype == np.float32 else ""
        raise ValueError(f"{where}{at}: features hold NaN or infinite values{extra}")
    return out


# ---------------------------------------------------------------- .npz files


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


def _dataset(X_train, y_train, X_test, y_test, name: str, names) -> Dataset:
    """A Dataset, with a test label outside the training classes reported against ``name``."""
    try:
        return Dataset(X_train, y_train, X_test, y_test, name=name, class_names=names)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


# ---------------------------------------------------------------- CSV files


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_rows(path: Path, text: str, delimiter: str):
    """Yield ``(line number, fields)`` of the non-blank records."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        for fields in reader:
            if len(fields) > 1 or (fields and fields[0].strip()):
                yield reader.line_num, fields
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: malformed CSV ({exc})") from None


def _csv_parse(path: Path, text: str, delimiter: str, header, label_column):
    """Parse and check every record; returns (features as float64, label strings, line number of each row)."""
    rows = _csv_rows(path, text, delimiter)
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path}: no data (the file is empty)")
    line, fields = first
    width = len(fields)
    if width < 2:
        raise ValueError(f"{path}, line {line}: a single column; need features and a label column")
    if isinstance(label_column, str):
        if header is False:
            raise ValueError(f"label_column {label_column!r} names a column, which needs header=True or 'auto'")
        names = [f.strip() for f in fields]
        if label_column not in names:
            raise ValueError(f"{path}, line {line}: no column named {label_column!r} in the header {names}")
        index, header = names.index(label_column), True
    elif -width <= label_column < width:
        index = label_column % width
    else:
        raise ValueError(f"{path}, line {line}: label_column {label_column} is outside the {width} columns")
    if header == "auto":
        # A header is a line of names: none of its feature fields reads as a number.
        header = not any(_is_number(f) for i, f in enumerate(fields) if i != index)
    features, labels, lines = [], [], []
    for line, fields in rows if header else itertools.chain([first], rows):
        if len(fields) != width:
            raise ValueError(f"{path}, line {line}: {len(fields)} fields, expected {width} like the first line")
        label = fields.pop(index).strip()
        if not label:
            raise ValueError(f"{path}, line {line}: empty label (column {index + 1})")
        try:
            features.append(np.array(fields, dtype=np.float64))
        except ValueError:
            j = next((j for j, f in enumerate(fields) if not _is_number(f)), 0)
            column = j + 1 if j < index else j + 2
            raise ValueError(
                f"{path}, line {line}: feature {fields[j].strip()!r} (column {column}) is not a number"
            ) from None
        labels.append(label)
        lines.append(line)
    if not features:
        raise ValueError(f"{path}: no data rows after the header line")
    return np.stack(features), np.array(labels), lines


def _csv_labels(path: Path, labels: np.ndarray, lines) -> tuple[np.ndarray, tuple[str, ...] | None]:
    numeric = np.array([_is_number(label) for label in labels])
    if numeric.all():
        return _numeric_labels(labels.astype(np.float64), str(path), lines, texts=labels), None
    if numeric.any():
        i, j = int(np.argmax(numeric)), int(np.argmin(numeric))
        raise ValueError(
            f"{path}: labels mix numbers ({str(labels[i])!r} on line {lines[i]}) and names ({str(labels[j])!r} on line "
            f"{lines[j]}); use one kind"
        )
    return _string_labels(labels, None, str(path), lines)


def load_csv(
    path: str | os.PathLike[str],
    label_column: int | str = -1,
    dtype: DTypeLike = np.float64,
    header: bool | str = "auto",
    delimiter: str = ",",
) -> Dataset:
    """Load a classification data set from a CSV file: one sample per line, numeric features and a label.

    Parameters
    ----------
    path : str or path-like
        The file, plain or gzip-compressed (detected from the content). Blank lines are skipped.
    label_column : int or str
        Index of the label column (negative counts from the end; -1 is the last), or its name in the header.
    dtype : float32 or float64
        Element type of the returned inputs.
    header : {"auto", True, False}
        Whether the first line holds column names. ``"auto"``: it does when none of its feature fields is a
        number.
    delimiter : str
        The one character between fields.

    Returns
    -------
    Dataset
        The samples as training data (``X_test`` is None), features converted unchanged. Labels are
        integers >= 0 (``3`` or ``3.0``), or names, which become codes 0..k-1 in sorted order with the
        names as ``class_names`` (so predictions map back with :meth:`Dataset.label_names`).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a line has a different number of fields than the first, a feature is not a number or not finite,
        a label is empty, negative or fractional, labels mix numbers and names, there is no data, or the
        file is not UTF-8 text. The message names the file and the line.
    TypeError
        If ``dtype`` is not float32 or float64, or another argument has the wrong type.
    """
    dtype = check_dtype(dtype)
    if isinstance(label_column, bool) or not isinstance(label_column, (numbers.Integral, str)):
        raise TypeError(f"label_column must be a column index or a header name; got {label_column!r}")
    if not (isinstance(header, bool) or (isinstance(header, str) and header == "auto")):
        raise ValueError(f"header must be 'auto', True or False; got {header!r}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise ValueError(f"delimiter must be one character other than a quote or a line break; got {delimiter!r}")
    path = Path(path)
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    features, labels, lines = _csv_parse(path, text, delimiter, header, label_column)
    X = _features(features, dtype, str(path), lines)
    y, names = _csv_labels(path, labels, lines)
    return _dataset(X, y, None, None, str(path), names)


# ---------------------------------------------------------------- load_dataset: names and paths


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
