// A dense layer on a mini-batch of m rows; weights are (out, in) as in the textbook.
// Each product is one GEMM written straight into its destination, with preallocated buffers.
#pragma once

#include <string>

#include "activation_store.hpp"
#include "gemm.hpp"
#include "small_products.hpp"

namespace deltaprop {

// Layers with at most this many outputs (a classifier's output layer) run their forward and input-gradient
// products through the small-batch loops at any batch size: a general GEMM packs the whole input for the
// few outputs it computes (measured with AVX2, 128 rows, 512 inputs and 10-14 outputs: both products 20-45%
// faster; at 24 outputs no faster, at 48 or more slower).
constexpr Index kNarrowLayerOutputs = 12;

// Whether a layer's forward and input-gradient products on a batch of `rows` take the small-batch loops.
inline bool takes_small_products(Index rows, Index outputs) {
  return rows <= kSmallBatchRows || outputs <= kNarrowLayerOutputs;
}

// The blockings of one layer's three products for batches of up to `rows` samples, packing into space.
template <class T>
struct DenseBuffers {
  DenseBuffers(Index rows, Index fan_in, Index fan_out, PackingSpace<T>& space)
      : forward(rows, fan_out, fan_in, &space, DepthBlocking::whole),
        weight_grad(fan_out, fan_in, rows, &space),
        input_grad(rows, fan_in, fan_out, &space, DepthBlocking::whole) {
    // Room for the products of sparse_products.hpp, set aside before training as the packing space is.
    for (const SparseRoom& room :
         {room_for_rows_product<T>(rows, fan_in, fan_out), room_for_rows_product<T>(rows, fan_out, fan_in),
          room_for_columns_product<T>(std::min(rows, kSparseWholeDepthLimit), fan_out, fan_in)})
      reserve(space.sparse(), room);
  }
  GemmBuffers<T> forward;      // Z = A Wᵀ
  GemmBuffers<T> weight_grad;  // ∂C/∂W = δᵀ A / m
  GemmBuffers<T> input_grad;   // ∂C/∂A = δ W
};

template <class T>
void check_forward_shapes(MatrixIn<T> w, VectorIn<T> b, MatrixIn<T> a_prev, MatrixOut<T> z) {
  DELTAPROP_REQUIRE(a_prev.cols() == w.cols(), "input has " + std::to_string(a_prev.cols()) +
                                                   " features, the layer expects " + std::to_string(w.cols()));
  DELTAPROP_REQUIRE(b.size() == w.rows(),
                    "bias must have " + std::to_string(w.rows()) + " entries, got " + std::to_string(b.size()));
  require_shape(z, a_prev.rows(), w.rows(), "forward output");
}

// Z = A Wᵀ + b (small batches and narrow layers without packing: see small_products.hpp)
template <class T>
void dense_forward(MatrixIn<T> w, VectorIn<T> b, MatrixIn<T> a_prev, MatrixOut<T> z, GemmBuffers<T>& buffers) {
  check_forward_shapes<T>(w, b, a_prev, z);
  if (takes_small_products(a_prev.rows(), w.rows()) && w.outerStride() == w.cols()) {
    small_forward<T>(a_prev, w, b, z);
    return;
  }
  z.rowwise() = b.transpose();
  gemm_accumulate<T>(plain<T>(a_prev), transposed<T>(w), w.cols(), z, T(1), buffers);
}

// A = f(A_prev Wᵀ + b): with f inside the product's stores where it can be (see activation_store.hpp).
// sparse_input: A_prev may be mostly zeros (a ReLU's output), and goes through sparse_products.hpp
// when it is.
template <class T>
void dense_forward_activated(MatrixIn<T> w, VectorIn<T> b, MatrixIn<T> a_prev, const ActivationSpec& f, MatrixOut<T> a,
                             GemmBuffers<T>& buffers, bool sparse_input = false) {
  check_forward_shapes<T>(w, b, a_prev, a);
  if (sparse_input && !takes_small_products(a_prev.rows(), w.rows()) &&
      with_store_rule<T, ForwardRule>(f, [&](auto rule) {
        return sparse_rows_times<true, T>({a_prev.data(), a_prev.outerStride()}, a.rows(), w.cols(),
                                          {w.data(), w.outerStride()}, w.rows(), a.data(), a.outerStride(), b.data(), 0,
                                          rule, buffers.sparse());
      })) {
    return;
  }
  if (!takes_small_products(a_prev.rows(), w.rows()) && with_store_rule<T, ForwardRule>(f, [&](auto rule) {
        using Store = ResultStore<T, decltype(rule), const T>;
        return gemm_through<T>(plain<T>(a_prev), transposed<T>(w), a.rows(), a.cols(), w.cols(),
                               Store(a.data(), a.outerStride(), b.data(), 0, rule), T(1), buffers);
      })) {
    return;
  }
  dense_forward<T>(w, b, a_prev, a, buffers);
  activation_forward<T>(f, a, a);
}

// out = Σ over the rows of δ, row by row, so every entry is summed in the same order whatever the
// data's memory alignment.
template <class T>
void sum_rows(MatrixIn<T> delta, VectorOut<T> out) {
  out.setZero();
  for (Index i = 0; i < delta.rows(); ++i) out += delta.row(i).transpose();
}

// ∂C/∂W = δᵀ A / m,  ∂C/∂b = Σ over rows of δ / m  (gradients of the batch's mean cost). With a
// divisor, it replaces m (the total sample weight, when δ's rows carry the weights).
template <class T>
void dense_parameter_gradients(MatrixIn<T> a_prev, MatrixIn<T> delta, MatrixOut<T> dw, VectorOut<T> db,
                               GemmBuffers<T>& buffers, T divisor = T(0)) {
  DELTAPROP_REQUIRE(a_prev.rows() == delta.rows(), "input and delta must have the same number of rows");
  DELTAPROP_REQUIRE(a_prev.rows() > 0, "gradients of an empty batch");
  require_shape(dw, delta.cols(), a_prev.cols(), "weight gradient");
  DELTAPROP_REQUIRE(db.size() == delta.cols(), "bias gradient must have " + std::to_string(delta.cols()) + " entries");
  const T inv_m = T(1) / (divisor != T(0) ? divisor : static_cast<T>(delta.rows()));
  dw.setZero();
  gemm_accumulate<T>(transposed<T>(delta), plain<T>(a_prev), delta.rows(), dw, inv_m, buffers);
  sum_rows<T>(delta, db);
  db *= inv_m;
}

template <class T>
void check_input_gradient_shapes(MatrixIn<T> w, MatrixIn<T> delta, MatrixOut<T> da_prev) {
  DELTAPROP_REQUIRE(delta.cols() == w.rows(), "delta has " + std::to_string(delta.cols()) + " columns, the layer has " +
                                                  std::to_string(w.rows()) + " outputs");
  require_shape(da_prev, delta.rows(), w.cols(), "input gradient");
}

// ∂C/∂A = δ W: the gradient with respect to the layer's input, one row per sample (small batches
// and narrow layers without packing: see small_products.hpp).
template <class T>
void dense_input_gradient(MatrixIn<T> w, MatrixIn<T> delta, MatrixOut<T> da_prev, GemmBuffers<T>& buffers) {
  check_input_gradient_shapes<T>(w, delta, da_prev);
  if (takes_small_products(delta.rows(), w.rows())) {
    small_input_gradient<T>(delta, w, da_prev);
    return;
  }
  da_prev.setZero();
  gemm_accumulate<T>(plain<T>(delta), plain<T>(w), w.rows(), da_prev, T(1), buffers);
}

// δ of the layer below: (δ W) ⊙ f'(z) for the input a_prev = f(z), with f' inside the product's stores
// where it can be (see activation_store.hpp). delta_prev may not alias a_prev.
// sparse_delta: δ may be mostly zeros (gated by a ReLU's derivative), and goes through
// sparse_products.hpp when it is.
template <class T>
void dense_backpropagate(MatrixIn<T> w, MatrixIn<T> delta, const ActivationSpec& f, MatrixIn<T> a_prev,
                         MatrixOut<T> delta_prev, GemmBuffers<T>& buffers, bool sparse_delta = false) {
  check_input_gradient_shapes<T>(w, delta, delta_prev);
  require_shape(a_prev, delta_prev.rows(), delta_prev.cols(), "layer input");
  if (sparse_delta && !takes_small_products(delta.rows(), w.rows()) &&
      with_store_rule<T, InputGradientRule>(f, [&](auto rule) {
        return sparse_rows_times<false, T>(
            {delta.data(), delta.outerStride()}, delta.rows(), w.rows(), {w.data(), w.outerStride()}, w.cols(),
            delta_prev.data(), delta_prev.outerStride(), a_prev.data(), a_prev.outerStride(), rule, buffers.sparse());
      })) {
    return;
  }
  if (!takes_small_products(delta.rows(), w.rows()) && with_store_rule<T, InputGradientRule>(f, [&](auto rule) {
        using Store = ResultStore<T, decltype(rule), const T>;
        return gemm_through<T>(
            plain<T>(delta), plain<T>(w), delta_prev.rows(), delta_prev.cols(), w.rows(),
            Store(delta_prev.data(), delta_prev.outerStride(), a_prev.data(), a_prev.outerStride(), rule), T(1),
            buffers);
      })) {
    return;
  }
  dense_input_gradient<T>(w, delta, delta_prev, buffers);
  activation_backward<T>(f, a_prev, delta_prev, delta_prev);
}

}  // namespace deltaprop
