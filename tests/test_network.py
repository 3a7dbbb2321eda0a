"""Behaviour of deltaprop.Network: parameter views, inference, gradients and training against the NumPy reference."""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest
import reference
from tolerances import assert_matches_reference

from deltaprop._validation import as_inputs, as_targets
from deltaprop.history import History
from deltaprop.network import DivergenceError, Network


def make_data(n=7, n_in=4, n_out=3, seed=0):
    """Inputs (n, n_in), integer labels (n,) and their one-hot rows (n, n_out)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    labels = rng.integers(0, n_out, n)
    return X, labels, np.eye(n_out)[labels]


def copies(arrays):
    return [np.array(a, dtype=np.float64) for a in arrays]


def reference_backprop(net, X, Y):
    """(cost, nabla_w, nabla_b, nabla_x) of the NumPy reference at the network's current parameters."""
    return reference.backprop(
        copies(net.weights), copies(net.biases), X, Y, net.activation, net.output_activation, net.loss, net.slope
    )


def assert_same_parameters(a, b):
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)


class SpyEngine:
    """Wraps an engine and records the arguments of every data-taking call."""

    def __init__(self, engine):
        self._engine = engine
        self.calls = []

    def __getattr__(self, name):
        attr = getattr(self._engine, name)
        if name not in ("train_epoch", "backprop", "cost", "feedforward"):
            return attr

        def spy(*args):
            self.calls.append((name, args))
            return attr(*args)

        return spy


# --- construction and description ----------------------------------------------------------------


def test_repr_shows_the_architecture():
    net = Network([784, 30, 10], seed=0)
    assert repr(net) == (
        "Network(sizes=[784, 30, 10], activation='sigmoid', output_activation='sigmoid', "
        "loss='quadratic', dtype=float64)"
    )


def test_repr_shows_slope_of_leaky_relu():
    net = Network([2, 3, 1], activation="leaky_relu", output_activation="identity", slope=0.2)
    assert repr(net).endswith("dtype=float64, slope=0.2)")


def test_output_activation_defaults_to_activation():
    net = Network([2, 3, 1], activation="tanh")
    assert (net.activation, net.output_activation) == ("tanh", "tanh")


def test_num_layers_counts_the_input_layer_like_the_textbook():
    net = Network([784, 30, 10])
    assert net.num_layers == 3
    assert net.sizes == [784, 30, 10]


def test_sizes_property_cannot_be_mutated_from_outside():
    net = Network([2, 3, 1])
    net.sizes.append(7)
    assert net.sizes == [2, 3, 1]


@pytest.mark.parametrize("dtype", [np.float32, "float32", np.dtype("float32")])
def test_dtype_accepts_type_name_or_dtype_for_float32(dtype):
    assert Network([2, 2], dtype=dtype).dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float64, "float64", float])
def test_dtype_accepts_type_name_or_dtype_for_float64(dtype):
    assert Network([2, 2], dtype=dtype).dtype == np.float64


def test_softmax_regression_without_hidden_layer_is_allowed():
    net = Network([4, 3], activation="softmax", loss="log_likelihood", seed=0)
    X, labels, _ = make_data()
    np.testing.assert_allclose(net.feedforward(X).sum(axis=1), 1.0, rtol=1e-12)
    assert net.output_activation == "softmax"


# --- initialisation ------------------------------------------------------------------------------


def test_nielsen_init_draws_biases_then_scaled_weights_from_default_rng():
    net = Network([3, 4, 2], init="nielsen", seed=42)
    rng = np.random.default_rng(42)
    biases = [rng.standard_normal(n) for n in (4, 2)]
    weights = [rng.standard_normal((o, i)) / np.sqrt(i) for o, i in ((4, 3), (2, 4))]
    for got, expected in zip(net.biases + net.weights, biases + weights):
        np.testing.assert_array_equal(got, expected)


def test_float32_network_starts_from_the_rounded_float64_initialisation():
    net32 = Network([5, 4, 3], dtype=np.float32, seed=3)
    net64 = Network([5, 4, 3], dtype=np.float64, seed=3)
    for p32, p64 in zip(net32.parameters(), net64.parameters()):
        np.testing.assert_array_equal(p32, p64.astype(np.float32))


@pytest.mark.parametrize("init", ["glorot", "he"])
def test_glorot_and_he_init_start_with_zero_biases(init):
    net = Network([50, 40, 10], init=init, seed=0)
    assert all(not b.any() for b in net.biases)


def test_glorot_init_stays_within_its_uniform_limit():
    net = Network([50, 40, 10], init="glorot", seed=0)
    for w in net.weights:
        limit = np.sqrt(6.0 / sum(w.shape))
        assert np.abs(w).max() <= limit
        assert np.abs(w).max() > 0.9 * limit


@pytest.mark.parametrize(("init", "std"), [("nielsen", 1 / np.sqrt(400)), ("he", np.sqrt(2 / 400)), ("large", 1.0)])
def test_normal_inits_have_the_documented_weight_spread(init, std):
    net = Network([400, 300], init=init, seed=1)
    assert net.weights[0].std() == pytest.approx(std, rel=0.02)


def test_seed_may_be_a_numpy_generator():
    a = Network([3, 4, 2], seed=np.random.default_rng(9))
    b = Network([3, 4, 2], seed=9)
    assert_same_parameters(a, b)


# --- parameter views -----------------------------------------------------------------------------


def test_weights_and_biases_have_textbook_shapes_and_the_network_dtype():
    net = Network([4, 5, 3], dtype=np.float32)
    assert [w.shape for w in net.weights] == [(5, 4), (3, 5)]
    assert [b.shape for b in net.biases] == [(5,), (3,)]
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_writing_into_a_weight_view_changes_the_network_output():
    net = Network([4, 5, 3], seed=0)
    X, _, _ = make_data()
    before = net.feedforward(X)
    net.weights[1][2, :] = 0.0
    net.biases[1][2] = 10.0
    after = net.feedforward(X)
    np.testing.assert_allclose(after[:, 2], reference.sigmoid(10.0), rtol=1e-15)
    np.testing.assert_array_equal(after[:, :2], before[:, :2])


def test_views_taken_before_fit_see_the_trained_parameters():
    net = Network([4, 5, 3], seed=0)
    w0, b1 = net.weights[0], net.biases[1]
    initial = w0.copy()
    X, labels, _ = make_data()
    net.fit(X, labels, epochs=1, batch_size=3, lr=1.0)
    assert not np.array_equal(w0, initial)
    np.testing.assert_array_equal(w0, net.weights[0])
    np.testing.assert_array_equal(b1, net.biases[1])


def test_parameters_lists_weight_then_bias_per_layer_as_views():
    net = Network([4, 5, 3])
    params = net.parameters()
    assert [p.shape for p in params] == [(5, 4), (5,), (3, 5), (3,)]
    params[2][0, 0] = 123.0
    assert net.weights[1][0, 0] == 123.0


def test_assigning_a_weights_list_copies_the_values_in():
    net = Network([4, 5, 3], seed=0)
    view = net.weights[0]
    new = [np.full((5, 4), 0.5), np.full((3, 5), -0.25)]
    net.weights = new
    np.testing.assert_array_equal(view, 0.5)
    np.testing.assert_array_equal(net.weights[1], -0.25)
    new[0][...] = 9.0  # the network holds copies, not the caller's arrays
    np.testing.assert_array_equal(net.weights[0], 0.5)


def test_assigning_a_biases_list_copies_the_values_in():
    net = Network([4, 5, 3], seed=0)
    net.biases = [np.arange(5.0), [1, 2, 3]]
    np.testing.assert_array_equal(net.biases[0], np.arange(5.0))
    np.testing.assert_array_equal(net.biases[1], [1.0, 2.0, 3.0])


def test_item_assignment_on_weights_writes_into_the_network():
    net = Network([4, 5, 3], seed=0)
    net.weights[1] = np.zeros((3, 5))
    net.biases[1] = np.zeros(3)
    np.testing.assert_allclose(net.feedforward(np.ones(4)), 0.5, rtol=1e-15)


def test_assigning_float64_values_into_a_float32_network_rounds_them():
    net = Network([2, 2], dtype=np.float32)
    net.weights = [np.full((2, 2), 0.1)]
    assert net.weights[0].dtype == np.float32
    np.testing.assert_array_equal(net.weights[0], np.float32(0.1))


# --- inference -----------------------------------------------------------------------------------


def test_feedforward_matches_reference_for_a_batch():
    net = Network([4, 5, 3], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=0)
    X, _, _ = make_data()
    _, activations = reference.feedforward(copies(net.weights), copies(net.biases), X, "tanh", "softmax")
    assert_matches_reference(net.feedforward(X), activations[-1], np.float64, reduction=5)


def test_feedforward_of_one_sample_returns_a_vector():
    net = Network([4, 5, 3], seed=0)
    X, _, _ = make_data()
    out = net.feedforward(X[2])
    assert out.shape == (3,)
    np.testing.assert_array_equal(out, net.feedforward(X)[2])


def test_feedforward_accepts_lists_and_integer_inputs():
    net = Network([2, 3, 1], seed=0)
    np.testing.assert_array_equal(
        net.feedforward([[1, 2], [3, 4]]), net.feedforward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    )


def test_feedforward_accepts_boolean_inputs_as_zero_and_one():
    net = Network([2, 3, 1], seed=0)
    np.testing.assert_array_equal(net.feedforward(np.array([[True, False]])), net.feedforward([[1.0, 0.0]]))


def test_predict_returns_argmax_of_the_output():
    net = Network([4, 5, 3], seed=0)
    X, _, _ = make_data(n=20)
    np.testing.assert_array_equal(net.predict(X), np.argmax(net.feedforward(X), axis=1))


def test_predict_of_one_sample_returns_an_int():
    net = Network([4, 5, 3], seed=0)
    X, _, _ = make_data()
    label = net.predict(X[0])
    assert isinstance(label, int)
    assert label == net.predict(X)[0]


def test_evaluate_counts_correct_predictions_from_labels_or_one_hot():
    net = Network([4, 5, 3], seed=0)
    X, labels, one_hot = make_data(n=30)
    expected = int(np.sum(net.predict(X) == labels))
    assert net.evaluate(X, labels) == expected
    assert net.evaluate(X, one_hot) == expected
    assert isinstance(net.evaluate(X, labels), int)


def test_accuracy_is_the_fraction_of_correct_predictions():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=30)
    assert net.accuracy(X, labels) == net.evaluate(X, labels) / 30


def test_cost_matches_reference_mean_cost():
    net = Network([4, 5, 3], output_activation="sigmoid", loss="cross_entropy", seed=0)
    X, labels, one_hot = make_data()
    expected = reference.loss("cross_entropy", net.feedforward(X), one_hot)
    assert net.cost(X, labels) == pytest.approx(expected, rel=1e-12)
    assert net.cost(X, one_hot) == pytest.approx(expected, rel=1e-12)


def test_cost_with_l2_adds_lambda_over_2n_times_squared_weight_norms():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=7)
    l2 = 3.0
    penalty = l2 / (2 * 7) * sum(np.sum(w**2) for w in net.weights)
    assert net.cost(X, labels, l2=l2) == pytest.approx(net.cost(X, labels) + penalty, rel=1e-12)


# --- gradients -----------------------------------------------------------------------------------

ARCHITECTURES = [
    ("sigmoid", "sigmoid", "quadratic"),
    ("tanh", "sigmoid", "cross_entropy"),
    ("relu", "softmax", "log_likelihood"),
    ("leaky_relu", "identity", "quadratic"),
    ("sigmoid", "softmax", "quadratic"),
]


@pytest.mark.parametrize(("hidden", "output", "loss"), ARCHITECTURES)
def test_backprop_matches_reference_gradients(hidden, output, loss):
    net = Network([4, 6, 5, 3], activation=hidden, output_activation=output, loss=loss, seed=1, slope=0.1)
    X, labels, one_hot = make_data(n=9)
    _, ref_w, ref_b, ref_x = reference_backprop(net, X, one_hot)
    nabla_b, nabla_w, nabla_x = net.backprop(X, labels, input_gradient=True)
    for got, expected in zip(nabla_w + nabla_b, ref_w + ref_b):
        assert_matches_reference(got, expected, np.float64, reduction=9 * 6, k=64)
    assert_matches_reference(nabla_x, ref_x, np.float64, reduction=6 * 5, k=64)


def test_backprop_returns_fresh_arrays_shaped_like_the_parameters():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data()
    nabla_b, nabla_w = net.backprop(X, labels)
    assert [g.shape for g in nabla_w] == [w.shape for w in net.weights]
    assert [g.shape for g in nabla_b] == [b.shape for b in net.biases]
    for g in nabla_w + nabla_b:
        assert not any(np.shares_memory(g, p) for p in net.parameters())


def test_backprop_of_one_sample_returns_input_gradient_shaped_like_the_sample():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data()
    nabla_b, nabla_w, nabla_x = net.backprop(X[3], labels[3], input_gradient=True)
    batch_b, batch_w, batch_x = net.backprop(X[3:4], labels[3:4], input_gradient=True)
    assert nabla_x.shape == (4,)
    np.testing.assert_array_equal(nabla_x, batch_x[0])
    for got, expected in zip(nabla_w + nabla_b, batch_w + batch_b):
        np.testing.assert_array_equal(got, expected)


def test_backprop_input_gradient_matches_finite_differences_of_cost():
    net = Network([3, 4, 2], activation="tanh", seed=2)
    X, _, _ = make_data(n=5, n_in=3, n_out=2)
    Y = np.random.default_rng(5).random((5, 2))
    _, _, nabla_x = net.backprop(X, Y, input_gradient=True)
    h = 1e-6
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        plus, minus = X.copy(), X.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (net.cost(plus, Y) - net.cost(minus, Y)) / (2 * h)
    np.testing.assert_allclose(nabla_x, numeric, rtol=1e-6, atol=1e-9)


# --- training against the reference --------------------------------------------------------------


@pytest.mark.parametrize(
    ("momentum", "nesterov", "l2"),
    [(0.0, False, 0.0), (0.9, False, 0.0), (0.9, True, 0.0), (0.0, False, 5.0), (0.5, True, 2.0)],
)
def test_fit_without_shuffle_follows_reference_epochs(momentum, nesterov, l2):
    net = Network([4, 5, 3], activation="tanh", seed=0)
    X, labels, one_hot = make_data(n=7)
    w, b, velocity = copies(net.weights), copies(net.biases), None
    net.fit(X, labels, epochs=2, batch_size=3, lr=0.3, momentum=momentum, nesterov=nesterov, l2=l2, shuffle=False)
    for _ in range(2):
        step = {"momentum": momentum, "nesterov": nesterov, "weight_decay": l2 / 7, "velocity": velocity}
        _, w, b, velocity = reference.train_epoch(w, b, X, one_hot, np.arange(7), 3, 0.3, "tanh", **step)
    for got, expected in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batch_size", [1, 10, 32, 33])
@pytest.mark.parametrize(
    ("activation", "output", "loss", "momentum", "nesterov", "l2"),
    [
        ("sigmoid", "sigmoid", "quadratic", 0.0, False, 0.0),
        ("relu", "softmax", "log_likelihood", 0.9, False, 0.0),
        ("tanh", "sigmoid", "cross_entropy", 0.5, True, 3.0),
    ],
)
def test_fit_follows_reference_with_small_and_large_batches(
    activation, output, loss, momentum, nesterov, l2, batch_size
):
    # Batches of up to 32 rows train through the fused small-batch kernels, larger ones through
    # GEMMs; widths of 70 and 37 leave remainders after every SIMD packet and register block.
    net = Network([70, 37, 9], activation=activation, output_activation=output, loss=loss, seed=1)
    X, labels, one_hot = make_data(n=101, n_in=70, n_out=9, seed=2)
    w, b = copies(net.weights), copies(net.biases)
    net.fit(
        X, labels, epochs=1, batch_size=batch_size, lr=0.01, momentum=momentum, nesterov=nesterov, l2=l2, shuffle=False
    )
    step = {"momentum": momentum, "nesterov": nesterov, "weight_decay": l2 / 101}
    _, w, b, _ = reference.train_epoch(
        w, b, X, one_hot, np.arange(101), batch_size, 0.01, activation, output, loss, **step
    )
    for got, expected in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_size", [4, 40])
@pytest.mark.parametrize("threads", [1, 2])
def test_fit_with_an_order_visits_those_rows_as_the_reference_does(batch_size, threads):
    # A permutation of part of the rows with repeats: 101 visits of 70 rows, the last batch shorter.
    net = Network([30, 17, 5], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=3)
    X, labels, one_hot = make_data(n=70, n_in=30, n_out=5, seed=4)
    order = np.random.default_rng(5).integers(0, 70, 101)
    w, b = copies(net.weights), copies(net.biases)
    net.fit(X, labels, epochs=2, batch_size=batch_size, lr=0.1, momentum=0.5, l2=1.0, order=order, threads=threads)
    velocity = None
    for _ in range(2):
        step = {"momentum": 0.5, "weight_decay": 1.0 / 70, "velocity": velocity}
        _, w, b, velocity = reference.train_epoch(
            w, b, X, one_hot, order, batch_size, 0.1, "tanh", "softmax", "log_likelihood", **step
        )
    for got, expected in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert net.training_info["samples_seen"] == 2 * 101


# A small batch's input rows are read in place when they stay in the cache between the first
# layer's two products, and copied first otherwise (a wide first layer with a velocity): both ways
# must train as the reference does.
@pytest.mark.parametrize(("sizes", "momentum"), [([784, 30, 10], 0.0), ([784, 100, 10], 0.9)])
@pytest.mark.parametrize("threads", [1, 2])
def test_small_shuffled_batches_train_as_the_reference_whether_read_in_place_or_copied(sizes, momentum, threads):
    net = Network(sizes, activation="sigmoid", output_activation="softmax", loss="log_likelihood", seed=6)
    X, labels, one_hot = make_data(n=150, n_in=sizes[0], n_out=sizes[-1], seed=7)
    order = np.random.default_rng(8).permutation(150)
    w, b = copies(net.weights), copies(net.biases)
    net.fit(X, labels, epochs=1, batch_size=32, lr=0.2, momentum=momentum, order=order, threads=threads)
    _, w, b, _ = reference.train_epoch(
        w, b, X, one_hot, order, 32, 0.2, "sigmoid", "softmax", "log_likelihood", momentum=momentum
    )
    for got, expected in zip(net.weights + net.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("order", "error", "match"),
    [
        ([0, 7], ValueError, r"order must index rows of X in \[0, 7\); it holds 7"),
        ([-1, 2], ValueError, "it holds -1"),
        ([], ValueError, "non-empty 1-D"),
        ([[0, 1]], ValueError, "non-empty 1-D"),
        ([0.0, 1.0], TypeError, "integer row indices"),
        ([True, False], TypeError, "integer row indices"),
    ],
)
def test_fit_rejects_a_bad_order_with_a_clear_message(order, error, match):
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=7)
    before = copies(net.weights)
    with pytest.raises(error, match=match):
        net.fit(X, labels, epochs=1, batch_size=2, lr=0.1, order=order)
    for got, expected in zip(net.weights, before):
        np.testing.assert_array_equal(got, expected)


def test_last_short_batch_is_used():
    X, labels, one_hot = make_data(n=7)
    by_3 = Network([4, 5, 3], seed=0)
    by_7 = Network([4, 5, 3], seed=0)
    w, b = copies(by_3.weights), copies(by_3.biases)
    by_3.fit(X, labels, epochs=1, batch_size=3, lr=0.5, shuffle=False)
    by_7.fit(X, labels, epochs=1, batch_size=7, lr=0.5, shuffle=False)
    assert not np.allclose(by_3.weights[0], by_7.weights[0])
    # Batches [0:3], [3:6] and the short [6:7], in a plain NumPy loop.
    for rows in (slice(0, 3), slice(3, 6), slice(6, 7)):
        _, nabla_w, nabla_b, _ = reference.backprop(w, b, X[rows], one_hot[rows])
        w = [wl - 0.5 * g for wl, g in zip(w, nabla_w)]
        b = [bl - 0.5 * g for bl, g in zip(b, nabla_b)]
    for got, expected in zip(by_3.weights + by_3.biases, w + b):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_history_cost_is_the_mean_per_sample_cost_seen_before_each_update():
    net = Network([4, 5, 3], seed=0)
    X, labels, one_hot = make_data(n=7)
    expected, *_ = reference.train_epoch(copies(net.weights), copies(net.biases), X, one_hot, np.arange(7), 3, 0.5)
    history = net.fit(X, labels, epochs=1, batch_size=3, lr=0.5, shuffle=False)
    assert history["cost"][0] == pytest.approx(expected, rel=1e-12)


def test_history_cost_with_l2_adds_the_penalty_of_the_final_weights():
    net = Network([4, 5, 3], seed=0)
    X, labels, one_hot = make_data(n=7)
    before = reference.loss("quadratic", net.feedforward(X), one_hot)  # one full batch: cost before its update
    history = net.fit(X, labels, epochs=1, batch_size=7, lr=0.5, l2=4.0, shuffle=False)
    penalty = 4.0 / (2 * 7) * sum(np.sum(w**2) for w in net.weights)
    assert history["cost"][0] == pytest.approx(before + penalty, rel=1e-12)


def test_labels_and_one_hot_targets_train_identically():
    X, labels, one_hot = make_data(n=20)
    a, b = Network([4, 5, 3], seed=4), Network([4, 5, 3], seed=4)
    ha = a.fit(X, labels, epochs=3, batch_size=4, lr=0.5, momentum=0.5)
    hb = b.fit(X, one_hot, epochs=3, batch_size=4, lr=0.5, momentum=0.5)
    assert_same_parameters(a, b)
    assert ha["cost"] == hb["cost"]


def test_same_seed_gives_bit_identical_weights_after_shuffled_fit():
    X, labels, _ = make_data(n=30)
    a, b = Network([4, 5, 3], seed=11), Network([4, 5, 3], seed=11)
    a.fit(X, labels, epochs=3, batch_size=4, lr=0.5, momentum=0.9)
    b.fit(X, labels, epochs=3, batch_size=4, lr=0.5, momentum=0.9)
    assert_same_parameters(a, b)


def test_different_seeds_give_different_weights():
    X, labels, _ = make_data(n=30)
    a, b = Network([4, 5, 3], seed=11), Network([4, 5, 3], seed=12)
    a.fit(X, labels, epochs=1, batch_size=4, lr=0.5)
    b.fit(X, labels, epochs=1, batch_size=4, lr=0.5)
    assert not np.array_equal(a.weights[0], b.weights[0])


def test_shuffling_changes_the_result_of_an_epoch():
    X, labels, _ = make_data(n=30)
    a, b = Network([4, 5, 3], seed=11), Network([4, 5, 3], seed=11)
    a.fit(X, labels, epochs=1, batch_size=4, lr=0.5, shuffle=True)
    b.fit(X, labels, epochs=1, batch_size=4, lr=0.5, shuffle=False)
    assert not np.array_equal(a.weights[0], b.weights[0])


def test_two_fits_continue_like_one_longer_fit_without_momentum():
    X, labels, _ = make_data(n=30)
    a, b = Network([4, 5, 3], seed=2), Network([4, 5, 3], seed=2)
    a.fit(X, labels, epochs=2, batch_size=4, lr=0.5)
    a.fit(X, labels, epochs=2, batch_size=4, lr=0.5)
    b.fit(X, labels, epochs=4, batch_size=4, lr=0.5)
    assert_same_parameters(a, b)


def test_fit_reduces_the_cost_of_a_small_problem():
    X, _, _ = make_data(n=60)
    labels = np.argmax(X[:, :3], axis=1)  # a learnable rule
    net = Network([4, 8, 3], activation="tanh", output_activation="softmax", loss="log_likelihood", seed=0)
    before = net.cost(X, labels)
    history = net.fit(X, labels, epochs=30, batch_size=10, lr=0.5)
    assert net.cost(X, labels) < 0.5 * before
    assert history["cost"][-1] < history["cost"][0]


def test_zero_epochs_leaves_the_network_unchanged():
    net = Network([4, 5, 3], seed=0)
    initial = copies(net.parameters())
    X, labels, _ = make_data()
    history = net.fit(X, labels, epochs=0, batch_size=3, lr=1.0)
    assert len(history) == 0
    for got, expected in zip(net.parameters(), initial):
        np.testing.assert_array_equal(got, expected)


def test_single_output_network_reads_1d_targets_as_values():
    X, _, _ = make_data(n=10)
    y = np.random.default_rng(0).random(10)
    a, b = Network([4, 3, 1], seed=0), Network([4, 3, 1], seed=0)
    a.fit(X, y, epochs=2, batch_size=3, lr=0.5)
    b.fit(X, y.reshape(-1, 1), epochs=2, batch_size=3, lr=0.5)
    assert_same_parameters(a, b)


def test_batch_size_larger_than_the_data_is_one_full_batch():
    X, labels, _ = make_data(n=7)
    a, b = Network([4, 5, 3], seed=0), Network([4, 5, 3], seed=0)
    a.fit(X, labels, epochs=2, batch_size=10**12, lr=0.5)
    b.fit(X, labels, epochs=2, batch_size=7, lr=0.5)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-14)


# --- history -------------------------------------------------------------------------------------


def test_fit_history_has_one_record_per_epoch_with_basic_columns():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data()
    history = net.fit(X, labels, epochs=3, batch_size=3, lr=0.5)
    assert isinstance(history, History)
    assert len(history) == 3
    assert history.columns == ["epoch", "cost", "seconds"]
    assert history["epoch"] == [1, 2, 3]
    assert all(isinstance(c, float) and np.isfinite(c) for c in history["cost"])
    assert all(s >= 0 for s in history["seconds"])
    assert not history.converged


def test_fit_history_records_validation_cost_and_accuracy():
    net = Network([4, 5, 3], seed=0)
    X, labels, one_hot = make_data(n=20)
    X_val, y_val, _ = make_data(n=9, seed=1)
    history = net.fit(X, one_hot, epochs=2, batch_size=5, lr=0.5, l2=1.0, validation_data=(X_val, y_val))
    assert history.columns == ["epoch", "cost", "val_cost", "val_accuracy", "seconds"]
    assert history[-1]["val_cost"] == pytest.approx(net.cost(X_val, y_val, l2=1.0), rel=1e-12)
    assert history[-1]["val_accuracy"] == net.accuracy(X_val, y_val)


def test_single_output_network_has_no_validation_accuracy():
    X, _, _ = make_data(n=10)
    y = np.random.default_rng(0).random(10)
    history = Network([4, 3, 1], seed=0).fit(X, y, epochs=1, batch_size=5, lr=0.5, validation_data=(X, y))
    assert history["val_accuracy"] == [None]


def test_history_gives_columns_by_name_and_records_by_index():
    history = History([{"epoch": 1, "cost": 0.5, "seconds": 0.1}, {"epoch": 2, "cost": 0.25, "seconds": 0.2}])
    assert history["cost"] == [0.5, 0.25]
    assert history[1] == {"epoch": 2, "cost": 0.25, "seconds": 0.2}
    assert isinstance(history[1:], History)
    assert history[1:]["epoch"] == [2]


def test_history_unknown_column_raises_key_error_listing_the_columns():
    history = History([{"epoch": 1, "cost": 0.5}])
    with pytest.raises(KeyError, match="available columns: epoch, cost"):
        history["val_cost"]


def test_history_repr_is_a_table_with_a_header():
    history = History([{"epoch": 1, "cost": 0.5, "seconds": 0.125}, {"epoch": 2, "cost": 0.25, "seconds": 0.5}])
    lines = repr(history).splitlines()
    assert lines[0] == "History(2 epochs)"
    assert lines[1].split() == ["epoch", "cost", "seconds"]
    assert lines[2].split() == ["1", "0.5", "0.125"]


def test_history_repr_elides_the_middle_of_long_runs():
    history = History([{"epoch": i, "cost": 1.0 / i} for i in range(1, 101)])
    text = repr(history)
    assert "..." in text
    assert len(text.splitlines()) == 2 + 5 + 1 + 5


def test_verbose_prints_one_line_per_epoch(capsys):
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=20)
    net.fit(X, labels, epochs=3, batch_size=5, lr=0.5, validation_data=(X, labels), verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    pattern = r"Epoch 2/3: cost \d+\.\d{4}, val cost \d+\.\d{4}, val accuracy \d+\.\d{2}%, \d+\.\d{3} s"
    assert re.fullmatch(pattern, lines[1]), lines[1]


def test_fit_is_silent_unless_verbose(capsys):
    X, labels, _ = make_data()
    Network([4, 5, 3]).fit(X, labels, epochs=2, batch_size=3, lr=0.5)
    assert capsys.readouterr().out == ""


# --- early stopping and divergence ---------------------------------------------------------------


def test_grad_norm_is_the_full_training_set_gradient_norm():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=7)
    history = net.fit(X, labels, epochs=1, batch_size=3, lr=0.5, tol=1e-300)
    nabla_b, nabla_w = net.backprop(X, labels)
    expected = np.sqrt(sum(np.sum(g**2) for g in nabla_b + nabla_w))
    assert history["grad_norm"][0] == pytest.approx(expected, rel=1e-12)


def test_grad_norm_with_l2_includes_the_weight_decay_gradient():
    net = Network([4, 5, 3], seed=0)
    X, labels, _ = make_data(n=7)
    history = net.fit(X, labels, epochs=1, batch_size=3, lr=0.5, l2=2.0, tol=1e-300)
    nabla_b, nabla_w = net.backprop(X, labels)
    nabla_w = [g + 2.0 / 7 * w for g, w in zip(nabla_w, net.weights)]
    expected = np.sqrt(sum(np.sum(g**2) for g in nabla_b + nabla_w))
    assert history["grad_norm"][0] == pytest.approx(expected, rel=1e-12)


def test_tol_stops_training_once_the_gradient_norm_is_below_it():
    X, labels, _ = make_data(n=20)
    probe = Network([4, 5, 3], seed=3).fit(X, labels, epochs=30, batch_size=5, lr=0.5, tol=1e-300)
    norms = probe["grad_norm"]
    tol = sorted(norms)[len(norms) // 2]  # reached, but not in the first epoch
    stop = next(i for i, g in enumerate(norms) if g < tol) + 1
    history = Network([4, 5, 3], seed=3).fit(X, labels, epochs=30, batch_size=5, lr=0.5, tol=tol)
    assert 1 < len(history) == stop < 30
    assert history.converged
    assert history["grad_norm"] == norms[:stop]


def test_divergence_raises_floating_point_error_naming_the_epoch():
    rng = np.random.default_rng(0)
    X, Y = 10 * rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    net = Network([2, 4, 1], activation="relu", output_activation="identity", seed=0)
    with pytest.raises(FloatingPointError) as info:
        net.fit(X, Y, epochs=50, batch_size=1, lr=1e6)
    err = info.value
    assert isinstance(err, DivergenceError)
    assert isinstance(err, ArithmeticError)
    assert f"epoch {err.epoch}" in str(err)
    assert "smaller learning rate" in str(err)
    assert len(err.history) == err.epoch - 1


# --- dtype and conversions -----------------------------------------------------------------------


def test_float32_network_keeps_float32_everywhere():
    net = Network([4, 5, 3], dtype=np.float32, seed=0)
    X, labels, _ = make_data(n=10)  # float64 data is converted
    history = net.fit(X, labels, epochs=2, batch_size=3, lr=0.5, momentum=0.5, tol=1e-30, validation_data=(X, labels))
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.feedforward(X).dtype == np.float32
    assert net.feedforward(X[0]).dtype == np.float32
    nabla_b, nabla_w, nabla_x = net.backprop(X, labels, input_gradient=True)
    assert all(g.dtype == np.float32 for g in nabla_b + nabla_w + [nabla_x])
    assert all(np.isfinite(c) for c in history["cost"])


def test_float32_backprop_agrees_with_reference_to_float32_precision():
    net = Network([4, 6, 3], activation="tanh", output_activation="softmax", loss="log_likelihood", dtype="float32")
    X, labels, one_hot = make_data(n=9)
    X32 = X.astype(np.float32)
    _, ref_w, ref_b, _ = reference_backprop(net, X32.astype(np.float64), one_hot)
    nabla_b, nabla_w = net.backprop(X32, labels)
    for got, expected in zip(nabla_w + nabla_b, ref_w + ref_b):
        assert_matches_reference(got, expected, np.float32, reduction=9 * 6, k=64)


def test_input_conversion_returns_the_same_array_when_already_contiguous_of_the_dtype():
    X = np.ones((5, 3))
    assert as_inputs(X, "X", np.dtype(np.float64), 3)[0] is X
    Y = np.zeros((5, 2), dtype=np.float32)
    assert as_targets(Y, "Y", 5, 2, np.dtype(np.float32)) is Y


def test_input_conversion_copies_non_contiguous_or_other_dtype_inputs():
    X = np.ones((5, 6))[:, ::2]
    converted, _ = as_inputs(X, "X", np.dtype(np.float64), 3)
    assert converted.flags.c_contiguous and not np.shares_memory(converted, X)
    assert as_inputs(np.ones((5, 3)), "X", np.dtype(np.float32), 3)[0].dtype == np.float32


def test_fit_passes_a_ready_array_to_the_engine_without_copying():
    net = Network([4, 5, 3], seed=0)
    X, _, one_hot = make_data(n=10)
    spy = net._engine = SpyEngine(net._engine)
    net.fit(X, one_hot, epochs=3, batch_size=4, lr=0.5, tol=1e-300)
    epochs = [args for name, args in spy.calls if name == "train_epoch"]
    assert len(epochs) == 3
    assert all(args[0] is X and args[1] is one_hot for args in epochs)
    assert all(args[0] is X for name, args in spy.calls if name == "backprop")


def test_fit_converts_other_inputs_once_for_all_epochs():
    net = Network([4, 5, 3], dtype=np.float32, seed=0)
    X, labels, _ = make_data(n=10)
    spy = net._engine = SpyEngine(net._engine)
    net.fit(X, labels, epochs=3, batch_size=4, lr=0.5, validation_data=(X, labels))
    epochs = [args for name, args in spy.calls if name == "train_epoch"]
    assert len({id(args[0]) for args in epochs}) == 1 and len({id(args[1]) for args in epochs}) == 1
    assert epochs[0][0].dtype == np.float32 and epochs[0][1].dtype == np.float32
    validation = [args[0] for name, args in spy.calls if name in ("cost", "feedforward")]
    assert len({id(x) for x in validation}) == 1


# --- copying -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clone", [copy.deepcopy, lambda net: pickle.loads(pickle.dumps(net))], ids=["deepcopy", "pickle"]
)
def test_copies_are_independent_and_continue_training_identically(clone):
    X, labels, _ = make_data(n=20)
    net = Network([4, 5, 3], activation="leaky_relu", output_activation="softmax", loss="log_likelihood", seed=0)
    net.fit(X, labels, epochs=1, batch_size=4, lr=0.1)
    twin = clone(net)
    assert repr(twin) == repr(net)
    assert_same_parameters(twin, net)
    net.fit(X, labels, epochs=2, batch_size=4, lr=0.1)
    assert not np.array_equal(twin.weights[0], net.weights[0])
    twin.fit(X, labels, epochs=2, batch_size=4, lr=0.1)
    assert_same_parameters(twin, net)


def test_concurrent_calls_from_threads_are_serialised_and_give_the_sequential_result():
    import threading

    X, labels, _ = make_data(n=300)
    nets = [Network([4, 5, 3], seed=3) for _ in range(2)]
    # Reference: two fits one after the other on one network; then the same from two threads.
    nets[0].fit(X, labels, epochs=3, batch_size=7, lr=0.5, shuffle=False)
    nets[0].fit(X, labels, epochs=3, batch_size=7, lr=0.5, shuffle=False)
    errors = []

    def train():
        try:
            nets[1].fit(X, labels, epochs=3, batch_size=7, lr=0.5, shuffle=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for w_seq, w_thr in zip(nets[0].weights, nets[1].weights):
        np.testing.assert_array_equal(w_seq, w_thr)


def test_the_engine_itself_refuses_an_order_outside_the_data():
    # The check in fit() is the friendly one; the engine's own guards against reading past X.
    net = Network([4, 3, 2], seed=0)
    X, _, one_hot = make_data(n=7, n_out=2)
    with pytest.raises(ValueError, match="the order names row 99 of X, which has 7 rows"):
        net._engine.train_epoch(X, one_hot, 3, 0.1, order=[0, 99])
    with pytest.raises(ValueError, match="must name at least one row"):
        net._engine.train_epoch(X, one_hot, 3, 0.1, order=[])
