# The textbook's code draws from NumPy's global generator; the tests seed it as its readers do.
# ruff: noqa: NPY002
"""deltaprop.compat.network2 against a NumPy transcription of the textbook's chapter-3 algorithms.

Training with either cost class, with and without L2 regularisation, ends one epoch on 1,500 real digits
at the same weights as the transcription to within a few float64 roundings; the monitored costs and
accuracies, the printed lines and the JSON model files are the book's.
"""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest
import textbook_reference as ref
from textbook_data import copies, digits, max_relative_difference

from deltaprop.compat import network2

SIZES = [784, 30, 10]
EQUIVALENCE = 1e-10  # max|Δ| / max|W| per array after one epoch; measured about 1e-14
CLOSE = 1e-12
COSTS = [(network2.QuadraticCost, "quadratic"), (network2.CrossEntropyCost, "cross_entropy")]


@pytest.fixture(scope="module")
def training_data():
    return digits(0, 1500)


@pytest.fixture(scope="module")
def evaluation_data():
    return digits(9700, 10000, labelled=True)


def new_network(cost=network2.CrossEntropyCost, seed: int = 1) -> network2.Network:
    np.random.seed(seed)
    return network2.Network(SIZES, cost=cost)


def test_default_and_large_initialisers_draw_from_numpy_global_generator():
    net = new_network(seed=4)
    np.random.seed(4)
    biases = [np.random.randn(30, 1), np.random.randn(10, 1)]
    weights = [np.random.randn(30, 784) / np.sqrt(784), np.random.randn(10, 30) / np.sqrt(30)]
    assert net.num_layers == 3 and net.sizes == SIZES and net.cost is network2.CrossEntropyCost
    for ours, theirs in zip(net.biases + net.weights, biases + weights):
        np.testing.assert_array_equal(ours, theirs)
    np.random.seed(4)
    net.large_weight_initializer()
    np.random.seed(4)
    expected = [np.random.randn(30, 1), np.random.randn(10, 1), np.random.randn(30, 784), np.random.randn(10, 30)]
    for ours, theirs in zip(net.biases + net.weights, expected):
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("lmbda", [0.0, 5.0])
@pytest.mark.parametrize(("cost", "loss"), COSTS)
def test_one_epoch_matches_the_textbook(training_data, cost, loss, lmbda):
    net = new_network(cost)
    weights, biases = copies(net.weights), copies(net.biases)
    random.seed(21)
    net.SGD(training_data, 1, 10, 0.5, lmbda=lmbda)
    random.seed(21)
    ref_weights, ref_biases = ref.sgd(weights, biases, training_data, 1, 10, 0.5, loss, lmbda)
    dw = max_relative_difference(net.weights, ref_weights)
    db = max_relative_difference(net.biases, ref_biases)
    print(f"\nnetwork2.py {cost.__name__}, lmbda {lmbda}: max relative difference W {dw:.1e}, b {db:.1e}")
    assert dw <= EQUIVALENCE and db <= EQUIVALENCE
    assert max_relative_difference(weights, ref_weights) > 1e-3


def test_lmbda_decays_the_weights(training_data):
    # Same mini-batches with and without λ: the weights must differ by the decay the book applies.
    results = []
    for lmbda in (0.0, 50.0):
        net = new_network(network2.QuadraticCost)
        random.seed(2)
        net.SGD(training_data[:200], 1, 10, 0.5, lmbda=lmbda)
        results.append(net.weights[0])
    assert max_relative_difference([results[1]], [results[0]]) > 1e-3


def test_sgd_prints_and_returns_what_it_monitors(training_data, evaluation_data, capsys):
    net = new_network()
    random.seed(5)
    data = training_data[:400]
    result = net.SGD(
        data,
        2,
        10,
        0.5,
        lmbda=2.0,
        evaluation_data=evaluation_data,
        monitor_evaluation_cost=True,
        monitor_evaluation_accuracy=True,
        monitor_training_cost=True,
        monitor_training_accuracy=True,
    )
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = result
    assert all(len(values) == 2 for values in result)
    w, b = net.weights, net.biases
    # The last epoch's figures, recomputed from the final parameters by the transcription.
    assert training_cost[-1] == pytest.approx(ref.total_cost(w, b, data, 2.0, "cross_entropy"), rel=CLOSE)
    assert evaluation_cost[-1] == pytest.approx(
        ref.total_cost(w, b, evaluation_data, 2.0, "cross_entropy", labels=True), rel=CLOSE
    )
    assert training_accuracy[-1] == ref.evaluate(w, b, [(x, int(np.argmax(y))) for x, y in data])
    assert evaluation_accuracy[-1] == ref.evaluate(w, b, evaluation_data)
    assert all(isinstance(a, int) for a in training_accuracy + evaluation_accuracy)

    lines = capsys.readouterr().out.split("\n")
    assert len(lines) == 13 and lines[0] == "Epoch 0 training complete" and lines[5] == "" and lines[12] == ""
    assert lines[6:12] == [
        "Epoch 1 training complete",
        f"Cost on training data: {training_cost[1]}",
        f"Accuracy on training data: {training_accuracy[1]} / 400",
        f"Cost on evaluation data: {evaluation_cost[1]}",
        f"Accuracy on evaluation data: {evaluation_accuracy[1]} / {len(evaluation_data)}",
        "",
    ]


def test_sgd_without_monitors_prints_only_the_epochs(training_data, capsys):
    net = new_network()
    result = net.SGD(iter(training_data[:100]), 2, 10, 0.5)
    assert result == ([], [], [], [])
    assert capsys.readouterr().out == "Epoch 0 training complete\n\nEpoch 1 training complete\n\n"


def test_early_stopping_when_the_evaluation_accuracy_stops_improving(training_data, evaluation_data, capsys):
    net = new_network()
    # Steps too small to change a prediction: the accuracy improves on epoch 0 only.
    result = net.SGD(
        training_data[:50],
        20,
        10,
        1e-9,
        evaluation_data=evaluation_data,
        early_stopping_n=3,
        monitor_evaluation_accuracy=True,
    )
    evaluation_accuracy = result[1]
    assert len(evaluation_accuracy) == 4 and len(set(evaluation_accuracy)) == 1
    out = capsys.readouterr().out
    assert out.count("training complete") == 4
    assert out.endswith("Early-stopping: No accuracy change in last epochs: 3\n")
    with pytest.raises(ValueError, match="evaluation_data"):
        net.SGD(training_data[:50], 2, 10, 0.5, early_stopping_n=1)


@pytest.mark.parametrize(("cost", "loss"), COSTS)
def test_accuracy_and_total_cost_agree_with_the_textbook(training_data, evaluation_data, cost, loss):
    net = new_network(cost)
    random.seed(1)
    net.SGD(training_data, 1, 10, 0.5)
    w, b = net.weights, net.biases
    data = training_data[:300]
    assert net.accuracy(evaluation_data) == ref.evaluate(w, b, evaluation_data)
    assert net.accuracy(data, convert=True) == ref.evaluate(w, b, [(x, int(np.argmax(y))) for x, y in data])
    assert net.total_cost(data, 3.0) == pytest.approx(ref.total_cost(w, b, data, 3.0, loss), rel=CLOSE)
    assert net.total_cost(evaluation_data, 0.0, convert=True) == pytest.approx(
        ref.total_cost(w, b, evaluation_data, 0.0, loss, labels=True), rel=CLOSE
    )


def test_total_cost_applies_a_cost_class_of_ones_own(training_data):
    class DoubledQuadraticCost(network2.QuadraticCost):
        @staticmethod
        def fn(a, y):
            return 2 * network2.QuadraticCost.fn(a, y)

    net = new_network(network2.QuadraticCost)
    plain = net.total_cost(training_data[:50], 0.0)
    net.cost = DoubledQuadraticCost
    assert net.total_cost(training_data[:50], 0.0) == pytest.approx(2 * plain, rel=CLOSE)
    with pytest.raises(TypeError, match="QuadraticCost or CrossEntropyCost"):
        net.SGD(training_data[:50], 1, 10, 0.5)


def test_a_cost_of_ones_own_trains_through_a_subclass_backprop(training_data):
    class MyQuadraticCost:
        fn = staticmethod(network2.QuadraticCost.fn)
        delta = staticmethod(network2.QuadraticCost.delta)

    class OwnBackprop(network2.Network):
        def backprop(self, x, y):
            return ref.backprop(self.weights, self.biases, x, y, "quadratic")

    np.random.seed(1)
    net = OwnBackprop(SIZES, cost=MyQuadraticCost)
    weights, biases = copies(net.weights), copies(net.biases)
    data = training_data[:200]
    random.seed(9)
    net.SGD(data, 1, 10, 0.5, lmbda=5.0)
    random.seed(9)
    ref_weights, ref_biases = ref.sgd(weights, biases, data, 1, 10, 0.5, "quadratic", 5.0)
    assert max_relative_difference(net.weights, ref_weights) <= EQUIVALENCE
    assert max_relative_difference(net.biases, ref_biases) <= EQUIVALENCE


def test_sgd_monitors_through_a_subclass_accuracy_and_total_cost(training_data, evaluation_data):
    class Constant(network2.Network):
        def accuracy(self, data, convert=False):
            return 7 if convert else 8

        def total_cost(self, data, lmbda, convert=False):
            return 1.5 if convert else 2.5

    np.random.seed(1)
    net = Constant(SIZES)
    monitors = ("evaluation_cost", "evaluation_accuracy", "training_cost", "training_accuracy")
    flags = {f"monitor_{name}": True for name in monitors}
    result = net.SGD(training_data[:50], 1, 10, 0.5, evaluation_data=evaluation_data, **flags)
    assert result == ([1.5], [8], [2.5], [7])


@pytest.mark.parametrize(("cost", "loss"), COSTS)
def test_backprop_and_update_mini_batch(training_data, cost, loss):
    net = new_network(cost)
    x, y = training_data[3]
    nabla_b, nabla_w = net.backprop(x, y)
    ref_b, ref_w = ref.backprop(net.weights, net.biases, x, y, loss)
    assert [g.shape for g in nabla_b] == [(30, 1), (10, 1)]
    assert max_relative_difference(nabla_b, ref_b) <= CLOSE
    assert max_relative_difference(nabla_w, ref_w) <= CLOSE

    weights, biases = copies(net.weights), copies(net.biases)
    batch = training_data[10:20]
    net.update_mini_batch(batch, 0.5, 5.0, 1000)
    ref_weights, ref_biases = ref.update_mini_batch(weights, biases, batch, 0.5, loss, 5.0, 1000)
    assert max_relative_difference(net.weights, ref_weights) <= CLOSE
    assert max_relative_difference(net.biases, ref_biases) <= CLOSE


def test_cost_classes():
    a, y = np.array([[0.8], [0.4]]), np.array([[1.0], [0.0]])
    z = np.log(a / (1 - a))
    assert network2.QuadraticCost.fn(a, y) == pytest.approx(0.5 * (0.2**2 + 0.4**2))
    np.testing.assert_allclose(network2.QuadraticCost.delta(z, a, y), (a - y) * a * (1 - a))
    assert network2.CrossEntropyCost.fn(a, y) == pytest.approx(-np.log(0.8) - np.log(0.6))
    with pytest.warns(RuntimeWarning):  # NumPy warns of ln 0, as it does for the book's code
        assert network2.CrossEntropyCost.fn(np.array([[1.0]]), np.array([[1.0]])) == 0.0  # 0 · ln 0 counts as 0
    np.testing.assert_array_equal(network2.CrossEntropyCost.delta(z, a, y), a - y)
    np.testing.assert_array_equal(network2.vectorized_result(3), np.eye(10)[:, [3]])


# --- model files ---------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path, training_data):
    net = new_network(network2.QuadraticCost)
    net.SGD(training_data[:100], 1, 10, 0.5)
    path = tmp_path / "net.json"
    net.save(str(path))
    data = json.loads(path.read_text())
    assert sorted(data) == ["biases", "cost", "sizes", "weights"]
    assert data["sizes"] == SIZES and data["cost"] == "QuadraticCost"
    assert np.shape(data["weights"][0]) == (30, 784) and np.shape(data["biases"][1]) == (10, 1)

    loaded = network2.load(str(path))
    assert loaded.sizes == SIZES and loaded.cost is network2.QuadraticCost
    for ours, theirs in zip(loaded.weights + loaded.biases, net.weights + net.biases):
        np.testing.assert_array_equal(ours, theirs)  # JSON keeps every bit of a float64
    x = training_data[0][0]
    np.testing.assert_array_equal(loaded.feedforward(x), net.feedforward(x))


def test_a_file_written_by_the_textbook_loads(tmp_path):
    # What the book's save() writes for a [2, 3, 1] network: json.dump of nested lists.
    weights = [[[0.5, -1.0], [0.25, 2.0], [-0.75, 0.0]], [[1.0, -2.0, 0.5]]]
    biases = [[[0.1], [-0.2], [0.3]], [[-0.4]]]
    text = json.dumps({"sizes": [2, 3, 1], "weights": weights, "biases": biases, "cost": "CrossEntropyCost"})
    path = tmp_path / "book.json"
    path.write_text(text)
    net = network2.load(path)
    assert net.sizes == [2, 3, 1] and net.cost is network2.CrossEntropyCost
    assert [w.shape for w in net.weights] == [(3, 2), (1, 3)] and [b.shape for b in net.biases] == [(3, 1), (1, 1)]
    x = np.array([[0.3], [0.9]])
    w, b = [np.array(a) for a in weights], [np.array(a) for a in biases]
    np.testing.assert_allclose(net.feedforward(x), ref.feedforward(w, b, x), rtol=CLOSE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"sizes": [2, 1], "weights": [[[1.0, 2.0]]], "biases": [[[0.0]]], "cost": "os.system"}', "unknown cost"),
        ('{"sizes": [2, 1], "weights": [[[1.0, 2.0]]], "biases": [[[0.0]]], "cost": "Network"}', "unknown cost"),
        ('{"sizes": [2, 1], "weights": [[[1.0, 2.0]]], "biases": [[[0.0]]]', "invalid JSON"),
        ('{"sizes": [2, 1], "weights": [[[1.0, 2.0]]], "cost": "QuadraticCost"}', "sizes, weights, biases, cost"),
        ('{"sizes": [2, 1], "weights": [[[1.0]]], "biases": [[[0.0]]], "cost": "QuadraticCost"}', "shape"),
        ('{"sizes": [2, 0], "weights": [], "biases": [], "cost": "QuadraticCost"}', "positive integers"),
        ("[1, 2, 3]", "not a network2 file"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        network2.load(str(path))
    assert str(path) in str(info.value)


def test_saving_is_atomic(tmp_path, monkeypatch):
    net = new_network()
    path = tmp_path / "net.json"
    path.write_text("the previous model")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dumps", fail)
    with pytest.raises(OSError, match="disk full"):
        net.save(str(path))
    with pytest.raises(OSError, match="disk full"):
        net.save(str(tmp_path / "new.json"))
    assert os.listdir(tmp_path) == ["net.json"]  # no temporary file left, no partial new file
    assert path.read_text() == "the previous model"
