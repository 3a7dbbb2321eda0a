// A dense layer's gradient-descent step taken straight from its mini-batch's δ: the weight
// gradient δᵀ A / m is computed block by block and each block is applied while in registers, so
// ∂C/∂W never goes through memory and the separate pass of the optimizer over W disappears.
#pragma once

#include "optimizers.hpp"
#include "small_products.hpp"

namespace deltaprop {

// W, b and their velocities (vw, vb; ignored without momentum) take one step of `config` on the
// gradients of the batch's mean cost, ∂C/∂W = δᵀ A / m and ∂C/∂b = mean δ, A being the layer's
// input. scratch holds at least fan_out × m entries. progress is called as the weights' step
// advances (see small_weight_gradient).
template <class T, class Progress = NoProgress>
void dense_sgd_update(MatrixIn<T> a_prev, MatrixIn<T> delta, const SgdConfig& config, MatrixOut<T> w, VectorOut<T> b,
                      MatrixOut<T> vw, VectorOut<T> vb, T* scratch, Progress&& progress = {}) {
  const Index m = delta.rows(), n = w.rows(), k = w.cols();
  DELTAPROP_REQUIRE(m > 0, "gradients of an empty batch");
  DELTAPROP_REQUIRE(a_prev.rows() == m && a_prev.cols() == k, "input and delta must have the batch's rows");
  DELTAPROP_REQUIRE(delta.cols() == n && b.size() == n, "delta and bias must have one column per output");
  DELTAPROP_REQUIRE(w.outerStride() == k, "weights must be contiguous");
  const bool momentum = config.momentum != 0.0;
  DELTAPROP_REQUIRE(!momentum || (vw.rows() == n && vw.cols() == k && vw.outerStride() == k && vb.size() == n),
                    "velocities must have the shapes of the parameters");
  // −η/m folded into δᵀ once, so each gradient entry comes out of the product as the step −η ∂C/∂w.
  const T scale = static_cast<T>(-config.lr / static_cast<double>(m));
  Eigen::Map<Matrix<T>> dt(scratch, n, m);
  dt = scale * delta.transpose();
  with_sgd_piece_step<T>(config, w.data(), momentum ? vw.data() : nullptr, config.weight_decay,
                         [&](auto step) { small_weight_gradient<T>(a_prev, dt.data(), n, step, progress); });
  with_sgd_piece_step<T>(config, b.data(), momentum ? vb.data() : nullptr, 0.0, [&](auto step) {
    for (Index j = 0; j < n; ++j) step(j, dt.row(j).sum());
  });
}

}  // namespace deltaprop
