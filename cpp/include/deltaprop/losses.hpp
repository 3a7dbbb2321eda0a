// Costs on the output layer and the output error δᴸ = ∇ₐC ⊙ f'(zᴸ).
// The cost of a batch is the mean over its rows of the per-sample cost.
#pragma once

#include <limits>
#include <string>

#include "activations.hpp"

namespace deltaprop {

enum class Loss { quadratic, cross_entropy, log_likelihood };

inline const char* loss_name(Loss c) {
  switch (c) {
    case Loss::quadratic:
      return "quadratic";
    case Loss::cross_entropy:
      return "cross_entropy";
    case Loss::log_likelihood:
      return "log_likelihood";
  }
  return "?";
}

inline Loss parse_loss(const std::string& name) {
  for (Loss c : {Loss::quadratic, Loss::cross_entropy, Loss::log_likelihood}) {
    if (name == loss_name(c)) return c;
  }
  throw std::invalid_argument("unknown loss '" + name + "'; expected one of: quadratic, cross_entropy, log_likelihood");
}

// Which output activations each cost is defined for: cross-entropy needs independent
// probabilities (sigmoid), log-likelihood a distribution (softmax).
inline void require_compatible(Activation output, Loss loss) {
  if (loss == Loss::cross_entropy && output != Activation::sigmoid) {
    throw std::invalid_argument(std::string("loss 'cross_entropy' needs a sigmoid output layer, got '") +
                                activation_name(output) + "'; use 'log_likelihood' with a softmax output");
  }
  if (loss == Loss::log_likelihood && output != Activation::softmax) {
    throw std::invalid_argument(std::string("loss 'log_likelihood' needs a softmax output layer, got '") +
                                activation_name(output) + "'; use 'cross_entropy' with a sigmoid output");
  }
}

// ln of max(x, smallest normal): a probability of exactly 0 costs a large finite amount, never NaN.
template <class Derived>
auto safe_log(const Eigen::ArrayBase<Derived>& x) {
  using T = typename Derived::Scalar;
  return x.max(std::numeric_limits<T>::min()).log();
}

// Mean over rows of the per-sample cost:
//   quadratic       ½‖a − y‖²
//   cross_entropy   −Σ [y ln a + (1 − y) ln(1 − a)]
//   log_likelihood  −Σ y ln a
// Terms whose weight y (or 1 − y) is zero contribute exactly zero.
template <class T>
T loss_value(Loss loss, MatrixIn<T> a, MatrixIn<T> y) {
  require_shape(y, a.rows(), a.cols(), "targets");
  DELTAPROP_REQUIRE(a.rows() > 0, "loss of an empty batch");
  T total = 0;
  switch (loss) {
    case Loss::quadratic:
      total = T(0.5) * (a - y).squaredNorm();
      break;
    case Loss::cross_entropy:
      total = -((y.array() == T(0)).select(T(0), y.array() * safe_log(a.array())) +
                (y.array() == T(1)).select(T(0), (T(1) - y.array()) * safe_log(T(1) - a.array())))
                   .sum();
      break;
    case Loss::log_likelihood:
      total = -(y.array() == T(0)).select(T(0), y.array() * safe_log(a.array())).sum();
      break;
  }
  return total / static_cast<T>(a.rows());
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
  }
}

// True where δᴸ = a − y exactly: the cost's gradient cancels f'(z) (or f' = 1).
inline bool delta_is_residual(Activation output, Loss loss) {
  return (output == Activation::sigmoid && loss == Loss::cross_entropy) ||
         (output == Activation::softmax && loss == Loss::log_likelihood) ||
         (output == Activation::identity && loss == Loss::quadratic);
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
