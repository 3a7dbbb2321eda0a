"""What every peer shares: the configurations, the FLOP count, the initial parameters and the data files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Config:
    """One network and its training settings, the same for every peer."""

    name: str
    sizes: tuple[int, ...]
    activation: str  # hidden layers: "sigmoid" or "relu"
    output: str  # "sigmoid" (with the quadratic cost) or "softmax" (with log-likelihood)
    loss: str  # "quadratic" or "log_likelihood"
    lr: float
    momentum: float
    batch_size: int
    dtype: str  # "float32" or "float64"
    init: str  # deltaprop's name of the initialisation: "large" (the textbook's randn) or "glorot"
    epochs: int  # default number of epochs of a run
    note: str = ""

    def describe(self) -> str:
        momentum = f", momentum {self.momentum:g}" if self.momentum else ""
        return (
            f"{list(self.sizes)}, {self.activation} hidden, {self.output} + {self.loss}, "
            f"SGD η = {self.lr:g}{momentum}, batch {self.batch_size}, {self.dtype}, init {self.init}"
        )


# fmt: off
CONFIGS = {
    c.name: c
    for c in (
        Config("C1", (784, 30, 10), "sigmoid", "sigmoid", "quadratic", 3.0, 0.0, 10, "float64", "large", 3,
               "the textbook's chapter 1"),
        Config("C2", (784, 100, 10), "relu", "softmax", "log_likelihood", 0.01, 0.9, 32, "float32", "glorot", 3),
        Config("C3", (784, 512, 512, 10), "relu", "softmax", "log_likelihood", 0.05, 0.9, 128, "float32", "glorot", 2),
    )
}
# fmt: on

FLOP_FORMULA = (
    "GFLOP/epoch = n · Σ_l k_l · 2 · in_l · out_l / 1e9 with k_1 = 2 (forward, weight gradient) and k_l = 3 for "
    "l > 1 (+ input gradient): the GEMM FLOPs a step needs, counted alike for every peer"
)


def gemm_flops_per_sample(sizes) -> int:
    """FLOPs of the matrix products one sample costs in a training step (see :data:`FLOP_FORMULA`)."""
    total = 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        products = 2 if layer == 0 else 3  # the first layer needs no gradient with respect to its input
        total += products * 2 * n_in * n_out
    return total


def initial_parameters(config: Config, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The starting weights ``(out, in)`` and biases ``(out,)`` that deltaprop, NumPy and PyTorch all begin from.

    Drawn in float64 from ``default_rng(seed)`` and rounded to the configuration's dtype; "large" is the
    textbook's W, b ~ N(0, 1) (biases first, as in network.py), "glorot" is W ~ U(±√(6/(in+out))), b = 0.
    """
    rng = np.random.default_rng(seed)
    shapes = list(zip(config.sizes[1:], config.sizes[:-1]))
    if config.init == "large":
        biases = [rng.standard_normal(n_out) for n_out, _ in shapes]
        weights = [rng.standard_normal(shape) for shape in shapes]
    elif config.init == "glorot":
        weights = [rng.uniform(-1, 1, (o, i)) * math.sqrt(6.0 / (i + o)) for o, i in shapes]
        biases = [np.zeros(o) for o, _ in shapes]
    else:
        raise ValueError(f"unknown init {config.init!r}")
    dtype = np.dtype(config.dtype)
    return [w.astype(dtype) for w in weights], [b.astype(dtype) for b in biases]


def one_hot(labels: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    """Rows e_y of the identity, in ``dtype``."""
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


@dataclass
class Data:
    """Training and test arrays of one dtype, C-contiguous, as every peer receives them."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def data_files(directory: Path, dtype: str) -> dict[str, Path]:
    """Where the parent process leaves the arrays for its workers (plain .npy, loaded whole)."""
    directory = Path(directory)
    return {
        "X_train": directory / f"X_train-{dtype}.npy",
        "y_train": directory / "y_train.npy",
        "X_test": directory / f"X_test-{dtype}.npy",
        "y_test": directory / "y_test.npy",
    }


def load_data(directory: Path, dtype: str) -> Data:
    return Data(**{key: np.load(path, allow_pickle=False) for key, path in data_files(directory, dtype).items()})


@dataclass
class Trained:
    """What a peer's ``train`` returns: wall seconds of each epoch and a function giving predicted labels."""

    seconds: list[float]
    predict: Callable[[np.ndarray], np.ndarray]
