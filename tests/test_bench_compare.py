"""Smoke test of bench/compare.py: its whole machinery on tiny synthetic data, one epoch, whatever peers exist.

Each cell runs in a subprocess as in a real comparison; only the amount of work is small.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"
QUICK = ["--data", "synthetic", "--samples", "256", "--epochs", "1", "--rounds", "1", "--threads", "1"]
QUICK += ["--gemm-size", "128"]
NUMBER = re.compile(r"^[\d,.]+%?$")


@pytest.fixture(scope="module")
def compare():
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    spec = importlib.util.spec_from_file_location("bench_compare", BENCH_DIR / "compare.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _rows(output: str, compare) -> dict[tuple[str, str], list[str]]:
    """Table rows by (config, peer), split on runs of two or more spaces."""
    rows = {}
    for line in output.splitlines():
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) >= 3 and parts[0] in compare.CONFIGS:
            rows[parts[0], parts[1].rstrip("*")] = parts
    return rows


def test_gemm_flop_count_counts_no_input_gradient_for_the_first_layer(compare):
    from peers.common import gemm_flops_per_sample

    # [784, 100, 10]: first layer forward + weight gradient, second layer also its input gradient.
    assert gemm_flops_per_sample([784, 100, 10]) == 2 * 2 * 784 * 100 + 3 * 2 * 100 * 10


def test_table_has_every_column_and_a_row_per_installed_peer(compare, capsys):
    peers = [p for p in compare.OPTIONAL_PEERS if compare.PEERS[p].missing() is None]
    assert compare.main([*QUICK, "--configs", "C2", "--peers", ",".join(compare.OPTIONAL_PEERS)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("config"))
    assert re.split(r"\s{2,}", header) == list(compare.COLUMNS)
    assert "GFLOP/epoch = n · Σ_l k_l · 2 · in_l · out_l" in out
    assert re.search(r"machine: .+, \d+ cores", out)
    rows = _rows(out, compare)
    for peer in [compare.BASELINE, *peers]:
        row = rows["C2", peer]
        assert len(row) == len(compare.COLUMNS), f"{peer}: {row}"
        assert all(NUMBER.match(value) for value in row[2:]), f"{peer}: {row}"
    assert rows["C2", compare.BASELINE][-1] == "1.00"  # deltaprop's time over its own
    for peer in set(compare.OPTIONAL_PEERS) - set(peers):
        assert rows["C2", peer][2].startswith("skipped: "), "a missing peer must be skipped, never faked"
    assert "C2 1 thread: numpy / deltaprop >= 1.8x" in out


def test_a_missing_optional_peer_is_skipped_with_a_notice_and_no_numbers(compare, capsys, monkeypatch):
    absent = compare.PEERS["torch"].__class__("torch", "torch_peer", "deltaprop_no_such_library", "pip install it")
    monkeypatch.setitem(compare.PEERS, "torch", absent)
    assert compare.main([*QUICK, "--configs", "C2", "--peers", "torch", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "notice: peer torch skipped: deltaprop_no_such_library not installed (pip install it)" in out
    row = next(line for line in out.splitlines() if line.startswith("| C2 | torch |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2].startswith("skipped: ")
    assert cells[3:] == [""] * (len(compare.COLUMNS) - 3)
    assert re.search(r"C2 1 thread: torch / deltaprop >= 3.5x\s+—\s+not measured", out)


def test_missing_fashion_mnist_says_how_to_install_it(compare, capsys, tmp_path):
    assert compare.main(["--data-dir", str(tmp_path), "--configs", "C2", "--peers", "numpy"]) == 2
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().err


def test_targets_are_met_or_missed_by_the_measured_ratio(compare):
    Cell = compare.Cell
    results = {
        ("C2", "deltaprop", 1): Cell("C2", "deltaprop", 1, [1.0, 1.0], 0.85, 10 * 2**20),
        ("C2", "numpy", 1): Cell("C2", "numpy", 1, [2.0, 2.0], 0.855),
        ("C2", "torch", 1): Cell("C2", "torch", 1, [3.0], 0.86),
        ("C2", "sklearn", 1): Cell("C2", "sklearn", 1, skipped="sklearn not installed"),
    }
    targets = {text: (value, status) for text, value, status in compare.evaluate_targets(results, {}, 60_000)}
    assert targets["C2 1 thread: numpy / deltaprop >= 1.8x"] == ("2.00x", "MET")
    assert targets["C2 1 thread: torch / deltaprop >= 3.5x"] == ("3.00x", "MISSED")
    assert targets["C2 1 thread: sklearn / deltaprop >= 3.5x"][1] == "not measured"
    memory = next(v for t, v in targets.items() if t.startswith("C2 memory"))
    assert memory == ("10.0 MiB", "MET")
    same = next(v for t, v in targets.items() if t.startswith("C2 same answers"))
    assert same == ("0.50 points", "MET")


def test_rounds_of_a_cell_pool_their_epochs_and_keep_a_skip_or_failure(compare):
    Cell = compare.Cell
    first = Cell("C2", "numpy", 1, [1.0, 3.0, 5.0], 0.8, 100)
    later = Cell("C2", "numpy", 1, [2.0, 2.5, 9.0], 0.8, 300)
    merged = first.merged(later)
    assert merged.seconds == [1.0, 3.0, 5.0, 2.0, 2.5, 9.0] and merged.median == 2.75
    assert merged.rss_delta == 300 and merged.accuracy == 0.8
    failed = Cell("C2", "numpy", 1, failed="raised")
    assert first.merged(failed) is failed and failed.merged(first) is failed
    skipped = Cell("C2", "torch", 1, skipped="not installed")
    assert skipped.merged(skipped) is skipped


def test_two_rounds_run_every_cell_twice(compare, capsys):
    quick = list(QUICK)
    quick[quick.index("--rounds") + 1] = "2"
    assert compare.main([*quick, "--configs", "C1", "--peers", "numpy"]) == 0
    captured = capsys.readouterr()
    assert "in each of 2 round(s) of every cell" in captured.out
    assert "[4/4] C1 deltaprop" in captured.err  # the second round runs the peers in reverse order


def test_gemm_peak_is_also_measured_without_forced_openblas_kernels(compare, monkeypatch):
    """OPENBLAS_CORETYPE makes OpenBLAS run the kernels it names; the peak is then measured with its own choice too."""
    spawned = []

    def spawn(option, task, threads, unset=()):
        spawned.append(tuple(unset))
        return {"gflops": 10.0 * len(spawned)}, None

    monkeypatch.setattr(compare, "_spawn", spawn)
    monkeypatch.setattr(compare, "_blas_library", lambda: {"internal_api": "openblas"})
    monkeypatch.delenv("OPENBLAS_CORETYPE", raising=False)
    assert compare.forced_blas_kernels() is None
    assert compare.measure_gemm_peak("float32", 1, 64) == 10.0 and spawned == [()]
    spawned.clear()
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    assert compare.forced_blas_kernels() == "Haswell"
    assert compare.measure_gemm_peak("float32", 1, 64) == 20.0  # the higher of the two
    assert spawned == [(), ("OPENBLAS_CORETYPE",)]
    monkeypatch.setattr(compare, "_blas_library", lambda: {"internal_api": "mkl"})
    assert compare.forced_blas_kernels() is None
