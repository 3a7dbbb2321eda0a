# The textbook's code draws from NumPy's global generator; the tests seed it as its readers do.
# ruff: noqa: NPY002
"""deltaprop.compat.network against a NumPy transcription of the textbook's chapter-1 algorithms.

From the same starting parameters and the same mini-batch sequence (Python's ``random`` seeded alike), one
epoch on 1,500 real digits ends at the same weights to within a few float64 roundings.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import textbook_reference as ref
from textbook_data import copies, digits, max_relative_difference

import deltaprop
from deltaprop._engine import core
from deltaprop.compat import _bridge, network

SIZES = [784, 30, 10]
EQUIVALENCE = 1e-10  # max|Δ| / max|W| per array after one epoch; measured about 1e-15
GRADIENT = 1e-12


@pytest.fixture(scope="module")
def training_data():
    return digits(0, 1500)


@pytest.fixture(scope="module")
def test_data():
    return digits(9700, 10000, labelled=True)


def new_network(seed: int = 1) -> network.Network:
    np.random.seed(seed)
    return network.Network(SIZES)


def test_parameters_are_drawn_from_numpy_global_generator_biases_first():
    net = new_network(3)
    np.random.seed(3)
    biases = [np.random.randn(30, 1), np.random.randn(10, 1)]
    weights = [np.random.randn(30, 784), np.random.randn(10, 30)]
    assert net.num_layers == 3 and net.sizes == SIZES
    assert isinstance(net.weights, list) and isinstance(net.biases, list)
    for ours, theirs in zip(net.biases + net.weights, biases + weights):
        assert ours.dtype == np.float64
        np.testing.assert_array_equal(ours, theirs)


# float32: the pixels as the book's mnist.pkl.gz holds them, which stay float32 on the way into the engine.
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_epoch_matches_the_textbook(training_data, dtype):
    data = [(x.astype(dtype), y) for x, y in training_data]
    net = new_network()
    weights, biases = copies(net.weights), copies(net.biases)
    random.seed(12)
    net.SGD(data, 1, 10, 3.0)
    random.seed(12)
    ref_weights, ref_biases = ref.sgd(weights, biases, data, 1, 10, 3.0)
    dw = max_relative_difference(net.weights, ref_weights)
    db = max_relative_difference(net.biases, ref_biases)
    print(
        f"\nnetwork.py, 1 epoch of {len(data)} {np.dtype(dtype)} digits: max relative difference W {dw:.1e}, b {db:.1e}"
    )
    assert dw <= EQUIVALENCE and db <= EQUIVALENCE
    # Training moved the weights far more than the tolerance, so the comparison can tell a wrong step.
    assert max_relative_difference(weights, ref_weights) > 1e-3


def test_epochs_continue_the_shuffle_of_the_previous_epoch(training_data):
    data = training_data[:500]
    net = new_network(2)
    weights, biases = copies(net.weights), copies(net.biases)
    random.seed(7)
    net.SGD(data, 2, 10, 3.0)
    random.seed(7)
    ref_weights, _ = ref.sgd(weights, biases, data, 2, 10, 3.0)
    assert max_relative_difference(net.weights, ref_weights) <= EQUIVALENCE
    # Another seed gives other mini-batches and other weights: the shuffle matters.
    random.seed(8)
    other_weights, _ = ref.sgd(weights, biases, data, 2, 10, 3.0)
    assert max_relative_difference(net.weights, other_weights) > 1e-3


def test_sgd_prints_the_epochs_and_the_test_score(training_data, test_data, capsys):
    net = new_network()
    random.seed(3)
    net.SGD(iter(training_data[:300]), 2, 10, 3.0, test_data=iter(test_data))
    correct = ref.evaluate(net.weights, net.biases, test_data)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Epoch 0: ") and lines[0].endswith(f" / {len(test_data)}")
    assert lines[1] == f"Epoch 1: {correct} / {len(test_data)}"

    net.SGD(training_data[:100], 1, 10, 3.0)
    assert capsys.readouterr().out == "Epoch 0 complete\n"


def test_sgd_converts_the_data_once_and_trains_each_epoch_in_one_engine_call(training_data, test_data, monkeypatch):
    conversions, fits = [], []
    column_matrix, fit = _bridge.column_matrix, deltaprop.Network.fit
    monkeypatch.setattr(_bridge, "column_matrix", lambda *a, **k: conversions.append(a[2]) or column_matrix(*a, **k))
    monkeypatch.setattr(deltaprop.Network, "fit", lambda *a, **k: fits.append(k["order"]) or fit(*a, **k))
    new_network().SGD(training_data[:200], 3, 10, 3.0, test_data=test_data)
    assert conversions == ["training_data: input", "training_data: target", "test_data: input"]
    assert len(fits) == 3 and all(sorted(order) == list(range(200)) for order in fits)


def test_sgd_stores_fresh_arrays_of_the_textbook_shapes(training_data):
    net = new_network()
    before = net.weights[0]
    net.SGD(training_data[:50], 1, 10, 3.0)
    assert net.weights[0] is not before
    for w, b, (n_out, n_in) in zip(net.weights, net.biases, [(30, 784), (10, 30)]):
        assert w.shape == (n_out, n_in) and b.shape == (n_out, 1)
        assert w.dtype == b.dtype == np.float64 and w.flags.owndata and b.flags.owndata


def test_parameters_changed_by_the_user_are_used(training_data):
    net = new_network()
    x = training_data[0][0]
    net.weights[1][:] = 0.0  # in place
    net.biases[1] = np.full((10, 1), 2.0)  # replaced
    np.testing.assert_allclose(net.feedforward(x), np.full((10, 1), ref.sigmoid(2.0)), rtol=1e-15)
    net.weights = [np.zeros((30, 784)), np.ones((10, 30))]
    np.testing.assert_allclose(net.feedforward(x), ref.feedforward(net.weights, net.biases, x), rtol=1e-14)


def test_feedforward_columns_batches_and_one_dimensional_inputs(training_data):
    net = new_network()
    x = training_data[0][0]
    out = net.feedforward(x)
    assert out.shape == (10, 1)
    np.testing.assert_allclose(out, ref.feedforward(net.weights, net.biases, x), rtol=1e-12)
    batch = np.hstack([a for a, _ in training_data[:5]])
    np.testing.assert_allclose(net.feedforward(batch), ref.feedforward(net.weights, net.biases, batch), rtol=1e-12)
    # A 1-D input broadcasts against the (out, 1) biases in the book's arithmetic; it does here too.
    flat = x.ravel()
    assert net.feedforward(flat).shape == ref.feedforward(net.weights, net.biases, flat).shape == (10, 30)


def test_update_mini_batch_is_one_step_of_the_textbook(training_data):
    net = new_network()
    weights, biases = copies(net.weights), copies(net.biases)
    batch = training_data[:10]
    net.update_mini_batch(batch, 3.0)
    ref_weights, ref_biases = ref.update_mini_batch(weights, biases, batch, 3.0)
    assert max_relative_difference(net.weights, ref_weights) <= GRADIENT
    assert max_relative_difference(net.biases, ref_biases) <= GRADIENT


def test_backprop_of_one_sample(training_data):
    net = new_network()
    x, y = training_data[1]
    nabla_b, nabla_w = net.backprop(x, y)
    ref_b, ref_w = ref.backprop(net.weights, net.biases, x, y)
    assert [g.shape for g in nabla_b] == [(30, 1), (10, 1)]
    assert [g.shape for g in nabla_w] == [(30, 784), (10, 30)]
    assert max_relative_difference(nabla_b, ref_b) <= GRADIENT
    assert max_relative_difference(nabla_w, ref_w) <= GRADIENT


def test_evaluate_counts_the_right_answers(training_data, test_data):
    net = new_network()
    random.seed(0)
    net.SGD(training_data, 1, 10, 3.0)
    correct = net.evaluate(test_data)
    assert isinstance(correct, int)
    assert correct == ref.evaluate(net.weights, net.biases, test_data)
    assert 60 < correct < len(test_data)  # twice chance after one epoch, and not trivially all right
    assert net.evaluate(iter(test_data[:10])) == ref.evaluate(net.weights, net.biases, test_data[:10])
    assert net.evaluate([]) == 0


def test_cost_derivative_and_module_functions():
    net = new_network()
    a, y = np.array([[0.25], [0.75]]), np.array([[0.0], [1.0]])
    np.testing.assert_array_equal(net.cost_derivative(a, y), [[0.25], [-0.25]])
    np.testing.assert_allclose(network.sigmoid(np.array([0.0, 2.0])), [0.5, 1 / (1 + np.exp(-2.0))])
    np.testing.assert_allclose(network.sigmoid_prime(np.array([0.0])), [0.25])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_training_data_of_the_wrong_shape_is_refused(dtype):
    net = new_network()
    inputs = [np.zeros((784, 1), dtype), np.zeros((783, 1), dtype)]
    with pytest.raises(ValueError, match=r"training_data: input 1 has shape \(783, 1\)"):
        net.SGD([(x, np.zeros((10, 1))) for x in inputs], 1, 10, 3.0)


def test_a_subclass_with_its_own_update_mini_batch_gets_the_books_mini_batches(training_data):
    batches = []

    class Recording(network.Network):
        def update_mini_batch(self, mini_batch, eta):
            batches.append(mini_batch)
            super().update_mini_batch(mini_batch, eta)

    np.random.seed(1)
    net = Recording(SIZES)
    weights, biases = copies(net.weights), copies(net.biases)
    data = training_data[:95]
    random.seed(4)
    net.SGD(data, 2, 10, 3.0)
    random.seed(4)
    shuffled, expected = list(data), []
    for _ in range(2):
        random.shuffle(shuffled)
        expected += [shuffled[k : k + 10] for k in range(0, 95, 10)]
    assert len(batches) == len(expected) == 20
    assert all(len(a) == len(b) and all(p is q for p, q in zip(a, b)) for a, b in zip(batches, expected))
    random.seed(4)
    ref_weights, _ = ref.sgd(weights, biases, data, 2, 10, 3.0)
    assert max_relative_difference(net.weights, ref_weights) <= EQUIVALENCE


def test_a_subclass_with_its_own_backprop_trains_through_it(training_data):
    class Doubled(network.Network):
        def backprop(self, x, y):
            nabla_b, nabla_w = super().backprop(x, y)
            return [2 * g for g in nabla_b], [2 * g for g in nabla_w]

    np.random.seed(1)
    net = Doubled(SIZES)
    weights, biases = copies(net.weights), copies(net.biases)
    batch = training_data[:10]
    net.update_mini_batch(batch, 1.5)
    ref_weights, ref_biases = ref.update_mini_batch(weights, biases, batch, 3.0)
    assert max_relative_difference(net.weights, ref_weights) <= GRADIENT
    assert max_relative_difference(net.biases, ref_biases) <= GRADIENT


def test_a_subclass_with_its_own_feedforward_is_evaluated_through_it(training_data, test_data, capsys):
    class Reversed(network.Network):
        def feedforward(self, a):
            return 1.0 - super().feedforward(a)  # the argmax becomes the least likely class

    np.random.seed(1)
    net = Reversed(SIZES)
    reversed_scores = [(1.0 - ref.feedforward(net.weights, net.biases, x), y) for x, y in test_data]
    expected = sum(int(np.argmax(a) == y) for a, y in reversed_scores)
    assert net.evaluate(test_data) == expected != ref.evaluate(net.weights, net.biases, test_data)


def test_a_subclass_with_an_init_of_its_own_trains(training_data):
    class ZeroBiases(network.Network):
        def __init__(self, sizes):  # no call to Network.__init__
            self.num_layers, self.sizes = len(sizes), sizes
            self.biases = [np.zeros((y, 1)) for y in sizes[1:]]
            self.weights = [np.full((y, x), 0.01) for x, y in zip(sizes[:-1], sizes[1:])]

    net = ZeroBiases(SIZES)
    weights, biases = copies(net.weights), copies(net.biases)
    random.seed(0)
    net.SGD(training_data[:100], 1, 10, 3.0)
    random.seed(0)
    ref_weights, ref_biases = ref.sgd(weights, biases, training_data[:100], 1, 10, 3.0)
    assert max_relative_difference(net.weights, ref_weights) <= EQUIVALENCE
    assert max_relative_difference(net.biases, ref_biases) <= EQUIVALENCE


@pytest.mark.parametrize(
    ("vectors", "dtype"),
    [
        ([np.ones((3, 1), np.float32), np.zeros((3, 1), np.float32)], np.float32),  # the book's images
        ([np.ones((3, 1), np.float32), np.zeros((3, 1))], np.float64),  # mixed: float64
        ([np.ones((3, 1), np.int64), np.zeros((3, 1), np.int64)], np.float64),
        ([[1.0, 2.0, 3.0], np.zeros(3, np.float32)], np.float64),  # not the book's layout: row by row
        ([np.ones((1, 3), np.float32), np.zeros(3, np.float32)], np.float32),  # any contiguous shape of 3 entries
        ([np.ones((6, 1), np.float32)[::2], np.zeros((3, 1), np.float32)], np.float64),  # a strided view
        ([np.ones((3, 1), np.float32).astype(">f4"), np.zeros((3, 1), np.float32)], np.float64),  # big-endian
    ],
)
def test_columns_become_a_float32_matrix_only_when_all_are_float32_arrays(vectors, dtype):
    X = _bridge.column_matrix(vectors, 3, "input")
    assert X.dtype == dtype and X.shape == (2, 3)
    np.testing.assert_array_equal(X, [np.ravel(v) for v in vectors])


def test_views_of_consecutive_rows_of_one_array_are_used_where_they_lie(training_data):
    # As the book's loader makes them: each image a (784, 1) view of the next row of one array.
    columns = [x for x, _ in training_data[10:60]]
    X = _bridge.column_matrix(columns, 784, "input")
    assert np.shares_memory(X, columns[0]) and X.shape == (50, 784) and X.flags.c_contiguous
    np.testing.assert_array_equal(X, np.hstack(columns).T)
    for other in (columns[::-1], columns[:20] + columns[21:], [x.copy() for x in columns]):
        Y = _bridge.column_matrix(other, 784, "input")  # not consecutive rows in order: copied
        assert not np.shares_memory(Y, columns[0])
        np.testing.assert_array_equal(Y, np.hstack(other).T)


def test_training_on_views_of_one_array_equals_training_on_copies(training_data):
    nets = []
    for data in (training_data[:300], [(x.copy(), y) for x, y in training_data[:300]]):
        net = new_network()
        random.seed(5)
        net.SGD(data, 2, 10, 3.0)
        nets.append(net)
    for ours, theirs in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_training_inputs_that_are_not_finite_are_refused(training_data, value):
    data = [(x.copy(), y) for x, y in training_data[:30]]
    data[7][0][300, 0] = value
    net = new_network()
    with pytest.raises(ValueError, match="training_data: input contains NaN or infinite values"):
        net.SGD(data, 1, 10, 3.0)


def _views(base, rows, width, shape=None):
    flat = base.reshape(-1)
    return [flat[r * width : (r + 1) * width].reshape(shape or (width, 1)) for r in rows]


BASE = np.arange(60, dtype=np.float64).reshape(5, 12)


@pytest.mark.parametrize(
    ("vectors", "width", "rows"),
    [
        (_views(BASE, [1, 2, 3], 12), 12, BASE[1:4]),  # consecutive rows, in order
        (_views(BASE, [0, 1, 2], 12, (12,)), 12, BASE[:3]),  # 1-D views too
        (_views(BASE, [4, 5, 6], 6), 6, BASE.reshape(-1, 6)[4:7]),  # rows of another width in the same memory
        (_views(BASE, [2, 1], 12), 12, None),  # out of order
        (_views(BASE, [0, 0], 12), 12, None),  # the same row twice
        (_views(BASE, [0, 2], 12), 12, None),  # a row left out
        ([BASE.reshape(-1)[1:13].reshape(12, 1), BASE.reshape(-1)[13:25].reshape(12, 1)], 12, None),  # mid-row
        ([BASE[i, :6].reshape(6, 1) for i in range(3)], 6, None),  # halves of rows: not consecutive
        ([BASE[0].reshape(12, 1), BASE[1].reshape(12, 1).copy()], 12, None),  # one is a copy
        ([BASE[i].astype(np.float32).reshape(12, 1) for i in range(2)], 12, None),  # copies of another dtype
    ],
)
def test_rows_are_used_in_place_only_when_the_vectors_are_consecutive_rows(vectors, width, rows):
    X = _bridge.column_matrix(vectors, width, "input")
    np.testing.assert_array_equal(X, [np.ravel(v) for v in vectors])
    if rows is None:
        assert not any(np.shares_memory(X, v) for v in vectors)
    else:
        assert np.shares_memory(X, BASE) and X.__array_interface__["data"] == rows.__array_interface__["data"]


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's own, on creation
def test_rows_of_an_ndarray_subclass_become_a_plain_matrix():
    # np.matrix's * is a matrix product: the book's element-wise arithmetic must not meet one.
    M = np.matrix(np.arange(12.0).reshape(4, 3))
    vectors = [M[i].reshape(3, 1) for i in range(4)]
    X = _bridge.column_matrix(vectors, 3, "input")
    assert type(X) is np.ndarray and np.shares_memory(X, M)
    np.testing.assert_array_equal(X, np.asarray(M))


def test_a_subclass_with_its_own_backprop_meets_inputs_that_are_not_finite_as_the_book_does(training_data):
    class Cleaning(network.Network):  # its own backprop: the book's per-sample steps, which take NaN in stride
        def backprop(self, x, y):
            return super().backprop(np.nan_to_num(x), y)

    data = [(x.copy(), y) for x, y in training_data[:20]]
    data[3][0][100, 0] = np.nan
    np.random.seed(1)  # noqa: NPY002 - the book's Network draws from NumPy's global generator
    net = Cleaning(SIZES)
    random.seed(0)
    net.SGD(data, 1, 10, 3.0)
    assert all(np.isfinite(w).all() for w in net.weights)


@pytest.mark.parametrize("width", [0, -1, 13, 2**61, 2**62])
def test_row_widths_that_do_not_fit_the_array_find_no_rows(width):
    # 2**61 and 2**62 entries of 8 bytes overflow a byte count: refused before any arithmetic on them.
    assert core.first_of_consecutive_rows(BASE, [BASE[0]], width) == -1
