"""deltaprop: fast backpropagation for fully-connected neural networks.

A C++/Eigen engine runs whole training epochs; :class:`Network` is the Python face of it and
:mod:`deltaprop.kernels` exposes each kernel (activations, costs, dense layer, updates) on
NumPy arrays.
"""

from . import datasets, kernels
from .history import History
from .network import DivergenceError, Network

__all__ = ["DivergenceError", "History", "Network", "datasets", "kernels"]
__version__ = "0.1.0"
