// Parameter updates over the flat parameter buffer. The first n_decayed entries are weights
// (L2-regularised); the rest are biases, which are not decayed.
#pragma once

#include <type_traits>

#include "types.hpp"

namespace deltaprop {

struct SgdConfig {
  double lr = 0.1;            // η
  double momentum = 0.0;      // μ; 0 is plain gradient descent
  bool nesterov = false;      // Nesterov's look-ahead form (as in scikit-learn)
  double weight_decay = 0.0;  // λ/n, n the training-set size
};

namespace detail {

// The step on one segment whose L2 coefficient is wd (λ/n for weights, 0 for biases).
template <class P, class G, class V, class T>
void sgd_segment(P&& p, const G& g, V&& v, T lr, T mu, bool nesterov, T wd) {
  if (mu == T(0)) {
    p = (T(1) - lr * wd) * p - lr * g;  // W ← (1 − ηλ/n) W − η ∂C/∂W
  } else if (!nesterov) {
    v = mu * v - lr * (g + wd * p);  // v ← μ v − η g_eff;  p ← p + v
    p += v;
  } else {
    v = mu * v - lr * (g + wd * p);  // v ← μ v − η g_eff;  p ← p + μ v − η g_eff
    p = p + mu * v - lr * (g + wd * p);
  }
}

}  // namespace detail

// One gradient-descent step with g_eff = ∂C/∂p + (λ/n) p on the weights:
//   plain:     p ← p − η g_eff
//   momentum:  v ← μ v − η g_eff;  p ← p + v
//   Nesterov:  v ← μ v − η g_eff;  p ← p + μ v − η g_eff
// velocity is only read and written when momentum > 0.
template <class T>
void sgd_step(const SgdConfig& c, VectorOut<T> params, VectorIn<T> grads, VectorOut<T> velocity, Index n_decayed) {
  const Index n = params.size();
  DELTAPROP_REQUIRE(grads.size() == n, "grads must have the same length as params (" + std::to_string(n) + "), got " +
                                           std::to_string(grads.size()));
  DELTAPROP_REQUIRE(n_decayed >= 0 && n_decayed <= n, "n_decayed must be between 0 and the number of parameters");
  const T mu = static_cast<T>(c.momentum);
  if (mu != T(0)) {
    DELTAPROP_REQUIRE(velocity.size() == n, "velocity must have the same length as params (" + std::to_string(n) +
                                                "), got " + std::to_string(velocity.size()));
  }
  const T lr = static_cast<T>(c.lr);
  const T wd = static_cast<T>(c.weight_decay);
  auto v_head = mu != T(0) ? velocity.head(n_decayed) : velocity.head(0);
  auto v_tail = mu != T(0) ? velocity.tail(n - n_decayed) : velocity.head(0);
  detail::sgd_segment(params.head(n_decayed).array(), grads.head(n_decayed).array(), v_head.array(), lr, mu, c.nesterov,
                      wd);
  detail::sgd_segment(params.tail(n - n_decayed).array(), grads.tail(n - n_decayed).array(), v_tail.array(), lr, mu,
                      c.nesterov, T(0));
}

// The same step applied piecewise, for updates fused into the gradient's computation: called with
// step = −η ∂C/∂p for the entries at params + offset (a SIMD packet of them or a single value).
// The rule and whether to decay are template arguments, so the per-piece code has no branches.
enum class SgdRule { plain, momentum, nesterov };

template <class T, SgdRule Rule, bool Decay>
struct SgdPieceStep {
  T* params;
  T* velocity;  // unused by the plain rule
  T mu, lr_decay;

  template <class P>
  void operator()(Index offset, P step) const {
    namespace ei = Eigen::internal;
    T* p_at = params + offset;
    const P p = ei::ploadu<P>(p_at);
    if constexpr (Decay) step = ei::psub(step, ei::pmul(ei::pset1<P>(lr_decay), p));  // −η g_eff
    if constexpr (Rule == SgdRule::plain) {
      ei::pstoreu(p_at, ei::padd(p, step));
    } else {
      T* v_at = velocity + offset;
      const P mu_v = ei::pset1<P>(mu);
      const P v = ei::pmadd(mu_v, ei::ploadu<P>(v_at), step);
      ei::pstoreu(v_at, v);
      ei::pstoreu(p_at, ei::padd(p, Rule == SgdRule::nesterov ? ei::pmadd(mu_v, v, step) : v));
    }
  }
};

// Calls apply(step) with the SgdPieceStep of config for params and velocity (null without
// momentum); decay is λ/n for weights and 0 for biases.
template <class T, class Apply>
void with_sgd_piece_step(const SgdConfig& c, T* params, T* velocity, double decay, Apply&& apply) {
  const T mu = static_cast<T>(c.momentum), lr_decay = static_cast<T>(c.lr * decay);
  auto rule = [&](auto decayed) {
    constexpr bool D = decltype(decayed)::value;
    if (c.momentum == 0.0) {
      apply(SgdPieceStep<T, SgdRule::plain, D>{params, velocity, mu, lr_decay});
    } else if (!c.nesterov) {
      apply(SgdPieceStep<T, SgdRule::momentum, D>{params, velocity, mu, lr_decay});
    } else {
      apply(SgdPieceStep<T, SgdRule::nesterov, D>{params, velocity, mu, lr_decay});
    }
  };
  if (lr_decay != T(0)) {
    rule(std::true_type{});
  } else {
    rule(std::false_type{});
  }
}

}  // namespace deltaprop
