"""The Python/C++ boundary: in-place outputs, no silent copies in the raw kernels, one conversion
in the Python wrappers, and clear errors for wrong shapes, names and pairs."""

import itertools

import numpy as np
import pytest
import reference as ref
from tolerances import assert_matches_reference

import deltaprop.kernels as kernels
from deltaprop._core import kernels as raw

DTYPES = [np.float32, np.float64]
OTHER = {np.float32: np.float64, np.float64: np.float32}


def arrays(dtype, *shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.05, 0.95, size=s).astype(dtype) for s in shapes]


# Each kernel with an `out=` argument: (name, inputs -> (args, kwargs), output shape, reference).
def _activation_case(dtype):
    (z,) = arrays(dtype, (4, 5))
    return ("sigmoid", z), ref.activation("sigmoid", z)


def _derivative_case(dtype):
    (a,) = arrays(dtype, (4, 5))
    return ("tanh", a), 1 - a.astype(np.float64) ** 2


def _backward_case(dtype):
    a, g = arrays(dtype, (4, 5), (4, 5))
    return ("softmax", a, g), ref.softmax_jvp(a, g)


def _loss_gradient_case(dtype):
    a, y = arrays(dtype, (4, 5), (4, 5))
    return ("cross_entropy", a, y), ref.loss_gradient("cross_entropy", a, y)


def _output_delta_case(dtype):
    a, y = arrays(dtype, (4, 5), (4, 5))
    return ("sigmoid", "quadratic", a, y), (a - y.astype(np.float64)) * a * (1 - a.astype(np.float64))


def _dense_forward_case(dtype):
    w, b, a_prev = arrays(dtype, (5, 3), (5,), (4, 3))
    return (w, b, a_prev), ref.dense_forward(w, b, a_prev)


OUT_CASES = {
    "activation": _activation_case,
    "activation_derivative": _derivative_case,
    "activation_backward": _backward_case,
    "loss_gradient": _loss_gradient_case,
    "output_delta": _output_delta_case,
    "dense_forward": _dense_forward_case,
}


# --------------------------------------------------------------------------- out= arrays


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel", OUT_CASES)
def test_out_array_is_written_in_place_and_returned(kernel, dtype):
    args, expected = OUT_CASES[kernel](dtype)
    out = np.full((4, 5), np.nan, dtype=dtype)
    result = getattr(kernels, kernel)(*args, out=out)
    assert result is out
    assert np.shares_memory(result, out)
    assert_matches_reference(out, expected, dtype, reduction=5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel", OUT_CASES)
def test_out_array_of_the_other_float_type_is_a_type_error(kernel, dtype):
    args, _ = OUT_CASES[kernel](dtype)
    with pytest.raises(TypeError):
        getattr(kernels, kernel)(*args, out=np.zeros((4, 5), dtype=OTHER[dtype]))


@pytest.mark.parametrize("kernel", OUT_CASES)
def test_out_array_in_fortran_order_is_a_type_error(kernel):
    args, _ = OUT_CASES[kernel](np.float64)
    with pytest.raises(TypeError):
        getattr(kernels, kernel)(*args, out=np.zeros((4, 5), order="F"))


@pytest.mark.parametrize("kernel", OUT_CASES)
def test_out_array_of_the_wrong_shape_is_a_value_error_naming_the_expected_shape(kernel):
    args, _ = OUT_CASES[kernel](np.float64)
    with pytest.raises(ValueError, match=r"\(4, 5\)"):
        getattr(kernels, kernel)(*args, out=np.zeros((5, 4)))


@pytest.mark.parametrize("kernel", OUT_CASES)
def test_read_only_out_array_is_a_type_error(kernel):
    args, _ = OUT_CASES[kernel](np.float64)
    out = np.zeros((4, 5))
    out.flags.writeable = False
    with pytest.raises(TypeError):
        getattr(kernels, kernel)(*args, out=out)


def test_raw_kernel_refuses_a_read_only_output():
    z, out = arrays(np.float64, (4, 5), (4, 5))
    out.flags.writeable = False
    with pytest.raises(TypeError):
        raw.activation("tanh", z, out, 0.01)


@pytest.mark.parametrize("kernel", OUT_CASES)
def test_result_is_a_fresh_writeable_c_contiguous_array(kernel):
    args, _ = OUT_CASES[kernel](np.float64)
    result = getattr(kernels, kernel)(*args)
    assert result.flags.c_contiguous and result.flags.writeable
    assert not any(np.shares_memory(result, x) for x in args if isinstance(x, np.ndarray))


@pytest.mark.parametrize("kernel", OUT_CASES)
def test_kernels_leave_their_inputs_unchanged(kernel):
    args, _ = OUT_CASES[kernel](np.float64)
    before = [x.copy() for x in args if isinstance(x, np.ndarray)]
    getattr(kernels, kernel)(*args)
    assert all(np.array_equal(x, y) for x, y in zip([x for x in args if isinstance(x, np.ndarray)], before))


# --------------------------------------------------------------------------- raw kernels: no silent copies

# Each raw kernel with the shapes of its array arguments (inputs and outputs, in call order).
RAW_CASES = {
    "activation": (lambda z, out: raw.activation("sigmoid", z, out, 0.01), [(4, 5)] * 2),
    "activation_derivative": (lambda a, out: raw.activation_derivative("tanh", a, out, 0.01), [(4, 5)] * 2),
    "activation_backward": (lambda a, g, out: raw.activation_backward("sigmoid", a, g, out, 0.01), [(4, 5)] * 3),
    "loss": (lambda a, y: raw.loss("quadratic", a, y), [(4, 5)] * 2),
    "loss_gradient": (lambda a, y, out: raw.loss_gradient("quadratic", a, y, out), [(4, 5)] * 3),
    "output_delta": (lambda a, y, out: raw.output_delta("sigmoid", "quadratic", a, y, out, 0.01), [(4, 5)] * 3),
    "dense_forward": (raw.dense_forward, [(3, 5), (3,), (4, 5), (4, 3)]),
    "dense_backward": (raw.dense_backward, [(3, 5), (4, 5), (4, 3), (3, 5), (3,), (4, 5)]),
    "sgd_step": (lambda p, g, v: raw.sgd_step(p, g, v, 0.1, 0.9), [(6,)] * 3),
}
RAW_ARGUMENTS = [(kernel, i) for kernel, (_, shapes) in RAW_CASES.items() for i in range(len(shapes))]


def strided(x):
    """A non-contiguous view with the same shape and values as ``x``."""
    view = np.repeat(x, 2, axis=-1)[..., ::2]
    assert not view.flags.c_contiguous and np.array_equal(view, x)
    return view


# Ways to pass an array the raw kernels must refuse rather than silently copy.
BREAKERS = {
    "other_float_type": lambda x: x.astype(OTHER[x.dtype.type]),
    "int64": lambda x: x.astype(np.int64),
    "non_contiguous": strided,
    "fortran_order": np.asfortranarray,
    "list": lambda x: x.tolist(),
}


# Every (kernel, argument, breaker); Fortran order only differs from C order in two dimensions.
RAW_BREAKS = [
    (kernel, position, breaker)
    for kernel, position in RAW_ARGUMENTS
    for breaker in BREAKERS
    if breaker != "fortran_order" or len(RAW_CASES[kernel][1][position]) == 2
]


def raw_arguments(kernel, dtype):
    return arrays(dtype, *RAW_CASES[kernel][1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel", RAW_CASES)
def test_raw_kernel_accepts_c_contiguous_arrays_of_one_float_type(kernel, dtype):
    call, _ = RAW_CASES[kernel]
    call(*raw_arguments(kernel, dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("kernel", "position", "breaker"), RAW_BREAKS)
def test_raw_kernel_raises_type_error_instead_of_copying(kernel, position, breaker, dtype):
    call, _ = RAW_CASES[kernel]
    args = raw_arguments(kernel, dtype)
    args[position] = BREAKERS[breaker](args[position])
    assert breaker != "fortran_order" or not args[position].flags.c_contiguous
    with pytest.raises(TypeError):
        call(*args)


def test_raw_kernel_writes_into_the_given_output():
    z, out = arrays(np.float32, (4, 5), (4, 5))
    assert raw.activation("tanh", z, out, 0.01) is None
    assert_matches_reference(out, np.tanh(z.astype(np.float64)), np.float32)


# --------------------------------------------------------------------------- wrappers convert once


def test_wrapper_converts_nested_lists_of_ints_to_float64():
    got = kernels.activation("sigmoid", [[0, 1], [-1, 2]])
    assert_matches_reference(got, ref.sigmoid([[0, 1], [-1, 2]]), np.float64)


def test_wrapper_converts_integer_arrays_to_float64():
    z = np.array([[0, 1, -2]], dtype=np.int32)
    assert_matches_reference(kernels.activation("tanh", z), np.tanh(z.astype(np.float64)), np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_wrapper_accepts_fortran_ordered_and_strided_inputs(dtype):
    (z,) = arrays(dtype, (6, 10))
    for view in (np.asfortranarray(z), z[:, ::2], z[::-1]):
        assert_matches_reference(kernels.activation("softmax", view), ref.softmax(view), dtype, reduction=10)


@pytest.mark.parametrize("dtype", DTYPES)
def test_wrapper_converts_later_arguments_to_the_leading_float_type(dtype):
    a, g = arrays(dtype, (3, 4), (3, 4))
    g = g.astype(OTHER[dtype])
    got = kernels.activation_backward("sigmoid", a, g)
    assert_matches_reference(got, g.astype(dtype) * a * (1 - a.astype(np.float64)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_forward_converts_list_bias_and_other_type_fortran_input(dtype):
    w, b, a_prev = arrays(dtype, (5, 3), (5,), (4, 3))
    a_prev = np.asfortranarray(a_prev.astype(OTHER[dtype]))
    got = kernels.dense_forward(w, b.tolist(), a_prev)
    assert_matches_reference(got, ref.dense_forward(w, b, a_prev.astype(dtype)), dtype, reduction=4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense_backward_converts_inputs_to_the_weight_type(dtype):
    w, a_prev, delta = arrays(dtype, (5, 3), (4, 3), (4, 5))
    a_prev = a_prev.astype(OTHER[dtype])
    got = kernels.dense_backward(w, a_prev.tolist(), np.asfortranarray(delta))
    for g, e, n in zip(got, ref.dense_backward(w, a_prev.astype(dtype), delta), [4, 4, 5]):
        assert_matches_reference(g, e, dtype, reduction=n)


def test_loss_returns_a_python_float_for_list_inputs():
    got = kernels.loss("quadratic", [[1, 2]], [[0, 0]])
    assert isinstance(got, float) and got == 2.5


@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_step_updates_params_in_place_and_converts_list_grads(dtype):
    params = np.array([1.0, 2.0, 3.0], dtype=dtype)
    buffer = params.ctypes.data
    kernels.sgd_step(params, [1, 1, 2], 0.5)
    assert params.ctypes.data == buffer
    assert_matches_reference(params, [0.5, 1.5, 2.0], dtype)


@pytest.mark.parametrize(
    "params",
    [np.zeros(4, dtype=np.int64), np.zeros(8)[::2], [0.0, 0.0, 0.0, 0.0]],
    ids=["int", "strided", "list"],
)
def test_sgd_step_refuses_params_it_cannot_update_in_place(params):
    with pytest.raises(TypeError):
        kernels.sgd_step(params, np.ones(4), 0.1)


def test_sgd_step_refuses_velocity_of_the_other_float_type():
    params = np.zeros(4)
    with pytest.raises(TypeError):
        kernels.sgd_step(params, np.ones(4), 0.1, velocity=np.zeros(4, dtype=np.float32), momentum=0.9)


# --------------------------------------------------------------------------- shape errors


def test_gradient_of_the_wrong_shape_names_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(3, 4\)"):
        kernels.activation_backward("sigmoid", np.zeros((3, 4)), np.zeros((3, 5)))


def test_targets_of_the_wrong_shape_name_the_expected_shape():
    for call in (kernels.loss, kernels.loss_gradient):
        with pytest.raises(ValueError, match=r"\(2, 3\)"):
            call("quadratic", np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        kernels.output_delta("sigmoid", "quadratic", np.zeros((2, 3)), np.zeros((3, 3)))


def test_dense_forward_input_width_mismatch_names_the_expected_width():
    with pytest.raises(ValueError, match=r"\b7\b"):
        kernels.dense_forward(np.zeros((3, 7)), np.zeros(3), np.zeros((5, 11)))


def test_dense_forward_bias_length_mismatch_names_the_expected_length():
    with pytest.raises(ValueError, match=r"\b3\b"):
        kernels.dense_forward(np.zeros((3, 7)), np.zeros(4), np.zeros((5, 7)))


def test_dense_backward_delta_width_mismatch_names_the_layer_outputs():
    with pytest.raises(ValueError, match=r"\b3\b"):
        kernels.dense_backward(np.zeros((3, 7)), np.zeros((5, 7)), np.zeros((5, 4)))


def test_dense_backward_row_count_mismatch_is_a_value_error():
    with pytest.raises(ValueError):
        kernels.dense_backward(np.zeros((3, 7)), np.zeros((5, 7)), np.zeros((6, 3)))


def test_sgd_step_grads_length_mismatch_names_the_expected_length():
    with pytest.raises(ValueError, match=r"\b5\b"):
        kernels.sgd_step(np.zeros(5), np.zeros(6), 0.1)


def test_sgd_step_n_decayed_beyond_the_buffer_is_a_value_error():
    with pytest.raises(ValueError):
        kernels.sgd_step(np.zeros(5), np.zeros(5), 0.1, weight_decay=0.1, n_decayed=6)


# --------------------------------------------------------------------------- names and pairs


@pytest.mark.parametrize(
    "call",
    [
        lambda: kernels.activation("swish", np.zeros((2, 2))),
        lambda: kernels.activation_derivative("swish", np.zeros((2, 2))),
        lambda: kernels.activation_backward("swish", np.zeros((2, 2)), np.zeros((2, 2))),
        lambda: kernels.output_delta("swish", "quadratic", np.zeros((2, 2)), np.zeros((2, 2))),
    ],
    ids=["activation", "activation_derivative", "activation_backward", "output_delta"],
)
def test_unknown_activation_names_the_bad_name_and_lists_the_valid_ones(call):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert "swish" in message
    assert all(name in message for name in ref.ACTIVATIONS), message


@pytest.mark.parametrize(
    "call",
    [
        lambda: kernels.loss("hinge", np.zeros((2, 2)), np.zeros((2, 2))),
        lambda: kernels.loss_gradient("hinge", np.zeros((2, 2)), np.zeros((2, 2))),
        lambda: kernels.output_delta("sigmoid", "hinge", np.zeros((2, 2)), np.zeros((2, 2))),
    ],
    ids=["loss", "loss_gradient", "output_delta"],
)
def test_unknown_loss_names_the_bad_name_and_lists_the_valid_ones(call):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert "hinge" in message
    assert all(name in message for name in ref.LOSSES), message


INVALID_PAIRS = [p for p in itertools.product(ref.ACTIVATIONS, ref.LOSSES) if p not in ref.VALID_PAIRS]


@pytest.mark.parametrize(("activation", "loss"), INVALID_PAIRS)
def test_output_delta_rejects_an_invalid_activation_loss_pair(activation, loss):
    a = np.full((2, 3), 0.5)
    with pytest.raises(ValueError, match=loss):
        kernels.output_delta(activation, loss, a, a.copy())


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(ValueError, match="softmax"):
        kernels.activation_derivative("softmax", np.full((2, 3), 1 / 3))


@pytest.mark.parametrize("slope", [-0.1, np.nan, np.inf])
def test_leaky_relu_slope_must_be_finite_and_non_negative(slope):
    with pytest.raises(ValueError, match="slope"):
        kernels.activation("leaky_relu", np.zeros((2, 2)), slope=slope)
