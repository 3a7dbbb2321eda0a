"""``deltaprop info``: what a model file holds, read without building the network."""

from __future__ import annotations

import json
import os

import numpy as np

from .errors import EXIT_OK

# Metadata keys that ``train`` writes and that are shown in their own lines.
_SHOWN = ("data", "class_names", "test_accuracy", "test_cost", "command")
_HIDDEN = ("data_spec", "data_dir", "test_size", "seed", "n_features", "epochs_this_run", "interrupted")


def add_parser(commands, **kwargs):
    """Add the ``info`` sub-parser to ``commands``."""
    parser = commands.add_parser(
        "info",
        help="show a model file's architecture, parameter count and training",
        description="Show what a model file holds: layers and activations, parameter count, dtype, loss, how it "
        "was trained, on what data and with which result, and the file format version. The whole file is checked.",
        **kwargs,
    )
    parser.add_argument("model", metavar="MODEL", help="a model file written by `deltaprop train --save`")
    parser.add_argument("--json", action="store_true", help="print the file's header as JSON")
    return parser


def run(args) -> int:
    """Run ``deltaprop info``; returns the exit status."""
    from ..model_io import read_header

    header = read_header(args.model)
    if args.json:
        print(json.dumps(header, indent=2, ensure_ascii=False))
    else:
        print("\n".join(describe(header, args.model)))
    return EXIT_OK


def describe(header: dict, path: str) -> list[str]:
    """Lines describing a model file's header."""
    sizes = header["sizes"]
    dtype = np.dtype(header["dtype"])
    n_params = header["n_params"]
    lines = [
        f"{path}: deltaprop model file, format version {header['version']}, "
        f"written by deltaprop {header.get('deltaprop_version', '?')} at {header.get('created', '?')}",
        f"architecture: {' -> '.join(map(str, sizes))}",
    ]
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        last = layer == len(sizes) - 1
        activation = header["output_activation"] if last else header["activation"]
        if activation == "leaky_relu":
            activation += f" (slope {header['slope']:g})"
        kind = "output" if last else "hidden"
        lines.append(f"  layer {layer} ({kind}): {n_in} -> {n_out}, {activation}, {(n_in + 1) * n_out:,} parameters")
    size = os.path.getsize(path)
    lines.append(f"parameters: {n_params:,} {dtype.name} ({_bytes(n_params * dtype.itemsize)}; file {_bytes(size)})")
    lines.append(f"loss: {header['loss']}, initialisation: {header['init']}")
    lines += _training_lines(header["training"])
    lines += _metadata_lines(header["metadata"])
    return lines


def _training_lines(training: dict) -> list[str]:
    if not training or not training.get("epochs"):
        return ["training: none"]
    epochs = training["epochs"]
    text = f"training: {epochs:,} epoch{'' if epochs == 1 else 's'}, {training.get('samples_seen', 0):,} samples seen"
    if training.get("seconds") is not None:
        text += f", {training['seconds']:.2f} s"
    if training.get("last_cost") is not None:
        text += f", last epoch's cost {training['last_cost']:.4f}"
    settings = []
    if training.get("lr") is not None:
        settings.append(f"lr {training['lr']:g}")
    if training.get("batch_size") is not None:
        settings.append(f"batch size {training['batch_size']}")
    if training.get("momentum"):
        optimizer = "nesterov" if training.get("nesterov") else "momentum"
        settings.append(f"{optimizer} {training['momentum']:g}")
    elif "momentum" in training:
        settings.append("sgd")
    if training.get("l2") is not None:
        settings.append(f"l2 {training['l2']:g}")
    if training.get("threads") is not None:
        settings.append(f"{training['threads']} thread{'s' if training['threads'] != 1 else ''}")
    lines = [text]
    if settings:
        lines.append(f"  last run: {', '.join(settings)}")
    return lines


def _metadata_lines(metadata: dict) -> list[str]:
    lines = []
    if metadata.get("data"):
        text = f"data: {metadata['data']}"
        names = metadata.get("class_names")
        if names:
            shown = ", ".join(map(str, names[:12])) + (", ..." if len(names) > 12 else "")
            text += f" ({len(names)} classes: {shown})"
        lines.append(text)
    results = []
    if metadata.get("test_accuracy") is not None:
        results.append(f"test accuracy {100 * metadata['test_accuracy']:.2f}%")
    if metadata.get("test_cost") is not None:
        results.append(f"test cost {metadata['test_cost']:.4f}")
    if metadata.get("interrupted"):
        results.append("training was interrupted")
    if results:
        lines.append(f"result: {', '.join(results)}")
    if metadata.get("command"):
        lines.append(f"command: {metadata['command']}")
    for key, value in metadata.items():
        if key not in _SHOWN and key not in _HIDDEN:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return lines


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            break
    return f"{n:.1f} {unit}"
