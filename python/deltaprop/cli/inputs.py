"""Reading the samples to predict: an ``.npz``/``.npy`` array, a CSV of features or an IDX images file.

Features become inputs exactly as in training data files: images ``(n, rows, cols)`` become rows and 8-bit
(uint8) values are taken as pixels and divided by 255; other numbers are used as they are.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..datasets import load_idx
from ..datasets._labels import _features
from ..datasets.csv_files import _is_number
from .errors import CommandError

# Keys tried, in order, for the inputs in an .npz file.
NPZ_KEYS = ("X", "x", "X_test", "x_test", "X_train", "x_train")


def read_inputs(path: str, n_features: int, dtype, key: str | None = None) -> np.ndarray:
    """Read the samples in ``path`` as an (n, n_features) array of ``dtype``.

    Parameters
    ----------
    path : str
        ``.npz`` (the array ``key``, else the first of X, x, X_test, x_test, X_train, x_train, else its only
        array), ``.npy``, ``.csv``/``.tsv`` (features only, an optional header line; gzip allowed) or an IDX file.
    n_features : int
        The width the network takes.
    dtype : numpy.dtype
        The network's dtype.
    key : str, optional
        The array to use in an ``.npz`` file.

    Raises
    ------
    CommandError, ValueError, OSError
        When the file is missing, unreadable or of the wrong width (the message says which and why).
    """
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = Path(name).suffix
    if key is not None and suffix != ".npz":
        raise CommandError("--key applies only to .npz inputs")
    if suffix == ".npz":
        X, where = _npz(path, key)
    elif suffix == ".npy":
        X, where = _npy(path), path
    elif suffix in (".csv", ".tsv"):
        X, where = _csv(path, "\t" if suffix == ".tsv" else ","), path
    else:
        X, where = _idx(path), path
    if X.ndim == 1 and X.shape[0] == n_features:
        X = X.reshape(1, -1)  # one sample
    if X.ndim < 2:
        raise CommandError(f"{where}: expected samples of shape (n, {n_features}); got shape {X.shape}")
    width = int(np.prod(X.shape[1:]))
    if width != n_features:
        hint = " (drop the label column)" if width == n_features + 1 and suffix in (".csv", ".tsv") else ""
        raise CommandError(
            f"{where}: samples have {width} features (shape {X.shape}); the network takes {n_features}{hint}"
        )
    return _features(X, dtype, where)


def _npz(path: str, key: str | None):
    try:
        npz = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise CommandError(f"{path}: not a readable .npz file ({exc})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise CommandError(f"{path}: holds a single array, not an .npz archive (name it .npy)")
    with npz:
        keys = list(npz.files)
        if key is None:
            key = next((k for k in NPZ_KEYS if k in keys), keys[0] if len(keys) == 1 else None)
            if key is None:
                raise CommandError(
                    f"{path}: which array holds the samples? keys: {', '.join(keys) or 'none'}; use --key"
                )
        elif key not in keys:
            raise CommandError(f"{path}: no array {key!r}; keys: {', '.join(keys) or 'none'}")
        try:
            return npz[key], f"{path}[{key!r}]"
        except (ValueError, OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise CommandError(f"{path}[{key!r}]: unreadable ({exc})") from None


def _npy(path: str) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise CommandError(f"{path}: not a readable .npy file ({exc})") from None
    if not isinstance(array, np.ndarray):
        array.close()
        raise CommandError(f"{path}: an .npz archive, not a single .npy array (name it .npz)")
    return array


def _csv(path: str, delimiter: str) -> np.ndarray:
    raw = Path(path).read_bytes()
    if raw.startswith(b"\x1f\x8b"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise CommandError(f"{path}: corrupt gzip stream ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows, lines = [], []
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                rows.append(fields)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise CommandError(f"{path}: malformed CSV ({exc})") from None
    if rows and not any(_is_number(f) for f in rows[0]):
        rows, lines = rows[1:], lines[1:]  # a header line of column names
    if not rows:
        raise CommandError(f"{path}: no samples")
    width = len(rows[0])
    values = np.empty((len(rows), width))
    for i, fields in enumerate(rows):
        if len(fields) != width:
            raise CommandError(f"{path}, line {lines[i]}: {len(fields)} fields, expected {width} like the first")
        try:
            values[i] = [float(f) for f in fields]
        except ValueError:
            bad = next(f for f in fields if not _is_number(f))
            raise CommandError(f"{path}, line {lines[i]}: {bad.strip()!r} is not a number") from None
    return values


def _idx(path: str) -> np.ndarray:
    try:
        return load_idx(path)
    except ValueError as exc:
        raise CommandError(f"{exc} (inputs must be .npz, .npy, .csv or an IDX images file)") from None
