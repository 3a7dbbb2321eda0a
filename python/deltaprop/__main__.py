"""Command line: ``python -m deltaprop [train] [options]``.

``train`` (the default command) trains a network by mini-batch SGD on the bundled handwritten digits or
on an MNIST-format directory, printing one line per epoch and a summary.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

import numpy as np

from .datasets import load_digits, load_mnist
from .network import DivergenceError, Network

COMMANDS = ("train",)
# Per data set: network and training defaults. On the digits, [64, 30, 10] with the quadratic cost
# reaches about 97% test accuracy; cross-entropy, softmax, tanh, relu, wider layers or more epochs
# measured no better.
DEFAULTS = {
    "digits": {"hidden": [30], "epochs": 30, "batch_size": 10, "lr": 3.0, "test_size": 300},
    "mnist": {"hidden": [100], "epochs": 10, "batch_size": 10, "lr": 3.0, "test_size": 2000},
}
# The output activation each loss needs; quadratic keeps the hidden activation.
OUTPUT_ACTIVATION = {"quadratic": None, "cross_entropy": "sigmoid", "log_likelihood": "softmax"}


def _number(kind, low: float, high: float = float("inf"), low_open: bool = False, high_open: bool = True):
    """An argparse type accepting ``kind`` values within the given bounds."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a valid {kind.__name__}: {text!r}") from None
        if value < low or (low_open and value == low) or value > high or (high_open and value == high):
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            raise argparse.ArgumentTypeError(f"{text} is outside {left}{low:g}, {high:g}{right}")
        return value

    return parse


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default only when it has one (data-dependent defaults are in the epilog)."""

    def _get_help_string(self, action):
        return action.help if action.default is None else super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m deltaprop``, one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="python -m deltaprop",
        description="Train fully-connected networks with deltaprop's C++ backpropagation engine.",
        epilog="With no command, 'train' runs: `python -m deltaprop` trains on the bundled digits. "
        "Options: `python -m deltaprop train --help`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    defaults = "; ".join(
        f"{name}: --hidden {' '.join(map(str, d['hidden']))} --epochs {d['epochs']} "
        f"--batch-size {d['batch_size']} --lr {d['lr']:g} --test-size {d['test_size']}"
        for name, d in DEFAULTS.items()
    )
    train = commands.add_parser(
        "train",
        help="train a network and report its test accuracy (the default command)",
        description="Train a network by mini-batch SGD; print the training cost, the test cost and accuracy "
        "and the time of every epoch, then a summary.",
        epilog=f"Defaults that depend on --data: {defaults}.",
        formatter_class=_HelpFormatter,
    )
    data = train.add_argument_group("data")
    data.add_argument(
        "--data",
        choices=sorted(DEFAULTS),
        default="digits",
        help="digits: the bundled UCI 8x8 handwritten digits; mnist: IDX files in --data-dir",
    )
    data.add_argument(
        "--data-dir",
        metavar="DIR",
        help="directory of {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; without the train files "
        "the t10k set is split into training and test data",
    )
    data.add_argument(
        "--test-size",
        type=_number(int, 1),
        metavar="N",
        help="samples held out for testing when one set is split",
    )
    model = train.add_argument_group("network and training")
    model.add_argument("--hidden", type=_number(int, 1), nargs="+", metavar="N", help="hidden layer sizes")
    model.add_argument(
        "--activation", default="sigmoid", choices=["sigmoid", "tanh", "relu", "leaky_relu"], help="hidden activation"
    )
    model.add_argument(
        "--loss",
        default="quadratic",
        choices=sorted(OUTPUT_ACTIVATION),
        help="quadratic keeps the hidden activation at the output, cross_entropy uses a sigmoid output "
        "and log_likelihood a softmax",
    )
    model.add_argument("--epochs", type=_number(int, 1), metavar="N", help="passes over the training data")
    model.add_argument("--batch-size", type=_number(int, 1), metavar="N", help="samples per gradient step")
    model.add_argument("--lr", type=_number(float, 0, low_open=True), help="learning rate")
    model.add_argument("--momentum", type=_number(float, 0, 1), default=0.0, help="momentum in [0, 1)")
    model.add_argument("--l2", type=_number(float, 0), default=0.0, help="L2 regularisation strength lambda")
    model.add_argument("--dtype", choices=["float32", "float64"], default="float64", help="floating-point type")
    model.add_argument(
        "--seed", type=_number(int, 0), default=0, help="seed of the split, the initial weights and the shuffling"
    )
    return parser


def load_data(args: argparse.Namespace, dtype: np.dtype, rng: np.random.Generator):
    """Return ``(X_train, y_train, X_test, y_test, description)`` for the chosen data set."""
    if args.data == "digits":
        X, y = load_digits(dtype=dtype)
        name = "bundled UCI digits"
    elif args.data_dir is None:
        raise ValueError("--data mnist needs --data-dir")
    else:
        try:
            X_train, y_train = load_mnist(args.data_dir, kind="train", dtype=dtype)
        except FileNotFoundError:
            X, y = load_mnist(args.data_dir, kind="t10k", dtype=dtype)
            name = f"MNIST t10k in {args.data_dir}, split"
        else:
            X_test, y_test = load_mnist(args.data_dir, kind="t10k", dtype=dtype)
            return X_train, y_train, X_test, y_test, f"MNIST in {args.data_dir}"
    n_test = args.test_size or DEFAULTS[args.data]["test_size"]
    if n_test >= len(y):
        raise ValueError(f"--test-size {n_test} leaves no training data ({len(y)} samples)")
    order = rng.permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test], name


def train(args: argparse.Namespace) -> int:
    """Run the ``train`` command; returns the exit status."""
    defaults = DEFAULTS[args.data]
    hidden = args.hidden or defaults["hidden"]
    epochs = args.epochs or defaults["epochs"]
    batch_size = args.batch_size or defaults["batch_size"]
    lr = args.lr or defaults["lr"]
    dtype = np.dtype(args.dtype)

    start = time.perf_counter()
    X_train, y_train, X_test, y_test, name = load_data(args, dtype, np.random.default_rng(args.seed))
    net = Network(
        [X_train.shape[1], *hidden, int(max(y_train.max(), y_test.max())) + 1],
        activation=args.activation,
        output_activation=OUTPUT_ACTIVATION[args.loss],
        loss=args.loss,
        dtype=dtype,
        seed=args.seed,
    )
    print(f"data: {name}: {len(y_train):,} training and {len(y_test):,} test samples of {X_train.shape[1]} inputs")
    print(f"network: {net!r}")
    print(f"training: {epochs} epochs, batch size {batch_size}, lr {lr:g}, momentum {args.momentum:g}, l2 {args.l2:g}")
    history = net.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        momentum=args.momentum,
        l2=args.l2,
        validation_data=(X_test, y_test),
        verbose=True,
    )
    correct = net.evaluate(X_test, y_test)
    wall = time.perf_counter() - start
    rate = epochs * len(y_train) / sum(history["seconds"])
    print(
        f"done: test accuracy {100 * correct / len(y_test):.2f}% ({correct}/{len(y_test)}), "
        f"wall time {wall:.2f} s, {rate:,.0f} training samples/s"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "train")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return train(args)
    except (ValueError, FileNotFoundError) as exc:
        # Bad data or options: a one-line message, not a traceback.
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except DivergenceError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, and keep Python from failing to flush at exit.
        sys.stdout = open(os.devnull, "w")
        return 1


if __name__ == "__main__":
    sys.exit(main())
