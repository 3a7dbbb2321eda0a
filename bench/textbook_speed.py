"""Seconds per epoch of the textbook's own program on deltaprop.compat and as the book computes it, in one run.

Times ``network.Network([784, 30, 10]).SGD(training_data, 1, 10, 3.0)`` from ``deltaprop.compat`` (the
call as a reader of the book writes it, converting the list of pairs included) against the book's
algorithm, one sample at a time in NumPy, on the same Fashion-MNIST training images in the book's layout
(lists of (784, 1) float32 columns and (10, 1) one-hot targets), from the same parameters and the same
mini-batches.

    python bench/textbook_speed.py [--samples 60000] [--repeats 3] [--epochs 3] [--data-dir DIR]

Fashion-MNIST comes from Debian's package: apt-get install dataset-fashion-mnist.
"""

# The book draws from NumPy's global generator; so does this program, to start both sides alike.
# ruff: noqa: NPY002

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import statistics
import sys
import time

import numpy as np

from deltaprop.compat import network

try:  # optional: only to show the one-thread figure too
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None
from deltaprop.datasets import load_fashion_mnist

TARGET = 15.0  # compat's epoch at least this many times faster than the per-sample loop
SIZES = [784, 30, 10]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def textbook_epoch(weights, biases, training_data, mini_batch_size, eta):
    """One epoch of the book's SGD: per-sample backpropagation, gradients summed over each mini-batch."""
    random.shuffle(training_data)
    for start in range(0, len(training_data), mini_batch_size):
        batch = training_data[start : start + mini_batch_size]
        sum_b = [np.zeros(b.shape) for b in biases]
        sum_w = [np.zeros(w.shape) for w in weights]
        for x, y in batch:
            activation, activations, zs = x, [x], []
            for w, b in zip(weights, biases):
                zs.append(np.dot(w, activation) + b)
                activation = sigmoid(zs[-1])
                activations.append(activation)
            delta = (activations[-1] - y) * sigmoid(zs[-1]) * (1 - sigmoid(zs[-1]))
            for layer in range(len(weights) - 1, -1, -1):
                if layer < len(weights) - 1:
                    s = sigmoid(zs[layer])
                    delta = np.dot(weights[layer + 1].T, delta) * s * (1 - s)
                sum_b[layer] = sum_b[layer] + delta
                sum_w[layer] = sum_w[layer] + np.dot(delta, activations[layer].T)
        weights = [w - (eta / len(batch)) * g for w, g in zip(weights, sum_w)]
        biases = [b - (eta / len(batch)) * g for b, g in zip(biases, sum_b)]
    return weights, biases


def textbook_data(X, y):
    """The book's training data: (x (784, 1), one-hot y (10, 1)) pairs."""
    eye = np.eye(10)
    return [(X[i].reshape(784, 1), eye[:, [y[i]]]) for i in range(len(y))]


def time_sgd(net, weights, biases, training_data, epochs):
    """Seconds per epoch of one ``SGD(training_data, epochs, 10, 3.0)`` call from the given parameters."""
    net.weights, net.biases = list(weights), list(biases)
    random.seed(0)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # its "Epoch j complete" lines
        net.SGD(training_data, epochs, 10, 3.0)
    return (time.perf_counter() - start) / epochs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=60_000, help="use the first N training images")
    parser.add_argument("--repeats", type=int, default=3, help="one-epoch SGD calls to time (the median is shown)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the multi-epoch SGD call")
    parser.add_argument("--data-dir", help="directory of Fashion-MNIST's IDX files (default: the Debian package's)")
    args = parser.parse_args(argv)
    try:
        X, y = load_fashion_mnist(args.data_dir, "train", np.float32)  # float32 pixels, as in the book's file
    except FileNotFoundError as exc:
        print(f"textbook_speed.py: {exc}", file=sys.stderr)
        return 1
    X, y = X[: args.samples], y[: args.samples]
    training_data = textbook_data(X, y)
    n = len(training_data)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}")
    print(f"Fashion-MNIST, {n:,} training images as the book's (784, 1) columns; sizes {SIZES}")
    print("sigmoid, quadratic cost, mini-batches of 10, eta 3.0, float64; the same start and mini-batches")

    np.random.seed(0)
    net = network.Network(SIZES)
    weights, biases = list(net.weights), list(net.biases)
    one = statistics.median(time_sgd(net, weights, biases, training_data, 1) for _ in range(args.repeats))
    many = time_sgd(net, weights, biases, training_data, args.epochs)
    threads = net._engines["quadratic"]._net.training_info["threads"]
    single = None
    if threads > 1 and threadpool_limits is not None:  # the same call held to one thread, for comparison
        with threadpool_limits(1):
            single = statistics.median(time_sgd(net, weights, biases, training_data, 1) for _ in range(args.repeats))
    random.seed(0)
    start = time.perf_counter()
    textbook_epoch(weights, biases, list(training_data), 10, 3.0)
    loop = time.perf_counter() - start

    rows = [
        ("compat SGD(data, 1, 10, 3.0)", one),
        (f"compat SGD(data, {args.epochs}, 10, 3.0)", many),
        ("per-sample NumPy (the book)", loop),
    ]
    if single is not None:
        rows.insert(2, ("compat SGD(data, 1, 10, 3.0), 1 thread", single))
    print(f"compat trained on {threads} thread(s), as many as NumPy's BLAS uses here")
    print(f"{'':43} {'s/epoch':>8} {'samples/s':>11} {'loop / this':>12}")
    for name, seconds in rows:
        print(f"{name:43} {seconds:8.3f} {n / seconds:11,.0f} {loop / seconds:11.1f}x")
    verdict = "MET" if loop / one >= TARGET else "MISSED"
    print(f"per-sample NumPy / compat SGD(data, 1, 10, 3.0): {loop / one:.1f}x (target >= {TARGET:.0f}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
