"""Inputs of the other floating-point type: the engine converts each row as it reads it.

A float64 network trained on float32 X must give exactly what it gives on X.astype(float64) (widening
is exact), and a float32 engine fed float64 rows exactly what it gives on X.astype(float32) (each row
rounded once, as the copy would be). Network keeps float32 X as it is for a float64 network.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from deltaprop import Network
from deltaprop import _core as core

SIZES = [24, 16, 3]
N = 203  # not a multiple of any batch size below: the shorter last batch is covered

THREADS = [1, 2] if core.openmp else [1]


def data(dtype, n=N, width=SIZES[0], seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, width)).astype(dtype)
    Y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], n)]
    return X, Y


def engine(dtype, seed=5):
    net = Network(SIZES, activation="tanh", output_activation="softmax", loss="log_likelihood", dtype=dtype, seed=seed)
    return net._engine


def train(eng, X, Y, **kwargs):
    Y = Y.astype(eng.dtype)
    args = dict(batch_size=10, lr=0.3, momentum=0.9, shuffle=True, seed=11, threads=1)
    args.update(kwargs)
    result = eng.train_epoch(
        X,
        Y,
        args.pop("batch_size"),
        args.pop("lr"),
        args.pop("momentum"),
        False,
        0.0,
        args.pop("shuffle"),
        args.pop("seed"),
        args.pop("threads"),
        **args,
    )
    return result, np.array(eng.params)


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("batch_size", [1, 10, 32, 64])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize(("net_dtype", "data_dtype"), [(np.float64, np.float32), (np.float32, np.float64)])
def test_an_epoch_on_the_other_type_equals_one_on_converted_data(net_dtype, data_dtype, shuffle, batch_size, threads):
    X, Y = data(data_dtype)
    converted = X.astype(net_dtype)
    got, got_params = train(engine(net_dtype), X, Y, batch_size=batch_size, shuffle=shuffle, threads=threads)
    want, want_params = train(engine(net_dtype), converted, Y, batch_size=batch_size, shuffle=shuffle, threads=threads)
    assert got == want
    np.testing.assert_array_equal(got_params, want_params)


@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_order_and_sample_weights_work_on_the_other_type(method):
    X, Y = data(np.float32)
    rng = np.random.default_rng(1)
    order = rng.integers(0, N, 150)
    weights = rng.random(N)
    kwargs = dict(batch_size=7, order=order, method=method, sample_weight=weights)
    got = train(engine(np.float64), X, Y, **kwargs)
    want = train(engine(np.float64), X.astype(np.float64), Y, **kwargs)
    assert got[0] == want[0]
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("n", [1, 255, 256, 257, 700])  # the engine evaluates in chunks of 256 rows
def test_cost_gradient_and_outputs_read_the_other_type(n):
    X, Y = data(np.float32, n=n)
    eng = engine(np.float64)
    X64 = X.astype(np.float64)
    assert eng.cost(X, Y) == eng.cost(X64, Y)
    grad, grad64 = np.empty(eng.n_params), np.empty(eng.n_params)
    dx, dx64 = np.empty(X.shape), np.empty(X.shape)
    assert eng.backprop(X, Y, grad, dx) == eng.backprop(X64, Y, grad64, dx64)
    np.testing.assert_array_equal(grad, grad64)
    np.testing.assert_array_equal(dx, dx64)
    out, out64 = np.empty((n, SIZES[-1])), np.empty((n, SIZES[-1]))
    eng.feedforward(X, out)
    eng.feedforward(X64, out64)
    np.testing.assert_array_equal(out, out64)


def test_a_float64_network_fits_float32_inputs_without_copying_them():
    X, Y = data(np.float32, n=20_000)
    nets = [Network(SIZES, dtype=np.float64, seed=3) for _ in range(2)]
    tracemalloc.start()
    nets[0].fit(X, Y, epochs=1, batch_size=10, lr=0.5)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes  # a float64 copy of X would take twice X's bytes
    nets[1].fit(X.astype(np.float64), Y, epochs=1, batch_size=10, lr=0.5)
    for a, b in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        np.testing.assert_array_equal(a, b)


def test_network_methods_take_float32_inputs_for_a_float64_network():
    X, Y = data(np.float32)
    labels = np.argmax(Y, axis=1)
    net = Network(SIZES, activation="sigmoid", dtype=np.float64, seed=2)
    X64 = X.astype(np.float64)
    out = net.feedforward(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, net.feedforward(X64))
    np.testing.assert_array_equal(net.predict(X), net.predict(X64))
    assert net.cost(X, Y) == net.cost(X64, Y)
    assert net.evaluate(X, labels) == net.evaluate(X64, labels)
    nabla_b, nabla_w, nabla_x = net.backprop(X, Y, input_gradient=True)
    ref_b, ref_w, ref_x = net.backprop(X64, Y, input_gradient=True)
    assert nabla_x.dtype == np.float64
    np.testing.assert_array_equal(nabla_x, ref_x)
    for a, b in zip(nabla_b + nabla_w, ref_b + ref_w):
        np.testing.assert_array_equal(a, b)


def test_float32_inputs_still_need_to_be_finite():
    X, Y = data(np.float32)
    X[5, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        Network(SIZES, dtype=np.float64, seed=0).fit(X, Y, epochs=1, batch_size=10, lr=0.1)


def test_a_float32_view_that_is_not_contiguous_is_copied_as_float32():
    X, Y = data(np.float32, width=2 * SIZES[0])
    strided = X[:, ::2]
    net, ref = (Network(SIZES, dtype=np.float64, seed=4) for _ in range(2))
    net.fit(strided, Y, epochs=1, batch_size=16, lr=0.2)
    ref.fit(np.ascontiguousarray(strided, dtype=np.float64), Y, epochs=1, batch_size=16, lr=0.2)
    for a, b in zip(net.weights, ref.weights):
        np.testing.assert_array_equal(a, b)
