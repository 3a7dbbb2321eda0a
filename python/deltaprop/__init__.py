"""deltaprop: fast backpropagation for fully-connected neural networks."""

from . import kernels

__all__ = ["kernels"]
__version__ = "0.1.0"
