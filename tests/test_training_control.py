"""Control of a running fit: threads, progress reports, stopping early and Ctrl-C."""

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from deltaprop import Network
from deltaprop._engine import core


def make_problem(n=600, sizes=(12, 9, 4), seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    y = rng.integers(0, sizes[-1], n)
    return X, y


def trained(threads, batch_size=32, shuffle=True, dtype=np.float64, epochs=3, **fit):
    X, y = make_problem()
    net = Network(
        [12, 9, 4], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=1, dtype=dtype
    )
    history = net.fit(X, y, epochs=epochs, batch_size=batch_size, lr=0.1, shuffle=shuffle, threads=threads, **fit)
    return net, history


def engine_epochs(threads, batch_size, shuffle=True, dtype=np.float64, momentum=0.0, nesterov=False, decay=0.0):
    """Three epochs straight on the engine, which uses exactly the threads it is given."""
    rng = np.random.default_rng(0)
    net = Network(
        [12, 9, 4], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=1, dtype=dtype
    )
    X = rng.standard_normal((600, 12)).astype(dtype)
    Y = np.eye(4, dtype=dtype)[rng.integers(0, 4, 600)]
    costs = []
    for epoch in range(3):
        cost_sum, samples, _, _, _ = net._engine.train_epoch(
            X, Y, batch_size, 0.1, momentum, nesterov, decay, shuffle, epoch, threads, None, 0.2
        )
        costs.append(cost_sum / samples)
    return net, costs


needs_openmp = pytest.mark.skipif(not core.openmp, reason="this build has no OpenMP")


@needs_openmp
@pytest.mark.parametrize("batch_size", [5, 64])
def test_a_smaller_team_than_asked_for_still_trains_every_unit(batch_size):
    # Under OMP_THREAD_LIMIT=1 (or inside another parallel region) OpenMP forms a team of one even
    # when two threads are asked for; the units the missing thread would have had must not be skipped.
    code = (
        f"import numpy as np, sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
        "from test_training_control import engine_epochs; "
        f"one, _ = engine_epochs(1, {batch_size}); two, _ = engine_epochs(2, {batch_size}); "
        "print(max(float(np.abs(a - b).max()) for a, b in zip(one.parameters(), two.parameters())))"
    )
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) <= 1e-12


@needs_openmp
@pytest.mark.parametrize("batch_size", [1, 2, 3, 32, 1000])
@pytest.mark.parametrize("shuffle", [True, False])
def test_two_threads_train_like_one_up_to_rounding(batch_size, shuffle):
    one, c1 = engine_epochs(1, batch_size, shuffle)
    two, c2 = engine_epochs(2, batch_size, shuffle)
    for a, b in zip(one.parameters(), two.parameters()):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c1, c2, rtol=1e-9)


@needs_openmp
@pytest.mark.parametrize("threads", [2, 3])
def test_a_thread_count_gives_bit_identical_results_every_time(threads):
    first, _ = engine_epochs(threads, 32, momentum=0.9, nesterov=True, decay=1e-3)
    again, _ = engine_epochs(threads, 32, momentum=0.9, nesterov=True, decay=1e-3)
    for a, b in zip(first.parameters(), again.parameters()):
        np.testing.assert_array_equal(a, b)


@needs_openmp
@pytest.mark.parametrize("sizes", [(300, 40, 10), (120, 50, 40, 10)])
@pytest.mark.parametrize("decay", [0.0, 1e-3])
@pytest.mark.parametrize("threads", [2, 3])
def test_threads_sharing_small_batches_race_nowhere(sizes, decay, threads):
    """Threads share each small batch's layers between barriers: any read of what another thread writes in between
    would show as results that change from run to run."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((400, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 400)]
    start = rng.normal(scale=0.2, size=Network(list(sizes)).n_params)
    results = []
    for _ in range(4):
        net = Network(list(sizes), activation="sigmoid", output_activation="softmax", loss="log_likelihood")
        net._engine.params[:] = start
        net._engine.train_epoch(X, Y, 10, 0.5, 0.9, False, decay, True, 0, threads, None, 0.2)
        results.append(np.array(net._engine.params))
    for again in results[1:]:
        np.testing.assert_array_equal(again, results[0])


@needs_openmp
def test_threads_work_in_float32_with_momentum_and_l2():
    one, _ = engine_epochs(1, 32, dtype=np.float32, momentum=0.9, decay=1e-3)
    two, _ = engine_epochs(2, 32, dtype=np.float32, momentum=0.9, decay=1e-3)
    for a, b in zip(one.parameters(), two.parameters()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-5)


@needs_openmp
def test_fit_shares_only_mini_batches_big_enough_to_repay_the_threads():
    rng = np.random.default_rng(0)
    X = rng.random((256, 784))
    y = rng.integers(0, 10, 256)
    X_small = rng.random((256, 64))
    small = Network([64, 30, 10], seed=0)  # the bundled digits' network with batches of 10: 0.13 MFLOP a step
    small.fit(X_small, y, epochs=1, batch_size=10, lr=3.0, threads=2)
    assert small.training_info["threads"] == 1
    textbook = Network([784, 30, 10], seed=0)  # the textbook's batches of 10: about 1.4 MFLOP a step
    textbook.fit(X, y, epochs=1, batch_size=10, lr=3.0, threads=2)
    assert textbook.training_info["threads"] == 2
    large = Network([784, 100, 10], seed=0)  # batches of 128: about 60 MFLOP a step
    large.fit(X, y, epochs=1, batch_size=128, lr=0.1, threads=2)
    assert large.training_info["threads"] == 2


@needs_openmp
def test_an_epoch_of_one_mini_batch_shares_it_only_when_it_repays_waking_the_threads():
    rng = np.random.default_rng(0)
    X = rng.random((256, 784))
    y = rng.integers(0, 10, 256)
    textbook = Network([784, 30, 10], seed=0)  # one batch of 10 an epoch (the book's update_mini_batch)
    textbook.fit(X[:10], y[:10], epochs=2, batch_size=10, lr=3.0, threads=2)
    assert textbook.training_info["threads"] == 1
    textbook.fit(X[:20], y[:20], epochs=2, batch_size=10, lr=3.0, threads=2)  # two batches an epoch
    assert textbook.training_info["threads"] == 2
    large = Network([784, 100, 10], seed=0)  # one batch of 256: about 120 MFLOP
    large.fit(X, y, epochs=2, batch_size=256, lr=0.1, threads=2)
    assert large.training_info["threads"] == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_threads_must_be_a_positive_integer(bad):
    X, y = make_problem(n=10)
    with pytest.raises((TypeError, ValueError), match="threads"):
        Network([12, 4]).fit(X, y, epochs=1, batch_size=5, lr=0.1, threads=bad)


def test_progress_reports_batches_samples_and_a_final_done_call():
    reports = []
    _, history = trained(1, batch_size=10, progress=reports.append, progress_interval=1e-9, epochs=2)
    assert not history.interrupted
    for epoch in (1, 2):
        mine = [r for r in reports if r["epoch"] == epoch]
        assert [r["batch"] for r in mine if not r["done"]] == list(range(1, 61))
        assert mine[-1]["done"] and mine[-1]["samples"] == mine[-1]["n_samples"] == 600
        assert mine[-1]["n_batches"] == 60 and mine[-1]["epochs"] == 2
        assert mine[-1]["cost"] == pytest.approx(history[epoch - 1]["cost"], rel=1e-12)


def test_progress_is_rate_limited_by_its_interval():
    reports = []
    trained(1, batch_size=1, progress=reports.append, progress_interval=3600, epochs=2)
    assert [r["done"] for r in reports] == [True, True]


@pytest.mark.parametrize("threads", [1, pytest.param(2, marks=needs_openmp)])
def test_progress_returning_false_stops_after_the_current_batch(threads):
    X, y = make_problem(n=600, sizes=(300, 9, 4))
    net = Network([300, 200, 4], seed=1)  # batches of 40: about 15 MFLOP, shared by two threads
    before = [p.copy() for p in net.parameters()]
    seen = []

    def stop_after_five(info):
        seen.append(info["batch"])
        return info["batch"] < 5

    history = net.fit(
        X, y, epochs=3, batch_size=40, lr=0.05, threads=threads, progress=stop_after_five, progress_interval=1e-9
    )
    assert net.training_info["threads"] == threads
    assert history.interrupted and len(history) == 0
    assert seen[-1] == 5
    assert net.training_info["samples_seen"] == 200 and net.training_info["epochs"] == 0
    assert any(not np.array_equal(a, b) for a, b in zip(before, net.parameters()))
    assert all(np.isfinite(p).all() for p in net.parameters())


def test_an_exception_in_progress_propagates_out_of_fit():
    def broken(info):
        raise RuntimeError("progress display failed")

    with pytest.raises(RuntimeError, match="progress display failed"):
        trained(1, progress=broken, progress_interval=1e-9)


@pytest.mark.parametrize("threads", [1, pytest.param(2, marks=needs_openmp)])
def test_ctrl_c_stops_cleanly_and_fit_returns_the_history(threads):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4_000, 300))
    y = rng.integers(0, 10, 4_000)
    net = Network([300, 200, 10], seed=0)  # batches of 40: shared by two threads when asked
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        history = net.fit(X, y, epochs=100_000, batch_size=40, lr=0.05, threads=threads, progress_interval=0.05)
    finally:
        timer.cancel()
    assert history.interrupted
    assert net.training_info["threads"] == threads
    assert 0 < net.training_info["samples_seen"] < 100_000 * 4_000
    assert all(np.isfinite(p).all() for p in net.parameters())
    # The network is still usable afterwards.
    assert net.feedforward(X[:3]).shape == (3, 10)


def test_training_info_accumulates_over_fits():
    X, y = make_problem(n=100)
    net = Network([12, 9, 4], seed=0)
    assert net.training_info["epochs"] == 0 and net.training_info["samples_seen"] == 0
    net.fit(X, y, epochs=2, batch_size=10, lr=0.1)
    net.fit(X, y, epochs=3, batch_size=20, lr=0.05, momentum=0.5)
    info = net.training_info
    assert info["epochs"] == 5 and info["samples_seen"] == 500
    assert info["lr"] == 0.05 and info["batch_size"] == 20 and info["momentum"] == 0.5
    assert info["last_cost"] > 0 and info["seconds"] > 0


def test_ctrl_c_between_tiny_epochs_is_a_clean_stop_with_consistent_bookkeeping():
    # Epochs far shorter than the progress interval: the signal lands in fit's own Python code.
    X, y = make_problem(n=40)
    net = Network([12, 9, 4], seed=0)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        history = net.fit(X, y, epochs=10**7, batch_size=20, lr=0.1, validation_data=(X, y))
    finally:
        timer.cancel()
    assert history.interrupted
    assert net.training_info["epochs"] == len(history) > 0
    assert net.training_info["samples_seen"] >= 40 * len(history)
    # Python's own Ctrl-C handling is back once fit returns.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
