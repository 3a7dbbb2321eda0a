// Gradient-descent updates: plain, momentum and Nesterov, with L2 decay on the weights.
#pragma once

#include <Eigen/Core>
#include <string>
#include <type_traits>

#include "types.hpp"

namespace deltaprop {

struct SgdConfig {
  double lr = 0.1;            // η
  double momentum = 0.0;      // μ; 0 is plain gradient descent
  bool nesterov = false;      // Nesterov's look-ahead form (as in scikit-learn)
  double weight_decay = 0.0;  // λ/n, n the training-set size
};

// One gradient-descent step with g_eff = ∂C/∂p + (λ/n) p on the weights:
//   plain:     p ← p − η g_eff
//   momentum:  v ← μ v − η g_eff;  p ← p + v
//   Nesterov:  v ← μ v − η g_eff;  p ← p + μ v − η g_eff
// applied piece by piece: called with step = −η ∂C/∂p for the entries at params + offset (a SIMD
// packet of them or a single value), by sgd_step below and by updates fused into the gradient's
// computation. The rule and whether to decay are template arguments, so a piece has no branches.
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

// The step on flat buffers: the first n_decayed entries are weights (decayed), the rest biases.
// velocity is only read and written when momentum > 0.
template <class T>
void sgd_step(const SgdConfig& c, VectorOut<T> params, VectorIn<T> grads, VectorOut<T> velocity, Index n_decayed) {
  namespace ei = Eigen::internal;
  using P = typename ei::packet_traits<T>::type;
  constexpr Index size = ei::unpacket_traits<P>::size;
  const Index n = params.size();
  DELTAPROP_REQUIRE(grads.size() == n, "grads must have the same length as params (" + std::to_string(n) + "), got " +
                                           std::to_string(grads.size()));
  DELTAPROP_REQUIRE(n_decayed >= 0 && n_decayed <= n, "n_decayed must be between 0 and the number of parameters");
  const bool momentum = c.momentum != 0.0;
  if (momentum) {
    DELTAPROP_REQUIRE(velocity.size() == n, "velocity must have the same length as params (" + std::to_string(n) +
                                                "), got " + std::to_string(velocity.size()));
  }
  const T minus_lr = static_cast<T>(-c.lr);
  const T* g = grads.data();
  auto segment = [&](Index begin, Index end, double decay) {
    with_sgd_piece_step<T>(c, params.data(), momentum ? velocity.data() : nullptr, decay, [&](auto piece) {
      Index i = begin;
      for (; i + size <= end; i += size) piece(i, ei::pmul(ei::pset1<P>(minus_lr), ei::ploadu<P>(g + i)));
      for (; i < end; ++i) piece(i, minus_lr * g[i]);
    });
  };
  segment(0, n_decayed, c.weight_decay);
  segment(n_decayed, n, 0.0);
}

}  // namespace deltaprop
