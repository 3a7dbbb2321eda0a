"""deltaprop.sklearn's estimators do what scikit-learn's do: the same shuffles from the same random
state and the same formulas, so fitted parameters, losses and stopping agree to rounding."""

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import scipy.sparse  # noqa: E402
from sklearn import neural_network  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_multilabel_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from deltaprop.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# Rounding differences (the engine sums products in another order) grow over the steps of training,
# quickly where a ReLU unit flips: a few epochs at moderate rates keep them measurable, and then
# parameters agree to this tolerance relative to each array's largest entry.
RTOL = {np.float64: 1e-7, np.float32: 2e-3}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


def fitted_pair(estimator_class, params, X, y, **fit_kwargs):
    """(scikit-learn's, ours), each fitted with the same parameters on the same data."""
    reference_class = getattr(neural_network, estimator_class.__name__)
    pair = []
    for cls in (reference_class, estimator_class):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pair.append(cls(**params).fit(X, y, **fit_kwargs))
    return pair


def assert_same_model(theirs, ours, rtol):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_ if hasattr(theirs, "t_") else True
    assert ours.out_activation_ == theirs.out_activation_
    for mine, reference in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert mine.dtype == reference.dtype and mine.shape == reference.shape
        scale = float(np.abs(reference).max())
        np.testing.assert_allclose(mine, reference, rtol=0, atol=rtol * scale)
    if getattr(theirs, "loss_curve_", None) is not None:
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=rtol)
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=rtol)


STOCHASTIC_SETTINGS = [
    {"solver": "sgd", "learning_rate_init": 0.01},
    {"solver": "sgd", "learning_rate_init": 0.01, "nesterovs_momentum": False, "alpha": 1e-2},
    {"solver": "sgd", "learning_rate_init": 0.2, "momentum": 0.0, "learning_rate": "invscaling", "power_t": 0.3},
    {"solver": "sgd", "learning_rate_init": 0.05, "learning_rate": "adaptive", "n_iter_no_change": 1, "tol": 0.1},
    {"solver": "adam", "learning_rate_init": 0.002},
    {"solver": "adam", "learning_rate_init": 0.001, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6, "alpha": 0.1},
    {"solver": "adam", "learning_rate_init": 0.002, "shuffle": False},
    {"solver": "sgd", "learning_rate_init": 0.01, "early_stopping": True, "validation_fraction": 0.2},
    {"solver": "adam", "learning_rate_init": 0.002, "tol": 0.05, "n_iter_no_change": 1},
]


@pytest.mark.parametrize("batch_size", [1, 7, 32, 33, "auto"])
@pytest.mark.parametrize("settings", STOCHASTIC_SETTINGS, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
def test_stochastic_classifier_matches_scikit_learn(digits, settings, batch_size):
    X, y = digits
    epochs = 2 if batch_size == 1 else 6  # 600 steps an epoch: rounding differences grow fast
    params = {"hidden_layer_sizes": (20,), "max_iter": epochs, "random_state": 3, "batch_size": batch_size, **settings}
    theirs, ours = fitted_pair(MLPClassifier, params, X, y)
    assert_same_model(theirs, ours, RTOL[np.float64])
    if settings.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_every_activation_matches_scikit_learn_in_float32_and_float64(digits, activation, solver):
    X, y = digits
    params = {"hidden_layer_sizes": (16, 8), "activation": activation, "solver": solver, "max_iter": 5}
    params |= {"random_state": 0, "learning_rate_init": 0.05 if solver == "sgd" else 0.005}
    for dtype in (np.float64, np.float32):
        theirs, ours = fitted_pair(MLPClassifier, params, X.astype(dtype), y)
        assert ours.coefs_[0].dtype == dtype
        assert_same_model(theirs, ours, RTOL[dtype])


def test_binary_and_multilabel_classification_use_logistic_outputs_like_scikit_learn(digits):
    X, y = digits
    params = {"hidden_layer_sizes": (10,), "solver": "adam", "max_iter": 8, "random_state": 1}
    theirs, ours = fitted_pair(MLPClassifier, params, X, y % 2)
    assert ours.out_activation_ == "logistic" and ours.n_outputs_ == 1
    assert_same_model(theirs, ours, RTOL[np.float64])
    Xm, Ym = make_multilabel_classification(n_samples=300, n_features=12, n_classes=4, random_state=0)
    theirs, ours = fitted_pair(MLPClassifier, params, Xm, Ym)
    assert_same_model(theirs, ours, RTOL[np.float64])
    np.testing.assert_array_equal(ours.predict(Xm), theirs.predict(Xm))


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("n_targets", [1, 3])
def test_regressor_matches_scikit_learn(solver, n_targets):
    X, y = make_regression(n_samples=400, n_features=10, n_targets=n_targets, noise=5.0, random_state=0)
    y = y / np.abs(y).max()
    params = {"hidden_layer_sizes": (15,), "solver": solver, "max_iter": 15, "random_state": 2}
    params |= {"learning_rate_init": 0.01}
    theirs, ours = fitted_pair(MLPRegressor, params, X, y)
    assert_same_model(theirs, ours, 1e-6 if solver == "lbfgs" else RTOL[np.float64])
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), abs=1e-6)


def test_poisson_regression_matches_scikit_learn_and_refuses_negative_targets():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = rng.poisson(np.exp(0.5 * X[:, 0]))
    params = {"hidden_layer_sizes": (8,), "loss": "poisson", "solver": "adam", "max_iter": 10, "random_state": 0}
    theirs, ours = fitted_pair(MLPRegressor, params, X, y)
    assert ours.out_activation_ == "exp"
    assert_same_model(theirs, ours, RTOL[np.float64])
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(**params).fit(X, y - 1.0)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_sample_weights_match_scikit_learn(digits, solver):
    X, y = digits
    weights = np.random.default_rng(0).uniform(0.0, 3.0, len(y))
    params = {"hidden_layer_sizes": (12,), "solver": solver, "max_iter": 6, "random_state": 4, "alpha": 0.01}
    params |= {"learning_rate_init": 0.05 if solver == "sgd" else 0.01, "batch_size": 25}
    theirs, ours = fitted_pair(MLPClassifier, params, X, y, sample_weight=weights)
    assert_same_model(theirs, ours, 1e-6 if solver == "lbfgs" else RTOL[np.float64])


def test_lbfgs_classifier_matches_scikit_learn_and_keeps_float32(digits):
    X, y = digits
    params = {"hidden_layer_sizes": (20,), "solver": "lbfgs", "max_iter": 40, "random_state": 0}
    theirs, ours = fitted_pair(MLPClassifier, params, X, y)
    assert_same_model(theirs, ours, 1e-6)
    ours32 = MLPClassifier(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours32.fit(X.astype(np.float32), y)
    assert all(c.dtype == np.float32 for c in ours32.coefs_ + ours32.intercepts_)
    assert ours32.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert ours32.score(X, y) == pytest.approx(theirs.score(X, y), abs=0.02)


def test_partial_fit_and_warm_start_continue_like_scikit_learn(digits):
    X, y = digits
    params = {"hidden_layer_sizes": (10,), "solver": "adam", "random_state": 0, "learning_rate_init": 0.01}
    theirs, ours = neural_network.MLPClassifier(**params), MLPClassifier(**params)
    for start in range(0, 600, 150):
        for model in (theirs, ours):
            model.partial_fit(X[start : start + 150], y[start : start + 150], classes=np.arange(10))
        assert_same_model(theirs, ours, RTOL[np.float64])
    warm = {**params, "warm_start": True, "max_iter": 3}
    theirs, ours = neural_network.MLPClassifier(**warm), MLPClassifier(**warm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(2):
            theirs.fit(X, y)
            ours.fit(X, y)
            assert_same_model(theirs, ours, RTOL[np.float64])


def test_pickled_estimator_predicts_the_same_and_trains_on_where_it_stopped(digits):
    X, y = digits
    params = {"hidden_layer_sizes": (10,), "solver": "sgd", "random_state": 0, "learning_rate_init": 0.1}
    kept, copied = MLPClassifier(**params), None
    kept.partial_fit(X, y, classes=np.arange(10))
    copied = pickle.loads(pickle.dumps(kept))
    np.testing.assert_array_equal(copied.predict_proba(X), kept.predict_proba(X))
    kept.partial_fit(X, y)
    copied.partial_fit(X, y)  # the velocity travelled with it: the same second epoch
    for a, b in zip(kept.coefs_ + kept.intercepts_, copied.coefs_ + copied.intercepts_):
        np.testing.assert_array_equal(a, b)
    fresh = clone(kept)
    assert not hasattr(fresh, "coefs_") and fresh.get_params() == kept.get_params()


def test_sparse_input_gives_the_dense_result(digits):
    X, y = digits
    params = {"hidden_layer_sizes": (10,), "solver": "adam", "max_iter": 4, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPClassifier(**params).fit(X, y)
        sparse = MLPClassifier(**params).fit(scipy.sparse.csr_matrix(X), y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sparse.predict_proba(scipy.sparse.csc_matrix(X)), dense.predict_proba(X))


def test_convergence_warning_and_verbose_output_are_scikit_learn_s(digits, capsys):
    X, y = digits
    params = {"hidden_layer_sizes": (10,), "max_iter": 3, "random_state": 0, "verbose": True}
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        neural_network.MLPClassifier(**params).fit(X, y)
    expected = capsys.readouterr().out
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        MLPClassifier(**params).fit(X, y)
    assert capsys.readouterr().out == expected


def test_ctrl_c_stops_training_with_scikit_learn_s_warning_and_a_usable_model():
    import _thread
    import threading

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(4000, 50)), rng.integers(0, 3, 4000)
    model = MLPClassifier(hidden_layer_sizes=(64,), max_iter=100_000, tol=0, n_iter_no_change=10**6, random_state=0)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            model.fit(X, y)
    finally:
        timer.cancel()
    assert 0 < model.n_iter_ < 100_000
    assert all(np.isfinite(c).all() for c in model.coefs_)
    assert model.predict(X[:5]).shape == (5,)
