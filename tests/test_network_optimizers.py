"""Network.fit with Adam and with sample weights, against the NumPy reference."""

import numpy as np
import pytest
import reference
from test_network import copies, make_data

from deltaprop import Network
from deltaprop._engine import core

THREADS = [1, 2] if core.openmp else [1]


@pytest.mark.parametrize("batch_size", [7, 40])
@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("weighted", [False, True])
def test_adam_and_sample_weights_train_as_the_reference_does(batch_size, threads, weighted):
    net = Network([30, 17, 5], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=3)
    X, labels, one_hot = make_data(n=70, n_in=30, n_out=5, seed=4)
    order = np.random.default_rng(5).permutation(70)
    weights = np.random.default_rng(6).uniform(0.0, 2.0, 70) if weighted else None
    w, b = copies(net.weights), copies(net.biases)
    settings = {"epochs": 2, "batch_size": batch_size, "lr": 0.01, "l2": 0.5, "order": order, "threads": threads}
    history = net.fit(X, labels, optimizer="adam", betas=(0.8, 0.99), epsilon=1e-7, sample_weight=weights, **settings)
    state, costs = None, []
    for _ in range(2):
        cost_sum, _, w, b, state = reference.train_epoch_weighted(
            w, b, X, one_hot, order, batch_size, 0.01, "tanh", "softmax", "log_likelihood", method="adam",
            weight_decay=0.5 / 70, beta1=0.8, beta2=0.99, epsilon=1e-7, sample_weight=weights, state=state,
        )  # fmt: skip
        costs.append(cost_sum / 70)
    for got, expected in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-11)
    # The reported cost: the weighted mean cost of the batches plus the L2 term of the epoch's end.
    assert history[-1]["cost"] == pytest.approx(costs[-1] + net._l2_term(0.5, 70), rel=1e-9)
    assert net.training_info["optimizer"] == "adam" and net.training_info["weighted"] is weighted


def test_integer_sample_weights_equal_repeated_samples():
    X, labels, _ = make_data(n=40, n_in=12, n_out=3, seed=7)
    counts = np.random.default_rng(8).integers(1, 4, 40)
    weighted = Network([12, 8, 3], activation="relu", output_activation="softmax", loss="log_likelihood", seed=9)
    repeated = Network([12, 8, 3], activation="relu", output_activation="softmax", loss="log_likelihood", seed=9)
    # One full batch per epoch: the weighted mean over 40 rows is the plain mean over the repeated rows.
    weighted.fit(X, labels, epochs=3, batch_size=40, lr=0.1, momentum=0.9, sample_weight=counts, shuffle=False)
    repeated.fit(np.repeat(X, counts, axis=0), np.repeat(labels, counts), epochs=3, batch_size=int(counts.sum()),
                 lr=0.1, momentum=0.9, shuffle=False)  # fmt: skip
    for a, b in zip(weighted.weights + weighted.biases, repeated.weights + repeated.biases):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"optimizer": "adam", "momentum": 0.9}, ValueError, "momentum and nesterov apply to optimizer='sgd'"),
        ({"optimizer": "adam", "betas": (0.9,)}, ValueError, "pair"),
        ({"optimizer": "adam", "betas": (1.0, 0.999)}, ValueError, "betas"),
        ({"optimizer": "adam", "epsilon": 0.0}, ValueError, "epsilon"),
        ({"sample_weight": np.ones(5)}, ValueError, r"shape \(6,\)"),
        ({"sample_weight": [1, 1, -1, 1, 1, 1]}, ValueError, ">= 0"),
        ({"sample_weight": [1, 1, np.nan, 1, 1, 1]}, ValueError, "NaN"),
        ({"sample_weight": np.zeros(6)}, ValueError, "all zero"),
        ({"sample_weight": ["a"] * 6}, TypeError, "real numbers"),
    ],
)
def test_bad_optimizer_settings_and_weights_are_clear_errors_and_change_nothing(kwargs, error, match):
    net = Network([4, 3, 2], seed=0)
    before = copies(net.weights)
    X, labels, _ = make_data(n=6, n_in=4, n_out=2, seed=1)
    with pytest.raises(error, match=match):
        net.fit(X, labels, epochs=1, batch_size=2, lr=0.1, **kwargs)
    for a, b in zip(net.weights, before):
        np.testing.assert_array_equal(a, b)
