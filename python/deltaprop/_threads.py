"""The thread count of the drop-in trainers: as many threads as NumPy's BLAS would use here.

Code written for NumPy or scikit-learn gets the process's cores through the BLAS; its drop-in
replacements (``deltaprop.sklearn``, ``deltaprop.compat``) train with the same count, so the limits
that hold that code back hold them back too: ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS`` and ``threadpoolctl.threadpool_limits`` (on the BLAS or on OpenMP, which the engine
runs on). Nothing process-wide is changed.
"""

from __future__ import annotations

import os
import sys

from ._engine import core

# The variables a BLAS or OpenMP takes its thread count from.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")

_controller = None  # threadpoolctl's view of the thread pools loaded in this process
_modules_seen = -1  # len(sys.modules) when it was made: an import since may have loaded another pool


def blas_threads() -> int:
    """How many threads NumPy's BLAS would use for a large product now, no more than OpenMP allows and
    no more than the process's cores (1 in a build without OpenMP)."""
    if not core.openmp:
        return 1
    pools = _thread_pools()
    counts = [pool.num_threads for pool in pools] if pools is not None else []
    counts = [count for count in counts if count > 0] or [_threads_from_environment()]
    return max(1, min(min(counts), available_cores()))


def _thread_pools():
    """threadpoolctl's controllers of the BLAS and OpenMP pools in this process, or None without threadpoolctl.

    Finding the pools scans the loaded libraries (about half a millisecond); they are found again only
    after new imports. Their thread counts are read live, so ``threadpool_limits`` applies at once.
    """
    global _controller, _modules_seen
    try:
        from threadpoolctl import ThreadpoolController  # optional: installed with scikit-learn
    except ImportError:
        return None
    if _controller is None or len(sys.modules) != _modules_seen:
        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return [pool for pool in _controller.lib_controllers if pool.user_api in ("blas", "openmp")]


def _threads_from_environment() -> int:
    """The smallest count the thread variables set, else the cores this process may run on."""
    counts = [count for count in map(_count_in, _THREAD_VARIABLES) if count is not None]
    return min(counts) if counts else available_cores()


def _count_in(name: str) -> int | None:
    """The positive thread count environment variable ``name`` sets (OpenMP's first level), if any."""
    first = os.environ.get(name, "").split(",")[0].strip()
    try:
        count = int(first)
    except ValueError:
        return None
    return count if count > 0 else None


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
