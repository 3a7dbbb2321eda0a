"""The newer kernels against the NumPy reference, in float32 and float64: the exp activation, the
Poisson loss, and sample-weighted and clipped costs (Adam: test_adam_kernels.py).

``deltaprop.kernels`` wraps the activation and loss kernels; sample weights and the probability floor
exist only in the raw module ``deltaprop._engine.core.kernels``, which takes exact arrays.
"""

import numpy as np
import pytest
import reference as ref
from kernel_cases import rng_for, targets_for
from tolerances import assert_matches_reference

import deltaprop.kernels as kernels
from deltaprop._engine import core

raw = core.kernels

DTYPES = [np.float32, np.float64]
# (batch, width): batch 1, width 1, odd sizes and one larger block.
SHAPES = [(1, 1), (1, 9), (6, 1), (3, 4), (17, 33), (64, 10), (257, 129)]
# A pair per loss, so every weighted cost is covered.
PAIRS = [("identity", "quadratic"), ("sigmoid", "cross_entropy"), ("softmax", "log_likelihood"), ("exp", "poisson")]


def rates_and_counts(shape, dtype, rng):
    """(z, a, y): a = exp(z) rounded to dtype and Poisson counts y drawn at those rates (many zeros)."""
    z = rng.normal(scale=1.5, size=shape)
    a = np.exp(z).astype(dtype)
    return z, a, rng.poisson(a).astype(dtype)


def outputs_and_targets(activation, loss, shape, dtype, rng):
    """(a, y) in dtype: outputs of the activation and targets that suit the loss."""
    if loss == "poisson":
        return rates_and_counts(shape, dtype, rng)[1:]
    a = ref.activation(activation, rng.normal(scale=2.0, size=shape)).astype(dtype)
    return a, targets_for(loss, shape, dtype, rng)


def weights_with_zeros(rows, dtype, rng):
    """Sample weights in [0.1, 3) with every third row's weight 0 (the first row's never is)."""
    w = rng.uniform(0.1, 3.0, size=rows).astype(dtype)
    w[2::3] = 0.0
    return w


# --------------------------------------------------------------------------- exp activation


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_exp_activation_matches_reference(shape, dtype):
    z = rng_for("exp", shape, dtype).normal(scale=3.0, size=shape).astype(dtype)
    assert_matches_reference(kernels.activation("exp", z), ref.activation("exp", z.astype(np.float64)), dtype, scale=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_exp_derivative_from_output_equals_exp_at_z(shape, dtype):
    z = rng_for("exp'", shape, dtype).normal(scale=3.0, size=shape)
    a = ref.activation("exp", z).astype(dtype)
    # Element-wise and relative: the only error is the rounding of a itself.
    assert_matches_reference(kernels.activation_derivative("exp", a), ref.activation_prime("exp", z), dtype, scale=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_exp_backward_is_gradient_times_output(shape, dtype):
    rng = rng_for("exp backward", shape, dtype)
    z = rng.normal(scale=3.0, size=shape)
    a = ref.activation("exp", z).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    expected = ref.activation_backward("exp", z, g.astype(np.float64))
    assert_matches_reference(kernels.activation_backward("exp", a, g), expected, dtype, scale=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_underflows_below_the_normal_range_and_overflows_to_infinity(dtype):
    # Enough columns for SIMD packets and a scalar remainder: the packets' exp clamps its argument, so
    # exp(−1000) comes out as a subnormal number there and as 0 in the remainder; both are below tiny.
    z = np.tile(np.array([-1000.0, 0.0, 1000.0], dtype=dtype), (2, 5))
    a = kernels.activation("exp", z)
    assert a.dtype == dtype
    assert np.all((a[z < 0] >= 0) & (a[z < 0] < np.finfo(dtype).tiny))
    assert np.all(a[z == 0] == 1) and np.all(a[z > 0] == np.inf)


# --------------------------------------------------------------------------- Poisson loss


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_poisson_loss_is_mean_of_half_deviance(shape, dtype):
    _, a, y = rates_and_counts(shape, dtype, rng_for("poisson", shape, dtype))
    a64, y64 = a.astype(np.float64), y.astype(np.float64)
    expected = ref.loss("poisson", a64, y64)
    # y ln(y/a), y and a nearly cancel where a ≈ y: judge the rounding on the size of the terms.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.abs(np.where(y64 == 0, 0.0, y64 * np.log(y64 / a64))) + y64 + a64
    assert_matches_reference(kernels.loss("poisson", a, y), expected, dtype, a.size, scale=terms.sum(axis=1).mean())


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_loss_is_zero_where_rates_equal_counts_and_the_rate_where_counts_are_zero(dtype):
    a = np.array([[0.0, 1.0, 3.0, 0.5]], dtype=dtype)
    assert kernels.loss("poisson", a, a.copy()) == 0.0
    assert_matches_reference(kernels.loss("poisson", a, np.zeros_like(a)), 4.5, dtype, reduction=4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_poisson_gradient_is_one_minus_count_over_rate(shape, dtype):
    _, a, y = rates_and_counts(shape, dtype, rng_for("poisson grad", shape, dtype))
    expected = ref.loss_gradient("poisson", a.astype(np.float64), y.astype(np.float64))
    # 1 − y/a cancels where y ≈ a: each element's scale is 1 + y/a.
    scale = 1.0 + y.astype(np.float64) / a.astype(np.float64)
    assert_matches_reference(kernels.loss_gradient("poisson", a, y), expected, dtype, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_exp_poisson_output_delta_matches_general_route(shape, dtype):
    z, a, y = rates_and_counts(shape, dtype, rng_for("poisson delta", shape, dtype))
    expected = ref.output_delta("exp", "poisson", z, y.astype(np.float64))  # (1 − y/a) · a, not simplified
    got = kernels.output_delta("exp", "poisson", a, y)
    assert_matches_reference(got, expected, dtype, scale=a.astype(np.float64) + y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_poisson_output_delta_is_minus_count_where_the_rate_underflows(dtype):
    a = np.array([[0.0, 0.0, 2.0]], dtype=dtype)
    y = np.array([[3.0, 0.0, 1.0]], dtype=dtype)
    got = kernels.output_delta("exp", "poisson", a, y)
    assert got.dtype == dtype and np.array_equal(got, [[-3.0, 0.0, 1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_needs_an_exp_output_layer(dtype):
    a = np.ones((2, 3), dtype=dtype)
    with pytest.raises(ValueError, match="poisson"):
        kernels.output_delta("sigmoid", "poisson", a, a)


# --------------------------------------------------------------------------- sample weights and clipping


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("activation", "loss"), PAIRS)
def test_weighted_loss_is_weighted_mean_of_per_sample_cost(activation, loss, shape, dtype):
    rng = rng_for("weighted", activation, loss, shape, dtype)
    a, y = outputs_and_targets(activation, loss, shape, dtype, rng)
    w = weights_with_zeros(shape[0], dtype, rng)
    got = raw.loss(loss, a, y, w)
    expected = ref.loss(loss, a.astype(np.float64), y.astype(np.float64), np.finfo(dtype).tiny, w)
    scale = 1.0 if loss == "poisson" else None  # the Poisson terms cancel (see above)
    assert_matches_reference(got, expected, dtype, reduction=a.size, scale=scale)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("loss", "a", "y"), [("poisson", 0.0, 2.0), ("quadratic", np.inf, 1.0)])
def test_zero_weight_removes_a_row_whose_cost_is_infinite(loss, a, y, dtype):
    outputs = np.array([[0.5, 1.5], [a, 1.0], [2.0, 0.25]], dtype=dtype)
    targets = np.array([[1.0, 1.0], [y, 1.0], [2.0, 0.0]], dtype=dtype)
    assert raw.loss(loss, outputs, targets) == np.inf
    w = np.array([2.0, 0.0, 1.0], dtype=dtype)
    expected = (2 * ref.loss(loss, outputs[:1], targets[:1]) + ref.loss(loss, outputs[2:], targets[2:])) / 3
    assert_matches_reference(raw.loss(loss, outputs, targets, w), expected, dtype, reduction=6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("activation", "loss"), PAIRS)
def test_integer_weights_count_a_row_that_many_times(activation, loss, dtype):
    rng = rng_for("repeats", activation, loss, dtype)
    a, y = outputs_and_targets(activation, loss, (6, 5), dtype, rng)
    counts = np.array([1, 3, 0, 2, 1, 4])
    got = raw.loss(loss, a, y, counts.astype(dtype))
    repeated = raw.loss(loss, np.repeat(a, counts, axis=0), np.repeat(y, counts, axis=0))
    assert_matches_reference(got, repeated, dtype, reduction=a.size * 4, scale=1.0)


def probabilities_with_zeros_and_ones(loss, dtype, rng):
    """(a, y) whose outputs include exact 0s and 1s, with hard targets that make some of them certain mistakes."""
    if loss == "cross_entropy":
        a = rng.uniform(size=(8, 5))
        a[:4, :2] = [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]
        y = rng.integers(0, 2, size=(8, 5)).astype(float)
        y[:4, :2] = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
    else:
        a = ref.softmax(rng.normal(size=(8, 5)))
        a[:3] = np.eye(5)[[0, 2, 4]]  # one-hot rows: a certain right answer and two certain mistakes
        y = np.eye(5)[[0, 1, 3, *rng.integers(0, 5, size=5)]]
    return a.astype(dtype), y.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", ["cross_entropy", "log_likelihood"])
def test_probability_floor_clips_like_numpy_clip_at_machine_epsilon(loss, weighted, dtype):
    rng = rng_for("floor", loss, weighted, dtype)
    a, y = probabilities_with_zeros_and_ones(loss, dtype, rng)
    w = weights_with_zeros(len(a), dtype, rng) if weighted else None
    eps = float(np.finfo(dtype).eps)
    got = raw.loss(loss, a, y, w, eps)
    expected = ref.loss(loss, a.astype(np.float64), y.astype(np.float64), sample_weight=w, floor=eps)
    assert_matches_reference(got, expected, dtype, reduction=a.size)
    # The default floor, the smallest normal number, clips nothing that matters: certain mistakes cost far more.
    assert raw.loss(loss, a, y, w) > got + 10


@pytest.mark.parametrize("dtype", DTYPES)
def test_weighted_and_clipped_losses_equal_scikit_learns(dtype):
    base = pytest.importorskip("sklearn.neural_network._base")
    rng = rng_for("sklearn losses", dtype)
    eps = float(np.finfo(dtype).eps)
    for loss, sklearn_loss in [("cross_entropy", base.binary_log_loss), ("log_likelihood", base.log_loss)]:
        a, y = probabilities_with_zeros_and_ones(loss, dtype, rng)
        w = weights_with_zeros(len(a), dtype, rng)
        expected = sklearn_loss(y.astype(np.float64), a, sample_weight=w.astype(np.float64))
        assert_matches_reference(raw.loss(loss, a, y, w, eps), expected, dtype, reduction=a.size)
    _, a, y = rates_and_counts((9, 4), dtype, rng)
    w = weights_with_zeros(9, dtype, rng)
    expected = base.poisson_loss(y.astype(np.float64), a.astype(np.float64), sample_weight=w)
    assert_matches_reference(raw.loss("poisson", a, y, w), expected, dtype, reduction=a.size, scale=1.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_loss_rejects_bad_weights_and_floors(dtype):
    a = np.full((3, 2), 0.5, dtype=dtype)
    with pytest.raises(ValueError, match="one entry per row"):
        raw.loss("cross_entropy", a, a, np.ones(2, dtype=dtype))
    with pytest.raises(ValueError, match="sum to zero"):
        raw.loss("cross_entropy", a, a, np.zeros(3, dtype=dtype))
    with pytest.raises(TypeError):
        raw.loss("cross_entropy", a, a, np.ones(3, dtype=np.float32 if dtype == np.float64 else np.float64))
    for floor in (0.0, -0.1, 0.5, 1.0, np.nan):
        with pytest.raises(ValueError, match="probability floor"):
            raw.loss("cross_entropy", a, a, None, floor)
