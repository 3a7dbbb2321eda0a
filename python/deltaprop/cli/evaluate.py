"""``deltaprop evaluate``: a saved network's accuracy, cost and confusion matrix on a data set."""

from __future__ import annotations

import os

import numpy as np

from ..network import Network
from .errors import EXIT_OK, CommandError
from .options import number, test_size


def add_parser(commands, **kwargs):
    """Add the ``evaluate`` sub-parser to ``commands``."""
    parser = commands.add_parser(
        "evaluate",
        help="measure a saved network's accuracy and cost, with a confusion matrix",
        description="Measure a saved network on labelled data: accuracy, mean cost and, for classifiers, a "
        "confusion matrix (rows: true class, columns: predicted class). Without --data, the test part of the "
        "data the network was trained on is used, split as in training.",
        **kwargs,
    )
    parser.add_argument("model", metavar="MODEL", help="a model file written by `deltaprop train --save`")
    parser.add_argument(
        "--data",
        metavar="DATA",
        help="digits, fashion-mnist, mnist, or a .npz/.csv file or IDX directory (default: the training data)",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="where the IDX files of --data mnist or fashion-mnist are")
    parser.add_argument(
        "--split",
        choices=("test", "train", "all"),
        default="test",
        help="which part of the data to measure",
    )
    parser.add_argument(
        "--test-size",
        type=test_size,
        metavar="N",
        help="test samples held out when the data has no test split (default: as in training)",
    )
    parser.add_argument(
        "--seed", type=number(int, 0), help="seed of the test split when one is made (default: as in training)"
    )
    return parser


def run(args) -> int:
    """Run ``deltaprop evaluate``; returns the exit status."""
    from ..datasets import load_dataset

    net = Network.load(args.model)
    trained_on = getattr(net, "metadata", {}) or {}
    spec, data_dir = args.data, args.data_dir
    held_out, seed = args.test_size, args.seed
    if spec is None:
        spec = trained_on.get("data_spec")
        if spec is None:
            raise CommandError(f"{args.model} does not say which data it was trained on; give --data")
    if _where(spec) == trained_on.get("data_spec"):
        # The split made in training, so that the test part holds no training sample.
        data_dir = data_dir or trained_on.get("data_dir")
        held_out = held_out if held_out is not None else trained_on.get("test_size")
        seed = seed if seed is not None else trained_on.get("seed")
    data = load_dataset(spec, data_dir=data_dir, dtype=net.dtype, test_size=held_out, seed=seed or 0)
    X, y = _part(data, args.split)
    n_in, n_out = net.sizes[0], net.sizes[-1]
    if data.n_features != n_in:
        raise CommandError(f"{data.name} has {data.n_features} features per sample; the network takes {n_in}")
    if y.max() >= n_out:
        raise CommandError(f"{data.name} has labels up to {y.max()}; the network has only {n_out} outputs")

    print(f"model: {args.model}: {net!r}")
    print(f"data: {data.name}, {args.split} part: {len(y):,} samples")
    print(f"cost: {net.cost(X, y):.4f}")
    if n_out < 2:
        return EXIT_OK  # one output: no classes to count
    predicted = net.predict(X)
    correct = int(np.count_nonzero(predicted == y))
    print(f"accuracy: {100 * correct / len(y):.2f}% ({correct:,}/{len(y):,})")
    names = data.class_names or trained_on.get("class_names")
    print()
    print(format_confusion(confusion_matrix(y, predicted, n_out), names))
    return EXIT_OK


def _where(spec: str) -> str:
    """A data set name, or the absolute path that ``train`` keeps in model files."""
    from ..datasets import DATASET_NAMES

    return spec if spec in DATASET_NAMES else os.path.abspath(spec)


def _part(data, split: str):
    if split == "train":
        return data.X_train, data.y_train
    if data.X_test is None:
        if split == "test":
            raise CommandError(f"{data.name} has no test part; use --split train or all")
        return data.X_train, data.y_train
    if split == "test":
        return data.X_test, data.y_test
    return np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test])


def confusion_matrix(true, predicted, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of class i predicted as class j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def format_confusion(counts: np.ndarray, names=None) -> str:
    """The confusion matrix as a table: rows true classes, columns predicted classes, with per-class recall.

    Columns are headed by class number; rows carry the class names when they say more than the number.
    """
    n = counts.shape[0]
    labels = [str(k) for k in range(n)]
    if names is not None and len(names) == n and list(map(str, names)) != labels:
        labels = [f"{k} {name}" for k, name in enumerate(names)]
    width = max(len(f"{counts.max():,}"), len(str(n - 1)), 4)  # room for "100%"
    head = max(len(label) for label in labels + ["precision"])
    totals = counts.sum(axis=1)
    lines = [
        "confusion matrix (rows: true class, columns: predicted class)",
        "true".ljust(head) + " " + " ".join(str(k).rjust(width) for k in range(n)) + "  recall",
    ]
    for k in range(n):
        recall = f"{100 * counts[k, k] / totals[k]:6.1f}%" if totals[k] else "      -"
        cells = " ".join(f"{c:,}".rjust(width) for c in counts[k])
        lines.append(f"{labels[k].ljust(head)} {cells} {recall}")
    predicted = counts.sum(axis=0)
    precision = " ".join(
        (f"{100 * counts[k, k] / predicted[k]:.0f}%" if predicted[k] else "-").rjust(width) for k in range(n)
    )
    lines.append(f"{'precision'.ljust(head)} {precision}")
    return "\n".join(lines)
