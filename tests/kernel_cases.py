"""Inputs shared by the kernel tests: reproducible generators and targets that suit each loss."""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(*key):
    """A generator seeded from the test's parameters, so every case is reproducible across runs."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def targets_for(loss, shape, dtype, rng):
    """Targets in dtype that suit the loss: one-hot rows, probabilities with exact 0s and 1s, or reals."""
    if loss == "log_likelihood":
        return np.eye(shape[1], dtype=dtype)[rng.integers(0, shape[1], shape[0])]
    if loss == "cross_entropy":
        y = rng.uniform(size=shape).astype(dtype)
        y.flat[::3] = 1.0
        y.flat[1::3] = 0.0
        return y
    return rng.normal(size=shape).astype(dtype)
