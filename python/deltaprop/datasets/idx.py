"""IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_dtype

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
_MNIST_KINDS = ("t10k", "train")


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
