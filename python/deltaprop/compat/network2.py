"""The textbook's chapter-3 ``network2.py``: cross-entropy or quadratic cost, L2 regularisation, monitoring.

The same classes, functions and methods as the book's module, with the same mathematics: from the same
``np.random.seed`` and ``random.seed`` it starts from the same parameters, visits the same mini-batches
and ends an epoch at the same weights up to floating-point rounding, and it prints and returns what the
book's ``SGD`` does. Training runs in deltaprop's engine, a whole epoch per call, with the update

    w ← (1 − η λ / n) w − η ∂C/∂w (mean over the mini-batch),   n = len(training_data).

Model files are the book's JSON (``sizes``, ``weights``, ``biases``, ``cost``) and move between the two
modules in both directions.
"""

from __future__ import annotations

import json

import numpy as np

from ..model_io import _write_atomically
from . import _bridge

__all__ = ["CrossEntropyCost", "Network", "QuadraticCost", "load", "sigmoid", "sigmoid_prime", "vectorized_result"]


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(−z)), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    return sigmoid(z) * (1 - sigmoid(z))


class QuadraticCost:
    """C = ½‖a − y‖² per sample."""

    @staticmethod
    def fn(a, y):
        """The cost of output ``a`` for the desired output ``y``."""
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        """The output layer's error δ = ∂C/∂z = (a − y) σ'(z)."""
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    """C = −Σ [y ln a + (1 − y) ln(1 − a)] per sample; NaN from 0 · ln 0 counts as 0."""

    @staticmethod
    def fn(a, y):
        """The cost of output ``a`` for the desired output ``y``."""
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        """The output layer's error δ = ∂C/∂z = a − y (σ'(z) cancels)."""
        return a - y


# The engine's built-in loss for each cost class it reproduces exactly.
_ENGINE_LOSSES = {QuadraticCost: "quadratic", CrossEntropyCost: "cross_entropy"}


def _sample_costs(cost, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``cost.fn`` of each row pair of A and Y: vectorised for the two built-in costs, one call per row otherwise."""
    if cost is QuadraticCost:
        return 0.5 * np.linalg.norm(A - Y, axis=1) ** 2
    if cost is CrossEntropyCost:
        return np.sum(np.nan_to_num(-Y * np.log(A) - (1 - Y) * np.log(1 - A)), axis=1)
    return np.array([cost.fn(a.reshape(-1, 1), y.reshape(-1, 1)) for a, y in zip(A, Y)], dtype=np.float64)


class Network:
    """A fully connected sigmoid network with layer widths ``sizes`` and a cost class ``cost``.

    ``weights`` and ``biases`` are plain lists of float64 arrays, (out, in) and (out, 1), as in the book;
    they may be read, replaced or modified freely. Training needs ``cost`` to be :class:`QuadraticCost` or
    :class:`CrossEntropyCost`, the costs deltaprop's engine computes, unless a subclass brings its own
    ``backprop``. A subclass's own ``update_mini_batch``, ``backprop``, ``feedforward``, ``accuracy`` or
    ``total_cost`` is called where the book calls it (at the book's speed: a mini-batch, a sample at a time).
    """

    def __init__(self, sizes, cost=CrossEntropyCost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.default_weight_initializer()
        self.cost = cost

    def default_weight_initializer(self):
        """Biases ~ N(0, 1), weights ~ N(0, 1/n_in), drawn from ``np.random`` biases first, as in the book."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]  # noqa: NPY002 (the book's global generator)
        self.weights = [
            np.random.randn(y, x) / np.sqrt(x)  # noqa: NPY002
            for x, y in zip(self.sizes[:-1], self.sizes[1:])
        ]

    def large_weight_initializer(self):
        """Biases and weights ~ N(0, 1), drawn from ``np.random`` biases first (chapter 1's initialisation)."""
        self.biases = [np.random.randn(y, 1) for y in self.sizes[1:]]  # noqa: NPY002
        self.weights = [np.random.randn(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]  # noqa: NPY002

    def feedforward(self, a):
        """Return the output for the input column ``a`` (n_in, 1), or for each column of ``a`` (n_in, k)."""
        a_arr = np.asarray(a)
        if a_arr.ndim == 2 and a_arr.shape[0] == np.shape(self.weights[0])[1]:
            return np.ascontiguousarray(self._outputs(a_arr.T).T)
        # Any other shape gets the book's own arithmetic, so it broadcasts exactly as it does there.
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(
        self,
        training_data,
        epochs,
        mini_batch_size,
        eta,
        lmbda=0.0,
        evaluation_data=None,
        monitor_evaluation_cost=False,
        monitor_evaluation_accuracy=False,
        monitor_training_cost=False,
        monitor_training_accuracy=False,
        early_stopping_n=0,
    ):
        """Train by mini-batch SGD with L2 parameter ``lmbda``; return the monitored values per epoch.

        ``training_data`` holds ``(x, one-hot y)`` pairs, ``evaluation_data`` ``(x, label)`` pairs. Each epoch
        shuffles with Python's ``random.shuffle`` and cuts consecutive mini-batches, as the book does, then
        prints what is monitored. With ``early_stopping_n`` > 0, training stops once the accuracy on
        ``evaluation_data`` has not improved for that many epochs.

        Returns ``(evaluation_cost, evaluation_accuracy, training_cost, training_accuracy)``, lists with one
        entry per epoch for each quantity monitored.
        """
        # A subclass's own update_mini_batch or backprop is called the book's way, a mini-batch at a time.
        stepwise = _bridge.overrides(self, Network, "update_mini_batch", "backprop")
        own_cost = _bridge.overrides(self, Network, "total_cost")
        own_accuracy = _bridge.overrides(self, Network, "accuracy")
        engine = None if stepwise else self._engine(training=True)
        training_data = list(training_data)
        n = len(training_data)
        n_in, n_out = self._widths()
        X, Y = _bridge.inputs_and_targets(training_data, n_in, n_out, "training_data")
        if not stepwise:  # the engine trains on X; a subclass's own steps see what the book's would
            _bridge.require_finite_inputs(X, "training_data")
        labels = np.argmax(Y, axis=1)
        if evaluation_data:
            evaluation_data = list(evaluation_data)
            n_data = len(evaluation_data)
            if monitor_evaluation_cost or monitor_evaluation_accuracy or early_stopping_n > 0:
                X_eval, eval_labels = _bridge.inputs_and_labels(evaluation_data, n_in, "evaluation_data")
            if monitor_evaluation_cost:
                Y_eval = _one_hot(eval_labels, n_out, "evaluation_data")
        else:
            for flag, name in (
                (monitor_evaluation_cost, "monitor_evaluation_cost"),
                (monitor_evaluation_accuracy, "monitor_evaluation_accuracy"),
                (early_stopping_n > 0, "early_stopping_n"),
            ):
                if flag:
                    raise ValueError(f"{name} measures the network on evaluation_data; pass evaluation_data")

        best_accuracy = 0
        no_accuracy_change = 0
        evaluation_cost, evaluation_accuracy = [], []
        training_cost, training_accuracy = [], []
        # The book shuffles its list of pairs in place, epoch after epoch; shuffling the indices the same
        # way consumes the same random numbers and gives the same sequence of mini-batches.
        order = np.arange(n, dtype=np.int64)
        for j in range(epochs):
            _bridge.shuffle(order)
            if stepwise:
                for mini_batch in _bridge.mini_batches(training_data, order.tolist(), mini_batch_size):
                    self.update_mini_batch(mini_batch, eta, lmbda, n)
            else:
                self.weights, self.biases = engine.train(
                    self.weights, self.biases, X, Y, order, mini_batch_size, eta, l2=lmbda, checked=True
                )
            print(f"Epoch {j} training complete")
            if monitor_training_cost:
                cost = self.total_cost(training_data, lmbda) if own_cost else self._total_cost(X, Y, lmbda)
                training_cost.append(cost)
                print(f"Cost on training data: {cost}")
            if monitor_training_accuracy:
                if own_accuracy:
                    accuracy = self.accuracy(training_data, convert=True)
                else:
                    accuracy = _bridge.correct_count(self._outputs(X), labels)
                training_accuracy.append(accuracy)
                print(f"Accuracy on training data: {accuracy} / {n}")
            if monitor_evaluation_cost:
                if own_cost:
                    cost = self.total_cost(evaluation_data, lmbda, convert=True)
                else:
                    cost = self._total_cost(X_eval, Y_eval, lmbda)
                evaluation_cost.append(cost)
                print(f"Cost on evaluation data: {cost}")
            if monitor_evaluation_accuracy or early_stopping_n > 0:
                if own_accuracy:
                    accuracy = self.accuracy(evaluation_data)
                else:
                    accuracy = _bridge.correct_count(self._outputs(X_eval), eval_labels)
                if monitor_evaluation_accuracy:
                    evaluation_accuracy.append(accuracy)
                    print(f"Accuracy on evaluation data: {accuracy} / {n_data}")
            print()
            if early_stopping_n > 0:
                if accuracy > best_accuracy:
                    best_accuracy = accuracy
                    no_accuracy_change = 0
                else:
                    no_accuracy_change += 1
                if no_accuracy_change == early_stopping_n:
                    print(f"Early-stopping: No accuracy change in last epochs: {early_stopping_n}")
                    break
        return evaluation_cost, evaluation_accuracy, training_cost, training_accuracy

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        """One SGD step on ``mini_batch`` with weight decay 1 − η λ / n, n the size of the whole training set."""
        mini_batch = list(mini_batch)
        if _bridge.overrides(self, Network, "backprop"):
            self.weights, self.biases = _bridge.per_sample_step(self, mini_batch, eta, decay=1 - eta * (lmbda / n))
            return
        m = len(mini_batch)
        X, Y = _bridge.inputs_and_targets(mini_batch, *self._widths(), "mini_batch")
        # The engine decays by (1 − η l2 / len(X)); l2 = λ m / n makes that the book's (1 − η λ / n).
        self.weights, self.biases = self._engine(training=True).train(
            self.weights, self.biases, X, Y, None, m, eta, l2=lmbda * m / n
        )

    def backprop(self, x, y):
        """Return ``(nabla_b, nabla_w)``, the gradient of ``cost.fn`` for one sample, layer by layer."""
        n_in, n_out = self._widths()
        net = self._engine(training=True).load(self.weights, self.biases)
        nabla_b, nabla_w = net.backprop(np.reshape(x, (1, n_in)), np.reshape(y, (1, n_out)))
        return [np.array(nb.reshape(-1, 1)) for nb in nabla_b], [np.array(nw) for nw in nabla_w]

    def accuracy(self, data, convert=False):
        """Return how many samples of ``data`` are classified right (argmax of the output).

        ``convert=False``: pairs ``(x, label)`` (validation and test data); ``convert=True``: pairs
        ``(x, one-hot y)`` (training data).
        """
        data = list(data)
        n_in, n_out = self._widths()
        if convert:
            X, Y = _bridge.inputs_and_targets(data, n_in, n_out, "data")
            labels = np.argmax(Y, axis=1)
        else:
            X, labels = _bridge.inputs_and_labels(data, n_in, "data")
        return _bridge.correct_count(self._outputs(X), labels)

    def total_cost(self, data, lmbda, convert=False):
        """Return the mean ``cost.fn`` over ``data`` plus the L2 term ½ (λ / len(data)) Σ ‖w‖².

        ``convert=False``: pairs ``(x, one-hot y)`` (training data); ``convert=True``: pairs ``(x, label)``.
        """
        data = list(data)
        n_in, n_out = self._widths()
        if convert:
            X, labels = _bridge.inputs_and_labels(data, n_in, "data")
            Y = _one_hot(labels, n_out, "data")
        else:
            X, Y = _bridge.inputs_and_targets(data, n_in, n_out, "data")
        return self._total_cost(X, Y, lmbda)

    def save(self, filename):
        """Write the network to ``filename`` as the book's JSON, atomically (a complete file or none)."""
        data = {
            "sizes": [int(s) for s in self.sizes],
            "weights": [np.asarray(w).tolist() for w in self.weights],
            "biases": [np.asarray(b).tolist() for b in self.biases],
            "cost": str(self.cost.__name__),
        }
        _write_atomically(filename, lambda f: f.write(json.dumps(data).encode("utf-8")))

    # --- the engine behind the book's methods ------------------------------------------------------

    def _engine(self, training: bool) -> _bridge.Engine:
        loss = _ENGINE_LOSSES.get(self.cost)
        if loss is None:
            if training:
                raise TypeError(
                    f"deltaprop.compat.network2 trains with QuadraticCost or CrossEntropyCost only, the costs its "
                    f"engine computes; got cost={self.cost!r}. For a cost of your own, subclass Network with a "
                    "backprop of your own: SGD then calls it sample by sample, as the book does"
                )
            loss = "quadratic"  # outputs do not depend on the cost
        return _bridge.engine_of(self, loss)

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """Outputs (n, n_out) for the rows of X: from the engine, or from a subclass's own feedforward."""
        if _bridge.overrides(self, Network, "feedforward"):
            return _bridge.outputs_one_by_one(self, X, self._widths()[1])
        return self._engine(training=False).outputs(self.weights, self.biases, X)

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, lmbda) -> float:
        n = len(X)
        cost = float(np.sum(_sample_costs(self.cost, self._outputs(X), Y) / n)) if n else 0.0
        return cost + 0.5 * (lmbda / n) * sum(np.linalg.norm(w) ** 2 for w in self.weights)

    def _widths(self) -> tuple[int, int]:
        """(inputs, outputs) of the current weights."""
        return int(np.shape(self.weights[0])[1]), int(np.shape(self.weights[-1])[0])


def load(filename):
    """Read a network written by :meth:`Network.save` (here or by the book's module).

    Raises ``ValueError`` naming the file when it is not such a network or names a cost class this module
    does not define. The cost class is looked up by name among this module's classes, never evaluated.
    """
    try:
        with open(filename, encoding="utf-8") as f:
            data = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{filename}: not a network2 file (invalid JSON: {exc})") from exc
    if not isinstance(data, dict) or not {"sizes", "weights", "biases", "cost"} <= data.keys():
        raise ValueError(f"{filename}: not a network2 file (expected a JSON object with sizes, weights, biases, cost)")
    cost = _cost_class(data["cost"], filename)
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes)
    ):
        raise ValueError(f"{filename}: sizes must be a list of at least two positive integers; got {sizes!r}")
    weights = _arrays(data["weights"], [(y, x) for x, y in zip(sizes[:-1], sizes[1:])], "weights", filename)
    biases = _arrays(data["biases"], [(y, 1) for y in sizes[1:]], "biases", filename)
    # Constructed as the book does (its initialiser draws from np.random), then overwritten.
    net = Network(sizes, cost=cost)
    net.weights = weights
    net.biases = biases
    return net


def _cost_class(name, filename):
    """The cost class of this module called ``name``."""
    known = {c.__name__: c for c in globals().values() if isinstance(c, type) and _is_cost_class(c)}
    if not isinstance(name, str) or name not in known:
        raise ValueError(f"{filename}: unknown cost {name!r}; this module defines {', '.join(sorted(known))}")
    return known[name]


def _is_cost_class(cls) -> bool:
    return callable(getattr(cls, "fn", None)) and callable(getattr(cls, "delta", None))


def _arrays(values, shapes, what, filename) -> list[np.ndarray]:
    """Float64 arrays of the given shapes from nested JSON lists."""
    if not isinstance(values, list) or len(values) != len(shapes):
        raise ValueError(f"{filename}: {what} must be a list of {len(shapes)} arrays, one per layer")
    arrays = []
    for i, (value, shape) in enumerate(zip(values, shapes)):
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{filename}: {what}[{i}] is not an array of numbers ({exc})") from exc
        if arr.shape != shape:
            raise ValueError(f"{filename}: {what}[{i}] has shape {arr.shape}; sizes call for {shape}")
        arrays.append(arr)
    return arrays


def _one_hot(labels: np.ndarray, width: int, what: str) -> np.ndarray:
    """Rows ``vectorized_result(label)`` for each label, as one (n, width) matrix."""
    index = labels.astype(np.intp)
    if np.any(index != labels) or np.any((index < 0) | (index >= width)):
        raise ValueError(f"{what} must hold integer class labels in [0, {width})")
    Y = np.zeros((len(index), width))
    Y[np.arange(len(index)), index] = 1.0
    return Y


def vectorized_result(j):
    """The (10, 1) unit vector with 1.0 in row ``j``: a digit as the network's desired output."""
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e
