"""The thread count of the drop-in trainers: as many threads as NumPy's BLAS would use here.

Code written for NumPy or scikit-learn gets the process's cores through the BLAS; its drop-in
replacements (``deltaprop.sklearn``, ``deltaprop.compat``) train with the same count, so the limits
that hold that code back hold them back too: ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS`` and ``threadpoolctl.threadpool_limits``. Nothing process-wide is changed.
"""

from __future__ import annotations

import os

from ._engine import core

# The variables a BLAS takes its thread count from (OpenBLAS, MKL, and the OpenMP one both read).
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def blas_threads() -> int:
    """How many threads NumPy's BLAS would use for a large product now (1 in a build without OpenMP)."""
    if not core.openmp:
        return 1
    try:
        from threadpoolctl import threadpool_info  # optional: installed with scikit-learn
    except ImportError:
        return _threads_from_environment()
    counts = [pool["num_threads"] for pool in threadpool_info() if pool.get("user_api") == "blas"]
    return max(1, min(counts)) if counts else _threads_from_environment()


def _threads_from_environment() -> int:
    """The smallest count the thread variables set, else the cores this process may run on."""
    counts = []
    for name in _THREAD_VARIABLES:
        first = os.environ.get(name, "").split(",")[0].strip()  # OpenMP allows a list per nesting level
        if first.isdigit() and int(first) > 0:
            counts.append(int(first))
    return min(counts) if counts else available_cores()


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
