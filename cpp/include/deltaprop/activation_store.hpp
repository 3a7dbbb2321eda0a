// A layer's activation and its derivative applied inside a product's stores (see result_store.hpp),
// for the activations that need nothing but the entry itself: where Eigen's kernel loads an entry
// of the forward product Z = A Wᵀ + b, it reads the bias; where it stores the sum, it stores f of
// it. Where it loads an entry of the input gradient δ W, it reads 0; where it stores it, it stores
// it times f'(z), read from the layer's output. The same arithmetic as the passes over the result
// before and after the product, without those passes (measured with AVX2: C3's step 1-2% faster).
#pragma once

#include <Eigen/Core>

#include "activations.hpp"
#include "result_store.hpp"

namespace deltaprop {

// Whether f can be applied inside a product's stores.
constexpr bool applies_in_stores(Activation f) {
  return f == Activation::identity || f == Activation::relu || f == Activation::leaky_relu;
}

// x where positive is true, else slope · x (ReLU's slope is 0); x itself for the identity.
template <class T, Activation F, class P, class Positive>
P rectified_for(const P& x, const Positive& positive, T slope) {
  if constexpr (F == Activation::identity) {
    return x;
  } else {
    return detail::rectified(x, positive, slope);
  }
}

// The forward rule over Z (the result) and b (the second array, stride 0).
template <class T, Activation F>
struct ForwardRule {
  T slope;

  template <class P>
  P load(const T*, const T* bias) const {
    return Eigen::internal::ploadu<P>(bias);
  }
  template <class P>
  void store(T* z, const T*, const P& sum) const {
    namespace ei = Eigen::internal;
    if constexpr (F == Activation::relu) {
      ei::pstoreu(z, ei::pmax(sum, ei::pset1<P>(T(0))));  // as activation_forward's max(z, 0)
    } else {
      ei::pstoreu(z, rectified_for<T, F>(sum, detail::is_positive<T>(sum), slope));
    }
  }
};

// The input gradient's rule over δ (the result) and the layer input's activations a = f(z) (the
// second array): δ = (δ W) ⊙ f'(z), as activation_backward computes it from a.
template <class T, Activation F>
struct InputGradientRule {
  T slope;

  template <class P>
  P load(const T*, const T*) const {
    return Eigen::internal::pset1<P>(T(0));
  }
  template <class P>
  void store(T* delta, const T* a, const P& sum) const {
    Eigen::internal::pstoreu(delta,
                             rectified_for<T, F>(sum, detail::is_positive<T>(Eigen::internal::ploadu<P>(a)), slope));
  }
};

// Calls apply(rule) with Rule<T, f.kind> for an activation that applies_in_stores; returns what
// apply does, or false for any other activation.
template <class T, template <class, Activation> class Rule, class Apply>
bool with_store_rule(const ActivationSpec& f, Apply&& apply) {
  const T slope = static_cast<T>(f.slope);
  switch (f.kind) {
    case Activation::identity:
      return apply(Rule<T, Activation::identity>{slope});
    case Activation::relu:
      return apply(Rule<T, Activation::relu>{T(0)});
    case Activation::leaky_relu:
      return apply(Rule<T, Activation::leaky_relu>{slope});
    default:
      return false;
  }
}

}  // namespace deltaprop
