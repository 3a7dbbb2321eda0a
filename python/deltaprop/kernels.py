"""The engine's kernels on NumPy arrays, for testing, teaching and building your own loops.

Each function converts its inputs once, deliberately, to C-contiguous arrays of the working
dtype (float32 when the leading array is float32, float64 otherwise) and calls the
kernel of the compiled engine (:mod:`deltaprop._core.kernels`, or the same kernel built for this
CPU's newest instruction set), which itself accepts only such arrays and never copies.
Arrays are batch-first: one sample per row. Weights are ``(out, in)`` as in the textbook.
"""

from __future__ import annotations

import numpy as np

from ._engine import core
from ._validation import numeric_array

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "activation",
    "activation_backward",
    "activation_derivative",
    "adam_step",
    "dense_backpropagate",
    "dense_backward",
    "dense_forward",
    "dense_sgd_update",
    "loss",
    "loss_gradient",
    "output_delta",
    "sgd_step",
]

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "exp")
LOSSES = ("quadratic", "cross_entropy", "log_likelihood", "poisson")

_raw = core.kernels


def working_dtype(leading) -> np.dtype:
    """float32 if ``leading`` is a float32 array, else float64."""
    return np.dtype(np.float32) if getattr(leading, "dtype", None) == np.float32 else np.dtype(np.float64)


def as_array(x, dtype: np.dtype, name: str, ndim: int) -> np.ndarray:
    """``x`` as a C-contiguous array of ``dtype`` with ``ndim`` dimensions; no copy when it already is one."""
    arr = np.ascontiguousarray(numeric_array(x, name), dtype=dtype)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    return arr


def _out(out, shape: tuple, dtype: np.dtype, name: str = "out") -> np.ndarray:
    """A fresh result array, or the caller's ``out`` checked to be exactly right (it is written in place)."""
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray) or out.dtype != dtype or not out.flags.c_contiguous or not out.flags.writeable:
        raise TypeError(f"{name} must be a writeable C-contiguous {dtype} array")
    if out.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {out.shape}")
    return out


def activation(name: str, z, slope: float = 0.01, out=None) -> np.ndarray:
    """``a = f(z)`` for an activation ``name`` (softmax row by row); ``slope`` is leaky_relu's."""
    dt = working_dtype(z)
    z = as_array(z, dt, "z", 2)
    out = _out(out, z.shape, dt)
    _raw.activation(name, z, out, slope)
    return out


def activation_derivative(name: str, a, slope: float = 0.01, out=None) -> np.ndarray:
    """``f'(z)`` computed from the activation's output ``a = f(z)`` (not defined for softmax)."""
    dt = working_dtype(a)
    a = as_array(a, dt, "a", 2)
    out = _out(out, a.shape, dt)
    _raw.activation_derivative(name, a, out, slope)
    return out


def activation_backward(name: str, a, g, slope: float = 0.01, out=None) -> np.ndarray:
    """``g ⊙ f'(z)`` given ``a = f(z)`` and the gradient ``g`` with respect to ``a``.

    For softmax this is the Jacobian-vector product ``a ⊙ (g − Σⱼ gⱼ aⱼ)`` row by row.
    """
    dt = working_dtype(a)
    a, g = as_array(a, dt, "a", 2), as_array(g, dt, "g", 2)
    out = _out(out, a.shape, dt)
    _raw.activation_backward(name, a, g, out, slope)
    return out


def loss(name: str, a, y, sample_weight=None, probability_floor: float | None = None) -> float:
    """Mean over rows of the per-sample cost of outputs ``a`` against targets ``y``.

    With ``sample_weight`` (one per row), the weighted mean ``Σ wᵢ Cᵢ / Σ wᵢ``. Probabilities are
    clipped to ``[probability_floor, 1 − probability_floor]`` before their logarithm (default: the
    smallest normal number, which changes nothing but an exact 0 or 1).
    """
    dt = working_dtype(a)
    a, y = as_array(a, dt, "a", 2), as_array(y, dt, "y", 2)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dt, "sample_weight", 1)
    return float(_raw.loss(name, a, y, sample_weight, probability_floor))


def loss_gradient(name: str, a, y, out=None) -> np.ndarray:
    """``∇ₐC`` for each sample (not divided by the batch size)."""
    dt = working_dtype(a)
    a, y = as_array(a, dt, "a", 2), as_array(y, dt, "y", 2)
    out = _out(out, a.shape, dt)
    _raw.loss_gradient(name, a, y, out)
    return out


def output_delta(activation: str, loss: str, a, y, slope: float = 0.01, out=None) -> np.ndarray:
    """The output error ``δᴸ = ∇ₐC ⊙ f'(zᴸ)``; exactly ``a − y`` where the two cancel."""
    dt = working_dtype(a)
    a, y = as_array(a, dt, "a", 2), as_array(y, dt, "y", 2)
    out = _out(out, a.shape, dt)
    _raw.output_delta(activation, loss, a, y, out, slope)
    return out


def dense_forward(
    w, b, a_prev, out=None, activation: str = "identity", slope: float = 0.01, sparse_input: bool = False
) -> np.ndarray:
    """``f(a_prev wᵀ + b)`` for a batch ``a_prev`` of shape ``(m, in)`` and weights ``(out, in)``.

    With the default ``activation="identity"`` this is ``z`` itself. Otherwise the layer's output as
    a network's forward pass computes it (identity, relu and leaky_relu inside the product).
    ``sparse_input=True`` sums over ``a_prev``'s non-zero entries alone when at most half of them are
    not zero (as a network does after a ReLU layer): the same result up to the order of the sums.
    """
    dt = working_dtype(w)
    w, b, a_prev = as_array(w, dt, "w", 2), as_array(b, dt, "b", 1), as_array(a_prev, dt, "a_prev", 2)
    out = _out(out, (a_prev.shape[0], w.shape[0]), dt)
    _raw.dense_forward(w, b, a_prev, out, activation, slope, sparse_input)
    return out


def dense_backpropagate(
    w, delta, activation: str, a_prev, slope: float = 0.01, out=None, sparse_delta: bool = False
) -> np.ndarray:
    """The error of the layer below, ``(δ w) ⊙ f'(z)``, as a network's backward pass computes it.

    ``delta`` (m, out) is this layer's error, ``a_prev = f(z)`` (m, in) its input: the output of the
    layer below, whose activation is ``activation`` (softmax: its Jacobian-vector product).
    ``sparse_delta=True`` sums over ``delta``'s non-zero entries alone when at most half of them are
    not zero (as a network does for a ReLU layer's error): the same result up to the order of the sums.
    """
    dt = working_dtype(w)
    w, delta, a_prev = as_array(w, dt, "w", 2), as_array(delta, dt, "delta", 2), as_array(a_prev, dt, "a_prev", 2)
    out = _out(out, (delta.shape[0], w.shape[1]), dt)
    _raw.dense_backpropagate(w, delta, activation, a_prev, out, slope, sparse_delta)
    return out


def dense_backward(w, a_prev, delta, input_grad: bool = True):
    """Gradients of a dense layer from its error ``delta`` (m, out) and its input ``a_prev`` (m, in).

    Returns
    -------
    dw : ndarray (out, in)
        ``δᵀ a_prev / m``, the gradient of the batch's mean cost.
    db : ndarray (out,)
        Mean of ``δ`` over the batch.
    da_prev : ndarray (m, in) or None
        ``δ w``, the gradient with respect to each sample's input; None unless ``input_grad``.
    """
    dt = working_dtype(w)
    w, a_prev, delta = as_array(w, dt, "w", 2), as_array(a_prev, dt, "a_prev", 2), as_array(delta, dt, "delta", 2)
    dw = np.empty((delta.shape[1], a_prev.shape[1]), dtype=dt)
    db = np.empty(delta.shape[1], dtype=dt)
    da = np.empty((delta.shape[0], w.shape[1]), dtype=dt) if input_grad else None
    _raw.dense_backward(w, a_prev, delta, dw, db, da)
    return dw, db, da


def dense_sgd_update(
    w: np.ndarray,
    b: np.ndarray,
    a_prev,
    delta,
    lr: float,
    velocity_w: np.ndarray | None = None,
    velocity_b: np.ndarray | None = None,
    momentum: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    sparse_delta: bool = False,
) -> None:
    """One SGD step on a layer's ``w`` (out, in) and ``b`` (out,), in place, from its batch's error.

    The same step as :func:`sgd_step` with ``∂C/∂W = δᵀ a_prev / m`` (L2 ``weight_decay`` on ``w``
    only) and ``∂C/∂b = mean(δ)``, but the gradient is never formed: each block of it is applied
    as soon as it is computed, which is how training takes its steps on small mini-batches. With
    ``momentum`` > 0, ``velocity_w`` and ``velocity_b`` (shaped like ``w`` and ``b``) are updated too.
    ``sparse_delta=True`` sums over ``delta``'s non-zero entries alone when at most half of them are
    not zero and the batch has 33 to 256 rows (as a network does for a ReLU layer's error).
    """
    for name, arr in (("w", w), ("b", b)):
        if not isinstance(arr, np.ndarray) or arr.dtype not in (np.float32, np.float64):
            raise TypeError(f"{name} must be a float32 or float64 NumPy array (it is updated in place)")
    dt = w.dtype
    w = _out(w, w.shape, dt, "w") if w.ndim == 2 else _out(w, (0, 0), dt, "w")
    b = _out(b, (w.shape[0],), dt, "b")
    a_prev, delta = as_array(a_prev, dt, "a_prev", 2), as_array(delta, dt, "delta", 2)
    if momentum != 0.0:
        if velocity_w is None or velocity_b is None:
            raise ValueError("velocity_w and velocity_b are required when momentum is not 0")
        velocity_w = _out(velocity_w, w.shape, dt, "velocity_w")
        velocity_b = _out(velocity_b, b.shape, dt, "velocity_b")
    else:
        velocity_w, velocity_b = np.empty((0, 0), dtype=dt), np.empty(0, dtype=dt)
    _raw.dense_sgd_update(
        w, b, a_prev, delta, velocity_w, velocity_b, lr, momentum, nesterov, weight_decay, sparse_delta
    )


def sgd_step(
    params: np.ndarray,
    grads,
    lr: float,
    velocity: np.ndarray | None = None,
    momentum: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    n_decayed: int | None = None,
) -> None:
    """One gradient-descent step on the flat ``params``, in place.

    The first ``n_decayed`` entries (default: all) get L2 decay ``weight_decay`` (λ/n). With
    ``momentum`` > 0, ``velocity`` (same length) is updated in place too; ``nesterov`` selects
    Nesterov's form. ``params`` and ``velocity`` must already be 1-D C-contiguous float arrays.
    """
    if not isinstance(params, np.ndarray) or params.dtype not in (np.float32, np.float64):
        raise TypeError("params must be a float32 or float64 NumPy array (it is updated in place)")
    dt = params.dtype
    params = _out(params, (params.size,), dt, "params") if params.ndim == 1 else _out(params, (), dt, "params")
    grads = as_array(grads, dt, "grads", 1)
    if momentum != 0.0:
        if velocity is None:
            raise ValueError("velocity is required when momentum is not 0")
        velocity = _out(velocity, params.shape, dt, "velocity")
    else:
        velocity = np.empty(0, dtype=dt)
    _raw.sgd_step(params, grads, velocity, lr, momentum, nesterov, weight_decay, -1 if n_decayed is None else n_decayed)


def adam_step(
    params: np.ndarray,
    grads,
    m: np.ndarray,
    s: np.ndarray,
    lr: float,
    t: int,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    weight_decay: float = 0.0,
    n_decayed: int | None = None,
) -> None:
    """Adam's step number ``t`` (from 1) on the flat ``params``, in place, as scikit-learn takes it.

    ``g = grads + weight_decay · params`` on the first ``n_decayed`` entries (default: all);
    ``m ← β₁ m + (1 − β₁) g``, ``s ← β₂ s + (1 − β₂) g²`` (both updated in place) and
    ``params ← params − lr √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√s + ε)``.
    """
    if not isinstance(params, np.ndarray) or params.dtype not in (np.float32, np.float64):
        raise TypeError("params must be a float32 or float64 NumPy array (it is updated in place)")
    dt = params.dtype
    params = _out(params, (params.size,), dt, "params") if params.ndim == 1 else _out(params, (), dt, "params")
    grads = as_array(grads, dt, "grads", 1)
    m, s = _out(m, params.shape, dt, "m"), _out(s, params.shape, dt, "s")
    n_decayed = -1 if n_decayed is None else n_decayed
    _raw.adam_step(params, grads, m, s, lr, t, beta1, beta2, epsilon, weight_decay, n_decayed)
