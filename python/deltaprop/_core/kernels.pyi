"""
The engine's kernels on NumPy arrays (no conversion, no copies).
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['activation', 'activation_backward', 'activation_derivative', 'adam_step', 'dense_adam_update', 'dense_backpropagate', 'dense_backward', 'dense_forward', 'dense_sgd_update', 'loss', 'loss_gradient', 'output_delta', 'sgd_step']
@typing.overload
def activation(name: str, z: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    a = f(z)
    """
@typing.overload
def activation(name: str, z: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    a = f(z)
    """
@typing.overload
def activation_backward(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], g: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    g * f'(z) (softmax: its Jacobian-vector product)
    """
@typing.overload
def activation_backward(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], g: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    g * f'(z) (softmax: its Jacobian-vector product)
    """
@typing.overload
def activation_derivative(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    f'(z) written from a = f(z)
    """
@typing.overload
def activation_derivative(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    f'(z) written from a = f(z)
    """
@typing.overload
def adam_step(params: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], grads: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"], m: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], s: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, t: typing.SupportsInt | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_decayed: typing.SupportsInt | typing.SupportsIndex = -1) -> None:
    """
    Adam's step number t in place (L2 on the first n_decayed entries)
    """
@typing.overload
def adam_step(params: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], grads: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], m: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], s: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, t: typing.SupportsInt | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_decayed: typing.SupportsInt | typing.SupportsIndex = -1) -> None:
    """
    Adam's step number t in place (L2 on the first n_decayed entries)
    """
@typing.overload
def dense_adam_update(w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], m_w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], m_b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], s_w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], s_b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, t: typing.SupportsInt | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0) -> None:
    """
    Adam's step number t on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta)
    """
@typing.overload
def dense_adam_update(w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], m_w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], m_b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], s_w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], s_b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, t: typing.SupportsInt | typing.SupportsIndex, beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0) -> None:
    """
    Adam's step number t on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta)
    """
@typing.overload
def dense_backpropagate(w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], activation: str, a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01, sparse_delta: bool = False) -> None:
    """
    (delta @ w) * f'(z), the error of the layer below, given its output a_prev = f(z); sparse_delta: over delta's non-zeros alone where most of it is zeros
    """
@typing.overload
def dense_backpropagate(w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], activation: str, a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01, sparse_delta: bool = False) -> None:
    """
    (delta @ w) * f'(z), the error of the layer below, given its output a_prev = f(z); sparse_delta: over delta's non-zeros alone where most of it is zeros
    """
@typing.overload
def dense_backward(w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], dw: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], db: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], da_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None) -> None:
    """
    dw = delta.T @ a_prev / m, db = mean(delta), da_prev = delta @ w
    """
@typing.overload
def dense_backward(w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], dw: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], db: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], da_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None) -> None:
    """
    dw = delta.T @ a_prev / m, db = mean(delta), da_prev = delta @ w
    """
@typing.overload
def dense_forward(w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], activation: str = 'identity', slope: typing.SupportsFloat | typing.SupportsIndex = 0.01, sparse_input: bool = False) -> None:
    """
    a = f(a_prev @ w.T + b); sparse_input: over a_prev's non-zeros alone where most of it is zeros
    """
@typing.overload
def dense_forward(w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], activation: str = 'identity', slope: typing.SupportsFloat | typing.SupportsIndex = 0.01, sparse_input: bool = False) -> None:
    """
    a = f(a_prev @ w.T + b); sparse_input: over a_prev's non-zeros alone where most of it is zeros
    """
@typing.overload
def dense_sgd_update(w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], velocity_w: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], velocity_b: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, sparse_delta: bool = False) -> None:
    """
    One SGD step on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta) without forming them; sparse_delta: over delta's non-zeros alone where most of it is zeros
    """
@typing.overload
def dense_sgd_update(w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], a_prev: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], delta: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], velocity_w: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], velocity_b: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, sparse_delta: bool = False) -> None:
    """
    One SGD step on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta) without forming them; sparse_delta: over delta's non-zeros alone where most of it is zeros
    """
@typing.overload
def loss(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None, probability_floor: typing.SupportsFloat | typing.SupportsIndex | None = None) -> float:
    """
    Mean over rows of the per-sample cost (weighted with sample_weight; probabilities clipped to [floor, 1 - floor] before logarithms)
    """
@typing.overload
def loss(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None, probability_floor: typing.SupportsFloat | typing.SupportsIndex | None = None) -> float:
    """
    Mean over rows of the per-sample cost (weighted with sample_weight; probabilities clipped to [floor, 1 - floor] before logarithms)
    """
@typing.overload
def loss_gradient(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
    """
    Gradient of the cost w.r.t. a, per sample
    """
@typing.overload
def loss_gradient(name: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
    """
    Gradient of the cost w.r.t. a, per sample
    """
@typing.overload
def output_delta(activation: str, loss: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    Output error: grad_a C * f'(z)
    """
@typing.overload
def output_delta(activation: str, loss: str, a: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"], slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
    """
    Output error: grad_a C * f'(z)
    """
@typing.overload
def sgd_step(params: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], grads: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"], velocity: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_decayed: typing.SupportsInt | typing.SupportsIndex = -1) -> None:
    """
    One gradient-descent step in place (L2 on the first n_decayed entries)
    """
@typing.overload
def sgd_step(params: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], grads: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], velocity: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, n_decayed: typing.SupportsInt | typing.SupportsIndex = -1) -> None:
    """
    One gradient-descent step in place (L2 on the first n_decayed entries)
    """
