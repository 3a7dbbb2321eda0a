"""The textbook's chapter-1 ``network.py``: a sigmoid network trained by mini-batch SGD on the quadratic cost.

The same class, attributes and methods as the book's module, and the same mathematics: from the same
``np.random.seed`` and ``random.seed`` it starts from the same parameters and visits the same mini-batches,
and an epoch ends at the same weights up to floating-point rounding. The work runs in deltaprop's
engine: ``SGD`` turns the data into two matrices once and trains each epoch in a single call.

Data are the book's: ``training_data`` a list of ``(x, y)`` pairs with x a column vector (784, 1) and y
its one-hot target (10, 1); ``test_data`` pairs ``(x, label)``.
"""

from __future__ import annotations

import numpy as np

from . import _bridge

__all__ = ["Network", "sigmoid", "sigmoid_prime"]


def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(−z)), element-wise."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z))."""
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    """A fully connected sigmoid network with layer widths ``sizes``, input first.

    ``weights[l]`` (sizes[l+1], sizes[l]) and ``biases[l]`` (sizes[l+1], 1) are plain lists of float64
    arrays drawn from ``np.random.randn``, biases first, as in the book. They may be read, replaced or
    modified freely: every method reads them afresh and training stores new arrays. A subclass's own
    ``update_mini_batch``, ``backprop``, ``feedforward`` or ``evaluate`` is called where the book calls it
    (at the book's speed: a mini-batch, a sample at a time).
    """

    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        # NumPy's global generator, as in the book, so that np.random.seed reproduces its starting point.
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]  # noqa: NPY002
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]  # noqa: NPY002

    def feedforward(self, a):
        """Return the output for the input column ``a`` (n_in, 1), or for each column of ``a`` (n_in, k)."""
        a_arr = np.asarray(a)
        if a_arr.ndim == 2 and a_arr.shape[0] == np.shape(self.weights[0])[1]:
            return np.ascontiguousarray(self._engine().outputs(self.weights, self.biases, a_arr.T).T)
        # Any other shape gets the book's own arithmetic, so it broadcasts exactly as it does there.
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        """Train for ``epochs`` epochs of mini-batches of ``mini_batch_size`` with learning rate ``eta``.

        Each epoch shuffles with Python's ``random.shuffle`` and cuts consecutive mini-batches, as the book
        does, then prints ``Epoch j: correct / n_test`` with ``test_data`` or ``Epoch j complete``.
        """
        training_data = list(training_data)
        n = len(training_data)
        n_in, n_out = self._widths()
        X, Y = _bridge.inputs_and_targets(training_data, n_in, n_out, "training_data")
        if test_data:
            test_data = list(test_data)
            n_test = len(test_data)
            X_test, labels = _bridge.inputs_and_labels(test_data, n_in, "test_data")
        # The book shuffles its list of pairs in place, epoch after epoch; shuffling the indices the same
        # way consumes the same random numbers and gives the same sequence of mini-batches.
        order = np.arange(n, dtype=np.int64)
        # A subclass's own update_mini_batch or backprop is called the book's way, a mini-batch at a time.
        stepwise = _bridge.overrides(self, Network, "update_mini_batch", "backprop")
        if not stepwise:  # the engine trains on X; a subclass's own steps see what the book's would
            _bridge.require_finite_inputs(X, "training_data")
        for j in range(epochs):
            _bridge.shuffle(order)
            if stepwise:
                for mini_batch in _bridge.mini_batches(training_data, order.tolist(), mini_batch_size):
                    self.update_mini_batch(mini_batch, eta)
            else:
                self.weights, self.biases = self._engine().train(
                    self.weights, self.biases, X, Y, order, mini_batch_size, eta, checked=True
                )
            if test_data:
                if _bridge.overrides(self, Network, "evaluate"):
                    correct = self.evaluate(test_data)
                else:
                    correct = _bridge.correct_count(self._outputs(X_test), labels)
                print(f"Epoch {j}: {correct} / {n_test}")
            else:
                print(f"Epoch {j} complete")

    def update_mini_batch(self, mini_batch, eta):
        """Take one gradient-descent step on the mean quadratic cost of the ``(x, y)`` pairs in ``mini_batch``."""
        mini_batch = list(mini_batch)
        if _bridge.overrides(self, Network, "backprop"):
            self.weights, self.biases = _bridge.per_sample_step(self, mini_batch, eta)
            return
        X, Y = _bridge.inputs_and_targets(mini_batch, *self._widths(), "mini_batch")
        self.weights, self.biases = self._engine().train(self.weights, self.biases, X, Y, None, len(mini_batch), eta)

    def backprop(self, x, y):
        """Return ``(nabla_b, nabla_w)``, the gradient of the cost ½‖a − y‖² of one sample, layer by layer."""
        n_in, n_out = self._widths()
        net = self._engine().load(self.weights, self.biases)
        nabla_b, nabla_w = net.backprop(np.reshape(x, (1, n_in)), np.reshape(y, (1, n_out)))
        return [np.array(nb.reshape(-1, 1)) for nb in nabla_b], [np.array(nw) for nw in nabla_w]

    def evaluate(self, test_data):
        """Return how many ``(x, label)`` pairs the network classifies right (argmax of the output)."""
        test_data = list(test_data)
        X, labels = _bridge.inputs_and_labels(test_data, self._widths()[0], "test_data")
        return _bridge.correct_count(self._outputs(X), labels)

    def cost_derivative(self, output_activations, y):
        """∂C/∂a for the quadratic cost: ``output_activations − y``."""
        return output_activations - y

    def _engine(self) -> _bridge.Engine:
        return _bridge.engine_of(self, "quadratic")

    def _outputs(self, X: np.ndarray) -> np.ndarray:
        """Outputs (n, n_out) for the rows of X: from the engine, or from a subclass's own feedforward."""
        if _bridge.overrides(self, Network, "feedforward"):
            return _bridge.outputs_one_by_one(self, X, self._widths()[1])
        return self._engine().outputs(self.weights, self.biases, X)

    def _widths(self) -> tuple[int, int]:
        """(inputs, outputs) of the current weights."""
        return int(np.shape(self.weights[0])[1]), int(np.shape(self.weights[-1])[0])
