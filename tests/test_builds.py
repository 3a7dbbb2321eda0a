"""The builds of the engine for different instruction sets: chosen right, same API, same results."""

import os
import subprocess
import sys

import numpy as np
import pytest

from deltaprop import Network, _core, _engine


@pytest.mark.skipif("DELTAPROP_BUILD" in os.environ, reason="DELTAPROP_BUILD chooses the build")
def test_the_engine_in_use_is_the_newest_build_this_cpu_runs():
    builds = _engine.builds()
    assert list(builds)[-1] == "portable" and builds["portable"] is _core
    assert _engine.core is next(iter(builds.values()))
    if _core.cpu_level() >= 3:
        assert "x86-64-v3" in builds, "an x86-64-v3 CPU should get the AVX2 build"
    if _core.cpu_level() >= 4:
        assert list(builds)[0] == "x86-64-v4", "an x86-64-v4 CPU should get the AVX-512 build"
    assert Network([2, 2])._engine.__class__.__module__ == _engine.core.__name__


def _build_in_use(value):
    """The build a fresh interpreter trains with under DELTAPROP_BUILD=value, or its error."""
    env = {**os.environ, "DELTAPROP_BUILD": value}
    code = "import deltaprop; from deltaprop import _engine; print(_engine.core.build)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("build", list(_engine.builds()))
def test_deltaprop_build_chooses_any_build_this_cpu_runs(build):
    result = _build_in_use(build)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == _engine.builds()[build].build


def test_deltaprop_build_naming_no_runnable_build_says_which_there_are():
    result = _build_in_use("x86-64-v9")
    assert result.returncode != 0
    assert "DELTAPROP_BUILD='x86-64-v9' names no build this CPU runs" in result.stderr
    assert "portable" in result.stderr.splitlines()[-1]


def api(module):
    """Names and docstrings of everything a build exports (the module name itself aside)."""
    surface = {}
    for holder_name, holder in [("", module), ("kernels.", module.kernels)]:
        for name in dir(holder):
            if name.startswith("__"):
                continue
            value = getattr(holder, name)
            surface[holder_name + name] = getattr(value, "__doc__", None) if callable(value) else type(value)
    return surface


@pytest.mark.parametrize("build", [b for b in _engine.builds() if b != "portable"])
def test_every_build_exports_the_same_api_as_the_portable_one(build):
    assert api(_engine.builds()[build]) == api(_core)


def train(module, dtype, sizes=(20, 16, 8, 4)):
    """A few epochs of momentum SGD with the given build's engine, from fixed parameters and data."""
    rng = np.random.default_rng(3)
    engine = (module.Engine32 if dtype == np.float32 else module.Engine64)(
        list(sizes), "tanh", "softmax", "log_likelihood", 0.01
    )
    engine.params[:] = rng.normal(scale=0.3, size=engine.n_params)
    initial = np.array(engine.params)
    X = rng.standard_normal((300, sizes[0])).astype(dtype)
    Y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], 300)]
    for epoch in range(3):
        engine.train_epoch(X, Y, 16, 0.1, 0.9, False, 1e-3, True, epoch, 1, None, 0.2)
    return initial, np.array(engine.params)


@pytest.mark.parametrize("build", [b for b in _engine.builds() if b != "portable"])
@pytest.mark.parametrize(("dtype", "rtol"), [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_every_build_trains_like_the_portable_one_up_to_rounding(build, dtype, rtol):
    initial, fast = train(_engine.builds()[build], dtype)
    _, portable = train(_core, dtype)
    assert fast.dtype == portable.dtype == dtype
    assert np.abs(fast - initial).max() > 0.01, "training must have moved the parameters"
    np.testing.assert_allclose(fast, portable, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("build", list(_engine.builds()))
def test_every_build_reads_float32_rows_into_float64_products_exactly(build, threads):
    """Shuffled small batches of float32 rows, read where they lie and widened as they are loaded, train a
    float64 network bit for bit as the same rows in float64 do, whatever the build's vector width."""
    module = _engine.builds()[build]
    rng = np.random.default_rng(5)
    X = rng.random((203, 37)).astype(np.float32)  # 37 columns: whole vectors and a scalar tail
    Y = np.eye(4)[rng.integers(0, 4, 203)]
    start = rng.normal(scale=0.3, size=37 * 11 + 11 + 11 * 4 + 4)
    trained = []
    for rows in (X, X.astype(np.float64)):
        engine = module.Engine64([37, 11, 4], "sigmoid", "sigmoid", "quadratic", 0.01)
        engine.params[:] = start
        for epoch in range(2):
            engine.train_epoch(rows, Y, 10, 0.5, 0.0, False, 0.0, True, epoch, threads, None, 0.2)
        trained.append(np.array(engine.params))
    assert np.abs(trained[0] - start).max() > 0.01, "training must have moved the parameters"
    np.testing.assert_array_equal(trained[0], trained[1])
