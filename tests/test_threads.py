"""The drop-in trainers' thread count: as many threads as NumPy's BLAS would use."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import pytest

from deltaprop import _threads
from deltaprop._engine import core
from deltaprop.compat import network

VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


@pytest.fixture
def environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_thread_variables_every_core_of_the_process_counts(environment):
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _threads._threads_from_environment() == _threads.available_cores() == expected >= 1


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": "3,2"}, 3),  # a count per nesting level: the outermost
        ({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "4"}, 1),  # the smallest limit holds: BLAS'
        ({"OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "1"}, 1),  # or OpenMP's, which the engine runs on
        ({"MKL_NUM_THREADS": " 2 "}, 2),
    ],
)
def test_thread_variables_limit_the_count(environment, settings, expected):
    for name, value in settings.items():
        environment.setenv(name, value)
    assert _threads._threads_from_environment() == expected


@pytest.mark.parametrize("value", ["0", "-2", "two", "", "\u00b2"])  # "²" is a digit that int() refuses
def test_thread_variables_that_are_not_counts_are_ignored(environment, value):
    environment.setenv("OMP_NUM_THREADS", value)
    assert _threads._threads_from_environment() == _threads.available_cores()


@pytest.mark.skipif(not core.openmp, reason="a build without OpenMP trains on one thread")
def test_without_threadpoolctl_the_variables_count_and_never_more_than_the_cores(environment):
    environment.setitem(sys.modules, "threadpoolctl", None)  # import threadpoolctl now fails
    environment.setenv("OMP_NUM_THREADS", "1")
    assert _threads.blas_threads() == 1
    environment.setenv("OMP_NUM_THREADS", "64")
    assert _threads.blas_threads() == _threads.available_cores()


@pytest.mark.skipif(not core.openmp, reason="a build without OpenMP trains on one thread")
@pytest.mark.parametrize("user_api", ["blas", "openmp", None])
def test_threadpoolctl_limits_on_the_blas_or_on_openmp_hold(user_api):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1, user_api=user_api):
        assert _threads.blas_threads() == 1


@pytest.mark.skipif(not core.openmp, reason="a build without OpenMP trains on one thread")
def test_threadpoolctl_limits_hold_the_textbook_trainer_to_one_thread():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    rng = np.random.default_rng(0)
    data = [(rng.random((784, 1)), np.eye(10)[:, [k % 10]]) for k in range(40)]
    np.random.seed(0)  # noqa: NPY002 - the book's Network draws from NumPy's global generator
    net = network.Network([784, 30, 10])

    def threads_used() -> int:
        random.seed(0)
        net.SGD(data, 1, 10, 3.0)
        return net._engines["quadratic"]._net.training_info["threads"]

    with threadpoolctl.threadpool_limits(1):
        assert _threads.blas_threads() == 1
        assert threads_used() == 1
    # [784, 30, 10] in batches of 10 is worth two threads (tests/test_training_control.py).
    assert threads_used() == min(2, _threads.blas_threads())
