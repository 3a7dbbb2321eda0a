"""What scikit-learn's stochastic optimizers keep between epochs, with the engine that trains.

The engine holds the network's parameters during training and the optimizer's state (the
velocity, or Adam's moments and step count) across epochs and ``partial_fit`` calls. The
learning-rate schedules and the stopping decisions are scikit-learn's, made once per epoch.
"""

from __future__ import annotations

import numpy as np

from ._layout import make_engine

# How scikit-learn's optimizers change an 'adaptive' rate, and the rate at which they give up.
ADAPTIVE_DIVISOR = 5.0
SMALLEST_ADAPTIVE_RATE = 1e-6


class EngineOptimizer:
    """scikit-learn's ``SGDOptimizer`` or ``AdamOptimizer``, run by the engine one epoch at a time."""

    def __init__(self, estimator, layer_units, dtype):
        self.solver = estimator.solver
        self.learning_rate_init = float(estimator.learning_rate_init)
        self.learning_rate = self.learning_rate_init
        self.lr_schedule = estimator.learning_rate
        self.power_t = float(estimator.power_t)
        self.momentum = float(estimator.momentum)
        self.nesterov = bool(estimator.nesterovs_momentum)
        self.beta_1, self.beta_2, self.epsilon = float(estimator.beta_1), float(estimator.beta_2), estimator.epsilon
        self._spec = ([int(n) for n in layer_units], estimator.activation, estimator.out_activation_, np.dtype(dtype))
        self.engine = make_engine(*self._spec)

    def matches(self, layer_units, activation, out_activation, dtype) -> bool:
        """Whether this optimizer's engine trains that network."""
        return self._spec == ([int(n) for n in layer_units], activation, out_activation, np.dtype(dtype))

    def train_epoch(self, X, y, batch_size: int, alpha: float, order, sample_weight, threads: int = 1):
        """One epoch over the rows ``order`` of X (all rows in turn when None), on ``threads`` threads.

        Returns ``(cost_sum, penalty_sum, stopped)`` as the engine reports them.
        """
        adam = self.solver == "adam"
        cost_sum, _, _, stopped, penalty_sum = self.engine.train_epoch(
            X,
            y,
            batch_size,
            self.learning_rate_init if adam else self.learning_rate,
            0.0 if adam else self.momentum,
            False if adam else self.nesterov,
            0.0,
            order is not None,
            0,
            threads,
            None,
            0.2,
            order,
            "adam" if adam else "sgd",
            self.beta_1,
            self.beta_2,
            float(self.epsilon),
            float(alpha),
            sample_weight,
        )
        return cost_sum, penalty_sum, stopped

    def iteration_ends(self, time_step: int) -> None:
        """The 'invscaling' rate after ``time_step`` samples, set once per epoch as scikit-learn does."""
        if self.solver == "sgd" and self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg: str, verbose) -> bool:
        """Whether training stops after an epoch without improvement ('adaptive' lowers the rate instead)."""
        if self.solver != "sgd" or self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= SMALLEST_ADAPTIVE_RATE:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= ADAPTIVE_DIVISOR
        if verbose:
            print(f"{msg} Setting learning rate to {self.learning_rate:f}")
        return False

    # The engine is not picklable: its optimizer state travels as arrays and is put back on load.
    def __getstate__(self):
        state = self.__dict__.copy()
        engine = state.pop("engine")
        state["_moments"] = (engine.first_moment.copy(), engine.second_moment.copy(), engine.adam_steps)
        return state

    def __setstate__(self, state):
        first, second, steps = state.pop("_moments")
        self.__dict__.update(state)
        self.engine = make_engine(*self._spec)
        self.engine.first_moment[:] = first
        self.engine.second_moment[:] = second
        self.engine.adam_steps = steps
