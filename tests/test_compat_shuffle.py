"""The textbook's per-epoch ``random.shuffle``, computed in the engine: the same permutations, the same state after."""

from __future__ import annotations

import contextlib
import io
import random

import numpy as np
import pytest

from deltaprop import _engine
from deltaprop.compat import _bridge, network


@pytest.fixture(autouse=True)
def _restore_random_state():
    state = random.getstate()
    yield
    random.setstate(state)


@pytest.mark.parametrize("build", list(_engine.builds()))
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 997, 60_000])
@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_every_build_shuffles_as_python_does_and_leaves_the_same_state(build, n, seed):
    random.seed(seed)
    start = list(range(n))
    random.shuffle(start)  # a later epoch shuffles an order that is already shuffled
    state = random.getstate()
    expected = list(start)
    random.shuffle(expected)
    expected_next = random.random()

    order = np.array(start, dtype=np.int64)
    words = _engine.builds()[build].python_shuffle(order, list(state[1]))
    random.setstate((state[0], tuple(words), state[2]))
    assert order.tolist() == expected
    assert random.random() == expected_next


def test_the_bridge_draws_from_the_module_generator_like_random_shuffle():
    random.seed(7)
    expected = list(range(500))
    random.shuffle(expected)
    random.shuffle(expected)
    expected_next = random.random()
    random.seed(7)
    order = np.arange(500, dtype=np.int64)
    _bridge.shuffle(order)
    _bridge.shuffle(order)
    assert order.tolist() == expected and random.random() == expected_next


def test_a_replaced_random_shuffle_is_called_as_it_is(monkeypatch):
    monkeypatch.setattr(random, "shuffle", lambda items: items.reverse())
    order = np.arange(6, dtype=np.int64)
    _bridge.shuffle(order)
    assert order.tolist() == [5, 4, 3, 2, 1, 0]


def test_sgd_leaves_the_random_module_where_the_book_leaves_it():
    rng = np.random.default_rng(0)
    data = [(rng.random((4, 1)), np.eye(3)[:, [i % 3]]) for i in range(50)]
    random.seed(11)
    np.random.seed(11)  # noqa: NPY002 - the book's initialisation draws from the global generator
    net = network.Network([4, 5, 3])
    with contextlib.redirect_stdout(io.StringIO()):
        net.SGD(data, 3, 10, 1.0)
    after_sgd = random.random()
    random.seed(11)
    order = list(range(50))
    for _ in range(3):
        random.shuffle(order)
    assert after_sgd == random.random()


@pytest.mark.parametrize(
    ("state", "message"),
    [([0] * 624, "624 words"), ([0] * 624 + [625], "624 words"), ([2**32] + [0] * 624, "32 bits")],
)
def test_a_state_that_is_not_pythons_is_refused(state, message):
    with pytest.raises(ValueError, match=message):
        _engine.core.python_shuffle(np.arange(3, dtype=np.int64), state)
