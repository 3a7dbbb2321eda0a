"""The compiled engine: the build for the newest instruction set this CPU runs.

``_core`` is the portable build. On x86-64 the package also carries builds for x86-64-v3 (AVX2
and FMA), about twice as fast, and x86-64-v4 (AVX-512), faster again on cores with full-width
512-bit units; all come from the same source and compute the same results up to floating-point
reassociation. The choice is made once, here, from what the CPU reports, unless the environment
variable ``DELTAPROP_BUILD`` names one of :func:`builds` (``portable``, ``x86-64-v3``, ...): on a CPU
whose AVX-512 units are no wider than AVX2's, or to reproduce another machine's results bit for bit.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

from . import _core

__all__ = ["builds", "core"]


def builds() -> dict[str, ModuleType]:
    """Every build in this installation that this CPU can run, newest instruction set first."""
    found = {}
    level = _core.cpu_level()
    for candidate in (4, 3):
        if level >= candidate:
            try:
                found[f"x86-64-v{candidate}"] = importlib.import_module(f"{__package__}._core_x86_64_v{candidate}")
            except ImportError:  # a build without it (non-x86 compiler flags, DELTAPROP_NATIVE, ...)
                pass
    found["portable"] = _core
    return found


def _chosen() -> ModuleType:
    available = builds()
    wanted = os.environ.get("DELTAPROP_BUILD", "").strip()
    if not wanted:
        return next(iter(available.values()))
    if wanted not in available:
        raise ImportError(
            f"DELTAPROP_BUILD={wanted!r} names no build this CPU runs; choose one of {', '.join(available)}"
        )
    return available[wanted]


core: ModuleType = _chosen()
