"""The engine behind scikit-learn's multi-layer perceptrons.

:class:`EngineTrainedMLP` replaces the three places where scikit-learn's ``MLPClassifier`` and
``MLPRegressor`` compute: the stochastic solvers' epoch loop, the L-BFGS objective and the forward
pass used by ``predict``. Everything else — parameter validation, label handling, initialisation,
attributes, scoring — is scikit-learn's own, so the estimators behave as scikit-learn documents.
The epoch loop follows scikit-learn's line by line, with each epoch's mini-batches run by the
engine in C++: the same shuffles from the same random state, the same update formulas, the same
loss reported and the same stopping rules.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.optimize
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import shuffle as shuffled
from sklearn.utils.optimize import _check_optimize_result
from sklearn.utils.validation import validate_data

from .._threads import blas_threads
from ..network import threads_worth_using
from ._layout import dense_rows, layer_units_of, load_parameters, make_engine, unpack_parameters
from ._optimizer import EngineOptimizer


class _EngineCache:
    """Engines kept for predictions; dropped when the estimator is pickled or copied. Made by fit,
    so that predicting changes no attribute of the estimator."""

    def __init__(self):
        self.engines = {}

    def __getstate__(self):
        return {"engines": "not kept"}  # not empty: pickle skips __setstate__ for an empty state

    def __setstate__(self, state):
        self.engines = {}


class EngineTrainedMLP:
    """Mixin placed before scikit-learn's MLP class: the engine does its training and predictions."""

    # ---- the stochastic solvers ('sgd', 'adam') ----

    def _fit_stochastic(
        self, X, y, sample_weight, activations, deltas, coef_grads, intercept_grads, layer_units, incremental
    ):
        dtype = self.coefs_[0].dtype
        X = dense_rows(X, dtype)
        self._check_targets(y)
        self._engines = _EngineCache()
        optimizer = getattr(self, "_optimizer", None)
        fresh = not incremental or not isinstance(optimizer, EngineOptimizer)
        if fresh or not optimizer.matches(layer_units, self.activation, self.out_activation_, dtype):
            optimizer = self._optimizer = EngineOptimizer(self, layer_units, dtype)

        # early_stopping in partial_fit doesn't make sense (scikit-learn's words and rule)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        (X_train, y_train, weights_train), validation = self._split(X, y, sample_weight)
        # What the engine reads: C-contiguous arrays of the parameters' type.
        train = (X_train, np.ascontiguousarray(y_train, dtype=dtype), None)
        if weights_train is not None:
            train = (X_train, train[1], np.ascontiguousarray(weights_train, dtype=dtype))
        batch_size = self._batch_rows(X_train.shape[0])
        load_parameters(optimizer.engine, self.coefs_, self.intercepts_)
        threads = threads_worth_using(blas_threads(), layer_units, batch_size, X_train.shape[0])
        try:
            self._epochs(optimizer, train, validation, batch_size, threads, incremental)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        if self.early_stopping:
            # restore best weights
            self.coefs_ = self._best_coefs
            self.intercepts_ = self._best_intercepts

    def _split(self, X, y, sample_weight):
        """((X, y, sample_weight) to train on, (X, y, sample_weight) to validate on or Nones), as
        scikit-learn splits them: stratified for single-output classifiers, from its random state."""
        if not self.early_stopping:
            return (X, y, sample_weight), (None, None, None)
        # don't stratify in multilabel classification
        stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        split = train_test_split(
            *arrays, random_state=self._random_state, test_size=self.validation_fraction, stratify=stratify
        )
        X_train, X_val, y_train, y_val = split[:4]
        sample_weight_train, sample_weight_val = split[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
            )
        if is_classifier(self):
            y_val = self._label_binarizer.inverse_transform(y_val)
        return (X_train, y_train, sample_weight_train), (X_val, y_val, sample_weight_val)

    def _batch_rows(self, n_samples: int) -> int:
        """The mini-batch size scikit-learn uses for ``n_samples`` rows, with its warning."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=4
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _epochs(self, optimizer, train, validation, batch_size: int, threads: int, incremental: bool) -> None:
        """scikit-learn's epoch loop, each epoch's mini-batches run by the engine."""
        X_train, y_train, sample_weight_train = train
        n_samples = X_train.shape[0]
        sample_idx = np.arange(n_samples, dtype=np.int64)
        layer_units = layer_units_of(self.coefs_)
        # scikit-learn's squared error is the mean over outputs; the engine's cost sums them.
        cost_scale = 1.0 / self.n_outputs_ if self.out_activation_ == "identity" else 1.0
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            order = None
            if self.shuffle:
                sample_idx = shuffled(sample_idx, random_state=self._random_state)
                order = sample_idx
            cost_sum, penalty_sum, stopped = optimizer.train_epoch(
                X_train, y_train, batch_size, self.alpha, order, sample_weight_train, threads
            )
            self._take_parameters(optimizer.engine, layer_units)
            if stopped is not None:  # Ctrl-C between two mini-batches
                raise KeyboardInterrupt
            self.n_iter_ += 1
            self.loss_ = (cost_sum * cost_scale + penalty_sum) / n_samples
            self.t_ += n_samples
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            # update no_improvement_count based on training loss or validation score
            self._update_no_improvement_count(self.early_stopping, *validation)
            # for learning rate that needs to be updated at iteration end
            optimizer.iteration_ends(self.t_)
            if self._no_improvement_count > self.n_iter_no_change:
                # not better than last `n_iter_no_change` iterations by tol: stop or decrease learning rate
                what = "Validation score" if self.early_stopping else "Training loss"
                msg = (
                    f"{what} did not improve more than tol={self.tol:f} for {self.n_iter_no_change:d} "
                    "consecutive epochs."
                )
                if optimizer.trigger_stopping(msg, self.verbose):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter:d}) reached and the optimization "
                    "hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )

    def _take_parameters(self, engine, layer_units) -> None:
        """coefs_ and intercepts_ from the engine's parameters (fresh arrays, as scikit-learn's are)."""
        self.coefs_, self.intercepts_ = unpack_parameters(engine.params, layer_units, self.coefs_[0].dtype)

    def _check_targets(self, y) -> None:
        if self.out_activation_ == "exp" and np.any(y < 0):
            raise ValueError("the 'poisson' loss needs non-negative targets y; some are negative")

    # ---- L-BFGS ----

    def _fit_lbfgs(self, X, y, sample_weight, activations, deltas, coef_grads, intercept_grads, layer_units):
        # In float64 whatever X's type, as scikit-learn's L-BFGS computes (its line search needs the
        # precision); the parameters are handed back in X's type.
        dtype = self.coefs_[0].dtype
        self._engines = _EngineCache()
        X = dense_rows(X, np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        self._check_targets(y)
        if sample_weight is not None:
            sample_weight = np.ascontiguousarray(sample_weight, dtype=np.float64)
        engine = make_engine(layer_units, self.activation, self.out_activation_, np.float64)
        load_parameters(engine, self.coefs_, self.intercepts_)
        self._record_packing(layer_units)
        objective = _LbfgsObjective(self, engine, X, y, sample_weight)
        options = {"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol}
        if scipy_needs_iprint():
            options["iprint"] = 1 if (self.verbose is True or self.verbose >= 1) else -1
        opt_res = scipy.optimize.minimize(objective, engine.params.copy(), method="L-BFGS-B", jac=True, options=options)
        self.n_iter_ = _check_optimize_result("lbfgs", opt_res, self.max_iter)
        self.loss_ = opt_res.fun
        self.coefs_, self.intercepts_ = unpack_parameters(opt_res.x, layer_units, dtype)

    def _record_packing(self, layer_units) -> None:
        """Where scikit-learn's packed vector keeps each layer, as its own L-BFGS leaves it on the
        estimator (its _unpack and _loss_grad_lbfgs read it)."""
        self._coef_indptr, self._intercept_indptr = [], []
        start = 0
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            self._coef_indptr.append((start, start + fan_in * fan_out, (fan_in, fan_out)))
            start += fan_in * fan_out
        for fan_out in layer_units[1:]:
            self._intercept_indptr.append((start, start + fan_out))
            start += fan_out

    # ---- predictions ----

    def _forward_pass_fast(self, X, check_input=True):
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        # In the wider of the two types, as NumPy would compute X @ coefs.
        dtype = np.float32 if X.dtype == np.float32 and self.coefs_[0].dtype == np.float32 else np.float64
        X = dense_rows(X, dtype)
        layer_units = layer_units_of(self.coefs_)
        cache = getattr(self, "_engines", _EngineCache()).engines
        key = (tuple(layer_units), self.activation, self.out_activation_, np.dtype(dtype).name)
        engine = cache.get(key)
        if engine is None:
            engine = cache[key] = make_engine(layer_units, self.activation, self.out_activation_, dtype)
        load_parameters(engine, self.coefs_, self.intercepts_)
        out = np.empty((X.shape[0], layer_units[-1]), dtype=dtype)
        engine.feedforward(X, out)
        return out


class _LbfgsObjective:
    """scikit-learn's L-BFGS objective and its gradient, computed by the engine over all of X."""

    def __init__(self, estimator, engine, X, y, sample_weight):
        self.engine, self.X, self.y, self.sample_weight = engine, X, y, sample_weight
        self.alpha = float(estimator.alpha)
        self.total_weight = float(X.shape[0] if sample_weight is None else sample_weight.sum())
        # scikit-learn's squared error averages over outputs in the loss but not in its gradient;
        # kept as it is so that L-BFGS takes the same path.
        self.cost_scale = 1.0 / estimator.n_outputs_ if estimator.out_activation_ == "identity" else 1.0

    def __call__(self, flat):
        engine = self.engine
        engine.params[:] = flat
        grad = np.empty(engine.n_params)  # L-BFGS-B keeps what it is given: a new array per call
        cost = float(engine.backprop(self.X, self.y, grad, None, self.sample_weight)) * self.cost_scale
        weights = engine.params[: engine.n_weights]
        cost += 0.5 * self.alpha * float(np.dot(weights, weights)) / self.total_weight
        grad[: engine.n_weights] += (self.alpha / self.total_weight) * weights
        return cost, grad


def scipy_needs_iprint() -> bool:
    """SciPy before 1.15 takes L-BFGS-B's ``iprint`` option; later versions deprecate it."""
    major, minor = (int(part) for part in scipy.__version__.split(".")[:2])
    return (major, minor) < (1, 15)
