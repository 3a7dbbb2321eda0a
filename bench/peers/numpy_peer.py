"""Plain NumPy: the same algorithm vectorised over each mini-batch, one matrix product per layer and pass.

The mathematics of tests/reference.py (Nielsen's conventions: batch-first rows, Z = A Wᵀ + b, the gradient of
the mean cost over the batch, momentum v ← μv − ηg, W ← W + v) written for speed instead of readability, in
the configuration's dtype.
"""

from __future__ import annotations

import time

import numpy as np

from .common import Config, Data, Trained, initial_parameters, one_hot


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    """a = f(z), in place."""
    if name == "sigmoid":
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        return np.reciprocal(z, out=z)
    if name == "relu":
        return np.maximum(z, 0, out=z)
    if name == "softmax":
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z
    raise ValueError(f"unknown activation {name!r}")


def _backward(name: str, a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """g ⊙ f′(z), with f′ written from the output a, in place on g."""
    if name == "sigmoid":
        g *= a * (1 - a)
    elif name == "relu":
        g *= a > 0
    else:
        raise ValueError(f"unknown activation {name!r}")
    return g


def _forward(weights, biases, config: Config, x: np.ndarray) -> list[np.ndarray]:
    activations = [x]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = activations[-1] @ w.T
        z += b
        name = config.output if layer == len(weights) - 1 else config.activation
        activations.append(_activate(name, z))
    return activations


def train(config: Config, data: Data, threads: int, epochs: int, seed: int) -> Trained:
    # threads: NumPy's BLAS is limited by the worker (environment and threadpoolctl), not here.
    dtype = np.dtype(config.dtype)
    weights, biases = initial_parameters(config, seed)
    velocities = [np.zeros_like(p) for p in weights + biases]
    X = data.X_train
    Y = one_hot(data.y_train, config.sizes[-1], dtype)
    n, lr, mu = len(X), config.lr, config.momentum
    rng = np.random.default_rng(seed + 1)
    seconds = []
    with np.errstate(over="ignore"):  # exp(−z) of a very negative z is inf, and 1 / (1 + inf) = 0 is right
        for _ in range(epochs):
            start = time.perf_counter()
            order = rng.permutation(n)
            for first in range(0, n, config.batch_size):
                batch = order[first : first + config.batch_size]
                activations = _forward(weights, biases, config, X[batch])
                a = activations[-1]
                # δᴸ = (a − y) ⊙ σ′(z) for sigmoid + quadratic, a − y for softmax + log-likelihood
                delta = a - Y[batch]
                if config.loss == "quadratic":
                    _backward(config.output, a, delta)
                scale = 1.0 / len(batch)
                for layer in reversed(range(len(weights))):
                    grad_w = delta.T @ activations[layer]  # Σ over the batch; the mean comes with `scale`
                    grad_b = delta.sum(axis=0)
                    if layer > 0:  # δˡ⁻¹ = (δˡ Wˡ) ⊙ f′(zˡ⁻¹), with Wˡ before its update
                        delta = _backward(config.activation, activations[layer], delta @ weights[layer])
                    for param, grad, v in (
                        (weights[layer], grad_w, velocities[layer]),
                        (biases[layer], grad_b, velocities[len(weights) + layer]),
                    ):
                        if mu:
                            v *= mu
                            v -= (lr * scale) * grad
                            param += v
                        else:
                            param -= (lr * scale) * grad
            seconds.append(time.perf_counter() - start)

    def predict(X_test: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.argmax(_forward(weights, biases, config, X_test)[-1], axis=1)

    return Trained(seconds, predict)
