"""The two estimators: scikit-learn's classes with :class:`EngineTrainedMLP` in front."""

from __future__ import annotations

import inspect

import sklearn
from sklearn import neural_network

from ._training import EngineTrainedMLP

# The methods of scikit-learn's base class that EngineTrainedMLP replaces, with the parameters it
# expects them to take; checked here so that an incompatible scikit-learn fails at import time.
_BUFFERS = ("activations", "deltas", "coef_grads", "intercept_grads", "layer_units")
_REPLACED = {
    "_fit_stochastic": ["self", "X", "y", "sample_weight", *_BUFFERS, "incremental"],
    "_fit_lbfgs": ["self", "X", "y", "sample_weight", *_BUFFERS],
    "_forward_pass_fast": ["self", "X", "check_input"],
}
_USED = ("_update_no_improvement_count", "_initialize", "_validate_input", "_fit")


def _check_scikit_learn() -> None:
    base = neural_network.MLPClassifier
    for name, parameters in _REPLACED.items():
        method = getattr(base, name, None)
        if method is None or list(inspect.signature(method).parameters) != parameters:
            break
    else:
        if all(hasattr(base, name) for name in _USED):
            return
    raise ImportError(
        f"deltaprop.sklearn does not support scikit-learn {sklearn.__version__}: its multi-layer perceptron "
        'has changed; install a supported version with: pip install "deltaprop[sklearn]"'
    )


_check_scikit_learn()


class MLPClassifier(EngineTrainedMLP, neural_network.MLPClassifier):
    __doc__ = (neural_network.MLPClassifier.__doc__ or "").replace(
        "Multi-layer Perceptron classifier.",
        "Multi-layer Perceptron classifier, trained by deltaprop's engine (scikit-learn's own estimator otherwise).",
        1,
    )


class MLPRegressor(EngineTrainedMLP, neural_network.MLPRegressor):
    __doc__ = (neural_network.MLPRegressor.__doc__ or "").replace(
        "Multi-layer Perceptron regressor.",
        "Multi-layer Perceptron regressor, trained by deltaprop's engine (scikit-learn's own estimator otherwise).",
        1,
    )
