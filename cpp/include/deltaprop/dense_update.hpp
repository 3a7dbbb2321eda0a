// A dense layer's optimizer step taken straight from its mini-batch's δ: the weight
// gradient δᵀ A / m is computed block by block and each block is applied while in registers, so
// ∂C/∂W never goes through memory and the separate pass of the optimizer over W disappears.
#pragma once

#include "optimizers.hpp"
#include "small_products.hpp"

namespace deltaprop {

// W, b and their optimizer state (mw, mb: see Moments) take one step of `config` on the
// gradients ∂C/∂W = δᵀ A / divisor and ∂C/∂b = Σ δ / divisor, A being the layer's input (divisor:
// the batch's rows, or its total sample weight when δ carries the weights). a_prev is a row-major
// matrix or ScatteredRows. scratch holds at least fan_out × m entries. progress is called as the
// weights' step advances (see small_weight_gradient).
template <class T, class Input, class Progress = NoProgress>
void dense_sgd_update(const Input& a_prev, MatrixIn<T> delta, double divisor, const SgdConfig& config, MatrixOut<T> w,
                      VectorOut<T> b, Moments<T> mw, Moments<T> mb, T* scratch, Progress&& progress = {}) {
  const Index m = delta.rows(), n = w.rows(), k = w.cols();
  DELTAPROP_REQUIRE(m > 0, "gradients of an empty batch");
  DELTAPROP_REQUIRE(a_prev.rows() == m && a_prev.cols() == k, "input and delta must have the batch's rows");
  DELTAPROP_REQUIRE(delta.cols() == n && b.size() == n, "delta and bias must have one column per output");
  DELTAPROP_REQUIRE(w.outerStride() == k, "weights must be contiguous");
  DELTAPROP_REQUIRE(!uses_first_moment(config) || (mw.first != nullptr && mb.first != nullptr),
                    "this update needs a velocity (first moment) for the weights and the biases");
  DELTAPROP_REQUIRE(!uses_second_moment(config) || (mw.second != nullptr && mb.second != nullptr),
                    "this update needs a second moment for the weights and the biases");
  Eigen::Map<Matrix<T>> dt(scratch, n, m);
  with_sgd_piece_step<T>(config, w.data(), mw, config.weight_decay, [&](auto step) {
    // The piece's scale / divisor folded into δᵀ once, so each gradient entry comes out of the
    // product already scaled as the piece wants it (for SGD: the step −η ∂C/∂w itself).
    dt = static_cast<T>(static_cast<double>(step.scale) / divisor) * delta.transpose();
    small_weight_gradient<T>(a_prev, dt.data(), n, step, progress);
  });
  with_sgd_piece_step<T>(config, b.data(), mb, 0.0, [&](auto step) {
    for (Index j = 0; j < n; ++j) step(j, dt.row(j).sum());
  });
}

}  // namespace deltaprop
