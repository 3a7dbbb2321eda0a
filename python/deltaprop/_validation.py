"""Input checking for the Python layer.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, bad value)
with a message that names the offending argument and says what was expected. Array helpers convert
exactly once, with ``np.ascontiguousarray(x, dtype=...)``, which returns ``x`` itself when it is
already C-contiguous of the working dtype. Inputs X are the exception: float32 ones stay float32 for
a float64 network, whose engine widens each row as it reads it (exactly, so the results are the same).
"""

from __future__ import annotations

import numbers

import numpy as np

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "exp")
LOSSES = ("quadratic", "cross_entropy", "log_likelihood", "poisson")
INITS = ("nielsen", "large", "glorot", "he")
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Losses that take logs of the output and so need targets that are probabilities.
_PROBABILITY_LOSSES = ("cross_entropy", "log_likelihood")


def _quoted(names) -> str:
    return ", ".join(repr(name) for name in names)


# --- scalars and names ---------------------------------------------------------------------------


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of the strings ``choices``, hyphens read as underscores ("log-likelihood")."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {_quoted(choices)}; got {value!r}")
    if value not in choices and value.replace("-", "_") in choices:
        value = value.replace("-", "_")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid values are {_quoted(choices)}")
    return value


def check_dtype(dtype) -> np.dtype:
    """Return the NumPy dtype for float32/float64 given as a type, dtype or name."""
    if dtype is None or isinstance(dtype, bool):
        # np.dtype(None) would silently mean float64.
        raise TypeError(f"dtype must be np.float32 or np.float64 (or 'float32'/'float64'); got {dtype!r}")
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be np.float32 or np.float64 (or 'float32'/'float64'); got {dtype!r}") from exc
    if resolved not in DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64 (or 'float32'/'float64'); got {resolved}")
    return resolved


def check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as a Python int if it is an integer (not a bool) >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def check_real(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Return ``value`` as a float if it is a finite real number in the given interval."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
    ok = np.isfinite(value)
    if low is not None:
        ok = ok and (value > low if low_open else value >= low)
    if high is not None:
        ok = ok and (value < high if high_open else value <= high)
    if not ok:
        raise ValueError(f"{name} must be a finite number in {interval}; got {value!r}")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` if it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_sizes(sizes) -> list[int]:
    """Return the layer sizes as a list of Python ints (at least two, all positive)."""
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise TypeError(f"sizes must be a list of layer widths such as [784, 30, 10]; got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 layers (input and output); got {sizes!r}")
    checked = []
    for i, size in enumerate(sizes):
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, numbers.Integral):
            raise TypeError(f"sizes must hold positive integers; sizes[{i}] is {size!r}")
        if size < 1:
            raise ValueError(f"sizes must hold positive integers; sizes[{i}] is {size}")
        checked.append(int(size))
    return checked


def check_architecture(activation: str, output_activation: str, loss: str, n_hidden: int) -> None:
    """Check the (hidden activation, output activation, loss) combination."""
    if activation == "softmax" and n_hidden > 0:
        hidden = _quoted(a for a in ACTIVATIONS if a != "softmax")
        raise ValueError(
            "activation='softmax' is only valid for the output layer: pass it as output_activation='softmax' "
            f"and choose a hidden activation among {hidden}"
        )
    if loss == "cross_entropy" and output_activation != "sigmoid":
        raise ValueError(
            f"loss='cross_entropy' needs output_activation='sigmoid', got {output_activation!r}: "
            "use log_likelihood with softmax, cross_entropy with sigmoid"
        )
    if loss == "log_likelihood" and output_activation != "softmax":
        raise ValueError(
            f"loss='log_likelihood' needs output_activation='softmax', got {output_activation!r}: "
            "use log_likelihood with softmax, cross_entropy with sigmoid"
        )
    if loss == "poisson" and output_activation != "exp":
        raise ValueError(f"loss='poisson' needs output_activation='exp' (a positive rate), got {output_activation!r}")


# --- arrays --------------------------------------------------------------------------------------


def numeric_array(value, name: str) -> np.ndarray:
    """Return ``value`` as an ndarray of booleans, integers or reals (no copy when it already is one)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a rectangular array of numbers ({exc})") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got an array of dtype {arr.dtype}")
    return arr


def _convert(arr: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The one conversion: ``arr`` itself when already C-contiguous of ``dtype``, else a converted copy."""
    with np.errstate(over="ignore"):  # overflow shows up as infinity, which the caller reports
        return np.ascontiguousarray(arr, dtype=dtype)


def engine_input_dtype(source: np.dtype, dtype: np.dtype) -> np.dtype:
    """The dtype inputs of ``source`` dtype are handed to an engine of ``dtype`` in.

    Widening is exact and the engine does it as it reads each row, so float32 stays float32 (half the
    memory, no copy) for a float64 engine; everything else, narrowing included, becomes ``dtype``.
    """
    return np.dtype(np.float32) if np.dtype(source) == np.float32 else np.dtype(dtype)


def require_finite(arr: np.ndarray, name: str) -> None:
    """Raise unless every entry is finite. One pass (a sum: NaN and infinity carry through it); only
    when the sum is not finite, which very large finite values can also cause, are min and max looked at."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(arr.sum()) if arr.size else 0.0
    if not np.isfinite(total):
        _check_finite(arr, name)


def _check_finite(arr: np.ndarray, name: str) -> tuple[float, float]:
    """Raise unless every entry is finite; return (min, max). min/max propagate NaN and need no temporary."""
    lo, hi = float(arr.min()), float(arr.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        extra = " (values beyond the float32 range become infinite)" if arr.dtype == np.float32 else ""
        raise ValueError(f"{name} contains NaN or infinite values{extra}")
    return lo, hi


def as_sample_weights(value, n: int, dtype: np.dtype) -> np.ndarray:
    """Sample weights: a C-contiguous (n,) array of ``dtype``, finite, >= 0 and not all zero."""
    arr = numeric_array(value, "sample_weight")
    if arr.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), one weight per sample; got shape {arr.shape}")
    out = _convert(arr, dtype)
    lo, hi = _check_finite(out, "sample_weight")
    if lo < 0:
        raise ValueError(f"sample_weight must be >= 0; got values down to {lo:g}")
    if hi == 0:
        raise ValueError("sample_weight must not be all zero")
    return out


def as_inputs(
    X, name: str, dtype: np.dtype, width: int, allow_single: bool = True, check_finite: bool = True
) -> tuple[np.ndarray, bool]:
    """Return ``(X2, single)``: X as a C-contiguous (n, width) matrix of ``dtype``, and whether X was one sample.

    With ``check_finite``, NaN and infinity raise ValueError.

    No copy is made when ``X`` already is a C-contiguous (n, width) array of ``dtype``, or a float32 one
    for a float64 ``dtype``: the engine reads float32 rows into a float64 network as they are.
    """
    arr = numeric_array(X, name)
    single = arr.ndim == 1 and allow_single
    expected = f"(n_samples, {width})" + (f" or ({width},) for one sample" if allow_single else "")
    if single:
        if arr.shape[0] != width:
            hint = f"; for {arr.shape[0]} samples of one feature use {name}.reshape(-1, 1)" if width == 1 else ""
            raise ValueError(f"{name} must have shape {expected}; got shape {arr.shape}{hint}")
        arr = arr.reshape(1, width)
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape {expected}; got a {arr.ndim}-D array of shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples")
    if arr.shape[1] != width:
        raise ValueError(f"{name} must have {width} columns (sizes[0]); got shape {arr.shape}")
    out = _convert(arr, engine_input_dtype(arr.dtype, dtype))
    if check_finite:
        require_finite(out, name)
    return out, single


def as_labels(arr: np.ndarray, name: str, n_classes: int) -> np.ndarray:
    """Return 1-D class labels as an intp array after checking they are integers in [0, n_classes)."""
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        fractional = arr != np.floor(arr)
        if fractional.any():
            raise ValueError(
                f"{name} is 1-D, so it is read as class labels, but it holds non-integer values such as "
                f"{arr[fractional][0].item()!r}; pass integer labels in [0, {n_classes}) or targets of shape "
                f"(n_samples, {n_classes})"
            )
    outside = (arr < 0) | (arr >= n_classes)
    if outside.any():
        raise ValueError(f"{name} holds class labels outside [0, {n_classes}), such as {arr[outside][0].item()!r}")
    return arr.astype(np.intp)


def one_hot(labels: np.ndarray, n_classes: int, dtype: np.dtype) -> np.ndarray:
    """Return the (n, n_classes) one-hot matrix of ``labels``."""
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def _one_sample(arr: np.ndarray, name: str, width: int, what: str) -> np.ndarray:
    """Lift the answer for one sample (a scalar, or a vector of ``width``) to a batch of one."""
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.ndim == 1 and arr.shape[0] == width:
        return arr.reshape(1, width)
    raise ValueError(f"{name} for one sample must be {what} or a vector of length {width}; got shape {arr.shape}")


def as_targets(
    Y, name: str, n: int, n_out: int, dtype: np.dtype, single: bool = False, loss: str | None = None
) -> np.ndarray:
    """Return targets as a C-contiguous (n, n_out) matrix of ``dtype``.

    ``Y`` is either float targets of shape (n, n_out) or integer class labels of shape (n,), which are
    turned into one-hot rows. A network with one output reads a 1-D ``Y`` as its targets instead.
    With ``single``, ``Y`` is the answer for one sample: a label, or a vector of n_out targets.
    """
    arr = numeric_array(Y, name)
    if single:
        arr = _one_sample(arr, name, n_out, "a class label")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape ({n}, {n_out}) (targets) or ({n},) (integer class labels); got shape {arr.shape}"
        )
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} samples but X has {n}")
    if arr.ndim == 1:
        if n_out > 1:
            return one_hot(as_labels(arr, name, n_out), n_out, dtype)
        arr = arr.reshape(n, 1)  # one output: the values are the targets themselves
    if arr.shape[1] != n_out:
        raise ValueError(
            f"{name} must have shape ({n}, {n_out}) (targets) or ({n},) (integer class labels); got shape {arr.shape}"
        )
    out = _convert(arr, dtype)
    lo, hi = _check_finite(out, name)
    if loss in _PROBABILITY_LOSSES and (lo < 0 or hi > 1):
        raise ValueError(f"{name} must lie in [0, 1] for loss={loss!r}; got values in [{lo:g}, {hi:g}]")
    if loss == "poisson" and lo < 0:
        raise ValueError(f"{name} must be >= 0 for loss='poisson' (counts or rates); got values down to {lo:g}")
    return out


def as_class_labels(y, name: str, n: int, n_classes: int, single: bool = False) -> np.ndarray:
    """Return the true classes of n samples from labels (n,) or one-hot/score rows (n, n_classes) (-> argmax)."""
    arr = numeric_array(y, name)
    if single:
        arr = _one_sample(arr, name, n_classes, "a class label")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape ({n},) (class labels) or ({n}, {n_classes}) (one-hot); got shape {arr.shape}"
        )
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} samples but X has {n}")
    if arr.ndim == 1:
        return as_labels(arr, name, n_classes)
    if arr.shape[1] != n_classes:
        raise ValueError(
            f"{name} must have shape ({n},) (class labels) or ({n}, {n_classes}) (one-hot); got shape {arr.shape}"
        )
    _check_finite(arr, name)
    return np.argmax(arr, axis=1)


def as_parameter(value, name: str, target: np.ndarray) -> np.ndarray:
    """Return ``value`` checked to have the shape of ``target`` and finite real entries (for copying in)."""
    arr = numeric_array(value, name)
    if arr.shape != target.shape:
        raise ValueError(f"{name} must have shape {target.shape}; got shape {arr.shape}")
    arr = _convert(arr, target.dtype)
    if arr.size:
        _check_finite(arr, name)
    return arr
