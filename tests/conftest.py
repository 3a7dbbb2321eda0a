"""Test configuration: make the tests directory importable and set hypothesis defaults."""

import os
import sys
from pathlib import Path

from hypothesis import settings

# `from reference import ...` works whatever the rootdir or pytest configuration.
TESTS_DIR = str(Path(__file__).resolve().parent)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

# Kernel calls are fast but their first call may be slow; no per-example deadline. Under CI the
# examples are derandomized so that a run is reproducible; local runs keep exploring new ones.
settings.register_profile("deltaprop", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("deltaprop")
