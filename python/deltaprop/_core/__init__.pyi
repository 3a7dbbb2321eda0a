"""
deltaprop's compiled engine (private; use the deltaprop package).
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
from . import kernels
__all__: list[str] = ['Engine32', 'Engine64', 'build', 'copy_rows', 'cpu_level', 'first_of_consecutive_rows', 'kernels', 'openmp', 'python_shuffle', 'simd']
class Engine32:
    """
    A network's parameters and its trainer, for one floating-point type.
    """
    def __init__(self, sizes: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], hidden_activation: str, output_activation: str, loss: str, slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
        ...
    @typing.overload
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost. With sample_weight: of the weighted mean.
        """
    @typing.overload
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost. With sample_weight: of the weighted mean.
        """
    @typing.overload
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> float:
        """
        Mean per-sample cost over all rows (weighted mean with sample_weight).
        """
    @typing.overload
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> float:
        """
        Mean per-sample cost over all rows (weighted mean with sample_weight).
        """
    @typing.overload
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    @typing.overload
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    def reset_optimizer(self) -> None:
        """
        Forget the optimizer's state (velocity, Adam's moments and t).
        """
    @typing.overload
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None, method: str = 'sgd', beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, batch_l2: typing.SupportsFloat | typing.SupportsIndex = 0.0, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent (method 'sgd') or Adam ('adam') without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. batch_l2 adds batch_l2 / (batch weight) to each batch's weight decay. With sample_weight, each batch minimises its weighted mean cost. Returns (cost_sum, samples, batches, stopped, penalty_sum) with stopped None, 'interrupt' or 'callback' and penalty_sum the batches' summed L2 terms rows * batch_l2 / 2 * |W|^2 / weight.
        """
    @typing.overload
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None, method: str = 'sgd', beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, batch_l2: typing.SupportsFloat | typing.SupportsIndex = 0.0, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]"] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent (method 'sgd') or Adam ('adam') without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. batch_l2 adds batch_l2 / (batch weight) to each batch's weight decay. With sample_weight, each batch minimises its weighted mean cost. Returns (cost_sum, samples, batches, stopped, penalty_sum) with stopped None, 'interrupt' or 'callback' and penalty_sum the batches' summed L2 terms rows * batch_l2 / 2 * |W|^2 / weight.
        """
    @property
    def adam_steps(self) -> int:
        """
        How many steps Adam has taken (its t).
        """
    @adam_steps.setter
    def adam_steps(self, arg1: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def dtype(self) -> numpy.dtype[typing.Any]:
        ...
    @property
    def first_moment(self) -> numpy.typing.NDArray[numpy.float32]:
        """
        Flat view of the optimizer's velocity (Adam: its first moment), in the layout of params.
        """
    @property
    def hidden_activation(self) -> str:
        ...
    @property
    def loss(self) -> str:
        ...
    @property
    def n_params(self) -> int:
        ...
    @property
    def n_weights(self) -> int:
        ...
    @property
    def output_activation(self) -> str:
        ...
    @property
    def params(self) -> numpy.typing.NDArray[numpy.float32]:
        """
        Flat view of all parameters: W0, W1, ... (each (out, in), row-major), then b0, b1, ...
        """
    @property
    def probability_floor(self) -> float:
        """
        Probabilities are clipped to [floor, 1 - floor] before their logarithm in the reported cost.
        """
    @probability_floor.setter
    def probability_floor(self, arg1: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def second_moment(self) -> numpy.typing.NDArray[numpy.float32]:
        """
        Flat view of Adam's second moment, in the layout of params.
        """
    @property
    def sizes(self) -> list[int]:
        ...
    @property
    def slope(self) -> float:
        ...
class Engine64:
    """
    A network's parameters and its trainer, for one floating-point type.
    """
    def __init__(self, sizes: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], hidden_activation: str, output_activation: str, loss: str, slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
        ...
    @typing.overload
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost. With sample_weight: of the weighted mean.
        """
    @typing.overload
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost. With sample_weight: of the weighted mean.
        """
    @typing.overload
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> float:
        """
        Mean per-sample cost over all rows (weighted mean with sample_weight).
        """
    @typing.overload
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> float:
        """
        Mean per-sample cost over all rows (weighted mean with sample_weight).
        """
    @typing.overload
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    @typing.overload
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    def reset_optimizer(self) -> None:
        """
        Forget the optimizer's state (velocity, Adam's moments and t).
        """
    @typing.overload
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None, method: str = 'sgd', beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, batch_l2: typing.SupportsFloat | typing.SupportsIndex = 0.0, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent (method 'sgd') or Adam ('adam') without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. batch_l2 adds batch_l2 / (batch weight) to each batch's weight decay. With sample_weight, each batch minimises its weighted mean cost. Returns (cost_sum, samples, batches, stopped, penalty_sum) with stopped None, 'interrupt' or 'callback' and penalty_sum the batches' summed L2 terms rows * batch_l2 / 2 * |W|^2 / weight.
        """
    @typing.overload
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None, method: str = 'sgd', beta1: typing.SupportsFloat | typing.SupportsIndex = 0.9, beta2: typing.SupportsFloat | typing.SupportsIndex = 0.999, epsilon: typing.SupportsFloat | typing.SupportsIndex = 1e-08, batch_l2: typing.SupportsFloat | typing.SupportsIndex = 0.0, sample_weight: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent (method 'sgd') or Adam ('adam') without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. batch_l2 adds batch_l2 / (batch weight) to each batch's weight decay. With sample_weight, each batch minimises its weighted mean cost. Returns (cost_sum, samples, batches, stopped, penalty_sum) with stopped None, 'interrupt' or 'callback' and penalty_sum the batches' summed L2 terms rows * batch_l2 / 2 * |W|^2 / weight.
        """
    @property
    def adam_steps(self) -> int:
        """
        How many steps Adam has taken (its t).
        """
    @adam_steps.setter
    def adam_steps(self, arg1: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def dtype(self) -> numpy.dtype[typing.Any]:
        ...
    @property
    def first_moment(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Flat view of the optimizer's velocity (Adam: its first moment), in the layout of params.
        """
    @property
    def hidden_activation(self) -> str:
        ...
    @property
    def loss(self) -> str:
        ...
    @property
    def n_params(self) -> int:
        ...
    @property
    def n_weights(self) -> int:
        ...
    @property
    def output_activation(self) -> str:
        ...
    @property
    def params(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Flat view of all parameters: W0, W1, ... (each (out, in), row-major), then b0, b1, ...
        """
    @property
    def probability_floor(self) -> float:
        """
        Probabilities are clipped to [floor, 1 - floor] before their logarithm in the reported cost.
        """
    @probability_floor.setter
    def probability_floor(self, arg1: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def second_moment(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Flat view of Adam's second moment, in the layout of params.
        """
    @property
    def sizes(self) -> list[int]:
        ...
    @property
    def slope(self) -> float:
        ...
@typing.overload
def copy_rows(vectors: list, out: numpy.typing.NDArray[numpy.float32]) -> bool:
    """
    Copy vectors[i] into row i of the C-contiguous matrix ``out`` when every vector is a contiguous array of out's dtype with one entry per column; return whether they all were (out is then partly written).
    """
@typing.overload
def copy_rows(vectors: list, out: numpy.typing.NDArray[numpy.float64]) -> bool:
    """
    Copy vectors[i] into row i of the C-contiguous matrix ``out`` when every vector is a contiguous array of out's dtype with one entry per column; return whether they all were (out is then partly written).
    """
def cpu_level() -> int:
    """
    The newest x86-64 level (1-4) this CPU supports; 0 on other architectures.
    """
@typing.overload
def first_of_consecutive_rows(base: numpy.typing.NDArray[numpy.float32], vectors: list, width: typing.SupportsInt | typing.SupportsIndex) -> int:
    """
    The row of the C-contiguous array ``base`` (read as rows of ``width`` entries) where vectors[0] lies, when the list ``vectors`` holds contiguous arrays of base's dtype lying on consecutive rows of it, in order; otherwise -1.
    """
@typing.overload
def first_of_consecutive_rows(base: numpy.typing.NDArray[numpy.float64], vectors: list, width: typing.SupportsInt | typing.SupportsIndex) -> int:
    """
    The row of the C-contiguous array ``base`` (read as rows of ``width`` entries) where vectors[0] lies, when the list ``vectors`` holds contiguous arrays of base's dtype lying on consecutive rows of it, in order; otherwise -1.
    """
def python_shuffle(order: numpy.typing.NDArray[numpy.int64], state: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex]) -> list[int]:
    """
    Shuffle the int64 array ``order`` in place as random.shuffle would from the state ``state`` (the 625 numbers of random.getstate()[1]); return the state after it.
    """
build: str = '_core'
openmp: bool = True
simd: str = 'SSE2'
