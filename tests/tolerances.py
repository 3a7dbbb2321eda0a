"""The one comparison every kernel test uses: engine result against the NumPy reference."""

import numpy as np


def tolerance(dtype, reduction=1, k=8.0):
    """Relative tolerance for a result of ``dtype`` made by summing ``reduction`` terms.

    Rounding errors of a sum of n terms grow like √n·eps in practice, so the bound is
    ``k · eps(dtype) · √reduction``.
    """
    return k * np.finfo(dtype).eps * np.sqrt(max(int(reduction), 1))


def assert_matches_reference(got, expected, dtype, reduction=1, scale=None, k=8.0):
    """Assert that an engine result equals the reference up to rounding in ``dtype``.

    Checks, in order: the type (an ndarray of exactly ``dtype``, or a Python float when the
    reference is a scalar), the shape, finiteness wherever the reference is finite, and
    ``|got − expected| ≤ tol · (|expected| + scale)`` element-wise with
    ``tol = tolerance(dtype, reduction, k)``.

    Parameters
    ----------
    got : numpy.ndarray or float
        The engine's result.
    expected : array_like or float
        The reference result, normally computed in float64 from the same inputs.
    dtype : numpy dtype
        The working dtype the engine must have used; it sets the epsilon.
    reduction : int
        Length of the longest sum behind one result element (1 for element-wise kernels).
    scale : float or array_like, optional
        Absolute scale of the result, for elements that are tiny by cancellation: a number, or one
        per element (e.g. the sum of the absolute values of the terms behind it).
        Defaults to ``max |expected|`` (a norm-wise bound).
    k : float
        Safety factor on the rounding bound.
    """
    dtype = np.dtype(dtype)
    expected = np.asarray(expected, dtype=np.float64)
    if expected.ndim == 0:
        assert isinstance(got, float), f"expected a Python float, got {type(got).__name__}"
        got_arr = np.asarray(got, dtype=np.float64)
    else:
        assert isinstance(got, np.ndarray), f"expected a numpy.ndarray, got {type(got).__name__}"
        assert got.dtype == dtype, f"dtype {got.dtype}, expected {dtype}"
        assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape}"
        got_arr = got.astype(np.float64)
    finite = np.isfinite(expected)
    bad = finite & ~np.isfinite(got_arr)
    assert not bad.any(), f"non-finite values where the reference is finite at {np.argwhere(bad)[:5].tolist()}"
    if scale is None:
        scale = float(np.max(np.abs(expected[finite]), initial=0.0))
    tol = tolerance(dtype, reduction, k)
    err = np.abs(got_arr - expected)
    limit = tol * (np.abs(expected) + scale)
    over = finite & (err > limit)
    if over.any():
        worst = np.unravel_index(np.argmax(np.where(finite, err - limit, -np.inf)), err.shape)
        raise AssertionError(
            f"{int(over.sum())} of {over.size} elements differ beyond tol={tol:.3g} (scale={np.max(scale):.3g}); "
            f"worst at {tuple(int(i) for i in worst)}: got {got_arr[worst]!r}, expected {expected[worst]!r}"
        )
    non_finite = ~finite
    if non_finite.any():
        assert np.array_equal(got_arr[non_finite], expected[non_finite], equal_nan=True), "non-finite values differ"
