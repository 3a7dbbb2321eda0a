"""deltaprop.selfcheck: the installed build against the shipped reference, and the check's own sensitivity."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import reference as ref

import deltaprop.kernels as kernels
from deltaprop import History
from deltaprop.network import Network
from deltaprop.selfcheck import Check, SelfcheckReport, run_selfcheck

KERNEL_FUNCTIONS = [name for name in kernels.__all__ if callable(getattr(kernels, name))]


@pytest.fixture(scope="module")
def report() -> SelfcheckReport:
    return run_selfcheck()


def rows(report: SelfcheckReport, name: str) -> list[Check]:
    found = [c for c in report.checks if c.name == name]
    assert found, f"no row {name!r}"
    return found


# --------------------------------------------------------------------------- on this build


def test_selfcheck_passes_on_this_build(report):
    assert report.ok, report.format()
    assert report.failures == []


@pytest.mark.parametrize("seed", [1, 2, 12345])
def test_selfcheck_passes_for_other_seeds(seed):
    other = run_selfcheck(seed)
    assert other.ok, other.format()
    assert other.seed == seed


def test_same_seed_gives_the_same_checks_and_errors_up_to_the_last_bit(report):
    # Vectorised kernels treat the first, unaligned elements of an array separately, so results on
    # the same values at another address may differ in the last bit: errors agree far within tolerance.
    again = run_selfcheck(report.seed)
    assert [(c.name, c.dtype, c.passed) for c in again.checks] == [(c.name, c.dtype, c.passed) for c in report.checks]
    for first, second in zip(report.checks, again.checks):
        assert abs(first.error - second.error) <= 0.05 * first.tolerance, first.name


def test_selfcheck_runs_in_a_few_seconds(report):
    assert report.seconds < 10.0


def test_every_kernel_function_has_rows_in_float32_and_float64(report):
    covered = {(c.kernel, c.dtype) for c in report.checks}
    for name in KERNEL_FUNCTIONS:
        for dtype in ("float32", "float64"):
            assert (name, dtype) in covered, f"kernel {name} not checked in {dtype}"


def test_every_activation_loss_output_pair_and_sgd_mode_has_a_row(report):
    names = {c.name for c in report.checks}
    for act in ref.ACTIVATIONS:
        assert f"activation[{act}]" in names
        assert f"activation_backward[{act}]" in names
        if act != "softmax":  # softmax has no element-wise derivative
            assert f"activation_derivative[{act}]" in names
    for loss in ref.LOSSES:
        assert f"loss[{loss}]" in names
        assert f"loss_gradient[{loss}]" in names
    for act, loss in ref.VALID_PAIRS:
        assert f"output_delta[{act}+{loss}]" in names
    for part in ("dw", "db", "da"):
        assert f"dense_backward[{part}]" in names
    for mode in ("plain", "momentum", "nesterov", "l2"):
        assert f"sgd_step[{mode}]" in names


def test_kernel_rows_use_dtype_derived_tolerances(report):
    for c in report.checks:
        if c.kernel in KERNEL_FUNCTIONS:
            eps = np.finfo(c.dtype).eps
            # k·eps·√n with n at most a few thousand terms.
            assert eps <= c.tolerance <= 1e4 * eps, c


def test_whole_network_gradient_check_is_float64_at_one_in_a_million(report):
    gradient_rows = [c for c in report.checks if c.kernel == "backprop"]
    assert len(gradient_rows) >= 3
    assert {c.dtype for c in gradient_rows} == {"float64"}
    assert all(c.tolerance == 1e-6 and 0.0 < c.error < 1e-6 for c in gradient_rows)


def test_training_run_lowers_the_cost_in_both_dtypes(report):
    training = [c for c in report.checks if c.kernel == "fit"]
    assert {c.dtype for c in training} == {"float32", "float64"}
    assert all(0.0 < c.error < 1.0 and c.passed for c in training)


def test_format_is_an_aligned_table_with_one_line_per_check_and_a_verdict(report):
    lines = report.format().splitlines()
    header, rule, body, verdict = lines[0], lines[1], lines[2:-1], lines[-1]
    assert header.split()[:5] == ["check", "dtype", "error", "tolerance", "result"]
    assert set(rule) == {"-"}
    assert len(body) == len(report.checks)
    # Every column starts at the header's offset on every line.
    dtype_at, result_at = header.index("dtype"), header.index("result")
    for line, check in zip(body, report.checks):
        assert line.startswith(check.name)
        assert line[dtype_at:].startswith(check.dtype)
        assert line[result_at:].startswith("ok")
    assert verdict.startswith(f"selfcheck passed: all {len(report.checks)} checks")
    assert str(report) == report.format()


def test_installed_reference_is_the_tests_reference():
    import deltaprop._reference as shipped

    assert Path(shipped.__file__).read_bytes() == Path(ref.__file__).read_bytes()


def test_command_line_needs_only_numpy_and_exits_zero(tmp_path):
    # Test-only and optional packages are made unimportable; the tests directory is not on the path.
    code = (
        "import sys, runpy\n"
        "for name in ('pytest', 'hypothesis', 'scipy', 'matplotlib', 'reference', 'tolerances'):\n"
        "    sys.modules[name] = None\n"
        "runpy.run_module('deltaprop.selfcheck', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("selfcheck passed")


# --------------------------------------------------------------------------- sensitivity


def assert_only_these_fail(report: SelfcheckReport, failing: set[tuple[str, str]]):
    assert not report.ok
    assert {(c.name, c.dtype) for c in report.failures} == failing, report.format()
    assert "selfcheck FAILED" in report.format().splitlines()[-1]


def test_wrong_activation_values_fail_that_activation_in_both_dtypes(monkeypatch):
    real = kernels.activation

    def off_by_a_little(name, z, slope=0.01, out=None):
        a = real(name, z, slope, out)
        return a + a.dtype.type(1e-3) if name == "sigmoid" else a

    monkeypatch.setattr(kernels, "activation", off_by_a_little)
    broken = run_selfcheck()
    assert_only_these_fail(broken, {("activation[sigmoid]", "float32"), ("activation[sigmoid]", "float64")})
    assert all(c.error > 1e-4 for c in broken.failures)
    assert "FAIL" in broken.format()


def test_a_dropped_leaky_relu_slope_is_caught(monkeypatch):
    real = kernels.activation
    monkeypatch.setattr(kernels, "activation", lambda name, z, slope=0.01, out=None: real(name, z, 0.01, out))
    broken = run_selfcheck()
    assert_only_these_fail(broken, {("activation[leaky_relu]", "float32"), ("activation[leaky_relu]", "float64")})


def test_a_kernel_that_raises_gives_a_failed_row_not_an_exception(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(kernels, "dense_backpropagate", boom)
    broken = run_selfcheck()
    rows = [f"dense_backpropagate[{name}]" for name in ("identity", "sigmoid", "tanh", "relu", "leaky_relu")]
    assert_only_these_fail(broken, {(row, dtype) for row in rows for dtype in ("float32", "float64")})
    for c in broken.failures:
        assert math.isinf(c.error) and "RuntimeError: boom" in c.detail


def test_a_result_of_the_wrong_dtype_fails(monkeypatch):
    real = kernels.loss_gradient
    monkeypatch.setattr(kernels, "loss_gradient", lambda name, a, y, out=None: real(name, a, y).astype(np.float64))
    broken = run_selfcheck()
    assert_only_these_fail(broken, {(f"loss_gradient[{loss}]", "float32") for loss in ref.LOSSES})
    assert all("dtype float64" in c.detail for c in broken.failures)


def test_nesterov_without_its_look_ahead_fails_the_nesterov_rows(monkeypatch):
    real = kernels.sgd_step
    monkeypatch.setattr(kernels, "sgd_step", lambda *args, **kwargs: real(*args, **{**kwargs, "nesterov": False}))
    broken = run_selfcheck()
    assert_only_these_fail(
        broken, {(f"sgd_step[{m}]", dt) for m in ("nesterov", "l2") for dt in ("float32", "float64")}
    )


def test_slightly_wrong_network_gradients_fail_the_gradient_check(monkeypatch):
    real = Network.backprop

    def scaled(self, X, Y, input_gradient=False):
        return tuple([g * 1.001 for g in part] if isinstance(part, list) else part for part in real(self, X, Y, True))

    monkeypatch.setattr(Network, "backprop", scaled)
    broken = run_selfcheck()
    assert {c.kernel for c in broken.failures} == {"backprop"}
    assert len(broken.failures) == len([c for c in broken.checks if c.kernel == "backprop"])


def test_training_that_does_not_lower_the_cost_fails(monkeypatch):
    def no_op_fit(self, X, Y, epochs, batch_size, lr, **kwargs):
        return History({"epoch": e, "cost": 1.0, "seconds": 0.0} for e in range(1, epochs + 1))

    monkeypatch.setattr(Network, "fit", no_op_fit)
    broken = run_selfcheck()
    assert_only_these_fail(broken, {("fit[tanh, softmax+log_likelihood]", dt) for dt in ("float32", "float64")})
    assert all(c.error == 1.0 for c in broken.failures)


def test_an_empty_report_is_not_ok():
    assert not SelfcheckReport([]).ok
