"""``deltaprop train``: train a network on a data set, report its test accuracy, optionally save and plot."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import time

import numpy as np

from .._validation import ACTIVATIONS, INITS, LOSSES, check_architecture
from ..history import History
from ..network import Network, threads_worth_using
from .errors import EXIT_OK, CommandError
from .options import canonical_name, layer_sizes, number, test_size
from .paths import check_writable
from .progress import make_display

# Network and training defaults per data set. On the digits, [64, 30, 10] with the quadratic cost reaches
# about 97% test accuracy in well under a second; user files get the same (wider layers start slowly on
# small data), the 60,000 images of (Fashion-)MNIST a wider layer and fewer epochs.
DEFAULTS = {
    "digits": {"hidden": [30], "epochs": 30, "batch_size": 10},
    "mnist": {"hidden": [100], "epochs": 10, "batch_size": 10},
    "fashion-mnist": {"hidden": [100], "epochs": 10, "batch_size": 10},
}
NAMED_DATA = ("digits", "fashion-mnist", "mnist")
# The output activation each loss needs; quadratic keeps the hidden activation.
OUTPUT_ACTIVATION = {"quadratic": None, "cross_entropy": "sigmoid", "log_likelihood": "softmax"}
OPTIMIZERS = ("sgd", "momentum", "nesterov")
DEFAULT_MOMENTUM = 0.9
HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "softmax")


def default_lr(activation: str, loss: str, momentum: float) -> float:
    """A learning rate that trains well on the digits for this activation and loss.

    Sigmoid layers take large steps (3.0 with the quadratic cost, 0.5 with the log costs); tanh and the
    rectifiers need 0.1. Momentum μ multiplies the effective step by 1/(1 − μ), so the rate is scaled by (1 − μ).
    """
    if activation == "sigmoid":
        base = 3.0 if loss == "quadratic" else 0.5
    else:
        base = 0.1
    return base * (1.0 - momentum)


def add_parser(commands, **kwargs) -> argparse.ArgumentParser:
    """Add the ``train`` sub-parser to ``commands``."""
    parser = commands.add_parser(
        "train",
        help="train a network and report its test accuracy (the default command)",
        description="Train a fully-connected network by mini-batch gradient descent. Prints the training cost and "
        "the cost and accuracy on held-out data after every epoch (with a live progress bar inside long epochs on a "
        "terminal), then a summary: test accuracy and cost, wall time, training samples per second.\n"
        "Ctrl-C stops after the current mini-batch; the summary is printed and --save still saves.",
        epilog="Defaults that depend on the data: --hidden 100 --epochs 10 --batch-size 10 on mnist and "
        "fashion-mnist; --hidden 30 --epochs 30 --batch-size 10 on the digits and files.\n"
        "--lr defaults to 3.0 for sigmoid layers with the quadratic cost, 0.5 for sigmoid layers with the other "
        "costs and 0.1 otherwise, times (1 - momentum).\n\n"
        "Examples:\n"
        "  deltaprop train\n"
        "  deltaprop train --hidden 100,100 --activation relu --loss log_likelihood --optimizer nesterov\n"
        "  deltaprop train --data fashion-mnist --epochs 20 --dtype float32 --save fashion.npz --plot curves.png",
        **kwargs,
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        default="digits",
        metavar="DATA",
        help="digits (1,797 bundled 8x8 UCI digits), fashion-mnist, mnist, or a file: .npz (X, y arrays), "
        ".csv (label in the last column) or a directory of IDX files",
    )
    data.add_argument("--data-dir", metavar="DIR", help="where the IDX files of --data mnist or fashion-mnist are")
    data.add_argument(
        "--test-size",
        type=test_size,
        metavar="N",
        help="test samples held out when a data set has no test split of its own (a count, or a fraction < 1)",
    )
    data.add_argument(
        "--validation-split",
        type=number(float, 0, 1, low_open=True, high_open=True),
        metavar="F",
        help="hold out this fraction of the training data to monitor every epoch "
        "(without it, the test set is monitored)",
    )
    model = parser.add_argument_group("network")
    model.add_argument(
        "--hidden",
        type=layer_sizes,
        nargs="+",
        metavar="WIDTHS",
        help="hidden layer widths, such as 100,100 (or 100 100); none for no hidden layer",
    )
    model.add_argument(
        "--activation",
        default="sigmoid",
        choices=HIDDEN_ACTIVATIONS,
        type=canonical_name,
        metavar="NAME",
        help=f"hidden-layer activation: {', '.join(HIDDEN_ACTIVATIONS)}",
    )
    model.add_argument(
        "--output-activation",
        choices=ACTIVATIONS,
        type=canonical_name,
        metavar="NAME",
        help="output activation, one of the above or softmax; default: softmax with log_likelihood, sigmoid with "
        "cross_entropy, the hidden activation with quadratic",
    )
    model.add_argument(
        "--loss",
        default="quadratic",
        type=canonical_name,
        choices=LOSSES,
        metavar="NAME",
        help=f"cost function: {', '.join(LOSSES)}",
    )
    model.add_argument(
        "--init",
        default="nielsen",
        type=canonical_name,
        choices=INITS,
        metavar="NAME",
        help=f"initial weights: {', '.join(INITS)}",
    )
    model.add_argument(
        "--slope", type=number(float, 0), default=0.01, metavar="S", help="negative-side slope of leaky_relu"
    )
    model.add_argument("--dtype", default="float64", choices=["float32", "float64"], help="floating-point type")
    fit = parser.add_argument_group("training")
    fit.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        help="plain SGD, or SGD with (Nesterov) momentum; default sgd, or momentum when --momentum is given",
    )
    fit.add_argument(
        "--lr", type=number(float, 0, low_open=True), metavar="RATE", help="learning rate (default: see below)"
    )
    fit.add_argument(
        "--momentum",
        type=number(float, 0, 1),
        metavar="MU",
        help=f"momentum in [0, 1) for --optimizer momentum or nesterov (default {DEFAULT_MOMENTUM})",
    )
    fit.add_argument(
        "--l2",
        type=number(float, 0),
        default=0.0,
        metavar="LAMBDA",
        help="L2 regularisation strength, on the weights only",
    )
    fit.add_argument("--epochs", type=number(int, 1), metavar="N", help="passes over the training data")
    fit.add_argument("--batch-size", type=number(int, 1), metavar="N", help="samples per gradient step")
    fit.add_argument("--threads", type=number(int, 1), metavar="N", help="threads sharing each mini-batch (default 1)")
    fit.add_argument(
        "--seed",
        type=number(int, 0),
        default=0,
        metavar="N",
        help="seed of the data split, the initial weights and the shuffling",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--save", metavar="MODEL", help="save the trained network to this file (.npz)")
    out.add_argument("--plot", metavar="FILE", help="save learning curves to this image (.png, .pdf, .svg)")
    out.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    return parser


def _settings(args) -> dict:
    """Resolve the defaults and check the options that do not need the data."""
    defaults = DEFAULTS.get(args.data, DEFAULTS["digits"])
    hidden = defaults["hidden"] if args.hidden is None else [size for part in args.hidden for size in part]
    optimizer = args.optimizer or ("momentum" if args.momentum is not None else "sgd")
    if optimizer == "sgd":
        if args.momentum:
            raise CommandError("--momentum needs --optimizer momentum or nesterov")
        momentum = 0.0
    else:
        momentum = DEFAULT_MOMENTUM if args.momentum is None else args.momentum
    output_activation = args.output_activation or OUTPUT_ACTIVATION[args.loss] or args.activation
    try:
        check_architecture(args.activation, output_activation, args.loss, n_hidden=len(hidden))
    except ValueError as exc:
        raise CommandError(f"{exc} (see --activation, --output-activation and --loss)") from None
    if args.plot is not None:
        if importlib.util.find_spec("matplotlib") is None:
            raise CommandError('--plot needs matplotlib: pip install "deltaprop[plot]"')
        check_writable(args.plot, "--plot")
    if args.save is not None:
        check_writable(args.save, "--save")
    return {
        "hidden": hidden,
        "output_activation": output_activation,
        "optimizer": optimizer,
        "momentum": momentum,
        "epochs": args.epochs or defaults["epochs"],
        "batch_size": args.batch_size or defaults["batch_size"],
        "lr": args.lr or default_lr(args.activation, args.loss, momentum),
    }


def _validation_split(data, fraction: float, seed: int):
    """Split the training data into training and validation parts, at random."""
    n = len(data.y_train)
    n_val = int(round(fraction * n))
    if not 1 <= n_val < n:
        raise CommandError(f"--validation-split {fraction:g} of {n:,} training samples leaves an empty part")
    order = np.random.default_rng([seed, 1]).permutation(n)  # independent of the test split's generator
    val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
    return data.X_train[train], data.y_train[train], (data.X_train[val], data.y_train[val])


class _Monitor:
    """fit's progress callback: shows the bar within epochs and, at the end of each, measures the monitored set."""

    def __init__(self, net, display, monitored, label: str):
        self.net = net
        self.display = display
        self.X, self.y = monitored
        self.label = label
        self.records = []
        self.overhead = 0.0  # seconds spent here, not training

    def __call__(self, info: dict) -> None:
        start = time.perf_counter()
        if not info["done"]:
            self.display.update(info)
        else:
            record = {
                "epoch": info["epoch"],
                "cost": info["cost"],
                "val_cost": self.net.cost(self.X, self.y),
                "val_accuracy": self.net.accuracy(self.X, self.y),
                "seconds": info["seconds"],
            }
            self.records.append(record)
            self.display.line(
                f"Epoch {info['epoch']}/{info['epochs']}: cost {record['cost']:.4f}, "
                f"{self.label} cost {record['val_cost']:.4f}, "
                f"{self.label} accuracy {100 * record['val_accuracy']:.2f}%, {record['seconds']:.3f} s"
            )
        self.overhead += time.perf_counter() - start


def run(args) -> int:
    """Run ``deltaprop train``; returns the exit status."""
    from ..datasets import load_dataset

    settings = _settings(args)
    epochs = settings["epochs"]
    started = time.perf_counter()
    dtype = np.dtype(args.dtype)
    data = load_dataset(args.data, data_dir=args.data_dir, dtype=dtype, test_size=args.test_size, seed=args.seed)
    if data.n_classes < 2:
        raise CommandError(f"{data.name}: the labels hold a single class; classification needs at least 2")
    X_train, y_train = data.X_train, data.y_train
    if args.validation_split is not None:
        X_train, y_train, monitored = _validation_split(data, args.validation_split, args.seed)
        label = "val"
        counts = f"{len(y_train):,} training, {len(monitored[1]):,} validation and {len(data.y_test):,} test samples"
    else:
        monitored, label = (data.X_test, data.y_test), "test"
        counts = f"{len(y_train):,} training and {len(data.y_test):,} test samples"
    net = Network(
        [data.n_features, *settings["hidden"], data.n_classes],
        activation=args.activation,
        output_activation=settings["output_activation"],
        loss=args.loss,
        dtype=dtype,
        init=args.init,
        seed=args.seed,
        slope=args.slope,
    )
    display = make_display(quiet=args.quiet)
    optimizer = settings["optimizer"]
    if optimizer != "sgd":
        optimizer += f" {settings['momentum']:g}"
    display.line(f"data: {data.name}: {counts} of {data.n_features} inputs, {data.n_classes} classes")
    display.line(f"network: {net!r}, {net.n_params:,} parameters")
    asked = args.threads or 1
    used = threads_worth_using(asked, net.sizes, settings["batch_size"], len(X_train))
    threads = _plural(used, "thread") + (f" (of {asked} asked: batches too small to share)" if used < asked else "")
    display.line(
        f"training: {_plural(epochs, 'epoch')}, batch size {settings['batch_size']}, {optimizer}, "
        f"lr {settings['lr']:g}, l2 {args.l2:g}, {threads}"
    )

    monitor = _Monitor(net, display, monitored, label)
    before = dict(net.training_info)
    fit_started = time.perf_counter()
    try:
        history = net.fit(
            X_train,
            y_train,
            epochs=epochs,
            batch_size=settings["batch_size"],
            lr=settings["lr"],
            momentum=settings["momentum"],
            nesterov=settings["optimizer"] == "nesterov",
            l2=args.l2,
            threads=args.threads,
            progress=monitor,
        )
        interrupted = history.interrupted
    except KeyboardInterrupt:
        # Between epochs, outside the engine: the network is as consistent as after a mini-batch.
        interrupted = True
    finally:
        display.close()
    training_seconds = time.perf_counter() - fit_started - monitor.overhead
    samples = net.training_info["samples_seen"] - before["samples_seen"]
    completed = net.training_info["epochs"] - before["epochs"]

    test_cost = net.cost(data.X_test, data.y_test)
    correct = net.evaluate(data.X_test, data.y_test)
    n_test = len(data.y_test)
    if interrupted:
        partial = samples - completed * len(y_train)
        extra = f" and {partial:,} samples of epoch {completed + 1}" if partial > 0 else ""
        print(f"interrupted after {completed} of {_plural(epochs, 'epoch')}{extra}", flush=True)
    rate = samples / training_seconds if training_seconds > 0 else float("nan")
    print(
        f"done: test accuracy {100 * correct / n_test:.2f}% ({correct:,}/{n_test:,}), test cost {test_cost:.4f}, "
        f"wall time {time.perf_counter() - started:.2f} s, {rate:,.0f} training samples/s",
        flush=True,
    )
    if args.save is not None:
        net.save(args.save, metadata=_metadata(args, data, correct / n_test, test_cost, completed, interrupted))
        if not args.quiet:
            print(f"saved the network to {args.save}")
    if args.plot is not None:
        _plot(args, data, net, monitor)
    return EXIT_OK


def _plot(args, data, net, monitor) -> None:
    """Draw the learning curves of the completed epochs into ``--plot``."""
    if not monitor.records:
        print(f"no learning curves in {args.plot}: no epoch was completed", flush=True)
        return
    from ..plot import learning_curves

    held_out = "validation" if monitor.label == "val" else "test"
    title = f"{data.name}: {net.sizes}, {args.activation}, {args.loss}"
    learning_curves(History(monitor.records), path=args.plot, title=title, held_out=held_out)
    if not args.quiet:
        print(f"saved learning curves to {args.plot}")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _metadata(args, data, accuracy: float, cost: float, epochs: int, interrupted: bool) -> dict:
    """What a model file keeps about its training run, for ``evaluate``, ``predict`` and ``info``."""
    return {
        "data": data.name,
        # Absolute paths, so that `evaluate` finds the data from any directory.
        "data_spec": args.data if args.data in NAMED_DATA else os.path.abspath(args.data),
        "data_dir": None if args.data_dir is None else os.path.abspath(args.data_dir),
        "test_size": args.test_size,
        "seed": args.seed,
        "n_features": data.n_features,
        "class_names": None if data.class_names is None else [str(c) for c in data.class_names],
        "command": shlex.join([*shlex.split(args.prog), *args.argv]),
        "test_accuracy": accuracy,
        "test_cost": cost,
        "epochs_this_run": epochs,
        "interrupted": interrupted,
    }
