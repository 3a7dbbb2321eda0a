"""The checked-in type stubs of ``deltaprop._core`` match what pybind11-stubgen makes of the installed module.

``_core`` has a submodule (``kernels``), so the stubs are a directory ``python/deltaprop/_core/`` holding
``__init__.pyi`` and ``kernels.pyi``. It contains no ``.py`` file, so it never shadows the extension module
at import time, and type checkers read it as the stub package of ``deltaprop._core``.

Regenerate after changing the bindings, from the repository root:
``pybind11-stubgen --exit-code deltaprop._core -o python``.
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

STUB_DIR = Path(__file__).resolve().parents[1] / "python" / "deltaprop" / "_core"
REGENERATE = "pybind11-stubgen --exit-code deltaprop._core -o python"


def read_stubs(directory: Path) -> dict[str, str]:
    return {path.relative_to(directory).as_posix(): path.read_text() for path in sorted(directory.rglob("*.pyi"))}


def test_checked_in_stubs_match_the_compiled_module(tmp_path):
    pytest.importorskip("pybind11_stubgen", reason="pybind11-stubgen is not installed (it is in the test extra)")
    result = subprocess.run(
        [sys.executable, "-m", "pybind11_stubgen", "--exit-code", "deltaprop._core", "-o", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"pybind11-stubgen failed:\n{result.stdout}{result.stderr}"
    generated = read_stubs(tmp_path / "deltaprop" / "_core")
    checked_in = read_stubs(STUB_DIR)
    assert generated, "pybind11-stubgen wrote no stubs"
    assert sorted(checked_in) == sorted(generated), f"stub files differ; regenerate with `{REGENERATE}`"
    for name, text in generated.items():
        diff = "".join(
            difflib.unified_diff(
                checked_in[name].splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"checked-in _core/{name}",
                f"generated _core/{name}",
            )
        )
        assert not diff, f"_core/{name} is out of date; regenerate with `{REGENERATE}`:\n{diff}"


def test_stubs_do_not_shadow_the_extension_module():
    import deltaprop._core as core

    assert not list(STUB_DIR.glob("*.py")), "a .py file in the stub directory would shadow the compiled module"
    assert Path(core.__file__).suffix in (".so", ".pyd"), core.__file__
    assert hasattr(core, "Engine64") and hasattr(core.kernels, "dense_forward")
