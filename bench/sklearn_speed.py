"""Seconds per epoch of deltaprop.sklearn's MLPClassifier against scikit-learn's, with identical settings.

Fits ``sklearn.neural_network.MLPClassifier`` and ``deltaprop.sklearn.MLPClassifier`` with the same
constructor arguments on 10,000 Fashion-MNIST training images (float64, pixels / 255), hidden_layer_sizes
(100,), for solvers sgd and adam at batch_size "auto" (= 200) and 32. Each fit runs ``--epochs`` epochs
(tol=0 and n_iter_no_change above max_iter, so it never stops early; ConvergenceWarning silenced); its
wall time divided by its ``n_iter_`` is one measurement, and the table shows the median over ``--repeats``
fits of each side, alternated so that the machine's load hits both alike, after one untimed warm-up fit
each; each timed fit starts after a pause of half a second, so that none starts while the other side's
BLAS threads still spin. Loading the data and scoring are outside the timings. The ratio is
scikit-learn's s/epoch over deltaprop's; the targets are >= 1.5x at batch_size "auto" and >= 3x at 32.
The test accuracy (10,000 images) after the last fit of each side is a sanity check.

    python bench/sklearn_speed.py [--epochs 5] [--repeats 3] [--threads 1,2] [--samples 10000]
                                  [--solvers sgd,adam] [--markdown] [--data-dir DIR]

Threads: each row runs with threadpoolctl's ``threadpool_limits(limits=N)`` in force around every fit of
both sides, for each N of ``--threads`` (default 1 and 2; left alone, both sides use every core here):
scikit-learn's BLAS uses that many threads, and deltaprop.sklearn, which uses as many threads as NumPy's
BLAS would, uses as many too (fewer when a mini-batch is too small to share). Exit
status 0 whether or not a target is met (this is a measurement), 1 when a fit raised, 2 when it cannot
run. About two minutes on two cores with the defaults.

Fashion-MNIST comes from Debian's package: apt-get install dataset-fashion-mnist.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from compare import _cpu_model, _numpy_blas, _positive_ints, _version  # noqa: E402
from sklearn_parity import import_estimators, render_table  # noqa: E402

HIDDEN = (100,)
SEED = 0
N_TEST = 10_000
WARMUP_SAMPLES = 2_000  # the untimed first fit of each side: thread pools, page faults, lazy imports
# A pause before each timed fit: after a product OpenBLAS's threads busy-wait for about a tenth of a
# second, and a fit started meanwhile shares the cores with them (measured: deltaprop's two-thread
# epochs 20-30% slower right after a scikit-learn fit than alone or after a pause).
SETTLE_SECONDS = 0.5
SOLVERS = {"sgd": {"learning_rate_init": 0.01}, "adam": {"learning_rate_init": 0.001}}
TARGETS = {"auto": 1.5, 32: 3.0}  # batch_size -> scikit-learn s/epoch over deltaprop's, at least
COLUMNS = (
    "threads",
    "solver",
    "batch",
    "sklearn s/epoch",
    "deltaprop s/epoch",
    "ratio",
    "target",
    "result",
    "sklearn acc",
    "deltaprop acc",
)


@dataclass
class Timing:
    """One side of one (solver, batch size): seconds per epoch of each timed fit, the last fit's accuracy."""

    per_epoch: list[float] = field(default_factory=list)
    n_iter: list[int] = field(default_factory=list)
    accuracy: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.per_epoch)


@dataclass
class Cell:
    """One row of the table: both sides at one solver and batch size, or why it did not run."""

    threads: int
    solver: str
    batch_size: int | str
    sklearn: Timing = field(default_factory=Timing)
    deltaprop: Timing = field(default_factory=Timing)
    failed: str | None = None

    @property
    def ratio(self) -> float:
        return self.sklearn.median / self.deltaprop.median

    @property
    def met(self) -> bool:
        return self.ratio >= TARGETS[self.batch_size]


def params_for(solver: str, batch_size, epochs: int) -> dict:
    """The constructor arguments both sides receive: exactly ``epochs`` epochs, never an early stop."""
    return {
        "hidden_layer_sizes": HIDDEN,
        "solver": solver,
        "batch_size": batch_size,
        "max_iter": epochs,
        "tol": 0.0,
        "n_iter_no_change": epochs + 1,
        "random_state": SEED,
        **SOLVERS[solver],
    }


def timed_fit(estimator: type, params: dict, X, y):
    """Fit a fresh estimator; return it and its wall seconds (ConvergenceWarning silenced: max_iter is the point)."""
    from sklearn.exceptions import ConvergenceWarning

    model = estimator(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    return model, seconds


def measure_cell(estimators, threads: int, solver: str, batch_size, args, data, progress) -> Cell:
    """Warm up each side once, then alternate their timed fits; s/epoch = fit time / n_iter_."""
    X_train, y_train, X_test, y_test = data
    cell = Cell(threads, solver, batch_size)
    sides = (("scikit-learn", estimators[0], cell.sklearn), ("deltaprop", estimators[1], cell.deltaprop))
    params = params_for(solver, batch_size, args.epochs)
    stage = ""
    try:
        for name, estimator, _ in sides:
            stage = f"{name} (warm-up)"
            timed_fit(estimator, {**params, "max_iter": 1}, X_train[:WARMUP_SAMPLES], y_train[:WARMUP_SAMPLES])
        for repeat in range(args.repeats):
            for name, estimator, timing in sides:
                stage = name
                progress(f"{threads} thread(s), {solver}, batch {batch_size}: {name}, fit {repeat + 1}/{args.repeats}")
                time.sleep(SETTLE_SECONDS)
                model, seconds = timed_fit(estimator, params, X_train, y_train)
                timing.per_epoch.append(seconds / model.n_iter_)
                timing.n_iter.append(int(model.n_iter_))
                timing.accuracy = float(np.mean(model.predict(X_test) == y_test))
    except Exception as exc:  # noqa: BLE001 - reported in the row, the other rows still run
        cell.failed = f"{stage} raised {type(exc).__name__}: {exc}"
    return cell


def row_cells(cell: Cell) -> list[str]:
    if cell.failed:
        return [str(cell.threads), cell.solver, str(cell.batch_size), f"FAILED: {cell.failed}"]
    target = TARGETS[cell.batch_size]
    return [
        str(cell.threads),
        cell.solver,
        str(cell.batch_size),
        f"{cell.sklearn.median:.4f}",
        f"{cell.deltaprop.median:.4f}",
        f"{cell.ratio:.2f}x",
        f">= {target:g}x",
        "MET" if cell.met else "MISSED",
        f"{100 * cell.sklearn.accuracy:.2f}%",
        f"{100 * cell.deltaprop.accuracy:.2f}%",
    ]


def header_lines(args, n_train: int, n_test: int, where: str) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    solvers = "; ".join(f"{s}: learning_rate_init={SOLVERS[s]['learning_rate_init']}" for s in args.solvers)
    return [
        "deltaprop.sklearn.MLPClassifier against scikit-learn's MLPClassifier: seconds per epoch, the same settings",
        f"machine: {_cpu_model()}, {os.cpu_count()} cores ({usable} usable), {platform.system()} "
        f"{platform.machine()}, load average {load} at start; figures are noisy (few cores, other processes)",
        f"versions: Python {platform.python_version()}, deltaprop {_version('deltaprop')}, "
        f"scikit-learn {_version('scikit-learn')}, numpy {np.__version__} (BLAS {_numpy_blas()})",
        f"threads: {', '.join(map(str, args.threads))}; threadpoolctl's threadpool_limits(limits=threads) around every "
        "fit of both sides (scikit-learn's BLAS; deltaprop.sklearn follows the same limit)",
        f"data: Fashion-MNIST from {where}, the first {n_train:,} training images, float64, pixels / 255; "
        f"test accuracy on {n_test:,} test images after the last fit",
        f"estimators: hidden_layer_sizes={HIDDEN}, max_iter={args.epochs}, tol=0, "
        f"n_iter_no_change={args.epochs + 1}, random_state={SEED}, other arguments scikit-learn's defaults; {solvers}",
        f"s/epoch: fit wall time / n_iter_, median of {args.repeats} fits per side, the sides alternated, after one "
        f"untimed 1-epoch warm-up fit each on {WARMUP_SAMPLES:,} images, each timed fit after a {SETTLE_SECONDS:g} s "
        "pause; ratio = scikit-learn / deltaprop",
    ]


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _solvers(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or any(name not in SOLVERS for name in names):
        raise argparse.ArgumentTypeError(f"expected solvers from {tuple(SOLVERS)} separated by commas; got {text!r}")
    return names


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=_positive, default=5, help="epochs of each timed fit (default 5)")
    parser.add_argument("--repeats", type=_positive, default=3, help="timed fits per side and row (default 3)")
    parser.add_argument("--threads", type=_positive_ints, default=[1, 2], help="threads of both sides (default 1,2)")
    parser.add_argument("--samples", type=_positive, default=10_000, help="training images (default 10,000)")
    parser.add_argument("--solvers", type=_solvers, default=list(SOLVERS), help="default sgd,adam")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--data-dir", help="directory of Fashion-MNIST's IDX files (default: the Debian package's)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        estimators = import_estimators()["classifier"]
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    except ImportError as exc:
        print(f"sklearn_speed.py: {exc}", file=sys.stderr)
        return 2
    from deltaprop.datasets import FASHION_MNIST_DIR, FASHION_MNIST_ENV, load_fashion_mnist

    try:
        X_train, y_train = load_fashion_mnist(args.data_dir, "train", np.float64)
        X_test, y_test = load_fashion_mnist(args.data_dir, "t10k", np.float64)
    except FileNotFoundError as exc:
        print(f"sklearn_speed.py: {exc}", file=sys.stderr)
        return 2
    data = (X_train[: args.samples], y_train[: args.samples], X_test[:N_TEST], y_test[:N_TEST])
    where = args.data_dir or os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR

    def progress(text):
        print(text, file=sys.stderr, flush=True)

    bullet = "- " if args.markdown else ""
    for line in header_lines(args, len(data[1]), len(data[3]), where):
        print(bullet + line, flush=True)
    print()
    cells = []
    for threads in args.threads:
        with threadpool_limits(limits=threads):
            for solver in args.solvers:
                for batch_size in TARGETS:
                    cells.append(measure_cell(estimators, threads, solver, batch_size, args, data, progress))
    for line in render_table([row_cells(cell) for cell in cells], COLUMNS, args.markdown, left=2):
        print(line)
    for cell in cells:
        for name, timing in (("scikit-learn", cell.sklearn), ("deltaprop", cell.deltaprop)):
            if not cell.failed and min(timing.n_iter) < args.epochs:
                print(
                    f"note: {name} stopped before max_iter={args.epochs} at {cell.threads} thread(s), "
                    f"{cell.solver}/{cell.batch_size}"
                )
    return 1 if any(cell.failed for cell in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
