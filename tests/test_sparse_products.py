"""The products over a mostly-zero operand's non-zeros alone, against the NumPy reference.

A ReLU layer's output and the δ its derivative gates go through these products when at most half of
their entries are not zero (batches of more than 32 rows, layers of more than 12 outputs). Their
results equal the dense products' up to the order of the sums; operands with more non-zeros take
the dense products themselves, bit for bit.
"""

import numpy as np
import pytest
import reference as ref
from kernel_cases import rng_for
from test_kernels import SGD_MODES, SLOPE, assert_sgd_update_matches_reference, derivative_from_output
from tolerances import assert_matches_reference

import deltaprop
import deltaprop.kernels as kernels

DTYPES = [np.float32, np.float64]
# (batch, n_in, n_out): widths that leave remainders after every packet and chunk, depths of one and
# of several blocks, batches up to the weight gradient's whole-depth limit (256) and one past it.
SPARSE_SHAPES = [
    (33, 1, 13),
    (33, 7, 14),
    (40, 17, 29),
    (64, 64, 64),
    (65, 130, 100),
    (100, 300, 257),
    (128, 784, 100),
    (256, 65, 129),
    (257, 33, 20),
]
# Shares of non-zero entries: none, a few, a ReLU layer's usual, the limit, and more (dense route).
DENSITIES = [0.0, 0.05, 0.3, 0.5, 0.8]


def mostly_zeros(rng, shape, density, dtype):
    """Entries that are exactly zero except a `density` share of them, with whole rows and columns of zeros."""
    x = rng.normal(size=shape) * (rng.uniform(size=shape) < density)
    if shape[0] > 2 and shape[1] > 2:
        x[1, :] = 0.0
        x[:, 2] = 0.0
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("density", DENSITIES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), SPARSE_SHAPES)
@pytest.mark.parametrize("activation", ["identity", "relu", "leaky_relu", "sigmoid"])
def test_forward_over_a_sparse_input_is_a_prev_times_w_transposed_plus_b(activation, m, n_in, n_out, density, dtype):
    rng = rng_for("sparse-fwd", activation, m, n_in, n_out, density, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype)
    a_prev = mostly_zeros(rng, (m, n_in), density, dtype)
    got = kernels.dense_forward(w, b, a_prev, activation=activation, slope=SLOPE, sparse_input=True)
    z = ref.dense_forward(w.astype(np.float64), b.astype(np.float64), a_prev.astype(np.float64))
    scale = float(np.abs(z).max())
    assert_matches_reference(got, ref.activation(activation, z, SLOPE), dtype, reduction=n_in + 1, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("density", DENSITIES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), SPARSE_SHAPES)
@pytest.mark.parametrize("activation", ["identity", "relu", "leaky_relu", "sigmoid"])
def test_backpropagate_over_a_sparse_delta_is_delta_times_w_times_the_derivative_below(
    activation, m, n_in, n_out, density, dtype
):
    rng = rng_for("sparse-backprop", activation, m, n_in, n_out, density, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    delta = mostly_zeros(rng, (m, n_out), density, dtype)
    a_prev = ref.activation(activation, rng.normal(size=(m, n_in)), SLOPE).astype(dtype)
    got = kernels.dense_backpropagate(w, delta, activation, a_prev, slope=SLOPE, sparse_delta=True)
    product = delta.astype(np.float64) @ w.astype(np.float64)
    expected = product * derivative_from_output(activation, a_prev.astype(np.float64))
    scale = float(np.abs(product).max())
    assert_matches_reference(got, expected, dtype, reduction=n_out, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("density", DENSITIES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), SPARSE_SHAPES)
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("mode", SGD_MODES)
def test_sgd_update_over_a_sparse_delta_is_sgd_step_on_the_gradients(
    mode, weight_decay, m, n_in, n_out, density, dtype
):
    rng = rng_for("sparse-fused", mode, weight_decay, m, n_in, n_out, density, dtype)
    delta = mostly_zeros(rng, (m, n_out), density, dtype)
    assert_sgd_update_matches_reference(rng, mode, weight_decay, delta, n_in, sparse_delta=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_operands_with_more_than_half_non_zeros_take_the_dense_products_bit_for_bit(dtype):
    rng = rng_for("sparse-dense-route", dtype)
    w = rng.normal(size=(100, 300)).astype(dtype)
    b = rng.normal(size=100).astype(dtype)
    a_prev = mostly_zeros(rng, (128, 300), 0.8, dtype)
    delta = mostly_zeros(rng, (128, 100), 0.8, dtype)
    np.testing.assert_array_equal(
        kernels.dense_forward(w, b, a_prev, activation="relu", sparse_input=True),
        kernels.dense_forward(w, b, a_prev, activation="relu"),
    )
    np.testing.assert_array_equal(
        kernels.dense_backpropagate(w, delta, "relu", a_prev, sparse_delta=True),
        kernels.dense_backpropagate(w, delta, "relu", a_prev),
    )
    steps = []
    for sparse in (True, False):
        wc, bc, vw, vb = w.copy(), b.copy(), np.ones_like(w), np.ones_like(b)
        kernels.dense_sgd_update(wc, bc, a_prev, delta, 0.1, vw, vb, 0.9, sparse_delta=sparse)
        steps.append((wc, bc, vw, vb))
    for got, expected in zip(*steps):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_finite_entries_of_a_sparse_operand_reach_the_result(dtype):
    rng = rng_for("sparse-nan", dtype)
    w = rng.normal(size=(20, 64)).astype(dtype)
    b = np.zeros(20, dtype=dtype)
    a_prev = mostly_zeros(rng, (40, 64), 0.1, dtype)
    a_prev[3, 5] = np.nan
    a_prev[7, 9] = np.inf
    got = kernels.dense_forward(w, b, a_prev, sparse_input=True)
    assert np.isnan(got[3]).all()
    assert not np.isfinite(got[7]).any()
    assert np.isfinite(np.delete(got, [3, 7], axis=0)).all()


def assert_epoch_matches_reference(x, labels, sizes, batch_size, lr, momentum, threads, dtype):
    """One in-order epoch of a ReLU/softmax network's fit against the reference epoch from the same start."""
    y = np.eye(sizes[-1])[labels].astype(dtype)
    net = deltaprop.Network(
        sizes, activation="relu", output_activation="softmax", loss="log_likelihood", dtype=dtype, seed=3
    )
    weights = [w.astype(np.float64) for w in net.weights]
    biases = [b.astype(np.float64) for b in net.biases]
    net.fit(x, y, epochs=1, batch_size=batch_size, lr=lr, momentum=momentum, shuffle=False, threads=threads)
    _, expected_w, expected_b, _ = ref.train_epoch(
        weights,
        biases,
        x.astype(np.float64),
        y.astype(np.float64),
        np.arange(len(x)),
        batch_size,
        lr,
        activation_name="relu",
        output_activation="softmax",
        loss_name="log_likelihood",
        momentum=momentum,
    )
    reduction = batch_size * len(sizes)
    for got, expected in zip(net.weights + net.biases, expected_w + expected_b):
        assert_matches_reference(got, expected, dtype, reduction=reduction, scale=float(np.abs(expected).max()), k=64)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_network_training_over_sparse_products_matches_the_reference_epoch(dtype, threads):
    """A whole epoch of momentum SGD in batches of 64, each ReLU layer's products over its non-zeros."""
    rng = rng_for("sparse-epoch", dtype, threads)
    x = np.maximum(rng.normal(size=(256, 40)), 0).astype(dtype)
    assert_epoch_matches_reference(x, rng.integers(0, 15, size=256), [40, 70, 50, 15], 64, 0.1, 0.9, threads, dtype)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
def test_training_on_mostly_zero_inputs_lists_them_and_matches_the_reference_epoch(dtype, threads):
    """Inputs of which a fifth is not zero (as MNIST's pixels) also go through the first layer's sparse product."""
    rng = rng_for("sparse-inputs", dtype, threads)
    x = mostly_zeros(rng, (300, 90), 0.2, dtype)
    assert_epoch_matches_reference(x, rng.integers(0, 12, size=300), [90, 60, 12], 100, 0.2, 0.0, threads, dtype)
