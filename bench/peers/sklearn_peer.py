"""scikit-learn's MLPClassifier(solver="sgd"), one partial_fit per epoch so that each epoch is timed.

partial_fit keeps the optimizer (and its velocity) between calls and shuffles every call, like one long
fit. scikit-learn draws its own Glorot initial parameters (biases too) from the seed. It has no classifier
with a quadratic cost: for C1 it trains logistic hidden units under a softmax + log-loss output, the
closest it has, so C1's timing compares like with like (the same products) but its accuracy does not.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

from .common import Config, Data, Trained

ACTIVATIONS = {"sigmoid": "logistic", "relu": "relu"}
NOTE_C1 = "scikit-learn has no quadratic-cost classifier: logistic hidden layer, softmax + log-loss output"


def train(config: Config, data: Data, threads: int, epochs: int, seed: int) -> Trained:
    # threads: its BLAS is limited by the worker (environment and threadpoolctl).
    sklearn.set_config(assume_finite=True)  # the data were checked once; no NaN scan each epoch
    model = MLPClassifier(
        hidden_layer_sizes=config.sizes[1:-1],
        activation=ACTIVATIONS[config.activation],
        solver="sgd",
        alpha=0.0,
        batch_size=config.batch_size,
        learning_rate="constant",
        learning_rate_init=config.lr,
        momentum=config.momentum,
        nesterovs_momentum=False,
        shuffle=True,
        random_state=np.random.RandomState(seed),  # an instance, so that each partial_fit shuffles anew
        tol=0.0,
        n_iter_no_change=10**9,
        max_iter=1,
    )
    classes = np.arange(config.sizes[-1])
    seconds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in exp for C1's large initial weights
        for _ in range(epochs):
            start = time.perf_counter()
            model.partial_fit(data.X_train, data.y_train, classes=classes)
            seconds.append(time.perf_counter() - start)
    return Trained(seconds, model.predict)
