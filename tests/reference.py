"""A plain NumPy reference of the mathematics deltaprop implements.

Everything here is written the textbook way, for readability rather than speed:
derivatives are functions of the pre-activation ``z``, softmax goes through its
explicit Jacobian, and every function returns new arrays. The tests compare the
compiled engine against these functions.

Conventions (the same as the engine): samples are rows (batch-first), a layer's
weight ``W`` is ``(n_out, n_in)`` and its bias ``b`` is ``(n_out,)``, so that
``Z = A_prev Wᵀ + b`` and ``A = f(Z)``. Costs are means over the samples of the
per-sample cost. Logarithms and divisions are guarded by ``tiny``, the smallest
positive normal number of the working dtype, so ``a = 0`` or ``a = 1`` never
gives NaN.

The exp output with its Poisson loss, sample weights, probability clipping, Adam and
scikit-learn's per-batch L2 term came later; they are kept out of ``ACTIVATIONS``,
``LOSSES`` and ``VALID_PAIRS`` (see ``RATE_PAIRS``) so that the tests parametrized over
those see the same cases as before.
"""

from collections import namedtuple

import numpy as np

ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
LOSSES = ("quadratic", "cross_entropy", "log_likelihood")

# (output activation, loss) pairs an output layer may use.
VALID_PAIRS = (
    *((act, "quadratic") for act in ACTIVATIONS),
    ("sigmoid", "cross_entropy"),
    ("softmax", "log_likelihood"),
)
# The exp output (a positive rate) and the losses it may use.
RATE_PAIRS = (("exp", "quadratic"), ("exp", "poisson"))


def _tiny(x, tiny):
    """The clamp value: ``tiny`` if given, else the smallest normal of ``x``'s float dtype."""
    if tiny is not None:
        return tiny
    dtype = np.asarray(x).dtype
    return np.finfo(dtype if np.issubdtype(dtype, np.floating) else np.float64).tiny


# --------------------------------------------------------------------------- activations


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), evaluated without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z):
    """softmax(z)_j = e^(z_j) / Σ_k e^(z_k) for each row; the row maximum is subtracted first."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def activation(name, z, slope=0.01):
    """a = f(z), element-wise (softmax: row-wise)."""
    z = np.asarray(z, dtype=float)
    if name == "identity":
        return z.copy()
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, slope * z)
    if name == "softmax":
        return softmax(z)
    if name == "exp":
        return np.exp(z)
    raise ValueError(f"unknown activation {name!r}")


def activation_prime(name, z, slope=0.01):
    """f'(z), element-wise, as a function of z. Softmax has no element-wise derivative.

    At z == 0 exactly, relu' is 0 and leaky_relu' is ``slope`` (the engine's convention).
    """
    z = np.asarray(z, dtype=float)
    if name == "identity":
        return np.ones_like(z)
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if name == "exp":
        return np.exp(z)
    if name == "softmax":
        raise ValueError("softmax has no element-wise derivative; use softmax_jvp")
    raise ValueError(f"unknown activation {name!r}")


def softmax_jacobian(a_row):
    """∂a_i/∂z_j = a_i (δ_ij − a_j), i.e. J = diag(a) − a aᵀ, for one sample's softmax output."""
    a_row = np.asarray(a_row, dtype=float)
    return np.diag(a_row) - np.outer(a_row, a_row)


def softmax_jvp(a, g):
    """Row-wise J g with J the softmax Jacobian at output ``a`` (J is symmetric, so also Jᵀ g)."""
    a = np.asarray(a, dtype=float)
    g = np.asarray(g, dtype=float)
    return np.stack([softmax_jacobian(a_row) @ g_row for a_row, g_row in zip(a, g)]).reshape(a.shape)


def activation_backward(name, z, g, slope=0.01):
    """The chain rule through f at z: g ⊙ f'(z) (softmax: its Jacobian at f(z) applied to g)."""
    if name == "softmax":
        return softmax_jvp(softmax(z), g)
    return np.asarray(g, dtype=float) * activation_prime(name, z, slope)


# --------------------------------------------------------------------------- costs


def _xlogy(x, y, tiny):
    """x ln(max(y, tiny)), with terms where x == 0 exactly 0."""
    x = np.asarray(x, dtype=float)
    return np.where(x == 0, 0.0, x * np.log(np.maximum(y, tiny)))


def per_sample_loss(name, a, y, tiny=None):
    """C_x for each row: quadratic ½‖a−y‖², cross-entropy −Σ[y ln a + (1−y) ln(1−a)], log-likelihood −Σ y ln a,
    Poisson Σ[y ln(y/a) − y + a] (half the deviance; y ln(y/a) is 0 where y = 0)."""
    a = np.asarray(a, dtype=float)
    y = np.asarray(y, dtype=float)
    tiny = _tiny(a, tiny)
    if name == "quadratic":
        return 0.5 * np.sum((a - y) ** 2, axis=1)
    if name == "cross_entropy":
        return -np.sum(_xlogy(y, a, tiny) + _xlogy(1.0 - y, 1.0 - a, tiny), axis=1)
    if name == "log_likelihood":
        return -np.sum(_xlogy(y, a, tiny), axis=1)
    if name == "poisson":
        # Unguarded: a rate of 0 against a count y > 0 costs +inf, as in the textbook.
        with np.errstate(divide="ignore", invalid="ignore"):
            y_log_ratio = np.where(y == 0, 0.0, y * np.log(y / a))
        return np.sum(y_log_ratio - y + a, axis=1)
    raise ValueError(f"unknown loss {name!r}")


def loss(name, a, y, tiny=None, sample_weight=None, floor=None):
    """C = (1/m) Σ_x C_x, the mean over the m rows of the per-sample cost.

    With ``sample_weight``: the weighted mean Σ_x w_x C_x / Σ_x w_x, where a row of weight 0 is left
    out even if its cost is infinite. With ``floor``: the probabilities of cross-entropy and
    log-likelihood are first clipped as scikit-learn does, ``np.clip(a, floor, 1 − floor)``.
    """
    a = np.asarray(a, dtype=float)
    if floor is not None and name in ("cross_entropy", "log_likelihood"):
        a = np.clip(a, floor, 1.0 - floor)
    costs = per_sample_loss(name, a, y, tiny)
    if sample_weight is None:
        return float(np.mean(costs))
    w = np.asarray(sample_weight, dtype=float)
    kept = w != 0
    return float(np.sum(w[kept] * costs[kept]) / np.sum(w))


def loss_gradient(name, a, y, tiny=None):
    """∇ₐC_x for each row (per sample, not divided by m)."""
    a = np.asarray(a, dtype=float)
    y = np.asarray(y, dtype=float)
    tiny = _tiny(a, tiny)
    if name == "quadratic":
        return a - y
    if name == "cross_entropy":
        return (a - y) / np.maximum(a * (1.0 - a), tiny)
    if name == "log_likelihood":
        return -y / np.maximum(a, tiny)
    if name == "poisson":
        return 1.0 - y / np.maximum(a, tiny)
    raise ValueError(f"unknown loss {name!r}")


def output_delta(activation_name, loss_name, z, y, slope=0.01, tiny=None):
    """δᴸ = ∇ₐC ⊙ f'(zᴸ) by the general route (softmax: through its Jacobian), from zᴸ.

    No simplification is used, so this checks the engine's shortcut δᴸ = a − y where it applies.
    """
    if (activation_name, loss_name) not in VALID_PAIRS + RATE_PAIRS:
        raise ValueError(f"invalid output pair ({activation_name!r}, {loss_name!r})")
    a = activation(activation_name, z, slope)
    return activation_backward(activation_name, z, loss_gradient(loss_name, a, y, tiny), slope)


# --------------------------------------------------------------------------- dense layer


def dense_forward(w, b, a_prev):
    """Z = A_prev Wᵀ + b."""
    return np.asarray(a_prev, dtype=float) @ np.asarray(w, dtype=float).T + np.asarray(b, dtype=float)


def dense_backward(w, a_prev, delta):
    """For a batch of m: ∂C/∂W = δᵀ A_prev / m, ∂C/∂b = mean of δ's rows, ∂C_x/∂A_prev = δ W (per sample)."""
    w = np.asarray(w, dtype=float)
    a_prev = np.asarray(a_prev, dtype=float)
    delta = np.asarray(delta, dtype=float)
    m = delta.shape[0]
    return delta.T @ a_prev / m, delta.mean(axis=0), delta @ w


# --------------------------------------------------------------------------- optimizer


def sgd_step(params, grads, lr, velocity=None, momentum=0.0, nesterov=False, weight_decay=0.0, n_decayed=None):
    """One step of SGD on flat buffers; returns new ``(params, velocity)`` and changes nothing.

    The first ``n_decayed`` entries (default: all) are weights and get L2: g_eff = g + weight_decay·p.
    Plain (momentum == 0): p ← p − lr·g_eff.  Momentum: v ← μv − lr·g_eff, p ← p + v.
    Nesterov: v ← μv − lr·g_eff, p ← p + μv − lr·g_eff.
    """
    p = np.array(params, dtype=float)
    g = np.array(grads, dtype=float)
    n_decayed = p.size if n_decayed is None else n_decayed
    g[:n_decayed] += weight_decay * p[:n_decayed]
    if momentum == 0.0:
        return p - lr * g, None if velocity is None else np.array(velocity, dtype=float)
    v = momentum * np.asarray(velocity, dtype=float) - lr * g
    step = momentum * v - lr * g if nesterov else v
    return p + step, v


def adam_step(
    params, grads, first, second, lr, t, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.0, n_decayed=None
):
    """Adam's step number ``t`` (counted from 1) on flat buffers; returns new ``(params, first, second)``.

    As in Kingma & Ba's paper and scikit-learn's AdamOptimizer, with L2 on the first ``n_decayed``
    entries (default: all) added to the gradient: g_eff = g + weight_decay·p;
    m ← β₁m + (1−β₁)g_eff;  s ← β₂s + (1−β₂)g_eff²;  ηₜ = η √(1−β₂ᵗ) / (1−β₁ᵗ);  p ← p − ηₜ m / (√s + ε).
    """
    if t < 1:
        raise ValueError("Adam's steps are numbered from 1")
    p = np.array(params, dtype=float)
    g = np.array(grads, dtype=float)
    n_decayed = p.size if n_decayed is None else n_decayed
    g[:n_decayed] += weight_decay * p[:n_decayed]
    m = beta1 * np.asarray(first, dtype=float) + (1.0 - beta1) * g
    s = beta2 * np.asarray(second, dtype=float) + (1.0 - beta2) * g**2
    lr_t = lr * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
    return p - lr_t * m / (np.sqrt(s) + epsilon), m, s


# --------------------------------------------------------------------------- whole network


def layer_sizes(weights):
    """[n_0, n_1, ..., n_L] from the list of (n_out, n_in) weights."""
    return [weights[0].shape[1]] + [w.shape[0] for w in weights]


def pack(weights, biases):
    """The engine's flat layout: W_0, W_1, ..., W_{L-1} (each row-major), then b_0, ..., b_{L-1}."""
    return np.concatenate([np.ravel(w) for w in weights] + [np.ravel(b) for b in biases]).astype(float)


def unpack(flat, sizes):
    """Inverse of :func:`pack`: ``(weights, biases)`` lists of copies for the given layer sizes."""
    flat = np.asarray(flat, dtype=float)
    weights, biases, k = [], [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append(flat[k : k + n_out * n_in].reshape(n_out, n_in).copy())
        k += n_out * n_in
    for n_out in sizes[1:]:
        biases.append(flat[k : k + n_out].copy())
        k += n_out
    return weights, biases


def feedforward(weights, biases, x, activation_name="sigmoid", output_activation=None, slope=0.01):
    """Forward pass; returns ``(zs, activations)`` with ``activations[0] = x``.

    Hidden layers use ``activation_name``; the last layer uses ``output_activation``
    (default: the same as the hidden layers).
    """
    output_activation = activation_name if output_activation is None else output_activation
    a = np.asarray(x, dtype=float)
    zs, activations = [], [a]
    for layer, (w, b) in enumerate(zip(weights, biases)):
        name = output_activation if layer == len(weights) - 1 else activation_name
        z = dense_forward(w, b, a)
        a = activation(name, z, slope)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backprop(
    weights,
    biases,
    x,
    y,
    activation_name="sigmoid",
    output_activation=None,
    loss_name="quadratic",
    slope=0.01,
    tiny=None,
    sample_weight=None,
):
    """Gradients of the MEAN cost over the batch, by backpropagation.

    Returns ``(cost, nabla_w, nabla_b, nabla_x)`` where ``nabla_x = ∂C/∂X = (δ¹ W¹)/m`` per row.
    δᴸ = ∇ₐC ⊙ f'(zᴸ);  δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ f'(zˡ);  ∂C/∂Wˡ = δˡᵀ Aˡ⁻¹ / m;  ∂C/∂bˡ = mean of δˡ.
    With ``sample_weight`` (one per row): of the weighted mean cost Σ wₓ Cₓ / Σ wₓ, so each row of δᴸ
    is multiplied by its weight and Σ wₓ takes the place of m.
    """
    output_activation = activation_name if output_activation is None else output_activation
    zs, activations = feedforward(weights, biases, x, activation_name, output_activation, slope)
    m = activations[0].shape[0]
    cost = loss(loss_name, activations[-1], y, _tiny(x, tiny), sample_weight)
    delta = output_delta(output_activation, loss_name, zs[-1], y, slope, _tiny(x, tiny))
    total = m
    if sample_weight is not None:
        delta = delta * np.asarray(sample_weight, dtype=float)[:, None]
        total = float(np.sum(sample_weight))
    nabla_w, nabla_b = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        dw, db, da_prev = dense_backward(weights[layer], activations[layer], delta)
        # dense_backward divides by m; the weighted mean divides by Σ w (m / total is 1 without weights).
        nabla_w[layer], nabla_b[layer] = dw * (m / total), db * (m / total)
        if layer > 0:
            delta = activation_backward(activation_name, zs[layer - 1], da_prev, slope)
    return cost, nabla_w, nabla_b, da_prev / total


def train_epoch(
    weights,
    biases,
    x,
    y,
    order,
    batch_size,
    lr,
    activation_name="sigmoid",
    output_activation=None,
    loss_name="quadratic",
    momentum=0.0,
    nesterov=False,
    weight_decay=0.0,
    slope=0.01,
    velocity=None,
):
    """One epoch of mini-batch SGD visiting the samples in the given ``order``.

    Consecutive chunks of ``order`` of ``batch_size`` form the batches (the last, shorter one
    included). Each batch: backprop for the mean-cost gradient, then :func:`sgd_step` on the
    flat buffer (weights decayed, biases not). Returns ``(mean_cost, weights, biases, velocity)``,
    where ``mean_cost`` is the mean per-sample cost seen during the epoch (each batch's mean
    cost before its update, weighted by the batch's size) and
    ``velocity`` is the flat velocity to pass to the next epoch.
    """
    state = None if velocity is None else OptimizerState(velocity, np.zeros_like(velocity), 0)
    cost_sum, _, weights, biases, state = train_epoch_weighted(
        weights,
        biases,
        x,
        y,
        order,
        batch_size,
        lr,
        activation_name,
        output_activation,
        loss_name,
        momentum=momentum,
        nesterov=nesterov,
        weight_decay=weight_decay,
        state=state,
        slope=slope,
    )
    return cost_sum / len(order), weights, biases, state.first


# The optimizer's state carried from epoch to epoch: the velocity (Adam: first moment), Adam's second
# moment (flat, in the layout of :func:`pack`) and how many Adam steps have been taken.
OptimizerState = namedtuple("OptimizerState", ["first", "second", "t"])


def train_epoch_weighted(
    weights,
    biases,
    x,
    y,
    order,
    batch_size,
    lr,
    activation_name="sigmoid",
    output_activation=None,
    loss_name="quadratic",
    method="sgd",
    momentum=0.0,
    nesterov=False,
    weight_decay=0.0,
    batch_l2=0.0,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    sample_weight=None,
    state=None,
    slope=0.01,
    tiny=None,
):
    """One epoch of :func:`train_epoch` with sample weights, scikit-learn's per-batch L2 term and Adam.

    Each batch (consecutive chunks of ``order``, the last one shorter) with total weight W_B (its number
    of rows without ``sample_weight``) minimises its weighted mean cost: backprop with the weights,
    then a step with decay = ``weight_decay`` + ``batch_l2`` / W_B on the weights (not the biases), by
    :func:`sgd_step` (``method="sgd"``) or :func:`adam_step` (``"adam"``, t counting steps across epochs).
    A batch with W_B = 0 takes no step. Returns ``(cost_sum, penalty_sum, weights, biases, state)``:
    cost_sum = Σ_B rows × (weighted mean cost before the step), penalty_sum = Σ_B rows × ½ batch_l2 ‖W‖² / W_B
    with W all weights before the step (both 0 for a batch with W_B = 0), and the :class:`OptimizerState`
    to pass to the next epoch.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    order = np.asarray(order)
    sample_weight = np.ones(len(x)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    sizes = layer_sizes(weights)
    n_weights = sum(w.size for w in weights)
    params = pack(weights, biases)
    if state is None:
        state = OptimizerState(np.zeros_like(params), np.zeros_like(params), 0)
    first, second, t = np.array(state.first, dtype=float), np.array(state.second, dtype=float), state.t
    cost_sum = penalty_sum = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        batch_weight = float(np.sum(sample_weight[batch]))
        if batch_weight == 0.0:
            continue
        w, b = unpack(params, sizes)
        cost, nabla_w, nabla_b, _ = backprop(
            w, b, x[batch], y[batch], activation_name, output_activation, loss_name, slope, tiny, sample_weight[batch]
        )
        cost_sum += len(batch) * cost
        penalty_sum += len(batch) * 0.5 * batch_l2 * float(np.sum(params[:n_weights] ** 2)) / batch_weight
        decay = weight_decay + batch_l2 / batch_weight
        grads = pack(nabla_w, nabla_b)
        if method == "adam":
            t += 1
            params, first, second = adam_step(
                params, grads, first, second, lr, t, beta1, beta2, epsilon, decay, n_weights
            )
        elif method == "sgd":
            params, velocity = sgd_step(params, grads, lr, first, momentum, nesterov, decay, n_weights)
            first = first if velocity is None else velocity
        else:
            raise ValueError(f"unknown method {method!r}")
    weights, biases = unpack(params, sizes)
    return cost_sum, penalty_sum, weights, biases, OptimizerState(first, second, t)


# --------------------------------------------------------------------------- numerical checks


def central_differences(f, arrays, step=6e-6):
    """Central differences of the scalar ``f()`` w.r.t. every entry of ``arrays``, flattened and joined.

    Each entry is perturbed in place by ±step·max(1, |p|) and restored; the quotient uses the step
    actually taken (after rounding), not the nominal 2h.
    """
    grads = []
    for arr in arrays:
        g = np.empty(arr.shape)
        for idx in np.ndindex(arr.shape):
            p = float(arr[idx])
            h = step * max(1.0, abs(p))
            arr[idx] = p + h
            up, p_up = f(), float(arr[idx])
            arr[idx] = p - h
            down, p_down = f(), float(arr[idx])
            arr[idx] = p
            g[idx] = (up - down) / (p_up - p_down)
        grads.append(g.ravel())
    return np.concatenate(grads)


def relative_error(g, g_hat):
    """``‖g − ĝ‖ / ‖g + ĝ‖``, the gradient checks' measure (0 when both are exactly zero)."""
    num = float(np.linalg.norm(np.ravel(g) - np.ravel(g_hat)))
    den = float(np.linalg.norm(np.ravel(g) + np.ravel(g_hat)))
    if den == 0.0:
        return 0.0 if num == 0.0 else float("inf")
    return num / den
