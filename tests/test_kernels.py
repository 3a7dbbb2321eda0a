"""Every kernel in deltaprop.kernels against the NumPy reference, in float32 and float64."""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from kernel_cases import rng_for, targets_for
from tolerances import assert_matches_reference

import deltaprop.kernels as kernels

DTYPES = [np.float32, np.float64]
# (batch, width): batch 1, width 1, odd sizes and one larger block.
SHAPES = [(1, 1), (1, 9), (6, 1), (3, 4), (17, 33), (64, 10), (257, 129)]
# (batch, n_in, n_out) for dense layers: batches of up to 32 rows and layers of up to 12 outputs take
# the small-batch products, the others the GEMM, with the whole depth (up to 2048 inputs: the bias
# and the activation then go in inside the product) or cut as Eigen cuts it; batches end in every
# kind of row block and widths leave remainders after every SIMD packet and register block.
DENSE_SHAPES = [
    (1, 1, 1),
    (1, 5, 3),
    (7, 1, 4),
    (4, 6, 1),
    (2, 11, 5),
    (5, 9, 6),
    (8, 13, 7),
    (10, 784, 30),
    (32, 100, 10),
    (31, 27, 13),
    (33, 17, 9),
    (64, 784, 30),
    (257, 129, 65),
    (128, 512, 10),
    (130, 61, 12),
    (75, 40, 13),
    (40, 300, 24),
    (97, 784, 100),
    (33, 2100, 14),
]
ELEMENTWISE = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
SLOPE = 0.1  # not the default, so a wrapper that drops the slope is caught


def tiny(dtype):
    return np.finfo(dtype).tiny


def outputs_and_targets(activation, loss, shape, dtype, rng):
    """(z, a, y) with z in float64, a = f(z) rounded to dtype, and targets that suit the loss."""
    z = rng.normal(scale=2.0, size=shape)
    a = ref.activation(activation, z, SLOPE).astype(dtype)
    return z, a, targets_for(loss, shape, dtype, rng)


# --------------------------------------------------------------------------- activations


def derivative_from_output(name, a):
    """f'(z) written from a = f(z), independently of the engine (for inputs given as a)."""
    return {
        "identity": np.ones_like(a),
        "sigmoid": a * (1 - a),
        "tanh": 1 - a**2,
        "relu": (a > 0).astype(float),
        "leaky_relu": np.where(a > 0, 1.0, SLOPE),
    }[name]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ref.ACTIVATIONS)
def test_activation_matches_reference(name, shape, dtype):
    z = rng_for(name, shape, dtype).normal(scale=3.0, size=shape).astype(dtype)
    got = kernels.activation(name, z, slope=SLOPE)
    reduction = shape[1] if name == "softmax" else 1
    assert_matches_reference(got, ref.activation(name, z.astype(np.float64), SLOPE), dtype, reduction)


@pytest.mark.parametrize("dtype", DTYPES)
def test_leaky_relu_uses_default_slope_of_one_hundredth(dtype):
    z = np.array([[-2.0, -0.5, 0.0, 3.0]], dtype=dtype)
    assert_matches_reference(kernels.activation("leaky_relu", z), [[-0.02, -0.005, 0.0, 3.0]], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_derivative_from_output_equals_f_prime_at_z(name, shape, dtype):
    z = rng_for(name, shape, dtype).normal(scale=3.0, size=shape)
    a = ref.activation(name, z, SLOPE).astype(dtype)
    got = kernels.activation_derivative(name, a, slope=SLOPE)
    # Values of f' are O(1): an absolute scale of 1 allows the rounding of a itself.
    assert_matches_reference(got, ref.activation_prime(name, z, SLOPE), dtype, scale=1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_derivative_is_zero_and_leaky_derivative_is_slope_at_zero(dtype):
    a = np.zeros((2, 3), dtype=dtype)
    assert_matches_reference(kernels.activation_derivative("relu", a), np.zeros((2, 3)), dtype)
    assert_matches_reference(kernels.activation_derivative("leaky_relu", a, slope=SLOPE), np.full((2, 3), SLOPE), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ref.ACTIVATIONS)
def test_activation_backward_matches_chain_rule_and_softmax_jacobian(name, shape, dtype):
    rng = rng_for(name, shape, dtype)
    z = rng.normal(scale=3.0, size=shape)
    a = ref.activation(name, z, SLOPE).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    got = kernels.activation_backward(name, a, g, slope=SLOPE)
    expected = ref.activation_backward(name, z, g.astype(np.float64), SLOPE)
    reduction = shape[1] if name == "softmax" else 1
    assert_matches_reference(got, expected, dtype, reduction, scale=float(np.abs(g).max()))


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_backward_of_constant_gradient_is_zero(dtype):
    # Softmax is invariant to adding a constant to z, so J·1 = 0.
    a = ref.softmax(rng_for("const", dtype).normal(size=(5, 7))).astype(dtype)
    got = kernels.activation_backward("softmax", a, np.ones((5, 7), dtype=dtype))
    assert_matches_reference(got, np.zeros((5, 7)), dtype, reduction=7, scale=1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_saturating_activations_are_exact_and_finite_at_plus_minus_1000(name, dtype):
    z = np.array([[-1000.0, 1000.0, 0.0], [1000.0, 1000.0, -1000.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype)
    expected = {
        "sigmoid": [[0, 1, 0.5], [1, 1, 0], [0, 0, 0]],
        "tanh": [[-1, 1, 0], [1, 1, -1], [-1, -1, -1]],
        "softmax": [[0, 1, 0], [0.5, 0.5, 0], [1 / 3, 1 / 3, 1 / 3]],
    }[name]
    assert_matches_reference(kernels.activation(name, z), expected, dtype, reduction=3)


@settings(max_examples=60)
@given(
    name=st.sampled_from(ref.ACTIVATIONS),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_activation_is_finite_and_in_range_for_any_input_up_to_1000(name, dtype, data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=12), label="shape")
    z = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-1000, 1000, width=np.dtype(dtype).itemsize * 8)))
    a = kernels.activation(name, z, slope=SLOPE)
    assert np.all(np.isfinite(a))
    if name in ("sigmoid", "softmax"):
        assert np.all((a >= 0) & (a <= 1))
    if name == "tanh":
        assert np.all((a >= -1) & (a <= 1))
    if name == "softmax":
        np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=16 * np.finfo(dtype).eps * shape[1])
    assert_matches_reference(a, ref.activation(name, z.astype(np.float64), SLOPE), dtype, shape[1], scale=1.0)


@settings(max_examples=60)
@given(
    name=st.sampled_from(ref.ACTIVATIONS),
    dtype=st.sampled_from(DTYPES),
    data=st.data(),
)
def test_activation_backward_is_finite_for_any_input_up_to_1000(name, dtype, data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=12), label="shape")
    width = np.dtype(dtype).itemsize * 8
    z = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1000, 1000, width=width)), label="z")
    g = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-10, 10, width=width)), label="g")
    a = ref.activation(name, z, SLOPE).astype(dtype)
    got = kernels.activation_backward(name, a, g, slope=SLOPE)
    assert np.all(np.isfinite(got))
    # Compare from the rounded a the engine saw, so saturation is judged on equal terms.
    expected = (
        ref.softmax_jvp(a.astype(np.float64), g)
        if name == "softmax"
        else g * derivative_from_output(name, a.astype(np.float64))
    )
    assert_matches_reference(got, expected, dtype, shape[1], scale=10.0)


# --------------------------------------------------------------------------- costs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("activation", "loss"), [("identity", "quadratic"), ("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")]
)
def test_loss_is_mean_of_per_sample_cost(activation, loss, shape, dtype):
    _, a, y = outputs_and_targets(activation, loss, shape, dtype, rng_for(loss, shape, dtype))
    got = kernels.loss(loss, a, y)
    expected = ref.loss(loss, a.astype(np.float64), y.astype(np.float64), tiny(dtype))
    assert_matches_reference(got, expected, dtype, reduction=shape[0] * shape[1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    ("activation", "loss"), [("identity", "quadratic"), ("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")]
)
def test_loss_gradient_matches_reference_per_sample(activation, loss, shape, dtype):
    _, a, y = outputs_and_targets(activation, loss, shape, dtype, rng_for(loss, shape, dtype, "grad"))
    got = kernels.loss_gradient(loss, a, y)
    expected = ref.loss_gradient(loss, a.astype(np.float64), y.astype(np.float64), tiny(dtype))
    # Each element is a few correctly rounded operations: compare element-wise, relatively.
    assert_matches_reference(got, expected, dtype, scale=0.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", ref.LOSSES)
def test_loss_and_gradient_are_finite_when_outputs_are_exactly_zero_or_one(loss, dtype):
    a = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    got = kernels.loss(loss, a, y)
    assert np.isfinite(got)
    assert_matches_reference(got, ref.loss(loss, a, y, tiny(dtype)), dtype, reduction=9)
    grad = kernels.loss_gradient(loss, a, y)
    assert np.all(np.isfinite(grad))
    assert_matches_reference(grad, ref.loss_gradient(loss, a, y, tiny(dtype)), dtype, scale=0.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", ["cross_entropy", "log_likelihood"])
def test_log_terms_with_zero_target_weight_contribute_exactly_zero(loss, dtype):
    # a == y at 0 and 1: every log term either has weight 0 or is ln 1.
    a = np.array([[0.0, 1.0, 0.0, 0.0]], dtype=dtype)
    assert kernels.loss(loss, a, a.copy()) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_of_a_certain_wrong_answer_is_minus_log_of_smallest_normal(dtype):
    got = kernels.loss("cross_entropy", np.array([[0.0]], dtype=dtype), np.array([[1.0]], dtype=dtype))
    assert_matches_reference(got, -np.log(np.float64(tiny(dtype))), dtype)


@settings(max_examples=60)
@given(loss=st.sampled_from(ref.LOSSES), dtype=st.sampled_from(DTYPES), data=st.data())
def test_loss_is_finite_and_non_negative_for_any_probabilities(loss, dtype, data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=10), label="shape")
    width = np.dtype(dtype).itemsize * 8
    unit = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1, width=width))
    a = data.draw(hnp.arrays(dtype, shape, elements=unit), label="a")
    y = data.draw(hnp.arrays(dtype, shape, elements=unit), label="y")
    got = kernels.loss(loss, a, y)
    assert np.isfinite(got) and got >= 0.0
    assert_matches_reference(got, ref.loss(loss, a, y, tiny(dtype)), dtype, reduction=a.size, scale=1.0)
    grad = kernels.loss_gradient(loss, a, y)
    assert not np.any(np.isnan(grad))
    # Subnormal results carry few significant bits: differences below the smallest normal number are noise.
    assert_matches_reference(grad, ref.loss_gradient(loss, a, y, tiny(dtype)), dtype, scale=tiny(dtype))


# --------------------------------------------------------------------------- output delta


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("activation", "loss"), ref.VALID_PAIRS)
def test_output_delta_matches_general_route(activation, loss, shape, dtype):
    z, a, y = outputs_and_targets(activation, loss, shape, dtype, rng_for(activation, loss, shape, dtype))
    got = kernels.output_delta(activation, loss, a, y, slope=SLOPE)
    expected = ref.output_delta(activation, loss, z, y.astype(np.float64), SLOPE, tiny(dtype))
    reduction = shape[1] if activation == "softmax" else 1
    assert_matches_reference(got, expected, dtype, reduction, scale=max(1.0, float(np.abs(expected).max())))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("activation", "loss"), [("sigmoid", "cross_entropy"), ("softmax", "log_likelihood")])
def test_output_delta_is_a_minus_y_even_for_saturated_outputs(activation, loss, dtype):
    a = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=dtype)
    got = kernels.output_delta(activation, loss, a, y)
    assert np.array_equal(got, a - y)
    assert got.dtype == dtype


@settings(max_examples=60)
@given(pair=st.sampled_from(ref.VALID_PAIRS), dtype=st.sampled_from(DTYPES), data=st.data())
def test_output_delta_has_no_nan_for_any_outputs_in_range(pair, dtype, data):
    activation, loss = pair
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, max_side=10), label="shape")
    width = np.dtype(dtype).itemsize * 8
    z = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1000, 1000, width=width)), label="z")
    a = ref.activation(activation, z, SLOPE).astype(dtype)
    y = data.draw(hnp.arrays(dtype, shape, elements=st.sampled_from([0.0, 1.0])), label="y")
    got = kernels.output_delta(activation, loss, a, y, slope=SLOPE)
    assert got.shape == shape and got.dtype == dtype
    assert not np.any(np.isnan(got))


# --------------------------------------------------------------------------- dense layer


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), DENSE_SHAPES)
def test_dense_forward_is_a_prev_times_w_transposed_plus_b(m, n_in, n_out, dtype):
    rng = rng_for("fwd", m, n_in, n_out, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype)
    a_prev = rng.normal(size=(m, n_in)).astype(dtype)
    got = kernels.dense_forward(w, b, a_prev)
    expected = ref.dense_forward(w.astype(np.float64), b.astype(np.float64), a_prev.astype(np.float64))
    assert_matches_reference(got, expected, dtype, reduction=n_in + 1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), DENSE_SHAPES)
def test_dense_backward_gives_mean_parameter_gradients_and_per_sample_input_gradient(m, n_in, n_out, dtype):
    rng = rng_for("bwd", m, n_in, n_out, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    a_prev = rng.normal(size=(m, n_in)).astype(dtype)
    delta = rng.normal(size=(m, n_out)).astype(dtype)
    dw, db, da_prev = kernels.dense_backward(w, a_prev, delta)
    ref_dw, ref_db, ref_da = ref.dense_backward(
        w.astype(np.float64), a_prev.astype(np.float64), delta.astype(np.float64)
    )
    assert_matches_reference(dw, ref_dw, dtype, reduction=m)
    assert_matches_reference(db, ref_db, dtype, reduction=m)
    assert_matches_reference(da_prev, ref_da, dtype, reduction=n_out)


# Applied inside the product's stores (identity, relu, leaky_relu) or after it (sigmoid).
LAYER_ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), DENSE_SHAPES)
@pytest.mark.parametrize("activation", LAYER_ACTIVATIONS[1:])  # identity: the test above
def test_dense_forward_applies_the_layer_activation(activation, m, n_in, n_out, dtype):
    rng = rng_for("fwd-f", activation, m, n_in, n_out, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype)
    a_prev = rng.normal(size=(m, n_in)).astype(dtype)
    got = kernels.dense_forward(w, b, a_prev, activation=activation, slope=SLOPE)
    z = ref.dense_forward(w.astype(np.float64), b.astype(np.float64), a_prev.astype(np.float64))
    # f changes a rounding error of z by at most its own size (|f'| <= 1), so z's bound holds.
    scale = float(np.abs(z).max())
    assert_matches_reference(got, ref.activation(activation, z, SLOPE), dtype, reduction=n_in + 1, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), DENSE_SHAPES)
@pytest.mark.parametrize("activation", LAYER_ACTIVATIONS)
def test_dense_backpropagate_is_delta_times_w_times_the_derivative_below(activation, m, n_in, n_out, dtype):
    rng = rng_for("backprop", activation, m, n_in, n_out, dtype)
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    delta = rng.normal(size=(m, n_out)).astype(dtype)
    a_prev = ref.activation(activation, rng.normal(size=(m, n_in)), SLOPE).astype(dtype)
    got = kernels.dense_backpropagate(w, delta, activation, a_prev, slope=SLOPE)
    product = delta.astype(np.float64) @ w.astype(np.float64)
    expected = product * derivative_from_output(activation, a_prev.astype(np.float64))
    scale = float(np.abs(product).max())  # the derivative is at most 1
    assert_matches_reference(got, expected, dtype, reduction=n_out, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_backpropagate_through_softmax_is_its_jacobian_vector_product(dtype):
    rng = rng_for("backprop-softmax", dtype)
    w, delta = rng.normal(size=(30, 300)).astype(dtype), rng.normal(size=(40, 30)).astype(dtype)
    a_prev = ref.activation("softmax", rng.normal(size=(40, 300))).astype(dtype)
    got = kernels.dense_backpropagate(w, delta, "softmax", a_prev)
    expected = ref.softmax_jvp(a_prev.astype(np.float64), delta.astype(np.float64) @ w.astype(np.float64))
    assert_matches_reference(got, expected, dtype, reduction=300 + 30)


def test_dense_backpropagate_refuses_to_write_over_its_input():
    a_prev = np.ones((40, 300))
    with pytest.raises(ValueError, match="out must not be a_prev"):
        kernels.dense_backpropagate(np.ones((30, 300)), np.ones((40, 30)), "relu", a_prev, out=a_prev)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_backward_without_input_grad_returns_none_for_it(dtype):
    rng = rng_for("noinput", dtype)
    w, a_prev, delta = (rng.normal(size=s).astype(dtype) for s in [(3, 5), (4, 5), (4, 3)])
    dw, db, da_prev = kernels.dense_backward(w, a_prev, delta, input_grad=False)
    assert da_prev is None
    ref_dw, ref_db, _ = ref.dense_backward(w.astype(np.float64), a_prev.astype(np.float64), delta.astype(np.float64))
    assert_matches_reference(dw, ref_dw, dtype, reduction=4)
    assert_matches_reference(db, ref_db, dtype, reduction=4)


@settings(max_examples=40)
@given(
    dims=st.tuples(st.integers(1, 20), st.integers(1, 20), st.integers(1, 20)),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_dense_forward_and_backward_match_reference_for_random_shapes(dims, dtype, seed):
    m, n_in, n_out = dims
    rng = np.random.default_rng(seed)
    w, a_prev, delta = (rng.normal(size=s).astype(dtype) for s in [(n_out, n_in), (m, n_in), (m, n_out)])
    b = rng.normal(size=n_out).astype(dtype)
    w64, a64, d64 = w.astype(np.float64), a_prev.astype(np.float64), delta.astype(np.float64)
    # A sum's rounding error is bounded by eps·Σ|terms|, not eps·|sum|: the same products of the
    # absolute values give each element's scale, so cancellation cannot make the test flaky.
    got = kernels.dense_forward(w, b, a_prev)
    expected = ref.dense_forward(w64, b.astype(np.float64), a64)
    terms = ref.dense_forward(np.abs(w64), np.abs(b.astype(np.float64)), np.abs(a64))
    assert_matches_reference(got, expected, dtype, n_in + 1, scale=terms)
    term_scales = ref.dense_backward(np.abs(w64), np.abs(a64), np.abs(d64))
    for got, expected, terms, n in zip(
        kernels.dense_backward(w, a_prev, delta), ref.dense_backward(w64, a64, d64), term_scales, [m, m, n_out]
    ):
        assert_matches_reference(got, expected, dtype, n, scale=terms)


# --------------------------------------------------------------------------- optimizer

SGD_MODES = {"plain": (0.0, False), "momentum": (0.9, False), "nesterov": (0.9, True)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 7, 1000])
@pytest.mark.parametrize("decayed", ["all", "none", "first_two_thirds"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("mode", SGD_MODES)
def test_sgd_step_matches_reference_over_three_steps(mode, weight_decay, decayed, n, dtype):
    momentum, nesterov = SGD_MODES[mode]
    n_decayed = {"all": None, "none": 0, "first_two_thirds": 2 * n // 3}[decayed]
    rng = rng_for(mode, weight_decay, decayed, n, dtype)
    params = rng.normal(size=n).astype(dtype)
    velocity = np.zeros(n, dtype=dtype)
    for _ in range(3):
        grads = rng.normal(size=n).astype(dtype)
        # The update may cancel p against lr·g: judge errors on the scale of the operands.
        scale = float(max(np.abs(params).max(), np.abs(velocity).max(), 0.3 * np.abs(grads).max()))
        expected_p, expected_v = ref.sgd_step(
            params.astype(np.float64),
            grads,
            0.3,
            velocity.astype(np.float64),
            momentum,
            nesterov,
            weight_decay,
            n_decayed,
        )
        result = kernels.sgd_step(
            params,
            grads,
            0.3,
            velocity=velocity,
            momentum=momentum,
            nesterov=nesterov,
            weight_decay=weight_decay,
            n_decayed=n_decayed,
        )
        assert result is None
        assert_matches_reference(params, expected_p, dtype, reduction=4, scale=scale)
        if momentum:
            assert_matches_reference(velocity, expected_v, dtype, reduction=4, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_plain_sgd_with_decay_is_nielsens_rescaled_update_and_leaves_biases_undecayed(dtype):
    lr, lmbda, n_train = 0.5, 5.0, 50
    w0 = np.array([1.0, -2.0, 4.0], dtype=dtype)
    b0 = np.array([3.0, -1.0], dtype=dtype)
    gw, gb = np.array([0.5, 0.25, -1.0], dtype=dtype), np.array([1.0, 2.0], dtype=dtype)
    params, grads = np.concatenate([w0, b0]), np.concatenate([gw, gb])
    kernels.sgd_step(params, grads, lr, weight_decay=lmbda / n_train, n_decayed=3)
    expected_w = (1 - lr * lmbda / n_train) * w0.astype(np.float64) - lr * gw
    expected_b = b0.astype(np.float64) - lr * gb
    assert_matches_reference(params, np.concatenate([expected_w, expected_b]), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nesterov_differs_from_classical_momentum_after_one_step(dtype):
    # With v0 = 0: momentum moves p by −lr·g, Nesterov by −(1 + μ)·lr·g.
    g = np.array([1.0, -2.0], dtype=dtype)
    moved = {}
    for nesterov in (False, True):
        p, v = np.zeros(2, dtype=dtype), np.zeros(2, dtype=dtype)
        kernels.sgd_step(p, g, 0.1, velocity=v, momentum=0.5, nesterov=nesterov)
        moved[nesterov] = p
    assert_matches_reference(moved[False], [-0.1, 0.2], dtype)
    assert_matches_reference(moved[True], [-0.15, 0.3], dtype)


# The shapes of layer updates: batches up to the small-batch limit (fused into the gradient's
# blocks) and beyond (through its product, over one or several of the product's depth blocks),
# widths around the SIMD packet and register-block sizes (remainders in every direction), and
# the benchmark layers.
FUSED_SHAPES = [
    (1, 1, 1),
    (3, 5, 2),
    (10, 784, 30),
    (7, 25, 13),
    (32, 100, 10),
    (33, 47, 9),
    (64, 129, 65),
    (128, 784, 30),
    (700, 37, 29),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("m", "n_in", "n_out"), FUSED_SHAPES)
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("mode", SGD_MODES)
def test_dense_sgd_update_is_sgd_step_on_dense_backward_gradients(mode, weight_decay, m, n_in, n_out, dtype):
    rng = rng_for("fused", mode, weight_decay, m, n_in, n_out, dtype)
    assert_sgd_update_matches_reference(rng, mode, weight_decay, rng.normal(size=(m, n_out)).astype(dtype), n_in)


def assert_sgd_update_matches_reference(rng, mode, weight_decay, delta, n_in, sparse_delta=False):
    """dense_sgd_update on a random layer of n_in inputs, from delta, against sgd_step on dense_backward's gradients."""
    momentum, nesterov = SGD_MODES[mode]
    (m, n_out), dtype = delta.shape, delta.dtype
    w = rng.normal(size=(n_out, n_in)).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype)
    vw = rng.normal(size=(n_out, n_in)).astype(dtype) if momentum else None
    vb = rng.normal(size=n_out).astype(dtype) if momentum else None
    a_prev = rng.uniform(size=(m, n_in)).astype(dtype)
    dw, db, _ = ref.dense_backward(w, a_prev, delta)
    params = np.concatenate([w.ravel(), b]).astype(np.float64)
    velocity = np.concatenate([vw.ravel(), vb]).astype(np.float64) if momentum else None
    expected_p, expected_v = ref.sgd_step(
        params, np.concatenate([dw.ravel(), db]), 0.3, velocity, momentum, nesterov, weight_decay, w.size
    )
    # Each gradient entry sums m products; judge the rounding on the scale of the operands.
    scale = float(max(np.abs(params).max(), 0.3 * np.abs(delta).max() * np.abs(a_prev).max()))
    kernels.dense_sgd_update(w, b, a_prev, delta, 0.3, vw, vb, momentum, nesterov, weight_decay, sparse_delta)
    assert_matches_reference(np.concatenate([w.ravel(), b]), expected_p, dtype, reduction=m + 4, scale=scale)
    if momentum:
        got_v = np.concatenate([vw.ravel(), vb])
        assert_matches_reference(got_v, expected_v, dtype, reduction=m + 4, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_sgd_update_rejects_mismatched_shapes_and_missing_velocity(dtype):
    w, b = np.zeros((3, 4), dtype=dtype), np.zeros(3, dtype=dtype)
    with pytest.raises(ValueError, match="a_prev must be"):
        kernels.dense_sgd_update(w, b, np.zeros((2, 5)), np.zeros((2, 3)), 0.1)
    with pytest.raises(ValueError, match="a_prev must be"):
        kernels.dense_sgd_update(w, b, np.zeros((2, 4)), np.zeros((3, 3)), 0.1)
    with pytest.raises(ValueError, match="velocity_w and velocity_b are required"):
        kernels.dense_sgd_update(w, b, np.zeros((2, 4)), np.zeros((2, 3)), 0.1, momentum=0.9)
    with pytest.raises(TypeError, match="w must be"):
        kernels.dense_sgd_update(w.tolist(), b, np.zeros((2, 4)), np.zeros((2, 3)), 0.1)
