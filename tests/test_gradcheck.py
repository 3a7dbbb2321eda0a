"""Whole-network gradients from ``Network.backprop`` against central finite differences.

Every valid (output activation, loss) pair is crossed with every hidden activation, several depths and
batch sizes. The check is on the mean cost ``net.cost(X, Y)`` in float64, perturbing parameters through
the ``net.weights`` / ``net.biases`` views and the inputs through ``X`` itself. The figure of merit is the
relative error ``‖g − ĝ‖ / ‖g + ĝ‖`` over the whole gradient vector.

Run ``python tests/test_gradcheck.py`` for a table of the worst relative error per pair.
"""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest
import reference

from deltaprop import Network

OUTPUT_PAIRS = [
    ("identity", "quadratic"),
    ("sigmoid", "quadratic"),
    ("tanh", "quadratic"),
    ("relu", "quadratic"),
    ("leaky_relu", "quadratic"),
    ("softmax", "quadratic"),
    ("sigmoid", "cross_entropy"),
    ("softmax", "log_likelihood"),
]
HIDDEN_ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
SIZES = [[3, 2], [4, 5, 3], [5, 4, 3, 3], [2, 6, 6, 6, 4]]
BATCH_SIZES = [1, 7]

TOLERANCE = 1e-6
# h = STEP * max(1, |p|). STEP ≈ ∛eps balances the O(h²) truncation error against the O(eps·C/h) rounding
# error of the cost; the rounding term dominates for the small input gradients of deep sigmoid nets.
STEP = 6e-6
# Pre-activations of relu / leaky_relu layers are kept this far from the kink at 0. A step of a few 1e-6
# moves any pre-activation by far less, so both sides of a central difference stay on one linear piece.
KINK_MARGIN = 1e-3
# A slope well away from 0 makes the negative side of leaky_relu carry a visible share of the gradient.
LEAKY_SLOPE = 0.2

PIECEWISE_LINEAR = ("relu", "leaky_relu")
_HIDDEN_FUNCTIONS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
}

# (output, loss) -> hidden -> {"params": worst, "input": worst}; filled by the tests, printed at the end.
_WORST: dict[tuple[str, str], dict[str, dict[str, float]]] = {}


def _targets(rng: np.random.Generator, loss: str, m: int, k: int) -> np.ndarray:
    """Targets valid for ``loss``; the first row is a hard target so y == 0 terms are exercised too."""
    if loss == "log_likelihood":
        # Rows must sum to 1: that is what makes δᴸ = a − y the exact softmax + log-likelihood gradient.
        y = rng.dirichlet(np.ones(k), size=m)
        y[0] = np.eye(k)[rng.integers(k)]
    elif loss == "cross_entropy":
        y = rng.uniform(0.0, 1.0, size=(m, k))
        y[0] = rng.integers(0, 2, size=k)
    else:
        y = rng.uniform(-1.0, 1.0, size=(m, k))
    return y


def _away_from_kinks(net: Network, X: np.ndarray, hidden: str, output: str) -> bool:
    """True if no relu/leaky_relu pre-activation is within KINK_MARGIN of 0 and no relu layer is all dead."""
    a = X
    n_layers = len(net.weights)
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        name = output if layer == n_layers - 1 else hidden
        z = a @ w.T + b
        if name in PIECEWISE_LINEAR:
            if np.abs(z).min() < KINK_MARGIN:
                return False
            # A layer with no active unit at all would make parts of the check vacuous.
            if name == "relu" and not (z > 0).any():
                return False
        if layer < n_layers - 1:
            a = _HIDDEN_FUNCTIONS[name](z)
    return True


def draw_problem(output: str, loss: str, hidden: str, sizes: list[int], m: int):
    """Draw a seeded network, inputs and targets, resampling until relu kinks are out of reach."""
    case_seed = zlib.crc32(f"{output}/{loss}/{hidden}/{sizes}/{m}".encode())
    for attempt in range(200):
        rng = np.random.default_rng([case_seed, attempt])
        net = Network(
            sizes,
            activation=hidden,
            output_activation=output,
            loss=loss,
            dtype=np.float64,
            seed=int(rng.integers(2**32)),
            slope=LEAKY_SLOPE,
        )
        X = rng.normal(size=(m, sizes[0]))
        Y = _targets(rng, loss, m, sizes[-1])
        if _away_from_kinks(net, X, hidden, output):
            return net, X, Y
    raise RuntimeError(f"could not draw a kink-free problem for {output}/{loss}/{hidden}/{sizes}/{m}")


def gradient_errors(output: str, loss: str, hidden: str, sizes: list[int], m: int) -> tuple[float, float]:
    """Relative errors (parameters, inputs) between ``backprop`` and central differences for one case."""
    net, X, Y = draw_problem(output, loss, hidden, sizes, m)
    nabla_b, nabla_w, nabla_x = net.backprop(X, Y, input_gradient=True)

    assert [g.shape for g in nabla_w] == [w.shape for w in net.weights]
    assert [g.shape for g in nabla_b] == [b.shape for b in net.biases]
    assert nabla_x.shape == X.shape

    def cost() -> float:
        return net.cost(X, Y)

    analytic = np.concatenate([g.ravel() for g in nabla_w] + [g.ravel() for g in nabla_b])
    numeric = reference.central_differences(cost, list(net.weights) + list(net.biases), STEP)
    analytic_x = np.asarray(nabla_x).ravel()
    numeric_x = reference.central_differences(cost, [X], STEP)

    # A vanishing reference gradient would make the comparison vacuous.
    assert np.linalg.norm(numeric) > 0.0 and np.linalg.norm(numeric_x) > 0.0
    return reference.relative_error(analytic, numeric), reference.relative_error(analytic_x, numeric_x)


def _record(output: str, loss: str, hidden: str, err_params: float, err_input: float) -> None:
    worst = _WORST.setdefault((output, loss), {}).setdefault(hidden, {"params": 0.0, "input": 0.0})
    worst["params"] = max(worst["params"], err_params)
    worst["input"] = max(worst["input"], err_input)


def format_table(worst: dict[tuple[str, str], dict[str, dict[str, float]]]) -> str:
    """Table: one row per (output, loss) pair, worst error per hidden activation, then overall."""
    header = f"{'output':<11} {'loss':<15}" + "".join(f"{h:>11}" for h in HIDDEN_ACTIVATIONS)
    header += f"{'params':>11}{'input':>11}{'worst':>11}"
    lines = [header, "-" * len(header)]
    for pair in OUTPUT_PAIRS:
        if pair not in worst:
            continue
        row = worst[pair]
        cells = [max(row[h].values()) if h in row else float("nan") for h in HIDDEN_ACTIVATIONS]
        params = max(v["params"] for v in row.values())
        inputs = max(v["input"] for v in row.values())
        lines.append(
            f"{pair[0]:<11} {pair[1]:<15}"
            + "".join(f"{c:>11.2e}" for c in cells)
            + f"{params:>11.2e}{inputs:>11.2e}{max(params, inputs):>11.2e}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module", autouse=True)
def _print_worst_errors():
    yield
    if _WORST:
        print("\nworst relative error ‖g−ĝ‖/‖g+ĝ‖ of backprop vs central differences (float64):")
        print(format_table(_WORST))


def _case_id(output: str, loss: str, hidden: str, sizes: list[int], m: int) -> str:
    return f"{output}+{loss}-hidden_{hidden}-{'x'.join(map(str, sizes))}-batch{m}"


CASES = [
    pytest.param(*case, id=_case_id(*case))
    for (output, loss), hidden, sizes, m in itertools.product(OUTPUT_PAIRS, HIDDEN_ACTIVATIONS, SIZES, BATCH_SIZES)
    for case in [(output, loss, hidden, sizes, m)]
]


@pytest.mark.parametrize(("output", "loss", "hidden", "sizes", "m"), CASES)
def test_backprop_gradients_match_central_differences(output, loss, hidden, sizes, m):
    err_params, err_input = gradient_errors(output, loss, hidden, sizes, m)
    _record(output, loss, hidden, err_params, err_input)
    assert err_params < TOLERANCE, f"parameter gradient relative error {err_params:.3e}"
    assert err_input < TOLERANCE, f"input gradient relative error {err_input:.3e}"


@pytest.mark.parametrize(("output", "loss"), OUTPUT_PAIRS, ids=[f"{o}+{c}" for o, c in OUTPUT_PAIRS])
def test_float32_backprop_agrees_with_float64(output, loss):
    net64, X, Y = draw_problem(output, loss, "tanh", [4, 5, 3], 7)
    net32 = Network(
        [4, 5, 3], activation="tanh", output_activation=output, loss=loss, dtype=np.float32, slope=LEAKY_SLOPE
    )
    # Round the float64 problem to float32 values so both nets see exactly the same numbers.
    for src, dst in zip(net64.parameters(), net32.parameters()):
        src[...] = src.astype(np.float32)
        dst[...] = src
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)

    b64, w64 = net64.backprop(X32.astype(np.float64), Y32.astype(np.float64))
    b32, w32 = net32.backprop(X32, Y32)
    assert all(g.dtype == np.float32 for g in b32 + w32)
    g64 = np.concatenate([g.ravel() for g in w64 + b64])
    g32 = np.concatenate([g.ravel() for g in w32 + b32]).astype(np.float64)
    assert reference.relative_error(g32, g64) < 1e-5


if __name__ == "__main__":
    for (output, loss), hidden, sizes, m in itertools.product(OUTPUT_PAIRS, HIDDEN_ACTIVATIONS, SIZES, BATCH_SIZES):
        _record(output, loss, hidden, *gradient_errors(output, loss, hidden, sizes, m))
    print("worst relative error ‖g−ĝ‖/‖g+ĝ‖ of backprop vs central differences (float64)")
    print(f"sizes {SIZES}, batch sizes {BATCH_SIZES}, step {STEP:g}·max(1, |p|), tolerance {TOLERANCE:g}")
    print(format_table(_WORST))
