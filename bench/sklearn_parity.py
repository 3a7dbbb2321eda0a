"""deltaprop.sklearn against scikit-learn: the same estimators, data and hyper-parameters should score the same.

For each data set (scikit-learn's digits, a Fashion-MNIST subset, make_friedman1 standardised, and on request
load_diabetes standardised) and each solver (sgd, adam, lbfgs), fits ``sklearn.neural_network.MLPClassifier`` /
``MLPRegressor`` and ``deltaprop.sklearn.MLPClassifier`` / ``MLPRegressor`` with identical constructor
arguments over several seeds (``random_state=seed``), and prints per row the test metric (accuracy for
classifiers, R² for regressors) of each as mean ± std over the seeds, their difference, and PASS when
|mean difference| <= 1 percentage point (accuracy) or 0.01 (R²); also the wall time of each side's fits
and the mean ``n_iter_`` of each. ConvergenceWarning is silenced: the comparison is of equal results
for equal work. Nothing is downloaded: digits and diabetes ship with scikit-learn, Friedman #1 is
synthetic, Fashion-MNIST comes from Debian's package (skipped with a notice when missing).

    python bench/sklearn_parity.py [--seeds 5] [--quick] [--datasets digits,fashion-mnist,friedman1[,diabetes]]
                                   [--solvers sgd,adam,lbfgs] [--markdown] [--data-dir DIR]

Exit status 0 when every row passes, 1 when any fails (or a fit raises), 2 when it cannot run. A few minutes
on two cores, most of them Fashion-MNIST's; ``--quick`` (2 seeds, smaller subsets) about 20 seconds.
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
from typing import Callable

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from compare import _cpu_model, _names, _numpy_blas, _version  # noqa: E402
from peers.common import Data  # noqa: E402

TOLERANCE = 0.01  # |mean difference|: 1 percentage point of accuracy, or 0.01 of R²
HIDDEN = (64,)
SPLIT_SEED = 0  # the train/test split and the synthetic data are the same for every seed
# Per solver: learning rates and iteration budgets under which every solver converges reasonably on every set.
SOLVERS = {
    "sgd": {"learning_rate_init": 0.01, "max_iter": 100},
    "adam": {"learning_rate_init": 0.001, "max_iter": 100},
    "lbfgs": {"max_iter": 200},
}


@dataclass(frozen=True)
class DataSet:
    """One data set of the comparison: how to load it, whether it is a classification, its extra parameters."""

    name: str
    classification: bool
    load: Callable[[bool, str | None], tuple[Data, str]]  # (quick, data_dir) -> (data, description)
    params: dict = field(default_factory=dict)  # constructor arguments beyond HIDDEN and the solver's


@dataclass
class Side:
    """One estimator's results over the seeds of a row."""

    scores: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall time of all its fits
    n_iter: list[int] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores)

    @property
    def std(self) -> float:
        return statistics.stdev(self.scores) if len(self.scores) > 1 else 0.0


@dataclass
class Row:
    """The comparison of one (data set, solver): both sides, or why it did not run."""

    dataset: DataSet
    solver: str
    sklearn: Side = field(default_factory=Side)
    deltaprop: Side = field(default_factory=Side)
    skipped: str | None = None
    failed: str | None = None

    @property
    def difference(self) -> float:
        return self.deltaprop.mean - self.sklearn.mean

    @property
    def noise(self) -> float:
        """Standard error of the difference of the two means: what the seeds alone make it vary by."""
        n = len(self.sklearn.scores)
        return float(np.sqrt((self.sklearn.std**2 + self.deltaprop.std**2) / n))

    @property
    def passed(self) -> bool:
        return self.skipped is None and self.failed is None and abs(self.difference) <= TOLERANCE


# ----------------------------------------------------------------------------- data


def _standardised(X, y, what: str) -> tuple[Data, str]:
    """A fixed 75/25 split, features and target standardised with the training part's mean and std."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SPLIT_SEED)
    scaler = StandardScaler().fit(X_train)
    mean, std = y_train.mean(), y_train.std()
    data = Data(scaler.transform(X_train), (y_train - mean) / std, scaler.transform(X_test), (y_test - mean) / std)
    return data, f"{what}; {len(y_train):,} train / {len(y_test):,} test, X and y standardised on the training part"


def load_digits_data(quick: bool, data_dir: str | None) -> tuple[Data, str]:
    """scikit-learn's 1,797 8x8 digits, pixels / 16, a fixed stratified 75/25 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.25, random_state=SPLIT_SEED, stratify=y)
    text = f"scikit-learn's digits, 64 features (pixels / 16), {len(y_train):,} train / {len(y_test):,} test"
    return Data(X_train, y_train, X_test, y_test), text


def load_fashion_data(quick: bool, data_dir: str | None) -> tuple[Data, str]:
    """The first training and test images of Fashion-MNIST, pixels / 255 (FileNotFoundError when missing)."""
    from deltaprop.datasets import load_fashion_mnist

    n_train, n_test = (1_000, 500) if quick else (5_000, 2_000)
    X_train, y_train = load_fashion_mnist(data_dir, "train", np.float64)
    X_test, y_test = load_fashion_mnist(data_dir, "t10k", np.float64)
    data = Data(X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test])
    return data, f"Fashion-MNIST, 784 features (pixels / 255), the first {n_train:,} train / {n_test:,} test images"


def load_friedman_data(quick: bool, data_dir: str | None) -> tuple[Data, str]:
    """make_friedman1 (10 features, 5 of them used) with Gaussian noise of std 1."""
    from sklearn.datasets import make_friedman1

    n = 1_000 if quick else 3_000
    X, y = make_friedman1(n_samples=n, n_features=10, noise=1.0, random_state=SPLIT_SEED)
    return _standardised(X, y, "make_friedman1, 10 features, noise 1.0")


def load_diabetes_data(quick: bool, data_dir: str | None) -> tuple[Data, str]:
    """scikit-learn's 442 diabetes patients, 10 features."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return _standardised(X, y, "scikit-learn's diabetes, 10 features, alpha = 10 (without it every solver overfits)")


DATASETS = {
    d.name: d
    for d in (
        DataSet("digits", True, load_digits_data),
        DataSet("fashion-mnist", True, load_fashion_data),
        DataSet("friedman1", False, load_friedman_data),
        DataSet("diabetes", False, load_diabetes_data, {"alpha": 10.0}),
    )
}
DEFAULT_DATASETS = ("digits", "fashion-mnist", "friedman1")


# ----------------------------------------------------------------------------- fitting


def import_estimators() -> dict[str, tuple[type, type]]:
    """{"classifier": (scikit-learn's, deltaprop's), "regressor": (...)}; ImportError says what is missing."""
    try:
        from sklearn.neural_network import MLPClassifier, MLPRegressor
    except ImportError as exc:
        raise ImportError(f"scikit-learn is not installed ({exc}); install it with: pip install scikit-learn") from exc
    try:
        from deltaprop.sklearn import MLPClassifier as DeltaClassifier
        from deltaprop.sklearn import MLPRegressor as DeltaRegressor
    except ImportError as exc:
        raise ImportError(f"deltaprop.sklearn is not importable ({exc}); install deltaprop: pip install .") from exc
    return {"classifier": (MLPClassifier, DeltaClassifier), "regressor": (MLPRegressor, DeltaRegressor)}


def params_for(dataset: DataSet, solver: str, seed: int) -> dict:
    """The constructor arguments both sides receive."""
    return {"hidden_layer_sizes": HIDDEN, "solver": solver, "random_state": seed, **SOLVERS[solver], **dataset.params}


def fit_and_score(estimator: type, params: dict, data: Data, classification: bool, side: Side) -> None:
    """Fit one estimator, add its test metric, fit time and n_iter_ to ``side``."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score

    model = estimator(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached: the same work on both sides
        start = time.perf_counter()
        model.fit(data.X_train, data.y_train)
        side.seconds += time.perf_counter() - start
    metric = accuracy_score if classification else r2_score
    side.scores.append(float(metric(data.y_test, model.predict(data.X_test))))
    side.n_iter.append(int(model.n_iter_))


def compare_row(dataset: DataSet, solver: str, data: Data, estimators: dict, seeds: int, progress) -> Row:
    """Both sides on one (data set, solver) over the seeds, alternating so that machine load hits both alike."""
    row = Row(dataset, solver)
    theirs, ours = estimators["classifier" if dataset.classification else "regressor"]
    for seed in range(seeds):
        progress(f"{dataset.name} {solver} seed {seed}")
        params = params_for(dataset, solver, seed)
        try:
            fit_and_score(theirs, params, data, dataset.classification, row.sklearn)
        except Exception as exc:  # noqa: BLE001 - reported in the row, the other rows still run
            row.failed = f"scikit-learn raised {type(exc).__name__}: {exc}"
            return row
        try:
            fit_and_score(ours, params, data, dataset.classification, row.deltaprop)
        except Exception as exc:  # noqa: BLE001
            row.failed = f"deltaprop raised {type(exc).__name__}: {exc}"
            return row
    return row


# ----------------------------------------------------------------------------- output

COLUMNS = (
    "data set",
    "solver",
    "metric",
    "scikit-learn",
    "deltaprop",
    "diff",
    "σ(diff)",
    "target",
    "result",
    "sklearn s",
    "deltaprop s",
    "sklearn iters",
    "deltaprop iters",
)


def row_cells(row: Row) -> list[str]:
    """The table's cells of one row; a skipped or failed row has its reason in place of the numbers."""
    if row.skipped or row.failed:
        return [row.dataset.name, row.solver, f"skipped: {row.skipped}" if row.skipped else f"FAILED: {row.failed}"]
    if row.dataset.classification:  # accuracy in percent, difference in points
        scale, spec, metric, target = 100, ".2f", "accuracy %", f"<= {100 * TOLERANCE:.2f}"
    else:
        scale, spec, metric, target = 1, ".4f", "R²", f"<= {TOLERANCE:.4f}"

    def fmt(value, sign=""):
        return format(scale * value, sign + spec)

    return [
        row.dataset.name,
        row.solver,
        metric,
        f"{fmt(row.sklearn.mean)} ± {fmt(row.sklearn.std)}",
        f"{fmt(row.deltaprop.mean)} ± {fmt(row.deltaprop.std)}",
        fmt(row.difference, "+"),
        fmt(row.noise),
        target,
        "PASS" if row.passed else "FAIL",
        f"{row.sklearn.seconds:.2f}",
        f"{row.deltaprop.seconds:.2f}",
        f"{statistics.fmean(row.sklearn.n_iter):.1f}",
        f"{statistics.fmean(row.deltaprop.n_iter):.1f}",
    ]


def render_table(rows: list[list[str]], columns, markdown: bool, left: int = 3) -> list[str]:
    """Markdown or aligned plain text; the first ``left`` columns left-aligned, the others right-aligned."""
    if markdown:
        rule = "|" + "|".join(["---"] * left + ["---:"] * (len(columns) - left)) + "|"
        lines = ["| " + " | ".join(columns) + " |", rule]
        return lines + ["| " + " | ".join(row + [""] * (len(columns) - len(row))) + " |" for row in rows]
    # The cells that sit in columns: all of a full row; of a short one its names, not its reason.
    placed = [row if len(row) == len(columns) else row[:-1] for row in rows]
    widths = [max([len(columns[i])] + [len(row[i]) for row in placed if i < len(row)]) for i in range(len(columns))]

    def line(row):
        if len(row) < len(columns):  # its reason after the names
            return "  ".join([row[i].ljust(widths[i]) for i in range(len(row) - 1)] + [row[-1]])
        return "  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))

    header = line(list(columns))
    return [header, "-" * len(header)] + [line(row) for row in rows]


def header_lines(args, seeds: int, described: dict[str, str]) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    solvers = "; ".join(f"{name}: " + ", ".join(f"{k}={v}" for k, v in SOLVERS[name].items()) for name in args.solvers)
    lines = [
        "deltaprop.sklearn against scikit-learn: the same estimators, data, constructor arguments and seeds",
        f"machine: {_cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
        f"load average {load} at start",
        f"versions: Python {platform.python_version()}, deltaprop {_version('deltaprop')}, "
        f"scikit-learn {_version('scikit-learn')}, numpy {np.__version__} (BLAS {_numpy_blas()})",
        "threads: 1 for both sides (threadpoolctl's limit on BLAS, which deltaprop.sklearn follows)",
        f"estimators: hidden_layer_sizes={HIDDEN}, random_state = seed, other arguments scikit-learn's defaults; "
        f"{solvers}",
        f"seeds: 0..{seeds - 1}; each side's metric is mean ± std over the seeds; diff = deltaprop - scikit-learn; "
        "σ(diff) is its standard error (how much the seeds alone move it)",
        f"target: |deltaprop - scikit-learn| <= {100 * TOLERANCE:g} point of test accuracy, <= {TOLERANCE:g} of "
        "test R²; s = wall time of all of a side's fits; iters = mean n_iter_; ConvergenceWarning silenced",
    ]
    return lines + [f"{name}: {text}" for name, text in described.items()]


# ----------------------------------------------------------------------------- command line


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, help="seeds 0..N-1 per row (default 5; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 2 seeds, smaller Fashion-MNIST and Friedman")
    parser.add_argument(
        "--datasets",
        type=lambda s: _names(s, tuple(DATASETS), "data set"),
        default=list(DEFAULT_DATASETS),
        help=f"comma-separated, from {', '.join(DATASETS)} (default {','.join(DEFAULT_DATASETS)}; diabetes is "
        "optional: its 111 test samples make R² move by about ±0.006 with the seed, close to the target)",
    )
    parser.add_argument("--solvers", type=lambda s: _names(s, tuple(SOLVERS), "solver"), default=list(SOLVERS))
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--data-dir", help="directory of Fashion-MNIST's IDX files (default: the Debian package's)")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        parser.error("--seeds must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    seeds = args.seeds or (2 if args.quick else 5)
    try:
        estimators = import_estimators()
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn
    except ImportError as exc:
        print(f"sklearn_parity.py: {exc}", file=sys.stderr)
        return 2

    def progress(text):
        print(text, file=sys.stderr, flush=True)

    loaded, described, notices = {}, {}, []
    for name in args.datasets:
        try:
            loaded[name], described[name] = DATASETS[name].load(args.quick, args.data_dir)
        except FileNotFoundError as exc:
            notices.append(f"notice: {name} skipped: {exc}")
            described[name] = "not found, skipped (see the notice below)"
    bullet = "- " if args.markdown else ""
    for line in header_lines(args, seeds, described) + notices:
        print(bullet + line, flush=True)
    print()

    rows = []
    with threadpool_limits(limits=1):
        for name in args.datasets:
            for solver in args.solvers:
                if name not in loaded:
                    rows.append(Row(DATASETS[name], solver, skipped="data not found (see the notice above)"))
                    continue
                rows.append(compare_row(DATASETS[name], solver, loaded[name], estimators, seeds, progress))
    for line in render_table([row_cells(row) for row in rows], COLUMNS, args.markdown):
        print(line)
    print()
    ran = [row for row in rows if not row.skipped]
    bad = [f"{row.dataset.name} {row.solver}" for row in ran if not row.passed]
    if bad:
        print(f"{len(bad)} of {len(ran)} rows outside the target or failed: {', '.join(bad)}")
        return 1
    if not ran:
        print("no row ran: nothing was compared")
        return 2
    skipped = len(rows) - len(ran)
    print(f"all {len(ran)} row(s) within the target" + (f" ({skipped} skipped)" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
