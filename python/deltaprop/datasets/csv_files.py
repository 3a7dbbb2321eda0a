"""A user's data set in a CSV (or TSV) file: features and a label column."""

from __future__ import annotations

import csv
import io
import itertools
import numbers
import os
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._validation import check_dtype
from ._labels import _features, _numeric_labels, _string_labels
from .dataset import Dataset, _dataset
from .idx import _read_bytes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_rows(path: Path, text: str, delimiter: str):
    """Yield ``(line number, fields)`` of the non-blank records."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        for fields in reader:
            if len(fields) > 1 or (fields and fields[0].strip()):
                yield reader.line_num, fields
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: malformed CSV ({exc})") from None


def _csv_parse(path: Path, text: str, delimiter: str, header, label_column):
    """Parse and check every record; returns (features as float64, label strings, line number of each row)."""
    rows = _csv_rows(path, text, delimiter)
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path}: no data (the file is empty)")
    line, fields = first
    width = len(fields)
    if width < 2:
        raise ValueError(f"{path}, line {line}: a single column; need features and a label column")
    if isinstance(label_column, str):
        if header is False:
            raise ValueError(f"label_column {label_column!r} names a column, which needs header=True or 'auto'")
        names = [f.strip() for f in fields]
        if label_column not in names:
            raise ValueError(f"{path}, line {line}: no column named {label_column!r} in the header {names}")
        index, header = names.index(label_column), True
    elif -width <= label_column < width:
        index = label_column % width
    else:
        raise ValueError(f"{path}, line {line}: label_column {label_column} is outside the {width} columns")
    if header == "auto":
        # A header is a line of names: none of its feature fields reads as a number.
        header = not any(_is_number(f) for i, f in enumerate(fields) if i != index)
    features, labels, lines = [], [], []
    for line, fields in rows if header else itertools.chain([first], rows):
        if len(fields) != width:
            raise ValueError(f"{path}, line {line}: {len(fields)} fields, expected {width} like the first line")
        label = fields.pop(index).strip()
        if not label:
            raise ValueError(f"{path}, line {line}: empty label (column {index + 1})")
        try:
            features.append(np.array(fields, dtype=np.float64))
        except ValueError:
            j = next((j for j, f in enumerate(fields) if not _is_number(f)), 0)
            column = j + 1 if j < index else j + 2
            raise ValueError(
                f"{path}, line {line}: feature {fields[j].strip()!r} (column {column}) is not a number"
            ) from None
        labels.append(label)
        lines.append(line)
    if not features:
        raise ValueError(f"{path}: no data rows after the header line")
    return np.stack(features), np.array(labels), lines


def _csv_labels(path: Path, labels: np.ndarray, lines) -> tuple[np.ndarray, tuple[str, ...] | None]:
    numeric = np.array([_is_number(label) for label in labels])
    if numeric.all():
        return _numeric_labels(labels.astype(np.float64), str(path), lines, texts=labels), None
    if numeric.any():
        i, j = int(np.argmax(numeric)), int(np.argmin(numeric))
        raise ValueError(
            f"{path}: labels mix numbers ({str(labels[i])!r} on line {lines[i]}) and names ({str(labels[j])!r} on line "
            f"{lines[j]}); use one kind"
        )
    return _string_labels(labels, None, str(path), lines)


def load_csv(
    path: str | os.PathLike[str],
    label_column: int | str = -1,
    dtype: DTypeLike = np.float64,
    header: bool | str = "auto",
    delimiter: str = ",",
) -> Dataset:
    """Load a classification data set from a CSV file: one sample per line, numeric features and a label.

    Parameters
    ----------
    path : str or path-like
        The file, plain or gzip-compressed (detected from the content). Blank lines are skipped.
    label_column : int or str
        Index of the label column (negative counts from the end; -1 is the last), or its name in the header.
    dtype : float32 or float64
        Element type of the returned inputs.
    header : {"auto", True, False}
        Whether the first line holds column names. ``"auto"``: it does when none of its feature fields is a
        number.
    delimiter : str
        The one character between fields.

    Returns
    -------
    Dataset
        The samples as training data (``X_test`` is None), features converted unchanged. Labels are
        integers >= 0 (``3`` or ``3.0``), or names, which become codes 0..k-1 in sorted order with the
        names as ``class_names`` (so predictions map back with :meth:`Dataset.label_names`).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a line has a different number of fields than the first, a feature is not a number or not finite,
        a label is empty, negative or fractional, labels mix numbers and names, there is no data, or the
        file is not UTF-8 text. The message names the file and the line.
    TypeError
        If ``dtype`` is not float32 or float64, or another argument has the wrong type.
    """
    dtype = check_dtype(dtype)
    if isinstance(label_column, bool) or not isinstance(label_column, (numbers.Integral, str)):
        raise TypeError(f"label_column must be a column index or a header name; got {label_column!r}")
    if not (isinstance(header, bool) or (isinstance(header, str) and header == "auto")):
        raise ValueError(f"header must be 'auto', True or False; got {header!r}")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"':
        raise ValueError(f"delimiter must be one character other than a quote or a line break; got {delimiter!r}")
    path = Path(path)
    try:
        text = _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    features, labels, lines = _csv_parse(path, text, delimiter, header, label_column)
    X = _features(features, dtype, str(path), lines)
    y, names = _csv_labels(path, labels, lines)
    return _dataset(X, y, None, None, str(path), names)
