"""Check this installation against the NumPy reference of the mathematics, in a few seconds and with NumPy only.

Every kernel of :mod:`deltaprop.kernels` is compared with the reference on a few random shapes in
float32 and float64, with tolerances derived from the dtype's epsilon; whole-network gradients are
compared with central finite differences in float64; and a short training run must lower the cost.

Run ``python -m deltaprop.selfcheck`` for the table; the exit status is 1 if any check fails.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
import zlib

import numpy as np

from . import _reference as ref
from . import kernels
from .network import Network

__all__ = ["Check", "SelfcheckReport", "run_selfcheck"]

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
SLOPE = 0.1  # not the default, so a slope that is dropped on the way to the engine is caught
K = 8.0  # safety factor on the rounding bound k·eps·√n
ELEMENTWISE = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")
# The activation whose outputs each loss is measured on.
LOSS_OUTPUTS = {"quadratic": "identity", "cross_entropy": "sigmoid", "log_likelihood": "softmax"}

# Whole-network gradient check: (hidden activation, output activation, loss).
GRADCHECK_NETWORKS = (
    ("sigmoid", "sigmoid", "quadratic"),
    ("tanh", "sigmoid", "cross_entropy"),
    ("relu", "softmax", "log_likelihood"),
    ("leaky_relu", "identity", "quadratic"),
    ("identity", "softmax", "quadratic"),  # softmax through its Jacobian, no shortcut
)
GRADCHECK_SIZES = (4, 6, 5, 3)
GRADCHECK_BATCH = 5
GRADCHECK_TOLERANCE = 1e-6
# h = STEP·max(1, |p|): STEP ≈ ∛eps balances the O(h²) truncation error against the O(eps/h) rounding error.
STEP = 6e-6
# relu / leaky_relu pre-activations are kept this far from the kink, far beyond any step h.
KINK_MARGIN = 1e-3
# The short training run must at least halve the cost of three well separated clusters.
TRAINING_TOLERANCE = 0.5
TRAINING_EPOCHS = 10


def tolerance(dtype, reduction: int = 1) -> float:
    """Relative tolerance ``K · eps(dtype) · √reduction`` for a result made by summing ``reduction`` terms."""
    return K * float(np.finfo(dtype).eps) * math.sqrt(max(int(reduction), 1))


@dataclasses.dataclass(frozen=True)
class Check:
    """One row of a :class:`SelfcheckReport`.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"activation[sigmoid]"``; the part before ``[`` is the kernel.
    dtype : str
        ``"float32"`` or ``"float64"``.
    error : float
        The worst error found, as a relative figure (inf when the result had the wrong type, dtype or
        shape, was not finite, or the call raised). Kernels: ``|got − expected| / (|expected| + scale)``,
        element-wise; gradients: ``‖g − ĝ‖ / ‖g + ĝ‖``; training: cost after / cost before.
    tolerance : float
        The largest ``error`` that passes.
    detail : str
        Where the worst error was found, or what went wrong.
    """

    name: str
    dtype: str
    error: float
    tolerance: float
    detail: str = ""

    @property
    def kernel(self) -> str:
        """str: The checked function, ``name`` without its bracketed case."""
        return self.name.split("[", 1)[0]

    @property
    def passed(self) -> bool:
        """bool: Whether ``error <= tolerance`` (never for a NaN error)."""
        return bool(self.error <= self.tolerance)


@dataclasses.dataclass
class SelfcheckReport:
    """The result of :func:`run_selfcheck`: one :class:`Check` per row.

    Attributes
    ----------
    checks : list of Check
    seed : int
        The seed the random inputs were drawn from.
    seconds : float
        Wall time of the whole check.
    """

    checks: list[Check]
    seed: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """bool: True when there is at least one check and every check passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        """list of Check: The checks that failed."""
        return [c for c in self.checks if not c.passed]

    def format(self) -> str:
        """The checks as an aligned text table followed by a one-line verdict."""
        header = ("check", "dtype", "error", "tolerance", "result", "detail")
        rows = [
            (c.name, c.dtype, f"{c.error:.2e}", f"{c.tolerance:.2e}", "ok" if c.passed else "FAIL", c.detail)
            for c in self.checks
        ]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        numeric = (False, False, True, True, False)

        def line(row) -> str:
            cells = [cell.rjust(w) if num else cell.ljust(w) for cell, w, num in zip(row, widths, numeric)]
            return "  ".join([*cells, row[-1]]).rstrip()

        lines = [line(header), "-" * (sum(widths) + 2 * len(widths) + len(header[-1]))]
        lines += [line(row) for row in rows]
        lines.append(self.verdict())
        return "\n".join(lines)

    def verdict(self) -> str:
        """One line: passed, or how many and which checks failed."""
        where = f"deltaprop {_version()} ({_build()}), numpy {np.__version__}, seed {self.seed}, {self.seconds:.1f} s"
        if self.ok:
            return f"selfcheck passed: all {len(self.checks)} checks ({where})"
        failed = self.failures
        names = ", ".join(f"{c.name} {c.dtype}" for c in failed[:5]) + (", ..." if len(failed) > 5 else "")
        return f"selfcheck FAILED: {len(failed)} of {len(self.checks)} checks ({names}) ({where})"

    def __str__(self) -> str:
        return self.format()


def _build() -> str:
    """Which compiled build the kernels ran on, and its instruction sets."""
    from ._engine import core

    return f"build {core.build}: {core.simd}"


def _version() -> str:
    from . import __version__

    return __version__


# --------------------------------------------------------------------------- comparison


class _Mismatch(Exception):
    """The result is of the wrong kind (type, dtype or shape), so no error figure applies."""


def _relative_error(got, expected, dtype, scale=None) -> float:
    """Worst ``|got − expected| / (|expected| + scale)``; ``scale`` defaults to ``max |expected|``.

    ``got`` must be a Python float when ``expected`` is a scalar, else an ndarray of exactly ``dtype``
    and ``expected``'s shape. A non-finite value where the reference is finite counts as an infinite error.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim == 0:
        if not isinstance(got, float):
            raise _Mismatch(f"returned {type(got).__name__}, expected float")
    elif not isinstance(got, np.ndarray):
        raise _Mismatch(f"returned {type(got).__name__}, expected ndarray")
    elif got.dtype != dtype:
        raise _Mismatch(f"returned dtype {got.dtype}, expected {np.dtype(dtype)}")
    elif got.shape != expected.shape:
        raise _Mismatch(f"returned shape {got.shape}, expected {expected.shape}")
    got = np.asarray(got, dtype=np.float64)
    finite = np.isfinite(expected)
    if not np.all(np.isfinite(got[finite])) or not np.array_equal(got[~finite], expected[~finite], equal_nan=True):
        return math.inf
    if scale is None:
        scale = float(np.max(np.abs(expected[finite]), initial=0.0))
    base = np.broadcast_to(np.abs(expected) + scale, expected.shape)
    err = np.abs(got - expected)
    ratio = np.divide(err, base, out=np.where(err > 0, np.inf, 0.0), where=base > 0)
    return float(np.max(ratio[finite], initial=0.0))


def _check(name: str, dtype, cases, fallback: float | None = None) -> Check:
    """One row from ``cases``, an iterable of ``(error, tolerance, where)``: its worst case by error/tolerance.

    ``cases`` is consumed here, so a generator's exceptions become a failed row. ``fallback`` is the
    tolerance shown when no case could be measured (default: the dtype's for one operation).
    """
    dtype_name = np.dtype(dtype).name
    fallback = tolerance(dtype) if fallback is None else fallback
    try:
        results = list(cases)
    except _Mismatch as exc:
        return Check(name, dtype_name, math.inf, fallback, str(exc))
    except Exception as exc:  # a broken build must give a failed row, not stop the check
        return Check(name, dtype_name, math.inf, fallback, f"raised {type(exc).__name__}: {exc}")
    if not results:
        return Check(name, dtype_name, math.inf, fallback, "no cases ran")

    def badness(case) -> float:
        ratio = case[0] / case[1]
        return ratio if ratio == ratio else math.inf  # NaN is worst

    error, tol, where = max(results, key=badness)
    if len(results) == 1:
        return Check(name, dtype_name, error, tol, where)
    if error == 0.0:
        return Check(name, dtype_name, error, tol, f"exact in all {len(results)} cases")
    return Check(name, dtype_name, error, tol, f"worst of {len(results)} cases: {where}")


def _rng(seed: int, *key) -> np.random.Generator:
    """A generator for one check, independent of the order the checks run in."""
    return np.random.default_rng([seed, zlib.crc32(repr(key).encode())])


def _shapes(rng, count: int = 3, high: int = 40) -> list[tuple[int, ...]]:
    """(batch, width): one sample of width one, then ``count`` random shapes."""
    return [(1, 1)] + [tuple(int(v) for v in rng.integers(1, high, size=2)) for _ in range(count)]


def _dense_shapes(rng, count: int = 3, high: int = 40) -> list[tuple[int, ...]]:
    """(batch, n_in, n_out): a 1-1-1 layer, then ``count`` random ones."""
    return [(1, 1, 1)] + [tuple(int(v) for v in rng.integers(1, high, size=3)) for _ in range(count)]


def _shape_text(shape) -> str:
    return "x".join(map(str, shape))


def _targets(loss: str, shape, rng) -> np.ndarray:
    """Float64 targets that suit ``loss``: one-hot rows, probabilities with hard 0/1 entries, or any reals."""
    if loss == "log_likelihood":
        return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])]
    if loss == "cross_entropy":
        y = rng.uniform(size=shape)
        y.flat[::3] = 1.0
        y.flat[1::3] = 0.0
        return y
    return rng.normal(size=shape)


# --------------------------------------------------------------------------- kernels
# Each generator below yields (error, tolerance, where) for a few random cases of one kernel.


def _activation_cases(rng, dtype, name):
    for shape in _shapes(rng):
        z = rng.normal(scale=3.0, size=shape).astype(dtype)
        got = kernels.activation(name, z, slope=SLOPE)
        expected = ref.activation(name, z.astype(np.float64), SLOPE)
        reduction = shape[1] if name == "softmax" else 1
        yield _relative_error(got, expected, dtype), tolerance(dtype, reduction), _shape_text(shape)


def _derivative_cases(rng, dtype, name):
    for shape in _shapes(rng):
        z = rng.normal(scale=3.0, size=shape)
        a = ref.activation(name, z, SLOPE).astype(dtype)
        got = kernels.activation_derivative(name, a, slope=SLOPE)
        # f' is O(1): a scale of 1 allows for the rounding of a itself.
        yield (
            _relative_error(got, ref.activation_prime(name, z, SLOPE), dtype, 1.0),
            tolerance(dtype),
            _shape_text(shape),
        )


def _backward_cases(rng, dtype, name):
    for shape in _shapes(rng):
        z = rng.normal(scale=3.0, size=shape)
        a = ref.activation(name, z, SLOPE).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        got = kernels.activation_backward(name, a, g, slope=SLOPE)
        expected = ref.activation_backward(name, z, g.astype(np.float64), SLOPE)
        reduction = shape[1] if name == "softmax" else 1
        err = _relative_error(got, expected, dtype, scale=float(np.abs(g).max()))
        yield err, tolerance(dtype, reduction), _shape_text(shape)


def _outputs_and_targets(rng, dtype, loss, shape):
    """Outputs of the activation ``loss`` is used with, rounded to ``dtype``, and suitable targets."""
    a = ref.activation(LOSS_OUTPUTS[loss], rng.normal(scale=2.0, size=shape), SLOPE).astype(dtype)
    return a, _targets(loss, shape, rng).astype(dtype)


def _loss_cases(rng, dtype, loss):
    tiny = float(np.finfo(dtype).tiny)
    for shape in _shapes(rng):
        a, y = _outputs_and_targets(rng, dtype, loss, shape)
        expected = ref.loss(loss, a.astype(np.float64), y.astype(np.float64), tiny)
        err = _relative_error(kernels.loss(loss, a, y), expected, dtype)
        yield err, tolerance(dtype, shape[0] * shape[1]), _shape_text(shape)


def _loss_gradient_cases(rng, dtype, loss):
    tiny = float(np.finfo(dtype).tiny)
    for shape in _shapes(rng):
        a, y = _outputs_and_targets(rng, dtype, loss, shape)
        expected = ref.loss_gradient(loss, a.astype(np.float64), y.astype(np.float64), tiny)
        # A few correctly rounded operations per element: compared element by element (scale 0).
        err = _relative_error(kernels.loss_gradient(loss, a, y), expected, dtype, scale=0.0)
        yield err, tolerance(dtype), _shape_text(shape)


def _output_delta_cases(rng, dtype, activation, loss):
    tiny = float(np.finfo(dtype).tiny)
    for shape in _shapes(rng):
        z = rng.normal(scale=2.0, size=shape)
        a = ref.activation(activation, z, SLOPE).astype(dtype)
        y = _targets(loss, shape, rng).astype(dtype)
        got = kernels.output_delta(activation, loss, a, y, slope=SLOPE)
        expected = ref.output_delta(activation, loss, z, y.astype(np.float64), SLOPE, tiny)
        reduction = shape[1] if activation == "softmax" else 1
        err = _relative_error(got, expected, dtype, scale=max(1.0, float(np.abs(expected).max())))
        yield err, tolerance(dtype, reduction), _shape_text(shape)


# A sum's rounding error is bounded by eps·Σ|terms|, not eps·|sum|: the same formula applied to the
# absolute values gives each element's scale, so cancellation cannot make a dense check fail.


def _dense_forward_cases(rng, dtype, activation="identity"):
    for shape in _dense_shapes(rng):
        m, n_in, n_out = shape
        w, b, a_prev = (rng.normal(size=s).astype(dtype) for s in [(n_out, n_in), (n_out,), (m, n_in)])
        w64, b64, a64 = (x.astype(np.float64) for x in (w, b, a_prev))
        got = kernels.dense_forward(w, b, a_prev, activation=activation, slope=SLOPE)
        # The activations checked here change an error of z by at most its own size.
        terms = ref.dense_forward(np.abs(w64), np.abs(b64), np.abs(a64))
        expected = ref.activation(activation, ref.dense_forward(w64, b64, a64), SLOPE)
        err = _relative_error(got, expected, dtype, scale=terms)
        yield err, tolerance(dtype, n_in + 1), _shape_text(shape)


def _dense_backpropagate_cases(rng, dtype, activation):
    for shape in _dense_shapes(rng):
        m, n_in, n_out = shape
        w, delta = rng.normal(size=(n_out, n_in)).astype(dtype), rng.normal(size=(m, n_out)).astype(dtype)
        z = rng.normal(scale=2.0, size=(m, n_in))
        a_prev = ref.activation(activation, z, SLOPE).astype(dtype)
        w64, d64 = w.astype(np.float64), delta.astype(np.float64)
        got = kernels.dense_backpropagate(w, delta, activation, a_prev, slope=SLOPE)
        expected = ref.activation_backward(activation, z, d64 @ w64, SLOPE)
        err = _relative_error(got, expected, dtype, scale=np.abs(d64) @ np.abs(w64))
        yield err, tolerance(dtype, n_out), _shape_text(shape)


def _dense_backward_cases(rng, dtype, index):
    """``index`` picks dw (0), db (1) or da_prev (2)."""
    for shape in _dense_shapes(rng):
        m, n_in, n_out = shape
        w, a_prev, delta = (rng.normal(size=s).astype(dtype) for s in [(n_out, n_in), (m, n_in), (m, n_out)])
        w64, a64, d64 = (x.astype(np.float64) for x in (w, a_prev, delta))
        got = kernels.dense_backward(w, a_prev, delta)[index]
        expected = ref.dense_backward(w64, a64, d64)[index]
        terms = ref.dense_backward(np.abs(w64), np.abs(a64), np.abs(d64))[index]
        reduction = n_out if index == 2 else m
        yield _relative_error(got, expected, dtype, scale=terms), tolerance(dtype, reduction), _shape_text(shape)


# (momentum, nesterov, weight decay) of the cases of each sgd_step row.
SGD_MODES = {
    "plain": [(0.0, False, 0.0)],
    "momentum": [(0.9, False, 0.0)],
    "nesterov": [(0.9, True, 0.0)],
    "l2": [(0.0, False, 0.05), (0.9, False, 0.05), (0.9, True, 0.05)],
}
LR = 0.3


def _sgd_cases(rng, dtype, mode):
    for momentum, nesterov, weight_decay in SGD_MODES[mode]:
        for n in (1, 7, int(rng.integers(8, 500))):
            # With decay, only the first two thirds are weights; the rest are biases.
            n_decayed = 2 * n // 3 if weight_decay else None
            params = rng.normal(size=n).astype(dtype)
            velocity = np.zeros(n, dtype=dtype)
            for step in range(3):  # from the second step on, the velocity matters
                grads = rng.normal(size=n).astype(dtype)
                # The update may cancel p against lr·g: judge errors on the scale of the operands.
                scale = float(max(np.abs(params).max(), np.abs(velocity).max(), LR * np.abs(grads).max()))
                p64, v64 = ref.sgd_step(
                    params.astype(np.float64),
                    grads.astype(np.float64),
                    LR,
                    velocity.astype(np.float64),
                    momentum,
                    nesterov,
                    weight_decay,
                    n_decayed,
                )
                kernels.sgd_step(
                    params,
                    grads,
                    LR,
                    velocity=velocity,
                    momentum=momentum,
                    nesterov=nesterov,
                    weight_decay=weight_decay,
                    n_decayed=n_decayed,
                )
                where = f"n={n} step {step + 1}" + (f" momentum {momentum:g}" if momentum else "")
                yield _relative_error(params, p64, dtype, scale=scale), tolerance(dtype, 4), where
                if momentum:
                    yield _relative_error(velocity, v64, dtype, scale=scale), tolerance(dtype, 4), where + " (velocity)"


# (β₁, β₂, weight decay) of the cases of the adam_step row.
ADAM_CASES = [(0.9, 0.999, 0.0), (0.8, 0.99, 0.05)]


def _adam_cases(rng, dtype):
    for beta1, beta2, weight_decay in ADAM_CASES:
        for n in (1, 7, int(rng.integers(8, 500))):
            n_decayed = 2 * n // 3 if weight_decay else None
            params = rng.normal(size=n).astype(dtype)
            m, s = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)
            for t in range(1, 4):
                grads = rng.normal(size=n).astype(dtype)
                p64, m64, s64 = ref.adam_step(params, grads, m, s, LR, t, beta1, beta2, 1e-8, weight_decay, n_decayed)
                kernels.adam_step(params, grads, m, s, LR, t, beta1, beta2, 1e-8, weight_decay, n_decayed)
                # A step is about lr in size whatever the gradient: judge it on that scale.
                scale = float(max(np.abs(p64).max(), LR))
                where = f"n={n} step {t}" + (f" decay {weight_decay:g}" if weight_decay else "")
                yield _relative_error(params, p64, dtype, scale=scale), tolerance(dtype, 8), where
                yield _relative_error(m, m64, dtype), tolerance(dtype, 4), where + " (m)"
                yield _relative_error(s, s64, dtype), tolerance(dtype, 4), where + " (s)"


def _dense_sgd_update_cases(rng, dtype, mode):
    for momentum, nesterov, weight_decay in SGD_MODES[mode]:
        for m, n_in, n_out in _dense_shapes(rng):
            w, vw, a_prev = (rng.normal(size=s).astype(dtype) for s in [(n_out, n_in), (n_out, n_in), (m, n_in)])
            b, vb, delta = (rng.normal(size=s).astype(dtype) for s in [(n_out,), (n_out,), (m, n_out)])
            dw, db, _ = ref.dense_backward(w, a_prev, delta)
            params = np.concatenate([w.ravel(), b]).astype(np.float64)
            velocity = np.concatenate([vw.ravel(), vb]).astype(np.float64)
            grads = np.concatenate([dw.ravel(), db])
            p64, v64 = ref.sgd_step(params, grads, LR, velocity, momentum, nesterov, weight_decay, w.size)
            # Each gradient entry sums m products: judge the rounding on the scale of the operands.
            step = LR * np.abs(delta).max() * np.abs(a_prev).max()
            scale = float(max(np.abs(params).max(), np.abs(velocity).max(), step))
            kernels.dense_sgd_update(w, b, a_prev, delta, LR, vw, vb, momentum, nesterov, weight_decay)
            where = _shape_text((m, n_in, n_out)) + (f" momentum {momentum:g}" if momentum else "")
            yield (
                _relative_error(np.concatenate([w.ravel(), b]), p64, dtype, scale=scale),
                tolerance(dtype, m + 4),
                where,
            )
            if momentum:
                got_v = np.concatenate([vw.ravel(), vb])
                yield _relative_error(got_v, v64, dtype, scale=scale), tolerance(dtype, m + 4), where + " (velocity)"


def _kernel_checks(seed: int, dtype) -> list[Check]:
    """One row per kernel and case name, in ``dtype``."""

    def row(name: str, cases, *args) -> Check:
        return _check(name, dtype, cases(_rng(seed, name, dtype.name), dtype, *args))

    return [
        *(row(f"activation[{name}]", _activation_cases, name) for name in ref.ACTIVATIONS),
        *(row(f"activation_derivative[{name}]", _derivative_cases, name) for name in ELEMENTWISE),
        *(row(f"activation_backward[{name}]", _backward_cases, name) for name in ref.ACTIVATIONS),
        *(row(f"loss[{loss}]", _loss_cases, loss) for loss in ref.LOSSES),
        *(row(f"loss_gradient[{loss}]", _loss_gradient_cases, loss) for loss in ref.LOSSES),
        *(row(f"output_delta[{act}+{loss}]", _output_delta_cases, act, loss) for act, loss in ref.VALID_PAIRS),
        row("dense_forward", _dense_forward_cases),
        *(row(f"dense_forward[{name}]", _dense_forward_cases, name) for name in ("relu", "leaky_relu", "sigmoid")),
        *(row(f"dense_backpropagate[{name}]", _dense_backpropagate_cases, name) for name in ELEMENTWISE),
        *(row(f"dense_backward[{part}]", _dense_backward_cases, i) for i, part in enumerate(("dw", "db", "da"))),
        *(row(f"sgd_step[{mode}]", _sgd_cases, mode) for mode in SGD_MODES),
        *(row(f"dense_sgd_update[{mode}]", _dense_sgd_update_cases, mode) for mode in SGD_MODES),
        row("adam_step", _adam_cases),
    ]


# --------------------------------------------------------------------------- whole network


def _away_from_kinks(net: Network, X, hidden: str, output: str) -> bool:
    """No relu/leaky_relu pre-activation within KINK_MARGIN of 0, and no relu layer entirely inactive."""
    zs, _ = ref.feedforward(list(net.weights), list(net.biases), X, hidden, output, SLOPE)
    names = [hidden] * (len(zs) - 1) + [output]
    for z, name in zip(zs, names):
        if name in ("relu", "leaky_relu") and np.abs(z).min() < KINK_MARGIN:
            return False
        if name == "relu" and not (z > 0).any():
            return False
    return True


def _gradient_check(seed: int, hidden: str, output: str, loss: str) -> Check:
    def cases():
        for attempt in range(100):
            rng = _rng(seed, "backprop", hidden, output, loss, attempt)
            net = Network(
                list(GRADCHECK_SIZES),
                activation=hidden,
                output_activation=output,
                loss=loss,
                dtype=np.float64,
                seed=rng,
                slope=SLOPE,
            )
            X = rng.normal(size=(GRADCHECK_BATCH, GRADCHECK_SIZES[0]))
            Y = _targets(loss, (GRADCHECK_BATCH, GRADCHECK_SIZES[-1]), rng)
            if _away_from_kinks(net, X, hidden, output):
                break
        else:
            raise RuntimeError("no problem away from the relu kinks was found")
        nabla_b, nabla_w, nabla_x = net.backprop(X, Y, input_gradient=True)
        analytic = np.concatenate([g.ravel() for g in list(nabla_w) + list(nabla_b)])
        numeric = ref.central_differences(lambda: net.cost(X, Y), list(net.weights) + list(net.biases), STEP)
        err_params = ref.relative_error(analytic, numeric)
        err_inputs = ref.relative_error(np.ravel(nabla_x), ref.central_differences(lambda: net.cost(X, Y), [X], STEP))
        sizes = "-".join(map(str, GRADCHECK_SIZES))
        where = f"parameters {err_params:.1e}, inputs {err_inputs:.1e}; sizes {sizes}, batch {GRADCHECK_BATCH}"
        yield max(err_params, err_inputs), GRADCHECK_TOLERANCE, where

    return _check(f"backprop[{hidden}, {output}+{loss}]", np.float64, cases(), GRADCHECK_TOLERANCE)


def _training_check(seed: int, dtype) -> Check:
    def cases():
        rng = _rng(seed, "fit", np.dtype(dtype).name)
        # Three well separated clusters in 4-D: any working trainer learns them in a few epochs.
        centres = 5.0 * np.eye(3, 4)
        labels = rng.integers(0, 3, size=300)
        X = (centres[labels] + rng.normal(size=(300, 4))).astype(dtype)
        net = Network(
            [4, 8, 3], activation="tanh", output_activation="softmax", loss="log_likelihood", dtype=dtype, seed=rng
        )
        before = net.cost(X, labels)
        history = net.fit(X, labels, epochs=TRAINING_EPOCHS, batch_size=10, lr=0.2)
        after = net.cost(X, labels)
        if len(history) != TRAINING_EPOCHS or not all(math.isfinite(c) for c in history["cost"]):
            raise RuntimeError(f"fit returned {len(history)} epochs with costs {history['cost']}")
        ratio = after / before if before > 0 and math.isfinite(after) else math.inf
        yield ratio, TRAINING_TOLERANCE, f"cost {before:.3g} -> {after:.3g} in {TRAINING_EPOCHS} epochs"

    return _check("fit[tanh, softmax+log_likelihood]", dtype, cases(), TRAINING_TOLERANCE)


# --------------------------------------------------------------------------- entry point


def run_selfcheck(seed: int = 0) -> SelfcheckReport:
    """Check the installed engine against the NumPy reference (well under a second on a current machine).

    Parameters
    ----------
    seed : int, default 0
        Seed of the random shapes and inputs.

    Returns
    -------
    SelfcheckReport
        One row per check; ``report.ok`` tells whether all passed and ``report.format()`` gives a table.

    Examples
    --------
    >>> from deltaprop.selfcheck import run_selfcheck
    >>> report = run_selfcheck()
    >>> report.ok
    True
    """
    start = time.perf_counter()
    checks = []
    for dtype in DTYPES:
        checks += _kernel_checks(seed, dtype)
    checks += [_gradient_check(seed, *network) for network in GRADCHECK_NETWORKS]
    checks += [_training_check(seed, dtype) for dtype in DTYPES]
    return SelfcheckReport(checks, seed, time.perf_counter() - start)


if __name__ == "__main__":
    report = run_selfcheck()
    print(report.format())
    sys.exit(0 if report.ok else 1)
