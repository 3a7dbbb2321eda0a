"""The textbook's algorithms (Nielsen, *Neural Networks and Deep Learning*, chapters 1-3) in plain NumPy.

Written from the mathematics, one sample at a time and with column vectors, as the book computes:

    z = W a + b,  a' = σ(z);   δᴸ = ∂C/∂zᴸ;   δˡ = (Wˡ⁺¹ᵀ δˡ⁺¹) ⊙ σ'(zˡ);
    ∂C/∂bˡ = δˡ,  ∂C/∂Wˡ = δˡ aˡ⁻¹ᵀ;
    W ← (1 − η λ / n) W − (η / m) Σ_x ∂C_x/∂W,  b ← b − (η / m) Σ_x ∂C_x/∂b   (m samples per mini-batch).

Parameters are lists of arrays, weights (out, in) and biases (out, 1); every function returns new arrays.
The tests compare ``deltaprop.compat`` with these functions.
"""

from __future__ import annotations

import random

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


# Output error δᴸ = ∂C/∂zᴸ of one sample, from zᴸ, aᴸ = σ(zᴸ) and the target y.
def quadratic_delta(z, a, y):
    return (a - y) * sigmoid_prime(z)  # C = ½‖a − y‖², ∂C/∂a = a − y


def cross_entropy_delta(z, a, y):
    return a - y  # ∂C/∂a = (a − y) / (a (1 − a)) and σ'(z) = a (1 − a) cancel


DELTAS = {"quadratic": quadratic_delta, "cross_entropy": cross_entropy_delta}


def quadratic_cost(a, y) -> float:
    return 0.5 * float(np.sum((a - y) ** 2))


def cross_entropy_cost(a, y) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -y * np.log(a) - (1 - y) * np.log(1 - a)
    return float(np.sum(np.nan_to_num(terms)))  # 0 · ln 0 is 0


COSTS = {"quadratic": quadratic_cost, "cross_entropy": cross_entropy_cost}


def feedforward(weights, biases, a):
    for w, b in zip(weights, biases):
        a = sigmoid(np.dot(w, a) + b)
    return a


def backprop(weights, biases, x, y, loss="quadratic"):
    """(∂C/∂b per layer, ∂C/∂W per layer) for one sample x (n_in, 1) with target y (n_out, 1)."""
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(np.dot(w, activations[-1]) + b)
        activations.append(sigmoid(zs[-1]))
    delta = DELTAS[loss](zs[-1], activations[-1], y)
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        if layer < len(weights) - 1:
            delta = np.dot(weights[layer + 1].T, delta) * sigmoid_prime(zs[layer])
        nabla_b[layer] = delta
        nabla_w[layer] = np.dot(delta, activations[layer].T)
    return nabla_b, nabla_w


def update_mini_batch(weights, biases, mini_batch, eta, loss="quadratic", lmbda=0.0, n=1):
    """One step: the per-sample gradients summed over the mini-batch, weights decayed by 1 − η λ / n."""
    sum_b = [np.zeros_like(b) for b in biases]
    sum_w = [np.zeros_like(w) for w in weights]
    for x, y in mini_batch:
        nabla_b, nabla_w = backprop(weights, biases, x, y, loss)
        sum_b = [s + g for s, g in zip(sum_b, nabla_b)]
        sum_w = [s + g for s, g in zip(sum_w, nabla_w)]
    m = len(mini_batch)
    weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * s for w, s in zip(weights, sum_w)]
    biases = [b - (eta / m) * s for b, s in zip(biases, sum_b)]
    return weights, biases


def sgd(weights, biases, training_data, epochs, mini_batch_size, eta, loss="quadratic", lmbda=0.0):
    """Epochs of mini-batch SGD; each shuffles the (cumulatively shuffled) list of pairs with ``random.shuffle``."""
    data = list(training_data)
    n = len(data)
    for _ in range(epochs):
        random.shuffle(data)
        for start in range(0, n, mini_batch_size):
            batch = data[start : start + mini_batch_size]
            weights, biases = update_mini_batch(weights, biases, batch, eta, loss, lmbda, n)
    return weights, biases


def evaluate(weights, biases, labelled_data) -> int:
    """Number of (x, label) pairs whose output's argmax is the label."""
    return sum(int(np.argmax(feedforward(weights, biases, x)) == y) for x, y in labelled_data)


def total_cost(weights, biases, data, lmbda, loss, labels=False) -> float:
    """Mean per-sample cost plus ½ (λ / n) Σ ‖W‖²; with ``labels`` the targets are class labels."""
    n = len(data)
    total = 0.0
    for x, y in data:
        a = feedforward(weights, biases, x)
        if labels:
            y = np.eye(len(a))[:, [y]]
        total += COSTS[loss](a, y) / n
    return total + 0.5 * (lmbda / n) * sum(float(np.sum(w * w)) for w in weights)
