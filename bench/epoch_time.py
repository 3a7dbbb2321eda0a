"""Seconds per training epoch of deltaprop and of a plain NumPy mini-batch loop, in one run.

The textbook's chapter-1 network by default: sizes [784, 30, 10], sigmoid, quadratic cost,
mini-batches of 10, η = 3.0, float64, on random data (the speed does not depend on the values).

    python bench/epoch_time.py [--samples 60000] [--epochs 3] [--batch-size 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from deltaprop import Network


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_epoch(weights, biases, X, Y, batch_size, lr, rng):
    """One epoch of the same algorithm, vectorised over each mini-batch with NumPy's BLAS."""
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        activations = [X[idx]]
        for w, b in zip(weights, biases):
            activations.append(sigmoid(activations[-1] @ w.T + b))
        a = activations[-1]
        delta = (a - Y[idx]) * a * (1 - a)
        m = len(idx)
        for layer in range(len(weights) - 1, -1, -1):
            a_prev = activations[layer]
            grad_w = delta.T @ a_prev / m
            grad_b = delta.mean(axis=0)
            if layer > 0:
                delta = (delta @ weights[layer]) * a_prev * (1 - a_prev)
            weights[layer] -= lr * grad_w
            biases[layer] -= lr * grad_b


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--sizes", default="784,30,10")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(0)
    X = rng.random((args.samples, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], args.samples)]

    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}")
    print(f"sizes {sizes}, sigmoid, quadratic, batch {args.batch_size}, lr 3.0, float64, {args.samples} samples")
    net = Network(sizes, seed=0)
    history = net.fit(X, Y, epochs=args.epochs, batch_size=args.batch_size, lr=3.0)
    ours = statistics.median(history["seconds"])

    weights = [w.copy() for w in Network(sizes, seed=0).weights]
    biases = [b.copy() for b in Network(sizes, seed=0).biases]
    times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        numpy_epoch(weights, biases, X, Y, args.batch_size, 3.0, rng)
        times.append(time.perf_counter() - start)
    theirs = statistics.median(times)

    print(f"{'':10} {'s/epoch':>9} {'samples/s':>11}")
    print(f"{'deltaprop':10} {ours:9.3f} {args.samples / ours:11.0f}")
    print(f"{'numpy':10} {theirs:9.3f} {args.samples / theirs:11.0f}")
    print(f"numpy / deltaprop: {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
