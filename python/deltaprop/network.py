"""Network: a multilayer perceptron trained by mini-batch backpropagation, over the compiled engine."""

from __future__ import annotations

import math
import time

import numpy as np

from ._engine import core
from ._interrupt import StopOnInterrupt
from ._validation import (
    ACTIVATIONS,
    INITS,
    LOSSES,
    as_class_labels,
    as_inputs,
    as_parameter,
    as_sample_weights,
    as_targets,
    check_architecture,
    check_bool,
    check_choice,
    check_dtype,
    check_int,
    check_real,
    check_sizes,
)
from .history import History

__all__ = ["DivergenceError", "Network"]


class DivergenceError(FloatingPointError):
    """Raised by :meth:`Network.fit` when the training cost stops being finite.

    Attributes
    ----------
    epoch : int
        The (1-based) epoch whose cost was not finite.
    history : History
        The records of the epochs completed before it.
    """

    def __init__(self, message: str, epoch: int, history: History):
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class _ParameterList(list):
    """A list of parameter arrays in which item assignment copies values into the existing arrays.

    So ``net.weights[0] = W`` changes the network (after a shape check) instead of rebinding a list slot.
    """

    def __init__(self, arrays, name: str):
        super().__init__(arrays)
        self.name = name

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            targets = list.__getitem__(self, index)
            if isinstance(value, np.ndarray) or not hasattr(value, "__len__"):
                raise TypeError(f"{self.name} must be given as a list of {len(targets)} arrays")
            values = list(value)
            if len(values) != len(targets):
                raise ValueError(f"{self.name} needs {len(targets)} arrays (one per layer); got {len(values)}")
            positions = range(len(self))[index]
            # Check everything before copying anything, so a bad list leaves the network untouched.
            checked = [as_parameter(v, f"{self.name}[{i}]", t) for i, v, t in zip(positions, values, targets)]
            for target, v in zip(targets, checked):
                target[...] = v
        else:
            target = list.__getitem__(self, index)
            target[...] = as_parameter(value, f"{self.name}[{index}]", target)


class Network:
    """A fully connected feed-forward network trained by mini-batch stochastic gradient descent.

    The parameters live in one flat buffer inside the compiled engine; :attr:`weights` and
    :attr:`biases` are NumPy views into it, so writing into them changes the network.

    Parameters
    ----------
    sizes : list of int
        Layer widths, input first: ``[784, 30, 10]`` is 784 inputs, one hidden layer of 30, 10 outputs.
    activation : str, default "sigmoid"
        Activation of the hidden layers: "identity", "sigmoid", "tanh", "relu" or "leaky_relu".
        ("softmax" is accepted only when there is no hidden layer, where it names the output.)
    output_activation : str, optional
        Activation of the output layer, any of the above or "softmax". Defaults to ``activation``.
    loss : str, default "quadratic"
        "quadratic" (½‖a−y‖²), "cross_entropy" (with a sigmoid output), "log_likelihood"
        (−Σ y ln a, with a softmax output) or "poisson" (Σ y ln(y/a) − y + a, with an "exp" output
        and targets >= 0). The cost of a batch is the mean over its samples.
    dtype : {np.float64, np.float32, "float64", "float32"}, default np.float64
        Floating-point type of the parameters and of all computations.
    init : str, default "nielsen"
        Parameter initialisation: "nielsen" (W ~ N(0, 1/n_in), b ~ N(0, 1)), "large" (W, b ~ N(0, 1)),
        "glorot" (W ~ U(±sqrt(6/(n_in+n_out))), b = 0) or "he" (W ~ N(0, 2/n_in), b = 0).
    seed : None, int or numpy.random.Generator, optional
        Seed of the network's random generator ``numpy.random.default_rng(seed)``, which draws the initial
        parameters and then one shuffling seed per training epoch: the same seed gives the same results.
    slope : float, default 0.01
        Slope of "leaky_relu" for negative inputs (finite, >= 0).

    Attributes
    ----------
    sizes : list of int
    activation, output_activation, loss, init : str
    dtype : numpy.dtype
    slope : float
    num_layers : int
        Number of layers including the input layer, ``len(sizes)``, as in the textbook.

    Examples
    --------
    >>> import numpy as np
    >>> from deltaprop import Network
    >>> net = Network([2, 3, 1], seed=0)
    >>> net.weights[0].shape, net.biases[0].shape
    ((3, 2), (3,))
    >>> net.feedforward(np.zeros(2)).shape
    (1,)
    """

    def __init__(
        self,
        sizes,
        activation: str = "sigmoid",
        output_activation: str | None = None,
        loss: str = "quadratic",
        dtype=np.float64,
        init: str = "nielsen",
        seed=None,
        slope: float = 0.01,
    ):
        sizes = check_sizes(sizes)
        activation = check_choice(activation, "activation", ACTIVATIONS)
        if output_activation is None:
            output_activation = activation
        output_activation = check_choice(output_activation, "output_activation", ACTIVATIONS)
        loss = check_choice(loss, "loss", LOSSES)
        check_architecture(activation, output_activation, loss, n_hidden=len(sizes) - 2)
        init = check_choice(init, "init", INITS)
        try:
            rng = np.random.default_rng(seed)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"seed must be None, a non-negative integer or a numpy Generator; got {seed!r}") from exc
        self._build(sizes, activation, output_activation, loss, check_dtype(dtype), init, slope)
        self._rng = rng
        self._training_info = _new_training_info()
        self._initialize()

    def _build(self, sizes, activation, output_activation, loss, dtype, init, slope):
        """Create the engine and the per-layer views; used by ``__init__`` and unpickling."""
        self._sizes = sizes
        self._activation = activation
        self._output_activation = output_activation
        self._loss = loss
        self._dtype = dtype
        self._init = init
        self._slope = check_real(slope, "slope", low=0.0)
        engine_class = core.Engine32 if dtype == np.float32 else core.Engine64
        # Without hidden layers the hidden activation is unused; softmax there is the output's.
        hidden = "identity" if activation == "softmax" else activation
        self._engine = engine_class(sizes, hidden, output_activation, loss, self._slope)
        shapes = list(zip(sizes[1:], sizes[:-1]))
        n_weights = sum(o * i for o, i in shapes)
        if (self._engine.n_weights, self._engine.n_params) != (n_weights, n_weights + sum(sizes[1:])):
            raise RuntimeError("the compiled engine's parameter layout does not match sizes")
        params = self._engine.params
        # Layout: W_0, ..., W_{L-1}, then b_0, ..., b_{L-1}; reshape of a contiguous slice is a view.
        self._weights, self._biases, offset = [], [], 0
        for o, i in shapes:
            self._weights.append(params[offset : offset + o * i].reshape(o, i))
            offset += o * i
        for o, _ in shapes:
            self._biases.append(params[offset : offset + o])
            offset += o

    def _initialize(self):
        """Draw the initial parameters (in float64, then rounded to the network's dtype)."""
        rng = self._rng
        if self._init in ("nielsen", "large"):
            # Biases first, then weights, in the textbook's order.
            for b in self._biases:
                b[...] = rng.standard_normal(b.shape)
            for w in self._weights:
                scale = math.sqrt(w.shape[1]) if self._init == "nielsen" else 1.0
                w[...] = rng.standard_normal(w.shape) / scale  # randn(y, x) / sqrt(x), as in the book
            return
        for b in self._biases:
            b[...] = 0
        for w in self._weights:
            n_out, n_in = w.shape
            if self._init == "glorot":
                limit = math.sqrt(6.0 / (n_in + n_out))
                w[...] = rng.uniform(-limit, limit, size=w.shape)
            else:  # he
                w[...] = rng.standard_normal(w.shape) * math.sqrt(2.0 / n_in)

    # --- description -----------------------------------------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """list of int: Layer widths, input first."""
        return list(self._sizes)

    @property
    def num_layers(self) -> int:
        """int: Number of layers including the input layer, ``len(sizes)``."""
        return len(self._sizes)

    @property
    def activation(self) -> str:
        """str: Activation of the hidden layers."""
        return self._activation

    @property
    def output_activation(self) -> str:
        """str: Activation of the output layer."""
        return self._output_activation

    @property
    def loss(self) -> str:
        """str: Name of the per-sample loss."""
        return self._loss

    @property
    def dtype(self) -> np.dtype:
        """numpy.dtype: float32 or float64, the type of the parameters and computations."""
        return self._dtype

    @property
    def init(self) -> str:
        """str: Name of the initialisation scheme used."""
        return self._init

    @property
    def slope(self) -> float:
        """float: Negative-side slope of "leaky_relu"."""
        return self._slope

    def __repr__(self) -> str:
        text = (
            f"Network(sizes={self._sizes}, activation={self._activation!r}, "
            f"output_activation={self._output_activation!r}, loss={self._loss!r}, dtype={self._dtype}"
        )
        if "leaky_relu" in (self._activation, self._output_activation):
            text += f", slope={self._slope!r}"
        return text + ")"

    # --- parameters ------------------------------------------------------------------------------

    @property
    def weights(self) -> list[np.ndarray]:
        """list of numpy.ndarray: Weight matrices, ``weights[l]`` of shape (sizes[l+1], sizes[l]).

        Views into the network's parameters: writing into them (``net.weights[0][:] = 0``) changes the
        network, and so does assigning an item (``net.weights[0] = W``) or the whole list
        (``net.weights = [W0, W1]``), which copy the values in after checking shapes.
        """
        return _ParameterList(self._weights, "weights")

    @weights.setter
    def weights(self, values):
        self.weights[:] = values

    @property
    def biases(self) -> list[np.ndarray]:
        """list of numpy.ndarray: Bias vectors, ``biases[l]`` of shape (sizes[l+1],).

        Views into the network's parameters, like :attr:`weights`; assignment copies values in.
        """
        return _ParameterList(self._biases, "biases")

    @biases.setter
    def biases(self, values):
        self.biases[:] = values

    def parameters(self) -> list[np.ndarray]:
        """Return all parameter arrays, layer by layer.

        Returns
        -------
        list of numpy.ndarray
            ``[W0, b0, W1, b1, ...]``, views into the network's parameters.
        """
        return [p for w, b in zip(self._weights, self._biases) for p in (w, b)]

    def __getstate__(self):
        # The compiled engine is rebuilt on unpickling; optimizer velocity is not kept.
        config = (self._sizes, self._activation, self._output_activation, self._loss, self._dtype, self._init)
        return {
            "config": config,
            "slope": self._slope,
            "params": np.array(self._engine.params),
            "rng": self._rng,
            "training_info": dict(self._training_info),
        }

    def __setstate__(self, state):
        self._build(*state["config"], state["slope"])
        self._engine.params[...] = state["params"]
        self._rng = state["rng"]
        self._training_info = {**_new_training_info(), **state.get("training_info", {})}

    # --- model files -----------------------------------------------------------------------------

    def save(self, path, metadata=None) -> None:
        """Write the network to a model file (see :mod:`deltaprop.model_io`), atomically.

        Parameters
        ----------
        path : str or path-like
            Destination, written exactly as given; an existing file is replaced only once the new
            one is complete.
        metadata : dict, optional
            JSON-serialisable information to keep with the model (data set, class names, ...).
        """
        from .model_io import save_network

        save_network(self, path, metadata)

    @classmethod
    def load(cls, path) -> Network:
        """Read a network written by :meth:`save`; bad or foreign files raise ``ValueError``."""
        from .model_io import load_network

        return load_network(path)

    @property
    def training_info(self) -> dict:
        """dict: What training this network has had: ``epochs`` completed and ``samples_seen`` over all
        calls to :meth:`fit`, ``seconds`` spent, ``last_cost``, and the settings of the last ``fit``
        (``lr``, ``batch_size``, ``momentum``, ``nesterov``, ``l2``, ``threads``). Kept in model files."""
        return self._training_info

    @training_info.setter
    def training_info(self, value) -> None:
        if not isinstance(value, dict):
            raise TypeError(f"training_info must be a dict; got {type(value).__name__}")
        self._training_info = {**_new_training_info(), **value}

    @property
    def n_params(self) -> int:
        """int: Number of parameters (weights and biases)."""
        return int(self._engine.n_params)

    # --- inference -------------------------------------------------------------------------------

    def _inputs(self, X, name="X", allow_single=True, check_finite=True):
        return as_inputs(X, name, self._dtype, self._sizes[0], allow_single, check_finite)

    def _targets(self, Y, n, single=False, name="Y"):
        return as_targets(Y, name, n, self._sizes[-1], self._dtype, single, self._loss)

    def _forward(self, X):
        out = np.empty((X.shape[0], self._sizes[-1]), dtype=self._dtype)
        self._engine.feedforward(X, out)
        return out

    def _need_classes(self, method):
        if self._sizes[-1] < 2:
            raise ValueError(
                f"{method} reads classes as the argmax of the outputs and needs at least 2 outputs; "
                "this network has 1 (use feedforward)"
            )

    def feedforward(self, X) -> np.ndarray:
        """Return the network's output for the inputs ``X``.

        Parameters
        ----------
        X : array_like, shape (n_samples, sizes[0]) or (sizes[0],)
            Inputs, one sample per row, or one sample.

        Returns
        -------
        numpy.ndarray, shape (n_samples, sizes[-1]) or (sizes[-1],)
            Output activations, of the network's dtype; 1-D when ``X`` is one sample.
        """
        X, single = self._inputs(X)
        out = self._forward(X)
        return out[0] if single else out

    def predict(self, X):
        """Return the predicted class of each sample, the index of its largest output.

        Parameters
        ----------
        X : array_like, shape (n_samples, sizes[0]) or (sizes[0],)

        Returns
        -------
        numpy.ndarray of int, shape (n_samples,), or int for one sample
        """
        self._need_classes("predict")
        X, single = self._inputs(X)
        labels = np.argmax(self._forward(X), axis=1)
        return int(labels[0]) if single else labels

    def _cost(self, X, Y, l2):
        return self._engine.cost(X, Y) + self._l2_term(l2, X.shape[0])

    def _l2_term(self, l2, n):
        if l2 == 0.0:
            return 0.0
        w = self._engine.params[: self._engine.n_weights]
        return 0.5 * l2 / n * float(np.dot(w, w))

    def cost(self, X, Y, l2: float = 0.0) -> float:
        """Return the mean cost over the samples, plus the L2 term when ``l2`` > 0.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0]) or (sizes[0],)
            Inputs.
        Y : array_like, shape (n, sizes[-1]) or (n,)
            Targets, or integer class labels (turned into one-hot rows). A network with one output reads a
            1-D ``Y`` as its targets. For one sample: a vector of targets or a label.
        l2 : float, default 0.0
            L2 regularisation strength λ; adds (λ / 2n) Σ ‖W‖² over all weight matrices with n = len(X),
            as in Nielsen's ``total_cost``. Biases are not regularised.

        Returns
        -------
        float
        """
        l2 = check_real(l2, "l2", low=0.0)
        X, single = self._inputs(X)
        return self._cost(X, self._targets(Y, X.shape[0], single), l2)

    def _correct(self, X, labels):
        return int(np.count_nonzero(np.argmax(self._forward(X), axis=1) == labels))

    def _count_correct(self, X, y, method):
        """Return (number of right argmax predictions, number of samples)."""
        self._need_classes(method)
        X, single = self._inputs(X)
        n = X.shape[0]
        return self._correct(X, as_class_labels(y, "y", n, self._sizes[-1], single)), n

    def evaluate(self, X, y) -> int:
        """Return the number of samples whose predicted class (argmax of the output) is right.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0]) or (sizes[0],)
        y : array_like, shape (n,) or (n, sizes[-1])
            True class labels, or one-hot targets whose argmax is the class.

        Returns
        -------
        int
        """
        return self._count_correct(X, y, "evaluate")[0]

    def accuracy(self, X, y) -> float:
        """Return the fraction of samples classified correctly, ``evaluate(X, y) / n``, in [0, 1].

        Parameters
        ----------
        X : array_like, shape (n, sizes[0]) or (sizes[0],)
        y : array_like, shape (n,) or (n, sizes[-1])
            True class labels, or one-hot targets.

        Returns
        -------
        float
        """
        correct, n = self._count_correct(X, y, "accuracy")
        return correct / n

    # --- gradients -------------------------------------------------------------------------------

    def backprop(self, X, Y, input_gradient: bool = False):
        """Return the gradient of the mean cost over the samples with respect to the parameters.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0]) or (sizes[0],)
            Inputs.
        Y : array_like, shape (n, sizes[-1]) or (n,)
            Targets or integer class labels, as in :meth:`cost`.
        input_gradient : bool, default False
            Also return the gradient with respect to the inputs.

        Returns
        -------
        nabla_b : list of numpy.ndarray
            Gradients for the biases, shaped like :attr:`biases`.
        nabla_w : list of numpy.ndarray
            Gradients for the weights, shaped like :attr:`weights`.
        nabla_x : numpy.ndarray
            Only with ``input_gradient``: ∂(mean cost)/∂X, shaped like ``X``.
        """
        input_gradient = check_bool(input_gradient, "input_gradient")
        X, single = self._inputs(X)
        Y = self._targets(Y, X.shape[0], single)
        grad = np.empty(self._engine.n_params, dtype=self._dtype)
        nabla_x = np.empty(X.shape, dtype=self._dtype) if input_gradient else None
        self._engine.backprop(X, Y, grad, nabla_x)
        nabla_w, nabla_b, offset = [], [], 0
        for w in self._weights:
            nabla_w.append(grad[offset : offset + w.size].reshape(w.shape))
            offset += w.size
        for b in self._biases:
            nabla_b.append(grad[offset : offset + b.size])
            offset += b.size
        if not input_gradient:
            return nabla_b, nabla_w
        return nabla_b, nabla_w, (nabla_x[0] if single else nabla_x)

    # --- training --------------------------------------------------------------------------------

    def _validation_set(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(f"validation_data must be a pair (X_val, y_val); got {type(validation_data).__name__}")
        X_val, _ = self._inputs(validation_data[0], "validation_data[0]", allow_single=False)
        n = X_val.shape[0]
        Y_val = self._targets(validation_data[1], n, name="validation_data[1]")
        # Classes are read from the (possibly one-hot) targets; single-output networks have no accuracy.
        labels = np.argmax(Y_val, axis=1) if self._sizes[-1] > 1 else None
        return X_val, Y_val, labels

    def fit(
        self,
        X,
        Y,
        epochs: int,
        batch_size: int,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        l2: float = 0.0,
        shuffle: bool = True,
        validation_data=None,
        tol: float | None = None,
        verbose: bool = False,
        threads: int | None = None,
        progress=None,
        progress_interval: float = 0.2,
        order=None,
        optimizer: str = "sgd",
        betas: tuple = (0.9, 0.999),
        epsilon: float = 1e-8,
        sample_weight=None,
        check_finite: bool = True,
    ) -> History:
        """Train by mini-batch stochastic gradient descent or Adam, continuing from the current parameters.

        Each epoch runs in the compiled engine without holding the GIL. The inputs are converted to the
        network's dtype once per call (no copy when already C-contiguous of that dtype). A float64 network
        also reads C-contiguous float32 inputs as they are, widening each mini-batch's rows as it reads
        them: the same results as converting X first, without a float64 copy of it.

        Parameters
        ----------
        X : array_like, shape (n, sizes[0])
            Training inputs.
        Y : array_like, shape (n, sizes[-1]) or (n,)
            Float targets, or integer class labels in [0, sizes[-1]) turned into one-hot rows. A network
            with one output reads a 1-D ``Y`` as its targets.
        epochs : int
            Number of passes over the data (>= 0).
        batch_size : int
            Mini-batch size (>= 1). The last, shorter batch of an epoch is used too.
        lr : float
            Learning rate η (> 0).
        momentum : float, default 0.0
            Momentum μ in [0, 1). The velocity starts at zero on every call to ``fit``.
        nesterov : bool, default False
            Use Nesterov momentum.
        l2 : float, default 0.0
            L2 regularisation λ (>= 0): weights decay as W ← (1 − ηλ/n) W − η ∂C/∂W with n = len(X),
            as in Nielsen's network2. Biases are not decayed.
        shuffle : bool, default True
            Shuffle the samples every epoch, with a seed drawn from the network's random generator.
        validation_data : tuple (X_val, y_val), optional
            Held-out data measured after every epoch; ``y_val`` as ``Y``.
        tol : float, optional
            Stop once the norm of the gradient of the regularised cost over the whole training set
            falls below ``tol`` (> 0), measured after each epoch.
        verbose : bool, default False
            Print one line per epoch.
        threads : int, optional
            The most threads that share each mini-batch (>= 1; default 1). A mini-batch too small to
            repay the barriers between the layers of a shared batch (under about 0.2 MFLOP per
            thread, or 10 MFLOP when it is an epoch's only one: the threads are woken every epoch)
            runs on fewer; ``training_info["threads"]`` tells how many were used. Results are
            reproducible for a given thread count and equal across counts up to floating-point
            reassociation.
            Nothing outside this call changes: no process-wide thread setting is touched.
        progress : callable, optional
            ``progress(info)`` is called from inside each epoch about every ``progress_interval``
            seconds, between mini-batches, and once when the epoch ends. ``info`` is a dict with
            ``epoch``, ``epochs``, ``batch``, ``n_batches``, ``samples``, ``n_samples``, ``cost`` (the
            epoch's mean training cost so far), ``seconds`` (in this epoch) and ``done``. Returning
            False stops training after the current mini-batch.
        progress_interval : float, default 0.2
            Seconds between progress reports (> 0); also how quickly Ctrl-C is noticed.
        order : array_like of int, optional
            The rows of ``X`` every epoch visits, in this order, instead of shuffling: consecutive
            chunks of ``batch_size`` of ``X[order]`` are the mini-batches. Any number of row indices,
            repeats allowed (e.g. a permutation from your own generator, or a bootstrap sample).
        optimizer : {"sgd", "adam"}, default "sgd"
            "sgd": gradient descent with ``momentum`` and ``nesterov``. "adam": Kingma and Ba's Adam
            with step size ``lr``, moment decays ``betas`` = (β₁, β₂) and ``epsilon``, as scikit-learn
            computes it (``momentum`` and ``nesterov`` must then keep their defaults). The optimizer's
            state starts afresh at each call. L2 (``l2``) is added to the gradient in both.
        betas : (float, float), default (0.9, 0.999)
            Adam's decay rates of its first and second moment estimates, each in [0, 1).
        epsilon : float, default 1e-8
            Adam's guard in its denominator (> 0).
        sample_weight : array_like, shape (n,), optional
            A weight per sample (finite, >= 0, not all zero): each mini-batch minimises the weighted
            mean of its samples' costs, Σ wᵢ Cᵢ / Σ wᵢ, and the reported costs are weighted alike. A
            mini-batch whose weights are all zero takes no step.
        check_finite : bool, default True
            Scan X for NaN and infinity first, a pass over the data (about 10 ms for 60,000 images of
            784 pixels). Pass False when X is known to be finite, e.g. when calling ``fit`` for one
            epoch at a time on data checked once: without the scan, non-finite inputs surface as a
            non-finite cost (DivergenceError) or non-finite parameters instead of a ValueError.

        Returns
        -------
        History
            One record per epoch completed: ``epoch``, ``cost`` (the mean per-sample cost of the
            mini-batches seen during the epoch, each before its update, plus the L2 term (λ/2n) Σ ‖W‖²
            for the weights at the end of the epoch), ``val_cost`` (with the L2 term for n = len(X_val))
            and ``val_accuracy`` (fraction in [0, 1], None for a single output) with ``validation_data``,
            ``grad_norm`` with ``tol``, and ``seconds`` (wall time of the epoch including its measurements).

        Ctrl-C (KeyboardInterrupt) stops training cleanly after the current mini-batch: the network
        keeps the updates made so far and ``fit`` returns the history with ``interrupted`` set.

        Raises
        ------
        DivergenceError
            If the training cost of an epoch is not finite (the learning rate is too large). The network
            keeps the parameters it reached; the error carries ``epoch`` and ``history``.
        """
        epochs = check_int(epochs, "epochs", 0)
        batch_size = check_int(batch_size, "batch_size", 1)
        lr = check_real(lr, "lr", low=0.0, low_open=True)
        momentum = check_real(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        nesterov = check_bool(nesterov, "nesterov")
        l2 = check_real(l2, "l2", low=0.0)
        shuffle = check_bool(shuffle, "shuffle")
        if tol is not None:
            tol = check_real(tol, "tol", low=0.0, low_open=True)
        threads = 1 if threads is None else check_int(threads, "threads", 1)
        if threads > 1 and not core.openmp:
            raise ValueError("threads must be 1: this build of deltaprop was compiled without OpenMP")
        if progress is not None and not callable(progress):
            raise TypeError(f"progress must be callable or None; got {type(progress).__name__}")
        progress_interval = check_real(progress_interval, "progress_interval", low=0.0, low_open=True)
        optimizer = check_choice(optimizer, "optimizer", ("sgd", "adam"))
        beta1, beta2, epsilon = _adam_settings(optimizer, betas, epsilon, momentum, nesterov)
        check_finite = check_bool(check_finite, "check_finite")
        X, _ = self._inputs(X, allow_single=False, check_finite=check_finite)
        n = X.shape[0]
        Y = self._targets(Y, n)
        if sample_weight is not None:
            sample_weight = as_sample_weights(sample_weight, n, self._dtype)
        validation = None if validation_data is None else self._validation_set(validation_data)
        if order is not None:
            order = _row_order(order, n)
        n_visits = n if order is None else len(order)  # samples per epoch

        engine = self._engine
        weight_decay = l2 / n
        batch_size = min(batch_size, n_visits)  # a batch never needs more room than the epoch
        if tol is not None:
            grad = np.empty(engine.n_params, dtype=self._dtype)
            decay = np.empty(engine.n_weights, dtype=self._dtype) if l2 > 0 else None
        engine.reset_optimizer()
        history = History()
        n_batches = -(-n_visits // batch_size)
        info = self._training_info
        threads = threads_worth_using(threads, self._sizes, batch_size, n_visits)
        info.update(lr=lr, batch_size=batch_size, momentum=momentum, nesterov=nesterov, l2=l2, threads=threads)
        info.update(optimizer=optimizer, weighted=sample_weight is not None)
        if optimizer == "adam":
            info.update(betas=[beta1, beta2], epsilon=epsilon)
        with StopOnInterrupt() as interrupt:
            for epoch in range(1, epochs + 1):
                start = time.perf_counter()

                def report(batches, samples, cost_sum, epoch=epoch, start=start, done=False):
                    # Polled by the engine between mini-batches: False stops the epoch there.
                    if interrupt.requested:
                        return False
                    if progress is None:
                        return True
                    return progress(
                        {
                            "epoch": epoch,
                            "epochs": epochs,
                            "batch": batches,
                            "n_batches": n_batches,
                            "samples": samples,
                            "n_samples": n_visits,
                            "cost": cost_sum / samples if samples else float("nan"),
                            "seconds": time.perf_counter() - start,
                            "done": done,
                        }
                    )

                seed = int(self._rng.integers(0, 2**64 - 1, endpoint=True, dtype=np.uint64))
                cost_sum, samples, batches, stopped, _ = engine.train_epoch(
                    X,
                    Y,
                    batch_size,
                    lr,
                    momentum,
                    nesterov,
                    weight_decay,
                    shuffle,
                    seed,
                    threads,
                    report,
                    progress_interval,
                    order,
                    optimizer,
                    beta1,
                    beta2,
                    epsilon,
                    0.0,
                    sample_weight,
                )
                info["samples_seen"] += samples
                info["seconds"] += time.perf_counter() - start
                cost = cost_sum / samples
                if not math.isfinite(cost):
                    raise DivergenceError(
                        f"training diverged in epoch {epoch} of {epochs}: the training cost is {cost}; "
                        f"try a smaller learning rate than lr={lr:g}",
                        epoch,
                        history,
                    )
                if stopped is not None:
                    history.interrupted = True
                    break
                info["epochs"] += 1
                info["last_cost"] = cost
                record = {"epoch": epoch, "cost": cost + self._l2_term(l2, n)}
                if validation is not None:
                    X_val, Y_val, labels = validation
                    record["val_cost"] = self._cost(X_val, Y_val, l2)
                    record["val_accuracy"] = None if labels is None else self._correct(X_val, labels) / len(X_val)
                if tol is not None:
                    engine.backprop(X, Y, grad, None, sample_weight)
                    if decay is not None:
                        weights = engine.params[: engine.n_weights]
                        np.multiply(weights, weight_decay, out=decay)
                        grad[: engine.n_weights] += decay
                    record["grad_norm"] = float(np.linalg.norm(grad))
                record["seconds"] = time.perf_counter() - start
                history.append(record)
                if verbose:
                    print(_epoch_line(record, epochs), flush=True)
                if report(batches, samples, cost_sum, done=True) is False or interrupt.requested:
                    history.interrupted = True
                    break
                if tol is not None and record["grad_norm"] < tol:
                    history.converged = True
                    break
        return history


def _adam_settings(optimizer: str, betas, epsilon, momentum: float, nesterov: bool) -> tuple[float, float, float]:
    """``(β₁, β₂, ε)`` checked; with Adam, ``momentum`` and ``nesterov`` must be left at their defaults."""
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError) as exc:
        raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}") from exc
    beta1 = check_real(beta1, "betas[0]", low=0.0, high=1.0, high_open=True)
    beta2 = check_real(beta2, "betas[1]", low=0.0, high=1.0, high_open=True)
    epsilon = check_real(epsilon, "epsilon", low=0.0, low_open=True)
    if optimizer == "adam" and (momentum != 0.0 or nesterov):
        raise ValueError("momentum and nesterov apply to optimizer='sgd'; Adam keeps its own moments (betas)")
    return beta1, beta2, epsilon


def _row_order(order, n: int) -> np.ndarray:
    """``order`` checked to be a non-empty 1-D sequence of integer row indices in [0, n)."""
    arr = np.asarray(order)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"order must be a non-empty 1-D sequence of row indices; got shape {arr.shape}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"order must hold integer row indices; got dtype {arr.dtype}")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n:
        raise ValueError(f"order must index rows of X in [0, {n}); it holds {low if low < 0 else high}")
    return arr.astype(np.int64, copy=False)


# Below this many floating-point operations per thread and mini-batch, the barriers between the
# layers of a shared mini-batch cost more than the thread saves (measured: [64, 30, 10] with
# batches of 10, 0.13 MFLOP a step, is 12% slower on two threads than on one; [784, 30, 10] with
# batches of 4, 0.57 MFLOP, is 1.3 times faster).
MIN_FLOPS_PER_THREAD = 2e5
# An epoch of a single mini-batch also pays for waking the team, which sleeps between calls: worth it
# from about 10 MFLOP per thread (measured: one batch of 10 for [784, 30, 10], 1.4 MFLOP, 0.11 ms on
# two threads against 0.09 ms on one; one batch of 200 for [784, 100, 10], 95 MFLOP, 0.98 ms against 1.5).
MIN_FLOPS_PER_THREAD_ONE_BATCH = 1e7


def threads_worth_using(requested: int, sizes: list, batch_size: int, samples: int) -> int:
    """How many of the ``requested`` threads an epoch of ``samples`` in mini-batches of ``batch_size`` keeps busy."""
    batch_size = min(batch_size, samples)
    # Matrix products of a step: forward, weight gradient and input gradient, 2 flops per multiply-add.
    flops = 6 * batch_size * sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    per_thread = MIN_FLOPS_PER_THREAD if samples > batch_size else MIN_FLOPS_PER_THREAD_ONE_BATCH
    return max(1, min(requested, int(flops // per_thread)))


def _new_training_info() -> dict:
    """The training record of an untrained network."""
    return {"epochs": 0, "samples_seen": 0, "seconds": 0.0, "last_cost": None}


def _epoch_line(record: dict, epochs: int) -> str:
    """Format one epoch as ``Epoch 3/10: cost 0.1234, val accuracy 91.20%, 0.42 s``."""
    parts = [f"cost {record['cost']:.4f}"]
    if "val_cost" in record:
        parts.append(f"val cost {record['val_cost']:.4f}")
    if record.get("val_accuracy") is not None:
        parts.append(f"val accuracy {100 * record['val_accuracy']:.2f}%")
    if "grad_norm" in record:
        parts.append(f"grad norm {record['grad_norm']:.3g}")
    parts.append(f"{record['seconds']:.3f} s")
    return f"Epoch {record['epoch']}/{epochs}: " + ", ".join(parts)
