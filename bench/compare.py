"""deltaprop side by side with its peers: the same networks, data, hyper-parameters and threads, in one run.

Trains each configuration on Fashion-MNIST with deltaprop and with every installed peer (a plain NumPy
mini-batch loop, scikit-learn's MLPClassifier, PyTorch on the CPU) and prints one table per thread count:
seconds per epoch (median over epochs, data loading excluded), samples/s, achieved GFLOP/s, the percent of
this machine's GEMM peak (NumPy's BLAS on a 2048×2048 product of that dtype and thread count, measured in
the same run; where OPENBLAS_CORETYPE forces OpenBLAS's kernels, also with its own choice for the CPU, the higher
kept), test accuracy, the peak RSS during fit minus the RSS after loading the data, and each
peer's time divided by deltaprop's; then whether each target was met.

Every (peer, configuration, threads) cell runs in a fresh process with OMP/OPENBLAS/MKL_NUM_THREADS set
to the thread count (and threadpoolctl's limits when it is installed): deltaprop gets fit(threads=N),
PyTorch torch.set_num_threads(N). Nothing leaks from one peer to the next and each process's memory is
its own. A peer whose library is not installed is skipped with a notice.

    python bench/compare.py [--configs C1,C2,C3] [--threads 1,2] [--epochs N] [--rounds N]
                            [--peers numpy,sklearn,torch] [--samples N] [--markdown]

Epochs default to 3 for C1 and C2 and 2 for C3. Every cell runs --rounds times (default 2), the peers'
order reversed in alternate rounds, and its s/epoch is the median over the epochs of all its rounds, so a
burst of other work on the machine during one cell moves its figure less. About five minutes on two cores.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from peers import PEERS  # noqa: E402
from peers.common import CONFIGS, FLOP_FORMULA, data_files, gemm_flops_per_sample, load_data  # noqa: E402

BASELINE = "deltaprop"
OPTIONAL_PEERS = ("numpy", "sklearn", "torch")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
RESULT_TAG = "COMPARE-RESULT "
SEED = 0
MEMORY_LIMIT_MIB = 64
# "Within noise": over 6 shuffle seeds from the same initial parameters, C2's test accuracy after 3 epochs has a
# standard deviation of 0.4 (NumPy) to 0.75 (deltaprop) points, so two runs differ by about 0.85 points (one σ);
# 2 points is about 2σ. (Without shuffling, one epoch of the two gives the same weights to 3e-7.)
ACCURACY_NOISE = 0.02
FASHION_INSTALL = "apt-get install dataset-fashion-mnist  (files in /usr/share/datasets/fashion-mnist/)"
SKLEARN_C1_NOTE = (
    "C1 sklearn: scikit-learn has no classifier with a quadratic cost; it runs logistic hidden units under a "
    "softmax + log-loss output (the same products, so its time compares; its accuracy does not)"
)
COLUMNS = ("config", "peer", "s/epoch", "samples/s", "GFLOP/s", "% peak", "test acc", "ΔRSS MiB", "time/deltaprop")


@dataclass
class Cell:
    """The outcome of one (configuration, peer, threads) measurement."""

    config: str
    peer: str
    threads: int
    seconds: list[float] | None = None
    accuracy: float | None = None
    rss_delta: int | None = None  # bytes: peak RSS during fit minus RSS after loading the data
    skipped: str | None = None
    failed: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    def merged(self, later: Cell) -> Cell:
        """This cell with a later round of the same measurement: its epochs added, the larger memory peak."""
        if self.seconds is None or later.seconds is None:
            return self if self.seconds is None else later  # a skip or a failure stands
        rss = [r for r in (self.rss_delta, later.rss_delta) if r is not None]
        return Cell(
            self.config, self.peer, self.threads, self.seconds + later.seconds, self.accuracy, max(rss, default=None)
        )


# ----------------------------------------------------------------------------- inside a worker process


def _limit_threads(threads: int):
    """threadpoolctl's limits on every BLAS and OpenMP library loaded so far, if threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None  # the environment variables set by the parent already apply
    return threadpool_limits(limits=threads)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> bool:
    """Restart the kernel's peak-RSS counter (VmHWM) from the current RSS; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def run_worker(task: dict) -> None:
    """Train one cell and print its result as one JSON line."""
    peer = importlib.import_module(f"peers.{PEERS[task['peer']].module}")  # the library loads before the limits
    limits = _limit_threads(task["threads"])  # noqa: F841 - kept alive for the whole run
    config = CONFIGS[task["config"]]
    data = load_data(Path(task["data"]), config.dtype)
    rss_loaded = _status_kib("VmRSS")
    reset = _reset_peak_rss()
    trained = peer.train(config, data, task["threads"], task["epochs"], task["seed"])
    rss_delta = (_status_kib("VmHWM") - rss_loaded) * 1024 if reset else None
    accuracy = float(np.mean(np.asarray(trained.predict(data.X_test)) == data.y_test))
    result = {"seconds": [float(s) for s in trained.seconds], "accuracy": accuracy, "rss_delta": rss_delta}
    print(RESULT_TAG + json.dumps(result), flush=True)


def run_gemm(task: dict) -> None:
    """Print the best GFLOP/s of NumPy's BLAS on an n×n product of the dtype (threads set by the parent)."""
    limits = _limit_threads(task["threads"])  # noqa: F841
    n, dtype = task["size"], np.dtype(task["dtype"])
    rng = np.random.default_rng(SEED)
    a, b = rng.random((n, n)).astype(dtype), rng.random((n, n)).astype(dtype)
    c = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=c)  # warm-up: thread start, page faults
    best = min(_timed(np.matmul, a, b, c) for _ in range(task["repeats"]))
    print(RESULT_TAG + json.dumps({"gflops": 2 * n**3 / best / 1e9}), flush=True)


def _timed(product, a, b, c) -> float:
    start = time.perf_counter()
    product(a, b, out=c)
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- in the parent process


def _spawn(option: str, task: dict, threads: int, unset=()) -> tuple[dict | None, str | None]:
    """Run this script with ``option`` in a fresh process with its thread count, without the environment variables
    ``unset``; return (result, error)."""
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    for name in unset:
        env.pop(name, None)
    command = [sys.executable, str(Path(__file__).resolve()), option, json.dumps(task)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG) :]), None
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    return None, (lines[-1].strip() if lines else f"exit status {proc.returncode}")


def measure_gemm_peak(dtype: str, threads: int, size: int) -> float | None:
    """NumPy's best GFLOP/s on the product, also with OpenBLAS's own kernels for this CPU where OPENBLAS_CORETYPE
    names others (see forced_blas_kernels); the higher."""
    task = {"dtype": dtype, "threads": threads, "size": size, "repeats": 5}
    runs = [_spawn("--gemm", task, threads)[0]]
    if forced_blas_kernels():
        runs.append(_spawn("--gemm", task, threads, unset=("OPENBLAS_CORETYPE",))[0])
    return max((run["gflops"] for run in runs if run is not None), default=None)


def _blas_library() -> dict | None:
    """threadpoolctl's description of NumPy's BLAS (None without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return next((lib for lib in threadpool_info() if lib.get("user_api") == "blas"), None)


def forced_blas_kernels() -> str | None:
    """The core type OPENBLAS_CORETYPE forces on NumPy's OpenBLAS, if it does.

    OpenBLAS then runs those kernels instead of its choice for this CPU (AVX2 ones on a CPU with AVX-512 run at half
    the speed), so the machine's GEMM peak is measured both ways. The peers run as the environment says.
    """
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    lib = _blas_library()
    return coretype if coretype and lib is not None and lib.get("internal_api") == "openblas" else None


def measure_cell(config: str, peer: str, threads: int, epochs: int, data_dir: Path) -> Cell:
    missing = PEERS[peer].missing()
    if missing:
        return Cell(config, peer, threads, skipped=missing)
    task = {"peer": peer, "config": config, "threads": threads, "epochs": epochs, "seed": SEED, "data": str(data_dir)}
    result, error = _spawn("--worker", task, threads)
    if result is None:
        return Cell(config, peer, threads, failed=error)
    return Cell(config, peer, threads, result["seconds"], result["accuracy"], result["rss_delta"])


def prepare_data(source: str, data_dir: str | None, samples: int | None, dtypes, out: Path) -> str:
    """Write the training and test arrays for the workers into ``out``; return a description of them."""
    if source == "synthetic":
        # Tiny, learnable random data for smoke tests: timings mean nothing, the machinery is the same.
        rng = np.random.default_rng(SEED)
        n_train, n_test = samples or 512, 128
        X = rng.random((n_train + n_test, 784))
        y = np.argmax(X @ rng.standard_normal((784, 10)), axis=1).astype(np.int64)
        parts = {"X_train": X[:n_train], "y_train": y[:n_train], "X_test": X[n_train:], "y_test": y[n_train:]}
        what = f"synthetic random data ({n_train:,} train, {n_test:,} test; timings mean nothing)"
    else:
        from deltaprop.datasets import load_fashion_mnist

        X, y = load_fashion_mnist(data_dir, "train", np.float64)
        X_test, y_test = load_fashion_mnist(data_dir, "t10k", np.float64)
        if samples:
            X, y = X[:samples], y[:samples]
        parts = {"X_train": X, "y_train": y, "X_test": X_test, "y_test": y_test}
        where = data_dir or os.environ.get("DELTAPROP_FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
        what = f"Fashion-MNIST ({len(y):,} train, {len(y_test):,} test, IDX gz from {where})"
    for dtype in dtypes:
        for key, path in data_files(out, dtype).items():
            array = parts[key]
            np.save(path, np.ascontiguousarray(array if key.startswith("y") else array.astype(dtype)))
    return what


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_blas() -> str:
    lib = _blas_library()
    if lib is not None:
        return f"{lib['internal_api']} {lib['version']} ({lib.get('architecture')}, {lib['threading_layer']})"
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        return "unknown"


def _deltaprop_build() -> str:
    try:
        from deltaprop import _core

        return "OpenMP" if getattr(_core, "openmp", False) else "no OpenMP"
    except ImportError as exc:
        return f"not importable: {exc}"


def header_lines(configs, threads, peers, epochs, data_text, missing, gemm_size=2048, rounds=1) -> list[str]:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    coretype = forced_blas_kernels()
    forced_note = (
        f"; OPENBLAS_CORETYPE={coretype} is set, so also with OpenBLAS's own kernels for this CPU (the peers run "
        f"with {coretype}'s)"
        if coretype
        else ""
    )
    lines = [
        "deltaprop against its peers: the same data, hyper-parameters, initial parameters (except scikit-learn's) "
        "and thread count",
        f"machine: {_cpu_model()}, {cores} cores ({usable} usable), {platform.system()} {platform.machine()}, "
        f"load average {load} at start; figures are noisy (few cores, other processes may be running)",
        f"versions: Python {platform.python_version()}, deltaprop {_version('deltaprop')} ({_deltaprop_build()}), "
        f"numpy {np.__version__} (BLAS {_numpy_blas()}), scikit-learn {_version('scikit-learn')}, "
        f"torch {_version('torch')}, threadpoolctl {_version('threadpoolctl')}",
        f"data: {data_text}",
        f"threads: {', '.join(map(str, threads))}; each cell in its own process with "
        f"{'/'.join(THREAD_VARIABLES)} = N, deltaprop fit(threads=N), torch.set_num_threads(N)",
        "epochs: " + ", ".join(f"{c.name} {epochs[c.name]}" for c in configs) + " (defaults 3 for C1/C2 and 2 for "
        f"C3), in each of {rounds} round(s) of every cell, the peers' order reversed in alternate rounds; s/epoch is "
        "the median of the per-epoch wall times of all rounds, data loading and test evaluation excluded",
        FLOP_FORMULA,
        f"GEMM peak: best of 5 NumPy products of two {gemm_size}×{gemm_size} matrices of the row's dtype at the "
        "table's thread count, in a process of its own, before and after the table's cells (the higher is kept)"
        + forced_note,
        f"peers: {', '.join(peers)}",
    ]
    for name, reason in missing.items():
        lines.append(f"notice: peer {name} skipped: {reason}")
    for config in configs:
        gflop = gemm_flops_per_sample(config.sizes) / 1e9
        note = f" ({config.note})" if config.note else ""
        lines.append(f"{config.name}{note}: {config.describe()}; {gflop * 1e3:.4g} MFLOP per sample")
    return lines


def _fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table_rows(cells: list[Cell], n_train: int, peaks: dict, threads: int) -> list[list[str]]:
    baseline = {c.config: c.median for c in cells if c.peer == BASELINE}
    rows = []
    for cell in cells:
        config = CONFIGS[cell.config]
        peer = cell.peer + ("*" if (cell.config, cell.peer) == ("C1", "sklearn") else "")
        if cell.skipped or cell.failed:
            rows.append([cell.config, peer, f"skipped: {cell.skipped}" if cell.skipped else f"failed: {cell.failed}"])
            continue
        seconds = cell.median
        gflops = gemm_flops_per_sample(config.sizes) * n_train / seconds / 1e9
        peak = peaks.get((config.dtype, threads))
        base = baseline.get(cell.config)
        rows.append(
            [
                cell.config,
                peer,
                f"{seconds:.3f}",
                f"{n_train / seconds:,.0f}",
                f"{gflops:.2f}",
                _fmt(None if peak is None else 100 * gflops / peak, ".1f"),
                f"{100 * cell.accuracy:.2f}%",
                _fmt(None if cell.rss_delta is None else cell.rss_delta / 2**20, ".1f"),
                _fmt(None if base is None else seconds / base, ".2f"),
            ]
        )
    return rows


def render_table(rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(COLUMNS) - 2)) + "|"]
        for row in rows:
            cells = row + [""] * (len(COLUMNS) - len(row))
            lines.append("| " + " | ".join(cells) + " |")
        return lines
    full = [row for row in rows if len(row) == len(COLUMNS)]
    widths = [max([len(COLUMNS[i])] + [len(row[i]) for row in full]) for i in range(len(COLUMNS))]

    def line(row):
        if len(row) < len(COLUMNS):  # a skipped or failed cell: its reason in place of the numbers
            return "  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2]])
        parts = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        return "  ".join(parts + [row[i].rjust(widths[i]) for i in range(2, len(COLUMNS))])

    return [line(list(COLUMNS)), "-" * len(line(list(COLUMNS)))] + [line(row) for row in rows]


# ----------------------------------------------------------------------------- targets


def evaluate_targets(results: dict, peaks: dict, n_train: int) -> list[tuple[str, str, str]]:
    """(target, measured, MET / MISSED / not measured) for each of the project's speed targets."""

    def median(config, peer, threads=1):
        cell = results.get((config, peer, threads))
        return None if cell is None else cell.median

    def ratio(config, peer, threads=1):
        ours, theirs = median(config, BASELINE, threads), median(config, peer, threads)
        return None if ours is None or theirs is None else theirs / ours

    out = []

    def check(text, value, threshold, unit="x", at_most=False):
        if value is None:
            out.append((text, "—", "not measured"))
            return
        met = value <= threshold if at_most else value >= threshold
        digits = 1 if unit in ("%", " MiB") else 2
        if f"{value:.{digits}f}" == f"{threshold:.{digits}f}":
            digits += 2  # close enough to the threshold to need more digits to tell
        shown = f"{value:.{digits}f}{unit}"
        out.append((text, shown, "MET" if met else "MISSED"))

    for config, peer, threshold in (
        ("C1", "numpy", 2.5),
        ("C1", "torch", 10.0),
        ("C2", "numpy", 1.8),
        ("C2", "torch", 3.5),
        ("C2", "sklearn", 3.5),
    ):
        check(f"{config} 1 thread: {peer} / deltaprop >= {threshold}x", ratio(config, peer), threshold)
    peers = {p: ratio("C3", p) for p in OPTIONAL_PEERS if ratio("C3", p) is not None}
    fastest = min(peers, key=peers.get) if peers else None
    check(
        f"C3 1 thread: fastest peer{f' ({fastest})' if fastest else ''} / deltaprop >= 1.2x",
        peers.get(fastest),
        1.2,
    )
    ours, peak = median("C3", BASELINE), peaks.get(("float32", 1))
    percent = None
    if ours is not None and peak:
        percent = 100 * gemm_flops_per_sample(CONFIGS["C3"].sizes) * n_train / ours / 1e9 / peak
    check("C3 1 thread: deltaprop >= 75% of the GEMM peak", percent, 75.0, unit="%")
    for config in CONFIGS:
        one, two = median(config, BASELINE, 1), median(config, BASELINE, 2)
        speedup = None if one is None or two is None else one / two
        check(f"{config} 2 threads: deltaprop no slower than with 1 (1-thread / 2-thread time >= 1)", speedup, 1.0)
    one, two = median("C3", BASELINE, 1), median("C3", BASELINE, 2)
    check("C3 2 threads: deltaprop >= 1.5x faster than with 1", None if one is None or two is None else one / two, 1.5)
    memory = [c.rss_delta for (cfg, p, _), c in results.items() if (cfg, p) == ("C2", BASELINE) and c.rss_delta]
    check(
        f"C2 memory: deltaprop's peak RSS in fit - RSS after loading < {MEMORY_LIMIT_MIB} MiB (largest over threads)",
        max(memory) / 2**20 if memory else None,
        MEMORY_LIMIT_MIB,
        unit=" MiB",
        at_most=True,
    )
    ours, reference = results.get(("C2", BASELINE, 1)), results.get(("C2", "numpy", 1))
    gap = None
    if ours and reference and ours.accuracy is not None and reference.accuracy is not None:
        gap = 100 * abs(ours.accuracy - reference.accuracy)
    check(
        f"C2 same answers: |test accuracy deltaprop - NumPy| <= {100 * ACCURACY_NOISE:.1f} points (1 thread)",
        gap,
        100 * ACCURACY_NOISE,
        unit=" points",
        at_most=True,
    )
    return out


# ----------------------------------------------------------------------------- command line


def _names(text: str, allowed, what: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {allowed}")
    return names


def _positive_ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas; got {text!r}")
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", type=lambda s: _names(s, tuple(CONFIGS), "configuration"), default=list(CONFIGS))
    parser.add_argument("--threads", type=_positive_ints, default=[1, 2], help="thread counts (default 1,2)")
    parser.add_argument("--epochs", type=int, help="epochs for every configuration (default: 3 for C1/C2, 2 for C3)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of every cell, merged (default 2)")
    parser.add_argument(
        "--peers",
        type=lambda s: _names(s, OPTIONAL_PEERS, "peer"),
        default=list(OPTIONAL_PEERS),
        help="peers to run beside deltaprop (default numpy,sklearn,torch)",
    )
    parser.add_argument("--samples", type=int, help="train on the first N training samples only (quick runs)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--data",
        choices=("fashion-mnist", "synthetic"),
        default="fashion-mnist",
        help="synthetic: tiny random data for smoke tests, whose timings mean nothing",
    )
    parser.add_argument("--data-dir", help="directory of Fashion-MNIST's IDX files (default: the Debian package's)")
    parser.add_argument("--gemm-size", type=int, default=2048, help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--gemm", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.samples is not None and args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        run_worker(json.loads(args.worker))
        return 0
    if args.gemm:
        run_gemm(json.loads(args.gemm))
        return 0

    def say(line=""):
        print(line, flush=True)

    def progress(text):
        print(text, file=sys.stderr, flush=True)

    configs = [CONFIGS[name] for name in args.configs]
    epochs = {c.name: args.epochs or c.epochs for c in configs}
    peers = [BASELINE] + list(dict.fromkeys(args.peers))
    missing = {p: PEERS[p].missing() for p in peers if PEERS[p].missing()}
    dtypes = sorted({c.dtype for c in configs})
    with tempfile.TemporaryDirectory(prefix="deltaprop-compare-") as tmp:
        try:
            data_text = prepare_data(args.data, args.data_dir, args.samples, dtypes, Path(tmp))
        except FileNotFoundError as exc:
            print(f"compare.py: {exc}\nInstall Fashion-MNIST with: {FASHION_INSTALL}", file=sys.stderr)
            return 2
        n_train = len(np.load(data_files(Path(tmp), dtypes[0])["y_train"]))
        bullet = "- " if args.markdown else ""
        for line in header_lines(configs, args.threads, peers, epochs, data_text, missing, args.gemm_size, args.rounds):
            say(bullet + line)
        results, peaks = {}, {}
        total, done = len(args.threads) * len(configs) * len(peers) * args.rounds, 0

        def measure_peaks(threads):
            # Before and after the cells; the higher is kept, as the one less disturbed by other processes.
            for dtype in dtypes:
                progress(f"GEMM peak, {dtype}, {threads} thread(s)")
                gflops = [measure_gemm_peak(dtype, threads, args.gemm_size), peaks.get((dtype, threads))]
                peaks[dtype, threads] = max((g for g in gflops if g is not None), default=None)

        for threads in args.threads:
            measure_peaks(threads)
            for round_ in range(args.rounds):
                for config in configs:
                    for peer in peers if round_ % 2 == 0 else peers[::-1]:
                        done += 1
                        progress(
                            f"[{done}/{total}] {config.name} {peer}, {threads} thread(s), {epochs[config.name]} epochs"
                        )
                        cell = measure_cell(config.name, peer, threads, epochs[config.name], Path(tmp))
                        key = (config.name, peer, threads)
                        results[key] = results[key].merged(cell) if key in results else cell
            cells = [results[config.name, peer, threads] for config in configs for peer in peers]
            measure_peaks(threads)
            say()
            peak_text = ", ".join(f"{d} {_fmt(peaks[d, threads], '.1f')} GFLOP/s" for d in dtypes)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
            title = f"{threads} thread{'s' if threads > 1 else ''}; GEMM peak {peak_text}; load average {load} after"
            say(f"{'### ' if args.markdown else ''}{title}")
            if args.markdown:
                say()
            for line in render_table(table_rows(cells, n_train, peaks, threads), args.markdown):
                say(line)
            if any(c.peer == "sklearn" and c.config == "C1" and c.seconds for c in cells):
                say(("\n" if args.markdown else "") + f"* {SKLEARN_C1_NOTE}")
    say()
    say(f"{'### ' if args.markdown else ''}Speed targets (1 thread unless said)")
    if args.markdown:
        say()
    targets = evaluate_targets(results, peaks, n_train)
    width = max(len(text) for text, _, _ in targets)
    for text, value, status in targets:
        say(f"{bullet}{text.ljust(width)}  {value:>12}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
