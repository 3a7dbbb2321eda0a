"""Bad input to deltaprop.Network raises TypeError/ValueError whose message names the argument at fault."""

from __future__ import annotations

import re

import numpy as np
import pytest

from deltaprop.network import DivergenceError, Network

SIZES = [4, 5, 3]


def data(n=6):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 4)), rng.integers(0, 3, n)


def names(argument: str) -> str:
    """A pattern matching ``argument`` as a whole word (so "X" does not match inside "X_val")."""
    return rf"(?<![\w.\[]){re.escape(argument)}(?![\w])"


# --- constructor ---------------------------------------------------------------------------------

CONSTRUCTOR_CASES = [
    pytest.param({"sizes": [3]}, ValueError, "sizes", id="sizes-with-one-layer"),
    pytest.param({"sizes": []}, ValueError, "sizes", id="sizes-empty"),
    pytest.param({"sizes": [3, 0]}, ValueError, "sizes", id="sizes-with-zero"),
    pytest.param({"sizes": [3, -2]}, ValueError, "sizes", id="sizes-negative"),
    pytest.param({"sizes": [3, 2.0]}, TypeError, "sizes", id="sizes-float-entry"),
    pytest.param({"sizes": [3, True]}, TypeError, "sizes", id="sizes-bool-entry"),
    pytest.param({"sizes": "784,10"}, TypeError, "sizes", id="sizes-string"),
    pytest.param({"sizes": 10}, TypeError, "sizes", id="sizes-int"),
    pytest.param({"activation": "sigmod"}, ValueError, "activation", id="activation-unknown"),
    pytest.param({"activation": 3}, TypeError, "activation", id="activation-not-string"),
    pytest.param({"output_activation": "softplus"}, ValueError, "output_activation", id="output-activation-unknown"),
    pytest.param({"loss": "mse"}, ValueError, "loss", id="loss-unknown"),
    pytest.param({"init": "xavier"}, ValueError, "init", id="init-unknown"),
    pytest.param(
        {"activation": "softmax", "output_activation": "softmax", "loss": "log_likelihood"},
        ValueError,
        "activation",
        id="softmax-hidden-activation",
    ),
    pytest.param(
        {"output_activation": "softmax", "loss": "cross_entropy"}, ValueError, "loss", id="softmax-with-cross-entropy"
    ),
    pytest.param({"output_activation": "relu", "loss": "cross_entropy"}, ValueError, "loss", id="cross-entropy-relu"),
    pytest.param({"loss": "log_likelihood"}, ValueError, "loss", id="log-likelihood-without-softmax"),
    pytest.param({"dtype": np.float16}, TypeError, "dtype", id="dtype-float16"),
    pytest.param({"dtype": "int32"}, TypeError, "dtype", id="dtype-int32"),
    pytest.param({"dtype": "banana"}, TypeError, "dtype", id="dtype-not-a-dtype"),
    pytest.param({"dtype": None}, TypeError, "dtype", id="dtype-none"),
    pytest.param({"dtype": np.complex128}, TypeError, "dtype", id="dtype-complex"),
    pytest.param({"slope": -0.1}, ValueError, "slope", id="slope-negative"),
    pytest.param({"slope": float("nan")}, ValueError, "slope", id="slope-nan"),
    pytest.param({"slope": "0.1"}, TypeError, "slope", id="slope-string"),
    pytest.param({"seed": -1}, ValueError, "seed", id="seed-negative"),
    pytest.param({"seed": "abc"}, TypeError, "seed", id="seed-string"),
]


@pytest.mark.parametrize(("kwargs", "error", "argument"), CONSTRUCTOR_CASES)
def test_constructor_rejects_bad_argument_naming_it(kwargs, error, argument):
    with pytest.raises(error, match=names(argument)):
        Network(**{"sizes": SIZES, **kwargs})


def test_unknown_activation_message_lists_the_valid_names():
    with pytest.raises(ValueError, match="'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'"):
        Network(SIZES, activation="sigmod")


def test_unknown_loss_message_lists_the_valid_names():
    with pytest.raises(ValueError, match="'quadratic', 'cross_entropy', 'log_likelihood'"):
        Network(SIZES, loss="mse")


def test_unknown_init_message_lists_the_valid_names():
    with pytest.raises(ValueError, match="'nielsen', 'large', 'glorot', 'he'"):
        Network(SIZES, init="xavier")


def test_softmax_with_cross_entropy_suggests_the_matching_pairs():
    with pytest.raises(ValueError, match="use log_likelihood with softmax, cross_entropy with sigmoid"):
        Network(SIZES, output_activation="softmax", loss="cross_entropy")


def test_softmax_hidden_activation_points_to_output_activation():
    with pytest.raises(ValueError, match="output_activation='softmax'"):
        Network(SIZES, activation="softmax")


# --- fit -----------------------------------------------------------------------------------------

X6, Y6 = data()


def fit_args(**overrides):
    args = {"X": X6, "Y": Y6, "epochs": 1, "batch_size": 2, "lr": 0.1}
    args.update(overrides)
    return args


FIT_CASES = [
    pytest.param(fit_args(X=X6[0]), ValueError, "X", id="X-1d"),
    pytest.param(fit_args(X=X6.reshape(6, 2, 2)), ValueError, "X", id="X-3d"),
    pytest.param(fit_args(X=np.ones((6, 5))), ValueError, "X", id="X-wrong-width"),
    pytest.param(fit_args(X=np.ones((0, 4)), Y=np.ones((0, 3))), ValueError, "X", id="X-empty"),
    pytest.param(fit_args(X=np.where(np.eye(6, 4), np.nan, X6)), ValueError, "X", id="X-nan"),
    pytest.param(fit_args(X=np.full((6, 4), np.inf)), ValueError, "X", id="X-inf"),
    pytest.param(fit_args(X=np.full((6, 4), "a")), TypeError, "X", id="X-strings"),
    pytest.param(fit_args(X=X6 + 1j), TypeError, "X", id="X-complex"),
    pytest.param(fit_args(X=X6.astype(object)), TypeError, "X", id="X-object"),
    pytest.param(fit_args(X=[[1, 2, 3, 4], [1, 2]]), ValueError, "X", id="X-ragged"),
    pytest.param(fit_args(X=None), TypeError, "X", id="X-none"),
    pytest.param(fit_args(Y=np.ones((6, 4))), ValueError, "Y", id="Y-wrong-width"),
    pytest.param(fit_args(Y=np.ones((6, 1))), ValueError, "Y", id="Y-column-of-labels"),
    pytest.param(fit_args(Y=Y6[:5]), ValueError, "Y", id="Y-fewer-samples-than-X"),
    pytest.param(fit_args(Y=np.ones((7, 3))), ValueError, "Y", id="Y-more-samples-than-X"),
    pytest.param(fit_args(Y=np.ones((6, 3, 1))), ValueError, "Y", id="Y-3d"),
    pytest.param(fit_args(Y=np.full((6, 3), np.nan)), ValueError, "Y", id="Y-nan"),
    pytest.param(fit_args(Y=np.array([0, 1, 2, 0, 1, np.inf])), ValueError, "Y", id="labels-inf"),
    pytest.param(fit_args(Y=np.array(list("abcabc"))), TypeError, "Y", id="Y-strings"),
    pytest.param(fit_args(Y=np.array([0, 1, 2, 3, 0, 1])), ValueError, "Y", id="labels-too-large"),
    pytest.param(fit_args(Y=np.array([0, 1, 2, -1, 0, 1])), ValueError, "Y", id="labels-negative"),
    pytest.param(fit_args(Y=np.array([0, 1, 2, 0.5, 0, 1])), ValueError, "Y", id="labels-non-integer-floats"),
    pytest.param(fit_args(batch_size=0), ValueError, "batch_size", id="batch-size-zero"),
    pytest.param(fit_args(batch_size=2.5), TypeError, "batch_size", id="batch-size-float"),
    pytest.param(fit_args(batch_size=True), TypeError, "batch_size", id="batch-size-bool"),
    pytest.param(fit_args(epochs=-1), ValueError, "epochs", id="epochs-negative"),
    pytest.param(fit_args(epochs=2.0), TypeError, "epochs", id="epochs-float"),
    pytest.param(fit_args(epochs=None), TypeError, "epochs", id="epochs-none"),
    pytest.param(fit_args(lr=0.0), ValueError, "lr", id="lr-zero"),
    pytest.param(fit_args(lr=-0.1), ValueError, "lr", id="lr-negative"),
    pytest.param(fit_args(lr=float("nan")), ValueError, "lr", id="lr-nan"),
    pytest.param(fit_args(lr=float("inf")), ValueError, "lr", id="lr-inf"),
    pytest.param(fit_args(lr="0.1"), TypeError, "lr", id="lr-string"),
    pytest.param(fit_args(momentum=1.0), ValueError, "momentum", id="momentum-one"),
    pytest.param(fit_args(momentum=-0.1), ValueError, "momentum", id="momentum-negative"),
    pytest.param(fit_args(nesterov="yes"), TypeError, "nesterov", id="nesterov-not-bool"),
    pytest.param(fit_args(l2=-1.0), ValueError, "l2", id="l2-negative"),
    pytest.param(fit_args(l2=float("inf")), ValueError, "l2", id="l2-inf"),
    pytest.param(fit_args(shuffle=None), TypeError, "shuffle", id="shuffle-not-bool"),
    pytest.param(fit_args(check_finite="no"), TypeError, "check_finite", id="check-finite-not-bool"),
    pytest.param(fit_args(tol=0.0), ValueError, "tol", id="tol-zero"),
    pytest.param(fit_args(tol=-1e-3), ValueError, "tol", id="tol-negative"),
    pytest.param(fit_args(validation_data=X6), TypeError, "validation_data", id="validation-data-not-a-pair"),
    pytest.param(fit_args(validation_data=(X6, Y6, Y6)), TypeError, "validation_data", id="validation-data-triple"),
    pytest.param(
        fit_args(validation_data=(np.ones((6, 3)), Y6)), ValueError, "validation_data[0]", id="validation-X-wrong-width"
    ),
    pytest.param(fit_args(validation_data=(X6, Y6[:4])), ValueError, "validation_data[1]", id="validation-y-short"),
    pytest.param(
        fit_args(validation_data=(X6, np.full(6, 7))), ValueError, "validation_data[1]", id="validation-labels-range"
    ),
]


@pytest.mark.parametrize(("args", "error", "argument"), FIT_CASES)
def test_fit_rejects_bad_argument_naming_it(args, error, argument):
    net = Network(SIZES, seed=0)
    before = [p.copy() for p in net.parameters()]
    with pytest.raises(error, match=names(argument)):
        net.fit(**args)
    for p, q in zip(net.parameters(), before):
        np.testing.assert_array_equal(p, q)


def test_fit_without_the_finite_check_trains_alike_and_still_stops_on_nan_inputs():
    X, y = data(40)
    nets = [Network(SIZES, seed=0) for _ in range(2)]
    for net, check in zip(nets, (True, False)):
        net.fit(X, y, epochs=2, batch_size=4, lr=0.1, check_finite=check)
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_array_equal(p, q)
    X[5, 2] = np.nan
    with pytest.raises(DivergenceError, match="epoch 1"):
        Network(SIZES, seed=0).fit(X, y, epochs=2, batch_size=4, lr=0.1, check_finite=False)


def test_fit_error_for_ragged_input_is_value_error_not_numpy_internal():
    with pytest.raises(ValueError, match="rectangular array of numbers"):
        Network(SIZES).fit([[1, 2, 3, 4], [1, 2]], [0, 1], epochs=1, batch_size=1, lr=0.1)


def test_fit_error_for_wrong_length_says_both_sample_counts():
    with pytest.raises(ValueError, match="Y has 5 samples but X has 6"):
        Network(SIZES).fit(X6, Y6[:5], epochs=1, batch_size=1, lr=0.1)


def test_fit_error_for_labels_out_of_range_gives_the_range_and_a_culprit():
    with pytest.raises(ValueError, match=r"outside \[0, 3\), such as 3"):
        Network(SIZES).fit(X6, np.array([0, 1, 2, 3, 0, 1]), epochs=1, batch_size=1, lr=0.1)


def test_fit_error_for_wrong_x_width_names_sizes_0():
    with pytest.raises(ValueError, match=r"must have 4 columns \(sizes\[0\]\); got shape \(6, 5\)"):
        Network(SIZES).fit(np.ones((6, 5)), Y6, epochs=1, batch_size=1, lr=0.1)


def test_float32_overflow_on_conversion_is_reported():
    net = Network(SIZES, dtype=np.float32)
    with pytest.raises(ValueError, match="float32 range"):
        net.fit(np.full((6, 4), 1e300), Y6, epochs=1, batch_size=1, lr=0.1)


@pytest.mark.parametrize("loss", ["cross_entropy", "log_likelihood"])
def test_targets_outside_unit_interval_are_rejected_for_log_losses(loss):
    output = "sigmoid" if loss == "cross_entropy" else "softmax"
    net = Network(SIZES, output_activation=output, loss=loss)
    Y = np.eye(3)[Y6] * 2.0
    with pytest.raises(ValueError, match=rf"{names('Y')} must lie in \[0, 1\] for loss='{loss}'"):
        net.fit(X6, Y, epochs=1, batch_size=1, lr=0.1)


def test_quadratic_loss_accepts_targets_outside_unit_interval():
    net = Network([4, 5, 3], output_activation="identity")
    net.fit(X6, np.eye(3)[Y6] * 5.0 - 1.0, epochs=1, batch_size=2, lr=0.01)


def test_integral_float_labels_are_accepted_like_integer_labels():
    a, b = Network(SIZES, seed=1), Network(SIZES, seed=1)
    a.fit(X6, Y6.astype(np.float64), epochs=1, batch_size=2, lr=0.1)
    b.fit(X6, Y6, epochs=1, batch_size=2, lr=0.1)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])


def test_boolean_inputs_and_targets_are_accepted_as_numbers():
    net = Network([4, 5, 3], seed=0)
    net.fit(X6 > 0, np.eye(3, dtype=bool)[Y6], epochs=1, batch_size=2, lr=0.1)


# --- inference and gradients ---------------------------------------------------------------------


def test_feedforward_rejects_wrong_width_naming_x():
    with pytest.raises(ValueError, match=names("X")):
        Network(SIZES).feedforward(np.ones(5))


def test_feedforward_rejects_3d_input_naming_x():
    with pytest.raises(ValueError, match=names("X")):
        Network(SIZES).feedforward(np.ones((2, 2, 4)))


def test_feedforward_rejects_many_samples_of_one_feature_given_as_1d_with_a_hint():
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        Network([1, 2]).feedforward(np.ones(5))


def test_feedforward_rejects_nan_input_naming_x():
    with pytest.raises(ValueError, match=names("X")):
        Network(SIZES).feedforward(np.full((2, 4), np.nan))


def test_feedforward_rejects_empty_input_naming_x():
    with pytest.raises(ValueError, match=names("X")):
        Network(SIZES).feedforward(np.ones((0, 4)))


@pytest.mark.parametrize("method", ["predict", "evaluate"])
def test_class_methods_reject_a_single_output_network(method):
    net = Network([4, 3, 1])
    args = (X6,) if method == "predict" else (X6, np.zeros(6, dtype=int))
    with pytest.raises(ValueError, match=f"{method} .* at least 2 outputs"):
        getattr(net, method)(*args)


def test_evaluate_rejects_labels_out_of_range_naming_y():
    with pytest.raises(ValueError, match=names("y")):
        Network(SIZES).evaluate(X6, np.full(6, 3))


def test_evaluate_rejects_wrong_length_naming_y():
    with pytest.raises(ValueError, match=names("y")):
        Network(SIZES).evaluate(X6, Y6[:3])


def test_evaluate_rejects_one_hot_of_wrong_width_naming_y():
    with pytest.raises(ValueError, match=names("y")):
        Network(SIZES).evaluate(X6, np.ones((6, 4)))


def test_cost_rejects_negative_l2_naming_it():
    with pytest.raises(ValueError, match=names("l2")):
        Network(SIZES).cost(X6, Y6, l2=-1.0)


def test_cost_rejects_targets_of_wrong_shape_naming_y():
    with pytest.raises(ValueError, match=names("Y")):
        Network(SIZES).cost(X6, np.ones((6, 2)))


def test_backprop_rejects_non_bool_input_gradient():
    with pytest.raises(TypeError, match=names("input_gradient")):
        Network(SIZES).backprop(X6, Y6, input_gradient="yes")


def test_backprop_of_one_sample_rejects_a_batch_of_targets():
    with pytest.raises(ValueError, match=names("Y")):
        Network(SIZES).backprop(X6[0], np.ones((2, 3)))


# --- parameter assignment ------------------------------------------------------------------------


def test_assigning_weights_of_wrong_shape_names_the_layer_and_changes_nothing():
    net = Network(SIZES, seed=0)
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(3, 5\); got shape \(5, 3\)"):
        net.weights = [np.zeros((5, 4)), np.zeros((5, 3))]
    for w, b in zip(net.weights, before):
        np.testing.assert_array_equal(w, b)


def test_assigning_the_wrong_number_of_weight_matrices_is_rejected():
    with pytest.raises(ValueError, match="weights needs 2 arrays"):
        Network(SIZES).weights = [np.zeros((5, 4))]


def test_assigning_a_single_array_as_the_weights_list_is_rejected():
    with pytest.raises(TypeError, match="weights must be given as a list"):
        Network([2, 2]).weights = np.zeros((2, 2))


def test_assigning_column_vector_biases_is_rejected_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(5,\); got shape \(5, 1\)"):
        Network(SIZES).biases = [np.zeros((5, 1)), np.zeros((3, 1))]


def test_assigning_a_weight_item_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(5, 4\)"):
        Network(SIZES).weights[0] = np.zeros((4, 5))


def test_assigning_non_finite_weights_is_rejected():
    with pytest.raises(ValueError, match=r"weights\[0\] contains NaN"):
        Network(SIZES).weights[0] = np.full((5, 4), np.nan)


def test_assigning_string_weights_is_a_type_error():
    with pytest.raises(TypeError, match=r"weights\[0\]"):
        Network(SIZES).weights[0] = np.full((5, 4), "x")


def test_assigning_weights_beyond_float32_range_is_rejected():
    net = Network([2, 2], dtype=np.float32)
    with pytest.raises(ValueError, match=r"weights\[0\] .*float32 range"):
        net.weights[0] = np.full((2, 2), 1e300)
    assert np.isfinite(net.weights[0]).all()


def test_accuracy_of_ragged_input_names_x():
    with pytest.raises(ValueError, match=names("X")):
        Network(SIZES).accuracy([[1, 2, 3, 4], [1]], [0, 1])


def test_strided_slice_assignment_names_the_right_layer():
    net = Network([2, 2, 2, 2])
    with pytest.raises(ValueError, match=r"weights\[2\] must have shape \(2, 2\)"):
        net.weights[::2] = [np.zeros((2, 2)), np.zeros((3, 3))]
