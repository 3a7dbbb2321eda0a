// A dense layer's optimizer step from its mini-batch's δ, by the fastest route the batch and the
// update allow: fused into the weight gradient's register blocks for small batches, through the
// weight gradient's product for large SGD batches. (Adam's step on a large batch needs ∂C/∂W itself:
// see dense_parameter_gradients and sgd_step.)
#pragma once

#include "dense_update.hpp"
#include "product_update.hpp"

namespace deltaprop {

// Whether dense_layer_step can take config's step on a batch of `rows`.
inline bool takes_layer_step(const SgdConfig& config, Index rows) {
  return rows <= kSmallBatchRows || updates_through_product(config);
}

// W, b and their optimizer state take one step of config from δ and the layer's input a_prev (a
// matrix, or ScatteredRows for small batches); see dense_sgd_update for the arguments. Any batch
// and update are taken, the fused route being the fallback. scratch holds at least fan_out × m
// entries; buffers: the weight gradient's packing buffers.
// sparse_delta: δ may be mostly zeros (see product_sgd_update).
template <class T, class Input, class Progress = NoProgress>
void dense_layer_step(const Input& a_prev, MatrixIn<T> delta, double divisor, const SgdConfig& config, MatrixOut<T> w,
                      VectorOut<T> b, Moments<T> mw, Moments<T> mb, T* scratch, GemmBuffers<T>& buffers,
                      Progress&& progress = {}, bool sparse_delta = false) {
  if constexpr (!is_scattered<Input>) {
    if (delta.rows() > kSmallBatchRows && updates_through_product(config)) {
      product_sgd_update<T>(a_prev, delta, divisor, config, w, b, mw, mb, scratch, buffers, sparse_delta);
      return;
    }
  }
  dense_sgd_update<T>(a_prev, delta, divisor, config, w, b, mw, mb, scratch, progress);
}

}  // namespace deltaprop
