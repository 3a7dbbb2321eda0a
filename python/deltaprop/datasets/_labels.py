"""Checks and conversions of features and labels shared by the .npz and CSV loaders."""

from __future__ import annotations

import math

import numpy as np


def _numeric_labels(values: np.ndarray, where: str, lines=None, texts=None) -> np.ndarray:
    """Integer labels from integer, boolean or integral float values (``texts``: as written, for messages)."""
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values) | (values != np.round(values)) | (values < 0)
    else:
        bad = values < 0
    if bad.any():
        i = int(np.argmax(bad))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        label = texts[i] if texts is not None else values[i].item()
        raise ValueError(f"{where}{at}: label {label} is not a class: labels must be integers >= 0 or names")
    return values.astype(np.int64)


def _string_labels(values: np.ndarray, names: tuple[str, ...] | None, where: str, lines=None):
    """Codes 0..k-1 of string labels and the sorted class names (given ``names``: codes into those)."""
    if names is None:
        names_array, codes = np.unique(values, return_inverse=True)
        return codes.reshape(-1).astype(np.int64), tuple(str(c) for c in names_array)
    order = np.asarray(names, dtype=str)
    codes = np.searchsorted(order, values)
    unknown = (codes >= len(order)) | (order[np.minimum(codes, len(order) - 1)] != values)
    if unknown.any():
        i = int(np.argmax(unknown))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        raise ValueError(f"{where}{at}: label {str(values[i])!r} is not one of the training classes {names}")
    return codes.astype(np.int64), names


def _features(X: np.ndarray, dtype: np.dtype, where: str, lines=None) -> np.ndarray:
    """``X`` as a C-contiguous matrix of ``dtype``; uint8 is taken as pixels and scaled by 1/255."""
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{where}: features must be numbers; got an array of dtype {X.dtype}")
    if X.ndim < 2:
        raise ValueError(f"{where}: features must have shape (n_samples, n_features); got shape {X.shape}")
    if X.shape[0] == 0 or math.prod(X.shape[1:]) == 0:
        raise ValueError(f"{where}: no samples or no features (shape {X.shape})")
    # Images (n, rows, cols) become rows of pixels, like the IDX loaders'.
    X = X.reshape(X.shape[0], -1)
    with np.errstate(over="ignore"):  # values beyond float32 become inf, reported below
        out = np.ascontiguousarray(X, dtype=dtype)
    if X.dtype == np.uint8:
        out /= 255  # out is a new float array here
    # Only float input can hold NaN/inf or overflow float32; min/max propagate NaN without a temporary.
    if X.dtype.kind == "f" and not (np.isfinite(out.min()) and np.isfinite(out.max())):
        i = int(np.argmin(np.isfinite(out).all(axis=1)))
        at = f", line {lines[i]}" if lines is not None else f" (sample {i})"
        extra = " (beyond the float32 range)" if dtype == np.float32 else ""
        raise ValueError(f"{where}{at}: features hold NaN or infinite values{extra}")
    return out
