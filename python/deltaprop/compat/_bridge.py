"""What the textbook modules share: their lists of column vectors as matrices, and the engine behind them.

The textbook keeps its parameters in plain lists of arrays, weights (out, in) and biases (out, 1), that
its readers inspect and replace at will. Those lists stay the truth: :class:`Engine` copies them into a
:class:`deltaprop.Network` right before it computes and hands fresh arrays back after training.
"""

from __future__ import annotations

import random
import warnings

import numpy as np

from .._engine import core
from .._threads import blas_threads
from .._validation import require_finite
from ..network import DivergenceError, Network


def shuffle(order: np.ndarray) -> None:
    """``random.shuffle`` on an int64 array of sample indices, in place, as the book shuffles its list of pairs.

    While Python's ``random`` module is as it comes (its generator a plain ``random.Random``, ``shuffle`` its
    own), the permutation is computed in the engine from the generator's state, which then moves on exactly as
    ``random.shuffle`` would have moved it: the same order, the same numbers drawn, 30 to 50 times faster for
    60,000 samples. A replaced ``random.shuffle`` or generator is called as it is.
    """
    generator = getattr(random, "_inst", None)
    shuffle_function = random.shuffle
    if (
        type(generator) is random.Random
        and getattr(shuffle_function, "__self__", None) is generator
        and getattr(shuffle_function, "__func__", None) is random.Random.shuffle
    ):
        version, words, gauss_next = generator.getstate()
        if version == 3 and len(words) == 625:
            words = core.python_shuffle(order, list(words))
            generator.setstate((version, tuple(words), gauss_next))
            return
    items = order.tolist()
    shuffle_function(items)
    order[:] = items


def sizes_of(weights: list) -> list[int]:
    """Layer widths implied by a list of (out, in) weight matrices."""
    return [int(np.shape(weights[0])[1])] + [int(np.shape(w)[0]) for w in weights]


class Engine:
    """A sigmoid network with the given loss, rebuilt only when the layer widths change."""

    def __init__(self, loss: str):
        self.loss = loss
        self._net: Network | None = None

    def load(self, weights: list, biases: list) -> Network:
        """Return the engine's network holding ``weights`` and ``biases`` (copied in)."""
        if len(weights) != len(biases):
            raise ValueError(f"the network has {len(weights)} weight matrices but {len(biases)} bias vectors")
        sizes = sizes_of(weights)
        if self._net is None or self._net.sizes != sizes:
            # The seed only spares the operating system's entropy: these parameters are overwritten.
            self._net = Network(sizes, activation="sigmoid", loss=self.loss, dtype=np.float64, seed=0)
        net = self._net
        try:
            net.weights = weights
            net.biases = [np.reshape(b, -1) if np.size(b) == n else b for b, n in zip(biases, sizes[1:])]
        except ValueError as exc:
            raise ValueError(f"the network's weights or biases cannot be used: {exc}") from exc
        return net

    def store(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Fresh copies of the engine's parameters in the textbook's shapes: weights (out, in), biases (out, 1)."""
        assert self._net is not None
        weights = [np.array(w) for w in self._net.weights]
        biases = [np.array(b.reshape(-1, 1)) for b in self._net.biases]
        return weights, biases

    def outputs(self, weights: list, biases: list, X: np.ndarray) -> np.ndarray:
        """Output activations (n, n_out) for the inputs X (n, n_in)."""
        net = self.load(weights, biases)
        return net.feedforward(X) if len(X) else np.empty((0, net.sizes[-1]))

    def train(self, weights, biases, X, Y, order, batch_size, eta, l2=0.0, checked=False):
        """One pass of mini-batch gradient descent over X[order] in chunks of ``batch_size``.

        ``order=None`` visits the rows as they are; ``checked``: X is known to be finite (see
        :func:`require_finite_inputs`). Returns the new (weights, biases).
        """
        if eta < 0:
            raise ValueError(f"eta must be a positive learning rate; got {eta!r}")
        if len(X) == 0 or eta == 0:
            # Nothing to learn from, or steps of length zero: the textbook's arithmetic leaves W and b as they are.
            return weights, biases
        net = self.load(weights, biases)
        try:
            # As many threads as the book's NumPy would have (fit uses fewer where a batch is too small to share).
            net.fit(
                X,
                Y,
                epochs=1,
                batch_size=batch_size,
                lr=eta,
                l2=l2,
                shuffle=False,
                order=order,
                threads=blas_threads(),
                check_finite=not checked,
            )
        except DivergenceError as exc:
            # The textbook trains on through overflow with NumPy's warnings; so do we, with one warning.
            warnings.warn(str(exc), RuntimeWarning, stacklevel=3)
        return self.store()


def engine_of(model, loss: str) -> Engine:
    """The engine a textbook network trains in, created on first use (so a subclass's own __init__ needs none)."""
    engines = model.__dict__.setdefault("_engines", {})
    if loss not in engines:
        engines[loss] = Engine(loss)
    return engines[loss]


def rows_in_place(vectors: list, width: int) -> np.ndarray | None:
    """The rows of the array the vectors are views of, when they are views of its consecutive rows in order.

    The book's loader makes each image a (784, 1) view of a row of one float32 array: its rows are then
    the matrix itself, with no copy (for 60,000 images, the copy took most of a one-epoch ``SGD`` call),
    read as they are while training runs. None when the vectors are anything else.
    """
    base = getattr(vectors[0], "base", None) if vectors else None
    if (
        not isinstance(base, np.ndarray)
        or base.dtype not in (np.float32, np.float64)
        or not base.dtype.isnative
        or not base.flags.c_contiguous
    ):
        return None
    first = core.first_of_consecutive_rows(base, vectors, width)
    if first < 0:
        return None
    # As a plain ndarray: a subclass's arithmetic (np.matrix's * is a matrix product) is not the book's.
    return base.view(np.ndarray).reshape(-1, width)[first : first + len(vectors)]


def column_matrix(vectors: list, width: int, what: str) -> np.ndarray:
    """Stack column vectors (width, 1) (or anything with ``width`` entries) as the rows of one matrix.

    The matrix is float32 when the vectors are all float32 arrays, as the book's MNIST images are: the
    float64 engine widens each row as it reads it, exactly, so a float64 copy would only cost time and
    memory. Anything else becomes float64.
    """
    rows = rows_in_place(vectors, width)
    if rows is not None:
        return rows
    first = vectors[0] if vectors else None
    if isinstance(first, np.ndarray) and first.dtype in (np.float32, np.float64) and first.dtype.isnative:
        # Arrays of one floating-point type, checked and copied in one pass by the engine (a check of
        # each vector in Python cost as much as the copy for 60,000 images).
        out = np.empty((len(vectors), width), dtype=first.dtype)
        if core.copy_rows(vectors, out):
            return out
    out = np.empty((len(vectors), width), dtype=np.float64)
    rows = []
    for i, v in enumerate(vectors):
        v = np.asarray(v)
        if v.size != width:
            raise ValueError(f"{what} {i} has shape {v.shape}; expected {width} values, a column vector ({width}, 1)")
        rows.append(v.reshape(1, width))
    if rows:
        np.concatenate(rows, axis=0, out=out, casting="same_kind")
    return out


def label_array(labels: list, what: str) -> np.ndarray:
    """Integer class labels as a 1-D array; one-hot columns are not labels here."""
    arr = np.asarray(labels)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iuf"):
        raise ValueError(
            f"{what} must pair each input with an integer class label, as the textbook's test and validation "
            "data do; for (x, one-hot y) pairs use the training-data form"
        )
    return arr


def inputs_and_targets(data: list, n_in: int, n_out: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) pairs with column vectors x (n_in, 1) and y (n_out, 1) as matrices X (n, n_in), Y (n, n_out)."""
    return (
        column_matrix([x for x, _ in data], n_in, f"{what}: input"),
        column_matrix([y for _, y in data], n_out, f"{what}: target"),
    )


def require_finite_inputs(X: np.ndarray, what: str) -> None:
    """Raise ValueError if the inputs X hold NaN or infinity: once per ``SGD`` call, not once per epoch."""
    require_finite(X, f"{what}: input")


def inputs_and_labels(data: list, n_in: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(x, label) pairs as a matrix X (n, n_in) and a label array (n,)."""
    return column_matrix([x for x, _ in data], n_in, f"{what}: input"), label_array([y for _, y in data], what)


def correct_count(outputs: np.ndarray, labels: np.ndarray) -> int:
    """How many rows' argmax equals their label (the textbook's ``int(x == y)`` summed)."""
    return int(np.count_nonzero(np.argmax(outputs, axis=1) == labels)) if len(outputs) else 0


def overrides(obj, base: type, *names: str) -> bool:
    """Whether ``obj``'s class replaces any of the methods ``names`` of ``base`` (a reader's subclass)."""
    return any(getattr(type(obj), name) is not getattr(base, name) for name in names)


def per_sample_step(net, mini_batch: list, eta, decay=1.0) -> tuple[list, list]:
    """The book's step from ``net.backprop`` summed over the samples: W ← decay W − (η/m) Σ ∂W, b ← b − (η/m) Σ ∂b.

    For a subclass with a ``backprop`` of its own, which the engine cannot run.
    """
    sum_b = [np.zeros(np.shape(b)) for b in net.biases]
    sum_w = [np.zeros(np.shape(w)) for w in net.weights]
    for x, y in mini_batch:
        nabla_b, nabla_w = net.backprop(x, y)
        sum_b = [s + g for s, g in zip(sum_b, nabla_b)]
        sum_w = [s + g for s, g in zip(sum_w, nabla_w)]
    step = eta / len(mini_batch)
    weights = [decay * w - step * s for w, s in zip(net.weights, sum_w)]
    biases = [b - step * s for b, s in zip(net.biases, sum_b)]
    return weights, biases


def mini_batches(data: list, order: list, size: int) -> list:
    """The book's mini-batches: consecutive chunks of ``size`` of the pairs taken in ``order``."""
    return [[data[i] for i in order[k : k + size]] for k in range(0, len(order), size)]


def outputs_one_by_one(net, X: np.ndarray, n_out: int) -> np.ndarray:
    """Outputs (n, n_out) through ``net.feedforward``, one column at a time (a subclass's own forward pass)."""
    if not len(X):
        return np.empty((0, n_out))
    return np.array([np.ravel(net.feedforward(x.reshape(-1, 1))) for x in X])
