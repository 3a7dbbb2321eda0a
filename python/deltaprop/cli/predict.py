"""``deltaprop predict``: run a saved network on new samples and write its predictions."""

from __future__ import annotations

import csv
import os
import sys

import numpy as np

from ..network import Network
from .errors import EXIT_OK, CommandError
from .inputs import read_inputs
from .paths import check_writable

OUTPUT_SUFFIXES = (".npy", ".npz", ".csv")


def add_parser(commands, **kwargs):
    """Add the ``predict`` sub-parser to ``commands``."""
    parser = commands.add_parser(
        "predict",
        help="predict the classes of new samples with a saved network",
        description="Run a saved network on the samples in INPUT and write the predicted class of each, with the "
        "network's outputs (class probabilities for a softmax output).\n"
        "INPUT: .npz (array X, or --key), .npy, .csv/.tsv of features (one sample per line, optional header) or an "
        "IDX images file; 8-bit values are divided by 255 as in training.\n"
        "--output by extension: .csv (label, class name, one column per output), .npz (arrays labels, outputs, "
        "class_names) or .npy (the labels). Without --output the class of each sample is printed, one per line.",
        **kwargs,
    )
    parser.add_argument("model", metavar="MODEL", help="a model file written by `deltaprop train --save`")
    parser.add_argument("input", metavar="INPUT", help="the samples to classify")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the predictions to FILE (.csv, .npz or .npy)")
    parser.add_argument("--key", metavar="NAME", help="the array of an .npz INPUT that holds the samples")
    return parser


def run(args) -> int:
    """Run ``deltaprop predict``; returns the exit status."""
    if args.output is not None:
        if os.path.splitext(args.output)[1].lower() not in OUTPUT_SUFFIXES:
            raise CommandError(f"--output {args.output}: the name must end in .csv, .npz or .npy")
        check_writable(args.output, "--output")
    net = Network.load(args.model)
    X = read_inputs(args.input, net.sizes[0], net.dtype, key=args.key)
    outputs = net.feedforward(X)
    labels = np.argmax(outputs, axis=1) if outputs.shape[1] > 1 else None
    names = (getattr(net, "metadata", {}) or {}).get("class_names")
    if names is not None and len(names) != outputs.shape[1]:
        names = None
    if args.output is None:
        _print(outputs, labels, names)
        return EXIT_OK
    suffix = os.path.splitext(args.output)[1].lower()
    if suffix == ".npy":
        np.save(args.output, outputs if labels is None else labels)
    elif suffix == ".npz":
        arrays = {"outputs": outputs}
        if labels is not None:
            arrays["labels"] = labels
        if names is not None:
            arrays["class_names"] = np.array(names, dtype=str)
        with open(args.output, "wb") as f:  # an exact name: savez would append .npz to a path
            np.savez(f, **arrays)
    else:
        _write_csv(args.output, outputs, labels, names)
    print(f"wrote {len(X):,} predictions to {args.output}")
    return EXIT_OK


def _print(outputs, labels, names) -> None:
    if labels is None:
        lines = (f"{value:.6g}" for value in outputs[:, 0])
    elif names is None:
        lines = map(str, labels)
    else:
        lines = (names[label] for label in labels)
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def _write_csv(path: str, outputs, labels, names) -> None:
    columns = [] if labels is None else ["label"]
    if names is not None and labels is not None:
        columns.append("class")
    columns += [f"output_{k}" for k in range(outputs.shape[1])]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, row in enumerate(outputs):
            cells = [] if labels is None else [int(labels[i])]
            if names is not None and labels is not None:
                cells.append(names[labels[i]])
            writer.writerow(cells + [f"{v:.9g}" for v in row])
