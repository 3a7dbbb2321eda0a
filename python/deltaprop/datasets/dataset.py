"""The Dataset type: training and test parts of one data set, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


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


def _dataset(X_train, y_train, X_test, y_test, name: str, names) -> Dataset:
    """A Dataset, with a test label outside the training classes reported against ``name``."""
    try:
        return Dataset(X_train, y_train, X_test, y_test, name=name, class_names=names)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
