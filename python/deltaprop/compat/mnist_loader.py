"""The textbook's ``mnist_loader.py``: reads its ``mnist.pkl.gz`` into the lists of column vectors it trains on.

``mnist.pkl.gz`` is a gzip-compressed Python **pickle** of three pairs ``(images, labels)``: 50,000
training, 10,000 validation and 10,000 test images, each image a row of 784 float32 pixels in [0, 1].
Unpickling a file can run arbitrary code, so only load files you trust. This module loads only the file
whose path you give it (by default ``../data/mnist.pkl.gz``, where the book's code expects it) and never
downloads anything. As a further safeguard it refuses any pickled object other than NumPy arrays and plain
containers, which is all the book's file holds; that narrows what a crafted file could do, and is no
reason to load files of unknown origin.
"""

from __future__ import annotations

import codecs
import gzip
import os
import pickle

import numpy as np

__all__ = ["load_data", "load_data_wrapper", "vectorized_result"]

DEFAULT_PATH = "../data/mnist.pkl.gz"

_ARRAY = np.zeros(1)
# The few callables a pickled NumPy array names, under their NumPy 1 and NumPy 2 module paths, resolved
# from the running NumPy itself; nothing else may be loaded.
_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # Python 3 pickles of bytes at protocols 0-2
}
for _module in ("numpy.core", "numpy._core"):
    _ALLOWED[(f"{_module}.multiarray", "_reconstruct")] = _ARRAY.__reduce__()[0]
    _ALLOWED[(f"{_module}.multiarray", "scalar")] = np.float64(0).__reduce__()[0]
    _ALLOWED[(f"{_module}.numeric", "_frombuffer")] = _ARRAY.__reduce_ex__(5)[0]


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that builds NumPy arrays, tuples, lists and numbers, and refuses everything else."""

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: an MNIST pickle holds only NumPy arrays"
            ) from None


def load_data(path: str | os.PathLike[str] = DEFAULT_PATH):
    """Return ``(training_data, validation_data, test_data)`` as stored in the pickle at ``path``.

    Each part is a pair ``(images, labels)``: images an (n, 784) float32 array, labels an (n,) integer
    array; n is 50,000 for the training part and 10,000 for the others in the book's file.
    """
    try:
        with gzip.open(path, "rb") as f:
            data = _ArrayUnpickler(f, encoding="latin1").load()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no MNIST pickle at {os.fspath(path)!r} (looked for {os.path.abspath(path)}); pass the path of "
            "the book's mnist.pkl.gz, e.g. load_data('path/to/mnist.pkl.gz'). Nothing is downloaded."
        ) from None
    except (gzip.BadGzipFile, EOFError, pickle.UnpicklingError) as exc:
        raise ValueError(f"{os.fspath(path)}: not a readable mnist.pkl.gz ({exc})") from exc
    if not (isinstance(data, tuple) and len(data) == 3 and all(isinstance(p, tuple) and len(p) == 2 for p in data)):
        raise ValueError(f"{os.fspath(path)}: expected three (images, labels) pairs as in the book's mnist.pkl.gz")
    return data


def load_data_wrapper(path: str | os.PathLike[str] = DEFAULT_PATH):
    """Return the data of ``path`` as lists of pairs ready for ``Network.SGD``.

    ``training_data``: ``(x, y)`` with x the image as a column (784, 1) and y its one-hot digit (10, 1).
    ``validation_data`` and ``test_data``: ``(x, label)`` with the integer label.
    """
    tr_d, va_d, te_d = load_data(path)
    training_data = [(np.reshape(x, (-1, 1)), vectorized_result(y)) for x, y in zip(tr_d[0], tr_d[1])]
    validation_data = [(np.reshape(x, (-1, 1)), y) for x, y in zip(va_d[0], va_d[1])]
    test_data = [(np.reshape(x, (-1, 1)), y) for x, y in zip(te_d[0], te_d[1])]
    return training_data, validation_data, test_data


def vectorized_result(j):
    """The (10, 1) unit vector with 1.0 in row ``j``: a digit as the network's desired output."""
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e
