"""Data sets: IDX files (MNIST, Fashion-MNIST), the bundled digits, a user's ``.npz`` or CSV file.

Array loaders return C-contiguous arrays, images as floats in [0, 1] and labels as int64, ready for
:class:`deltaprop.Network`. :func:`load_dataset` resolves a data set by name or path into a
:class:`Dataset` with training and test parts. A file that is corrupt, truncated or inconsistent raises
:class:`ValueError` naming the file and the problem; nothing is guessed.
"""

from .csv_files import load_csv
from .dataset import Dataset
from .digits import DIGIT_CLASSES, MNIST_CLASSES, load_digits
from .idx import FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, FASHION_MNIST_ENV, load_fashion_mnist, load_idx, load_mnist
from .load import DATASET_NAMES, load_dataset
from .npz import load_npz

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
