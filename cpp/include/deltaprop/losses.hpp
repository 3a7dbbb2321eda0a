// Costs on the output layer and the output error δᴸ = ∇ₐC ⊙ f'(zᴸ).
// The cost of a batch is the mean (or sample-weighted mean) over its rows of the per-sample cost.
#pragma once

#include <limits>
#include <string>

#include "activations.hpp"

namespace deltaprop {

enum class Loss { quadratic, cross_entropy, log_likelihood, poisson };

inline const char* loss_name(Loss c) {
  switch (c) {
    case Loss::quadratic:
      return "quadratic";
    case Loss::cross_entropy:
      return "cross_entropy";
    case Loss::log_likelihood:
      return "log_likelihood";
    case Loss::poisson:
      return "poisson";
  }
  return "?";
}

inline Loss parse_loss(const std::string& name) {
  for (Loss c : {Loss::quadratic, Loss::cross_entropy, Loss::log_likelihood, Loss::poisson}) {
    if (name == loss_name(c)) return c;
  }
  throw std::invalid_argument("unknown loss '" + name +
                              "'; expected one of: quadratic, cross_entropy, log_likelihood, poisson");
}

// Which output activations each cost is defined for: cross-entropy needs independent
// probabilities (sigmoid), log-likelihood a distribution (softmax), Poisson a positive rate (exp).
inline void require_compatible(Activation output, Loss loss) {
  if (loss == Loss::cross_entropy && output != Activation::sigmoid) {
    throw std::invalid_argument(std::string("loss 'cross_entropy' needs a sigmoid output layer, got '") +
                                activation_name(output) + "'; use 'log_likelihood' with a softmax output");
  }
  if (loss == Loss::log_likelihood && output != Activation::softmax) {
    throw std::invalid_argument(std::string("loss 'log_likelihood' needs a softmax output layer, got '") +
                                activation_name(output) + "'; use 'cross_entropy' with a sigmoid output");
  }
  if (loss == Loss::poisson && output != Activation::exp) {
    throw std::invalid_argument(std::string("loss 'poisson' needs an exp output layer, got '") +
                                activation_name(output) + "'");
  }
}

// ln of max(x, smallest normal): a probability of exactly 0 costs a large finite amount, never NaN.
template <class Derived>
auto safe_log(const Eigen::ArrayBase<Derived>& x) {
  using T = typename Derived::Scalar;
  return x.max(std::numeric_limits<T>::min()).log();
}

// Probabilities are clipped to [floor, 1 − floor] before their logarithm is taken. The default
// floor, the smallest normal number, leaves every probability as it is; scikit-learn's estimators
// clip at the type's machine epsilon.
template <class T>
constexpr T default_probability_floor() {
  return std::numeric_limits<T>::min();
}

// The summed cost of the rows of a (a matrix or a single row), per sample:
//   quadratic       ½‖a − y‖²
//   cross_entropy   −Σ [y ln a + (1 − y) ln(1 − a)]
//   log_likelihood  −Σ y ln a
//   poisson         Σ [y ln(y / a) − y + a]   (the deviance's half; y ln(y/a) is 0 where y = 0)
// Terms whose weight y (or 1 − y) is zero contribute exactly zero.
template <class T, class A, class Y>
T summed_loss(Loss loss, const A& a, const Y& y, T floor) {
  auto clipped = [&] { return a.array().max(floor).min(T(1) - floor); };
  switch (loss) {
    case Loss::quadratic:
      return T(0.5) * (a - y).squaredNorm();
    case Loss::cross_entropy:
      return -((y.array() == T(0)).select(T(0), y.array() * safe_log(clipped())) +
               (y.array() == T(1)).select(T(0), (T(1) - y.array()) * safe_log(T(1) - clipped())))
                  .sum();
    case Loss::log_likelihood:
      return -(y.array() == T(0)).select(T(0), y.array() * safe_log(clipped())).sum();
    case Loss::poisson:
      return ((y.array() == T(0)).select(T(0), y.array() * (y.array() / a.array()).log()) - y.array() + a.array())
          .sum();
  }
  return T(0);
}

// Σᵢ wᵢ Cᵢ over the rows of a (Cᵢ: see summed_loss), or Σᵢ Cᵢ without weights (one per row).
// A zero weight removes its sample, even one whose cost is infinite.
template <class T>
T loss_sum(Loss loss, MatrixIn<T> a, MatrixIn<T> y, const T* weights = nullptr,
           T floor = default_probability_floor<T>()) {
  require_shape(y, a.rows(), a.cols(), "targets");
  if (weights == nullptr) return summed_loss<T>(loss, a, y, floor);
  T total = 0;
  for (Index i = 0; i < a.rows(); ++i) {
    if (weights[i] != T(0)) total += weights[i] * summed_loss<T>(loss, a.row(i), y.row(i), floor);
  }
  return total;
}

// The mean over rows of the per-sample cost; with weights, the weighted mean Σ wᵢ Cᵢ / Σ wᵢ.
template <class T>
T loss_value(Loss loss, MatrixIn<T> a, MatrixIn<T> y, const T* weights = nullptr,
             T floor = default_probability_floor<T>()) {
  DELTAPROP_REQUIRE(a.rows() > 0, "loss of an empty batch");
  T weight = static_cast<T>(a.rows());
  if (weights != nullptr) weight = ConstVectorMap<T>(weights, a.rows()).sum();
  DELTAPROP_REQUIRE(weight != T(0), "the sample weights of a batch sum to zero");
  return loss_sum<T>(loss, a, y, weights, floor) / weight;
}

// Each row of δ times its sample weight; a row of weight zero becomes exactly zero, even where its
// error is infinite (0 · ∞ would be NaN and spread to every gradient).
template <class T>
void weigh_rows(MatrixOut<T> delta, const T* weights) {
  for (Index i = 0; i < delta.rows(); ++i) {
    if (weights[i] == T(0)) {
      delta.row(i).setZero();
    } else {
      delta.row(i) *= weights[i];
    }
  }
}

// ∇ₐC for each sample (not divided by the batch size).
template <class T>
void loss_gradient(Loss loss, MatrixIn<T> a, MatrixIn<T> y, MatrixOut<T> out) {
  require_shape(y, a.rows(), a.cols(), "targets");
  require_shape(out, a.rows(), a.cols(), "gradient output");
  const T tiny = std::numeric_limits<T>::min();
  switch (loss) {
    case Loss::quadratic:
      out = a - y;
      break;
    case Loss::cross_entropy:
      out = (a - y).array() / (a.array() * (T(1) - a.array())).max(tiny);
      break;
    case Loss::log_likelihood:
      out = -y.array() / a.array().max(tiny);
      break;
    case Loss::poisson:
      out = T(1) - y.array() / a.array().max(tiny);
      break;
  }
}

// True where δᴸ = a − y exactly: the cost's gradient cancels f'(z) (or f' = 1).
inline bool delta_is_residual(Activation output, Loss loss) {
  return (output == Activation::sigmoid && loss == Loss::cross_entropy) ||
         (output == Activation::softmax && loss == Loss::log_likelihood) ||
         (output == Activation::identity && loss == Loss::quadratic) ||
         (output == Activation::exp && loss == Loss::poisson);
}

// δᴸ = ∇ₐC ⊙ f'(zᴸ) (through the Jacobian for softmax). out may not alias a or y.
template <class T>
void output_delta(const ActivationSpec& output, Loss loss, MatrixIn<T> a, MatrixIn<T> y, MatrixOut<T> out) {
  require_compatible(output.kind, loss);
  require_shape(y, a.rows(), a.cols(), "targets");
  require_shape(out, a.rows(), a.cols(), "delta output");
  if (delta_is_residual(output.kind, loss)) {
    out = a - y;
    return;
  }
  loss_gradient<T>(loss, a, y, out);
  activation_backward<T>(output, a, out, out);
}

}  // namespace deltaprop
