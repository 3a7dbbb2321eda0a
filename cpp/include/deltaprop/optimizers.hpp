// Gradient-descent updates: plain, momentum and Nesterov SGD, and Adam, with L2 decay on the weights.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <string>
#include <type_traits>

#include "types.hpp"

namespace deltaprop {

enum class Method { sgd, adam };

struct SgdConfig {
  double lr = 0.1;            // η (Adam: the step size before its bias correction)
  double momentum = 0.0;      // μ; 0 is plain gradient descent
  bool nesterov = false;      // Nesterov's look-ahead form (as in scikit-learn)
  double weight_decay = 0.0;  // λ/n, n the training-set size
  Method method = Method::sgd;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  // Adam's moment decays and denominator guard
  // α added to every mini-batch's decay as α / (the batch's total sample weight), which is how
  // scikit-learn scales its L2 term (a batch of m unweighted rows: α/m).
  double batch_l2 = 0.0;
};

inline Method parse_method(const std::string& name) {
  if (name == "sgd") return Method::sgd;
  if (name == "adam") return Method::adam;
  throw std::invalid_argument("unknown optimizer '" + name + "'; expected 'sgd' or 'adam'");
}

// The configuration of one step: decay includes the batch's share of batch_l2 and, for Adam, lr
// is the step's bias-corrected rate η √(1 − β₂ᵗ) / (1 − β₁ᵗ), t counting steps from 1.
inline SgdConfig step_config(const SgdConfig& c, double batch_weight, long long adam_step) {
  SgdConfig s = c;
  if (c.batch_l2 != 0.0) s.weight_decay += c.batch_l2 / batch_weight;
  if (c.method == Method::adam) {
    const double t = static_cast<double>(adam_step);
    s.lr = c.lr * std::sqrt(1.0 - std::pow(c.beta2, t)) / (1.0 - std::pow(c.beta1, t));
  }
  return s;
}

// One step with g_eff = ∂C/∂p + decay · p (decay = λ/n on weights, 0 on biases):
//   plain:     p ← p − η g_eff
//   momentum:  v ← μ v − η g_eff;  p ← p + v
//   Nesterov:  v ← μ v − η g_eff;  p ← p + μ v − η g_eff
//   Adam:      m ← β₁ m + (1 − β₁) g_eff;  s ← β₂ s + (1 − β₂) g_eff²;  p ← p − ηₜ m / (√s + ε)
// applied piece by piece: called with `scale · ∂C/∂p` for the entries at params + offset (a SIMD
// packet of them or a single value), by sgd_step below and by updates fused into the gradient's
// computation. `scale` is what the caller multiplies the gradient by: −η for SGD (so the product
// comes out as the step itself), 1 for Adam. The rule and whether to decay are template
// arguments, so a piece has no branches.
enum class SgdRule { plain, momentum, nesterov };

template <class T, SgdRule Rule, bool Decay>
struct SgdPieceStep {
  // μ and η·λ, which stay in vector registers across a fused gradient's blocks.
  static constexpr int factors_in_registers = (Rule == SgdRule::plain ? 0 : 1) + (Decay ? 1 : 0);

  T* params;
  T* velocity;  // unused by the plain rule
  T mu, lr_decay, scale;

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

template <class T, bool Decay>
struct AdamPieceStep {
  // Its seven factors do not fit beside a fused gradient's loop: the compiler keeps them in memory.
  static constexpr int factors_in_registers = 0;

  T* params;
  T* first;   // m
  T* second;  // s
  T beta1, beta2, one_minus_beta1, one_minus_beta2, minus_lr, epsilon, decay, scale;

  template <class P>
  void operator()(Index offset, P g) const {
    namespace ei = Eigen::internal;
    T* p_at = params + offset;
    T* m_at = first + offset;
    T* s_at = second + offset;
    const P p = ei::ploadu<P>(p_at);
    if constexpr (Decay) g = ei::pmadd(ei::pset1<P>(decay), p, g);
    const P m =
        ei::padd(ei::pmul(ei::pset1<P>(beta1), ei::ploadu<P>(m_at)), ei::pmul(ei::pset1<P>(one_minus_beta1), g));
    const P s = ei::padd(ei::pmul(ei::pset1<P>(beta2), ei::ploadu<P>(s_at)),
                         ei::pmul(ei::pset1<P>(one_minus_beta2), ei::pmul(g, g)));
    ei::pstoreu(m_at, m);
    ei::pstoreu(s_at, s);
    const P step = ei::pdiv(ei::pmul(ei::pset1<P>(minus_lr), m), ei::padd(ei::psqrt(s), ei::pset1<P>(epsilon)));
    ei::pstoreu(p_at, ei::padd(p, step));
  }
};

// Where a block of parameters keeps its optimizer state: the velocity or Adam's first moment,
// and Adam's second moment (null when the method has no use for them).
template <class T>
struct Moments {
  T* first = nullptr;
  T* second = nullptr;
};

// Calls apply(piece) with the piece step of config for params and their moments; decay is λ/n
// for weights and 0 for biases.
template <class T, class Apply>
void with_sgd_piece_step(const SgdConfig& c, T* params, Moments<T> moments, double decay, Apply&& apply) {
  const T mu = static_cast<T>(c.momentum), lr_decay = static_cast<T>(c.lr * decay), minus_lr = static_cast<T>(-c.lr);
  auto rule = [&](auto decayed) {
    constexpr bool D = decltype(decayed)::value;
    if (c.method == Method::adam) {
      // 1 − β in double, then rounded: as scikit-learn computes it, and exact to the last bit of T.
      const T beta1 = static_cast<T>(c.beta1), beta2 = static_cast<T>(c.beta2);
      const T rest1 = static_cast<T>(1.0 - c.beta1), rest2 = static_cast<T>(1.0 - c.beta2);
      apply(AdamPieceStep<T, D>{params, moments.first, moments.second, beta1, beta2, rest1, rest2, minus_lr,
                                static_cast<T>(c.epsilon), static_cast<T>(decay), T(1)});
    } else if (c.momentum == 0.0) {
      apply(SgdPieceStep<T, SgdRule::plain, D>{params, moments.first, mu, lr_decay, minus_lr});
    } else if (!c.nesterov) {
      apply(SgdPieceStep<T, SgdRule::momentum, D>{params, moments.first, mu, lr_decay, minus_lr});
    } else {
      apply(SgdPieceStep<T, SgdRule::nesterov, D>{params, moments.first, mu, lr_decay, minus_lr});
    }
  };
  if (static_cast<T>(decay) != T(0)) {
    rule(std::true_type{});
  } else {
    rule(std::false_type{});
  }
}

// Whether config reads and writes the first and second moment buffers.
inline bool uses_first_moment(const SgdConfig& c) { return c.method == Method::adam || c.momentum != 0.0; }
inline bool uses_second_moment(const SgdConfig& c) { return c.method == Method::adam; }

// The step on flat buffers: the first n_decayed entries are weights (decayed), the rest biases.
// first (velocity or Adam's m) and second (Adam's s) are only touched when the method uses them.
template <class T>
void sgd_step(const SgdConfig& c, VectorOut<T> params, VectorIn<T> grads, VectorOut<T> first, VectorOut<T> second,
              Index n_decayed) {
  namespace ei = Eigen::internal;
  using P = typename ei::packet_traits<T>::type;
  constexpr Index size = ei::unpacket_traits<P>::size;
  const Index n = params.size();
  DELTAPROP_REQUIRE(grads.size() == n, "grads must have the same length as params (" + std::to_string(n) + "), got " +
                                           std::to_string(grads.size()));
  DELTAPROP_REQUIRE(n_decayed >= 0 && n_decayed <= n, "n_decayed must be between 0 and the number of parameters");
  Moments<T> moments;
  if (uses_first_moment(c)) {
    DELTAPROP_REQUIRE(first.size() == n, std::string(c.method == Method::adam ? "first moment" : "velocity") +
                                             " must have the same length as params (" + std::to_string(n) + "), got " +
                                             std::to_string(first.size()));
    moments.first = first.data();
  }
  if (uses_second_moment(c)) {
    DELTAPROP_REQUIRE(second.size() == n, "second moment must have the same length as params (" + std::to_string(n) +
                                              "), got " + std::to_string(second.size()));
    moments.second = second.data();
  }
  const T* g = grads.data();
  auto segment = [&](Index begin, Index end, double decay) {
    with_sgd_piece_step<T>(c, params.data(), moments, decay, [&](auto piece) {
      const T scale = piece.scale;
      Index i = begin;
      for (; i + size <= end; i += size) piece(i, ei::pmul(ei::pset1<P>(scale), ei::ploadu<P>(g + i)));
      for (; i < end; ++i) piece(i, scale * g[i]);
    });
  };
  segment(0, n_decayed, c.weight_decay);
  segment(n_decayed, n, 0.0);
}

}  // namespace deltaprop
