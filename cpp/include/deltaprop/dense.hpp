// A dense layer on a mini-batch of m rows; weights are (out, in) as in the textbook.
// Each product is a single GEMM written straight into its destination (noalias: no temporary).
#pragma once

#include "types.hpp"

namespace deltaprop {

// Z = A Wᵀ + b
template <class T>
void dense_forward(MatrixIn<T> w, VectorIn<T> b, MatrixIn<T> a_prev, MatrixOut<T> z) {
  require(a_prev.cols() == w.cols(), "input has " + std::to_string(a_prev.cols()) + " features, the layer expects " +
                                         std::to_string(w.cols()));
  require(b.size() == w.rows(), "bias must have " + std::to_string(w.rows()) + " entries, got " +
                                    std::to_string(b.size()));
  require_shape(z, a_prev.rows(), w.rows(), "forward output");
  z.noalias() = a_prev * w.transpose();
  z.rowwise() += b.transpose();
}

// ∂C/∂W = δᵀ A / m,  ∂C/∂b = mean over rows of δ  (gradients of the batch's mean cost).
template <class T>
void dense_parameter_gradients(MatrixIn<T> a_prev, MatrixIn<T> delta, MatrixOut<T> dw, VectorOut<T> db) {
  require(a_prev.rows() == delta.rows(), "input and delta must have the same number of rows");
  require(a_prev.rows() > 0, "gradients of an empty batch");
  require_shape(dw, delta.cols(), a_prev.cols(), "weight gradient");
  require(db.size() == delta.cols(), "bias gradient must have " + std::to_string(delta.cols()) + " entries");
  const T inv_m = T(1) / static_cast<T>(delta.rows());
  dw.noalias() = inv_m * (delta.transpose() * a_prev);
  db.noalias() = inv_m * delta.colwise().sum().transpose();
}

// ∂C/∂A = δ W: the gradient with respect to the layer's input, one row per sample.
template <class T>
void dense_input_gradient(MatrixIn<T> w, MatrixIn<T> delta, MatrixOut<T> da_prev) {
  require(delta.cols() == w.rows(), "delta has " + std::to_string(delta.cols()) + " columns, the layer has " +
                                        std::to_string(w.rows()) + " outputs");
  require_shape(da_prev, delta.rows(), w.cols(), "input gradient");
  da_prev.noalias() = delta * w;
}

}  // namespace deltaprop
