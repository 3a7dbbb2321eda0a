"""The bundled UCI optical handwritten digits (1,797 images of 8x8 pixels)."""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_dtype

#: Class names of the handwritten digits (MNIST and the bundled digits): label k is the digit k.
DIGIT_CLASSES = tuple("0123456789")
#: The same digit names, under the data set's name.
MNIST_CLASSES = DIGIT_CLASSES


_DIGITS_SHAPE = (1797, 64)


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
