"""Real handwritten digits in the textbook's layout, for the tests of ``deltaprop.compat``.

The images come from the MNIST test set in ``shared/data/mnist`` next to the repository (or the directory
named by ``DELTAPROP_MNIST_DIR``); tests that need them are skipped, saying why, when it is missing.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from deltaprop.datasets import load_mnist

MNIST_DIR = Path(os.environ.get("DELTAPROP_MNIST_DIR", Path(__file__).resolve().parents[2] / "shared/data/mnist"))
FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@lru_cache(maxsize=1)
def _mnist_test_set() -> tuple[np.ndarray, np.ndarray]:
    return load_mnist(MNIST_DIR, kind="t10k")


def digits(start: int, stop: int, labelled: bool = False) -> list:
    """Images start..stop-1 as the book's pairs: (x (784, 1), one-hot y (10, 1)), or (x, label) with ``labelled``."""
    missing = [name for name in FILES if not (MNIST_DIR / name).exists()]
    if missing:
        pytest.skip(f"MNIST test set not found: {', '.join(missing)} missing in {MNIST_DIR} (set DELTAPROP_MNIST_DIR)")
    X, y = _mnist_test_set()
    if labelled:
        return [(X[i].reshape(784, 1), y[i]) for i in range(start, stop)]
    return [(X[i].reshape(784, 1), np.eye(10)[:, [y[i]]]) for i in range(start, stop)]


def copies(arrays) -> list[np.ndarray]:
    return [np.array(a, dtype=np.float64) for a in arrays]


def max_relative_difference(ours, theirs) -> float:
    """The largest over the layers of max|Δ| / max|theirs|."""
    return max(float(np.max(np.abs(a - b)) / np.max(np.abs(b))) for a, b in zip(ours, theirs))
