"""The hand-worked chain of Nielsen's chapter 2: one neuron per layer, ``z = w a + b``, ``a = f(z)``.

Every partial derivative is written out by hand with scalars and the ``math`` module, as in the book:

    ∂C/∂wᴸ   = aᴸ⁻¹ · f'(zᴸ) · ∂C/∂aᴸ
    ∂C/∂wᴸ⁻¹ = aᴸ⁻² · f'(zᴸ⁻¹) · wᴸ · f'(zᴸ) · ∂C/∂aᴸ

and compared with ``Network.backprop`` and with single hand-computed SGD steps taken by ``Network.fit``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from deltaprop import Network

REL = 1e-12


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def sigmoid_prime(z: float) -> float:
    # σ'(z) = e⁻ᶻ / (1 + e⁻ᶻ)², written from z, independently of the engine's a(1 − a).
    e = math.exp(-z)
    return e / (1.0 + e) ** 2


def tanh_prime(z: float) -> float:
    return 1.0 / math.cosh(z) ** 2


ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_prime), "tanh": (math.tanh, tanh_prime)}


def cost_and_slope(loss: str, a: float, y: float) -> tuple[float, float]:
    """Per-sample cost C and ∂C/∂a at the output."""
    if loss == "quadratic":
        return 0.5 * (a - y) ** 2, a - y
    if loss == "cross_entropy":
        return -(y * math.log(a) + (1 - y) * math.log(1 - a)), (a - y) / (a * (1 - a))
    raise AssertionError(loss)


def chain_3(activation, loss, w, b, x, y):
    """Network [1, 1, 1]: returns C, [∂C/∂b¹, ∂C/∂b²], [∂C/∂w¹, ∂C/∂w²], ∂C/∂x."""
    f, fp = ACTIVATIONS[activation]
    z1 = w[0] * x + b[0]
    a1 = f(z1)
    z2 = w[1] * a1 + b[1]
    a2 = f(z2)
    cost, dc_da2 = cost_and_slope(loss, a2, y)
    # ∂C/∂w² = a¹ · f'(z²) · ∂C/∂a²
    dw2 = a1 * fp(z2) * dc_da2
    db2 = fp(z2) * dc_da2
    # ∂C/∂w¹ = x · f'(z¹) · w² · f'(z²) · ∂C/∂a²
    dw1 = x * fp(z1) * w[1] * fp(z2) * dc_da2
    db1 = fp(z1) * w[1] * fp(z2) * dc_da2
    dx = w[0] * fp(z1) * w[1] * fp(z2) * dc_da2
    return cost, [db1, db2], [dw1, dw2], dx


def chain_4(activation, loss, w, b, x, y):
    """Network [1, 1, 1, 1]: returns C, [∂C/∂b¹, ∂C/∂b², ∂C/∂b³], [∂C/∂w¹, ∂C/∂w², ∂C/∂w³], ∂C/∂x."""
    f, fp = ACTIVATIONS[activation]
    z1 = w[0] * x + b[0]
    a1 = f(z1)
    z2 = w[1] * a1 + b[1]
    a2 = f(z2)
    z3 = w[2] * a2 + b[2]
    a3 = f(z3)
    cost, dc_da3 = cost_and_slope(loss, a3, y)
    # ∂C/∂w³ = a² · f'(z³) · ∂C/∂a³
    dw3 = a2 * fp(z3) * dc_da3
    db3 = fp(z3) * dc_da3
    # ∂C/∂w² = a¹ · f'(z²) · w³ · f'(z³) · ∂C/∂a³
    dw2 = a1 * fp(z2) * w[2] * fp(z3) * dc_da3
    db2 = fp(z2) * w[2] * fp(z3) * dc_da3
    # ∂C/∂w¹ = x · f'(z¹) · w² · f'(z²) · w³ · f'(z³) · ∂C/∂a³
    dw1 = x * fp(z1) * w[1] * fp(z2) * w[2] * fp(z3) * dc_da3
    db1 = fp(z1) * w[1] * fp(z2) * w[2] * fp(z3) * dc_da3
    dx = w[0] * fp(z1) * w[1] * fp(z2) * w[2] * fp(z3) * dc_da3
    return cost, [db1, db2, db3], [dw1, dw2, dw3], dx


PAIRS = [("sigmoid", "quadratic"), ("sigmoid", "cross_entropy"), ("tanh", "quadratic")]
# (hand computation, weights, biases); signs are mixed so a dropped w in the chain shows.
CHAINS = {
    "1-1-1": (chain_3, [0.7, -1.3], [0.2, 0.5]),
    "1-1-1-1": (chain_4, [0.7, -1.3, 1.1], [0.2, 0.5, -0.3]),
}
X0, Y0 = 0.8, 0.3
X1, Y1 = -0.45, 0.9


def make_chain(activation: str, loss: str, w: list[float], b: list[float]) -> Network:
    net = Network([1] * (len(w) + 1), activation=activation, output_activation=activation, loss=loss)
    for layer, (wl, bl) in enumerate(zip(w, b)):
        net.weights[layer][0, 0] = wl
        net.biases[layer][0] = bl
    return net


def assert_close(got: float, expected: float, what: str) -> None:
    assert math.isclose(float(got), expected, rel_tol=REL, abs_tol=0.0), f"{what}: got {got!r}, by hand {expected!r}"


pair_params = pytest.mark.parametrize(("activation", "loss"), PAIRS, ids=[f"{a}+{c}" for a, c in PAIRS])
chain_params = pytest.mark.parametrize("chain", list(CHAINS))


@pair_params
@chain_params
def test_chain_cost_matches_hand_computation(activation, loss, chain):
    hand, w, b = CHAINS[chain]
    net = make_chain(activation, loss, w, b)
    cost, *_ = hand(activation, loss, w, b, X0, Y0)
    assert_close(net.cost(np.array([[X0]]), np.array([[Y0]])), cost, "C")


@pair_params
@chain_params
def test_chain_gradients_match_hand_computation(activation, loss, chain):
    hand, w, b = CHAINS[chain]
    net = make_chain(activation, loss, w, b)
    _, db, dw, dx = hand(activation, loss, w, b, X0, Y0)
    nabla_b, nabla_w, nabla_x = net.backprop(np.array([[X0]]), np.array([[Y0]]), input_gradient=True)
    assert len(nabla_w) == len(nabla_b) == len(w)
    for layer in range(len(w)):
        assert_close(nabla_w[layer][0, 0], dw[layer], f"∂C/∂w{layer + 1}")
        assert_close(nabla_b[layer][0], db[layer], f"∂C/∂b{layer + 1}")
    assert_close(nabla_x[0, 0], dx, "∂C/∂x")


@pair_params
def test_batch_gradient_is_the_mean_of_per_sample_gradients(activation, loss):
    _, w, b = CHAINS["1-1-1"]
    net = make_chain(activation, loss, w, b)
    c0, db0, dw0, dx0 = chain_3(activation, loss, w, b, X0, Y0)
    c1, db1, dw1, dx1 = chain_3(activation, loss, w, b, X1, Y1)
    X, Y = np.array([[X0], [X1]]), np.array([[Y0], [Y1]])
    assert_close(net.cost(X, Y), (c0 + c1) / 2, "mean C")
    nabla_b, nabla_w, nabla_x = net.backprop(X, Y, input_gradient=True)
    for layer in range(2):
        assert_close(nabla_w[layer][0, 0], (dw0[layer] + dw1[layer]) / 2, f"∂C/∂w{layer + 1}")
        assert_close(nabla_b[layer][0], (db0[layer] + db1[layer]) / 2, f"∂C/∂b{layer + 1}")
    # ∂(mean C)/∂xᵢ: each sample's input gradient carries the 1/m of the mean.
    assert_close(nabla_x[0, 0], dx0 / 2, "∂C/∂x0")
    assert_close(nabla_x[1, 0], dx1 / 2, "∂C/∂x1")


def _params(net: Network) -> tuple[list[float], list[float]]:
    return [float(wl[0, 0]) for wl in net.weights], [float(bl[0]) for bl in net.biases]


@pair_params
def test_one_sgd_step_moves_each_parameter_by_minus_lr_times_gradient(activation, loss):
    _, w, b = CHAINS["1-1-1"]
    lr = 0.37
    net = make_chain(activation, loss, w, b)
    _, db, dw, _ = chain_3(activation, loss, w, b, X0, Y0)
    net.fit(np.array([[X0]]), np.array([[Y0]]), epochs=1, batch_size=1, lr=lr, shuffle=False)
    got_w, got_b = _params(net)
    for layer in range(2):
        assert_close(got_w[layer], w[layer] - lr * dw[layer], f"w{layer + 1} after one step")
        assert_close(got_b[layer], b[layer] - lr * db[layer], f"b{layer + 1} after one step")


@pair_params
def test_one_sgd_step_on_a_batch_uses_the_mean_gradient(activation, loss):
    _, w, b = CHAINS["1-1-1"]
    lr = 0.37
    net = make_chain(activation, loss, w, b)
    _, db0, dw0, _ = chain_3(activation, loss, w, b, X0, Y0)
    _, db1, dw1, _ = chain_3(activation, loss, w, b, X1, Y1)
    net.fit(np.array([[X0], [X1]]), np.array([[Y0], [Y1]]), epochs=1, batch_size=2, lr=lr, shuffle=False)
    got_w, got_b = _params(net)
    for layer in range(2):
        assert_close(got_w[layer], w[layer] - lr * (dw0[layer] + dw1[layer]) / 2, f"w{layer + 1}")
        assert_close(got_b[layer], b[layer] - lr * (db0[layer] + db1[layer]) / 2, f"b{layer + 1}")


def test_l2_step_shrinks_weights_by_one_minus_lr_lambda_over_n_and_leaves_biases_undecayed():
    _, w, b = CHAINS["1-1-1"]
    lr, lmbda, n = 0.37, 0.8, 2
    net = make_chain("sigmoid", "cross_entropy", w, b)
    _, db0, dw0, _ = chain_3("sigmoid", "cross_entropy", w, b, X0, Y0)
    _, db1, dw1, _ = chain_3("sigmoid", "cross_entropy", w, b, X1, Y1)
    net.fit(np.array([[X0], [X1]]), np.array([[Y0], [Y1]]), epochs=1, batch_size=n, lr=lr, l2=lmbda, shuffle=False)
    got_w, got_b = _params(net)
    for layer in range(2):
        # Nielsen's (93): w → (1 − ηλ/n) w − η ∂C/∂w ; b → b − η ∂C/∂b
        expected_w = (1 - lr * lmbda / n) * w[layer] - lr * (dw0[layer] + dw1[layer]) / 2
        assert_close(got_w[layer], expected_w, f"w{layer + 1}")
        assert_close(got_b[layer], b[layer] - lr * (db0[layer] + db1[layer]) / 2, f"b{layer + 1}")


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_two_momentum_steps_match_hand_computation(nesterov):
    _, w, b = CHAINS["1-1-1"]
    lr, mu = 0.37, 0.9
    net = make_chain("sigmoid", "quadratic", w, b)
    p = w + b  # [w1, w2, b1, b2]
    v = [0.0] * 4
    for _ in range(2):
        _, db, dw, _ = chain_3("sigmoid", "quadratic", p[:2], p[2:], X0, Y0)
        g = dw + db
        v = [mu * vi - lr * gi for vi, gi in zip(v, g)]
        if nesterov:
            p = [pi + mu * vi - lr * gi for pi, vi, gi in zip(p, v, g)]
        else:
            p = [pi + vi for pi, vi in zip(p, v)]
    # The same sample twice, batch size 1, no shuffling: two steps within one epoch.
    X, Y = np.array([[X0], [X0]]), np.array([[Y0], [Y0]])
    net.fit(X, Y, epochs=1, batch_size=1, lr=lr, momentum=mu, nesterov=nesterov, shuffle=False)
    got_w, got_b = _params(net)
    for got, expected, name in zip(got_w + got_b, p, ["w1", "w2", "b1", "b2"]):
        assert_close(got, expected, f"{name} after two steps")
