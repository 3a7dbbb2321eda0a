"""Between scikit-learn's parameters and the engine's.

scikit-learn keeps one ``(fan_in, fan_out)`` matrix per layer in ``coefs_`` and one vector per
layer in ``intercepts_``; the engine keeps every parameter in one flat buffer, each layer's
weights as ``(fan_out, fan_in)`` row-major (the transpose), all weights first, then all biases.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from .._engine import core
from .._validation import engine_input_dtype

# scikit-learn's activation names and the engine's.
HIDDEN_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}

# Each output activation scikit-learn picks, with the engine's activation and cost that give the
# same δ = output − y. The costs differ from scikit-learn's losses only where noted in _losses.
OUTPUT_LAYERS = {
    "softmax": ("softmax", "log_likelihood"),
    "logistic": ("sigmoid", "cross_entropy"),
    "identity": ("identity", "quadratic"),
    "exp": ("exp", "poisson"),
}


def make_engine(layer_units, activation: str, out_activation: str, dtype):
    """A new engine for this network, clipping probabilities in its costs as scikit-learn does."""
    output, loss = OUTPUT_LAYERS[out_activation]
    engine_class = core.Engine32 if np.dtype(dtype) == np.float32 else core.Engine64
    engine = engine_class([int(n) for n in layer_units], HIDDEN_ACTIVATIONS[activation], output, loss)
    engine.probability_floor = float(np.finfo(dtype).eps)
    return engine


def load_parameters(engine, coefs, intercepts) -> None:
    """Copy ``coefs`` and ``intercepts`` into the engine's flat buffer."""
    flat = engine.params
    offset = 0
    for coef in coefs:
        fan_in, fan_out = coef.shape
        flat[offset : offset + coef.size].reshape(fan_out, fan_in)[...] = coef.T
        offset += coef.size
    for intercept in intercepts:
        flat[offset : offset + intercept.size] = intercept
        offset += intercept.size


def unpack_parameters(flat: np.ndarray, layer_units, dtype) -> tuple[list, list]:
    """New ``(coefs, intercepts)`` lists, C-contiguous and of ``dtype``, from a flat engine layout."""
    coefs, intercepts = [], []
    offset = 0
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        weights = flat[offset : offset + fan_in * fan_out].reshape(fan_out, fan_in)
        coefs.append(np.ascontiguousarray(weights.T, dtype=dtype))
        offset += fan_in * fan_out
    for fan_out in layer_units[1:]:
        intercepts.append(np.array(flat[offset : offset + fan_out], dtype=dtype))
        offset += fan_out
    return coefs, intercepts


def layer_units_of(coefs) -> list[int]:
    """``[n_features, hidden..., n_outputs]`` from the shapes of ``coefs``."""
    return [coefs[0].shape[0]] + [coef.shape[1] for coef in coefs]


def dense_rows(X, dtype) -> np.ndarray:
    """X as a C-contiguous array the engine of ``dtype`` reads (a sparse matrix is densified).

    float32 stays float32 for a float64 engine, which widens the rows exactly as it reads them:
    the same results as a float64 copy, without the copy.
    """
    X = X.toarray() if scipy.sparse.issparse(X) else np.asarray(X)
    return np.ascontiguousarray(X, dtype=engine_input_dtype(X.dtype, dtype))
