"""
deltaprop's compiled engine (private; use the deltaprop package).
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
from . import kernels
__all__: list[str] = ['Engine32', 'Engine64', 'build', 'cpu_level', 'kernels', 'openmp', 'simd']
class Engine32:
    """
    A network's parameters and its trainer, for one floating-point type.
    """
    def __init__(self, sizes: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], hidden_activation: str, output_activation: str, loss: str, slope: typing.SupportsFloat | typing.SupportsIndex = 0.01) -> None:
        ...
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost.
        """
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"]) -> float:
        """
        Mean per-sample cost over all rows.
        """
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    def reset_optimizer(self) -> None:
        """
        Forget the momentum velocity.
        """
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float32], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. Returns (cost_sum, samples, batches, stopped) with stopped None, 'interrupt' or 'callback'.
        """
    @property
    def dtype(self) -> numpy.dtype[typing.Any]:
        ...
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
    def backprop(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]", "flags.writeable"], input_grad: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"] | None = None) -> float:
        """
        Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; returns the mean cost.
        """
    def cost(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"]) -> float:
        """
        Mean per-sample cost over all rows.
        """
    def feedforward(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], out: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.writeable", "flags.c_contiguous"]) -> None:
        """
        Write the network's output for each row of x into out.
        """
    def reset_optimizer(self) -> None:
        """
        Forget the momentum velocity.
        """
    def train_epoch(self, x: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], y: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], batch_size: typing.SupportsInt | typing.SupportsIndex, lr: typing.SupportsFloat | typing.SupportsIndex, momentum: typing.SupportsFloat | typing.SupportsIndex = 0.0, nesterov: bool = False, weight_decay: typing.SupportsFloat | typing.SupportsIndex = 0.0, shuffle: bool = True, seed: typing.SupportsInt | typing.SupportsIndex = 0, threads: typing.SupportsInt | typing.SupportsIndex = 1, progress: typing.Any = None, progress_interval: typing.SupportsFloat | typing.SupportsIndex = 0.2, order: typing.Annotated[numpy.typing.ArrayLike, numpy.int64] | None = None) -> tuple:
        """
        One epoch of mini-batch gradient descent without the GIL. progress(batches, samples, cost_sum) is called between batches at most every progress_interval seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in that order instead of shuffling. Returns (cost_sum, samples, batches, stopped) with stopped None, 'interrupt' or 'callback'.
        """
    @property
    def dtype(self) -> numpy.dtype[typing.Any]:
        ...
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
    def sizes(self) -> list[int]:
        ...
    @property
    def slope(self) -> float:
        ...
def cpu_level() -> int:
    """
    The newest x86-64 level (1-4) this CPU supports; 0 on other architectures.
    """
build: str = '_core'
openmp: bool = True
simd: str = 'SSE2'
