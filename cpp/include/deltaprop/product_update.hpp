// A dense layer's gradient-descent step on a large mini-batch, with the weight gradient's product
// accumulated straight into the buffer the rule changes: the velocity (momentum) or the weights
// (plain SGD). ∂C/∂W is never stored, so the zeroing of a gradient buffer and the optimizer's
// separate pass over it disappear; what is left are one or two passes over the velocity and W.
#pragma once

#include "dense.hpp"
#include "optimizers.hpp"
#include "velocity_store.hpp"

namespace deltaprop {

// Whether config's step can be taken this way: every SGD rule. Adam's step needs the gradient
// itself.
inline bool updates_through_product(const SgdConfig& c) { return c.method == Method::sgd; }

// The result's own entries, loaded and stored as they are: W += alpha δᵀA for plain SGD's step.
template <class T>
struct AccumulateRule {
  template <class P>
  P load(const T* result, const T*) const {
    return Eigen::internal::ploadu<P>(result);
  }
  template <class P>
  void store(T* result, T*, const P& sum) const {
    Eigen::internal::pstoreu(result, sum);
  }
};

// Applies rule (over W or v and W, see velocity_store.hpp) to alpha δᵀA through sparse_products.hpp
// when δ is mostly zeros and its batch within kSparseWholeDepthLimit; false otherwise, nothing done.
template <class T, class Rule>
bool sparse_weight_product(MatrixIn<T> a_prev, MatrixIn<T> delta, T* result, T* w, const Rule& rule, T alpha,
                           GemmBuffers<T>& buffers) {
  const Index k = a_prev.cols();
  return sparse_columns_times<T>({delta.data(), delta.outerStride()}, delta.rows(), delta.cols(),
                                 {a_prev.data(), a_prev.outerStride()}, k, result, k, w, k, rule, alpha,
                                 buffers.sparse());
}

// W, b and their velocities (mw, mb: see Moments) take one step of `config` on the gradients
// ∂C/∂W = δᵀ A / divisor and ∂C/∂b = Σ δ / divisor, A being the layer's input (divisor: the
// batch's rows, or its total sample weight when δ carries the weights). With g_eff = ∂C/∂W + λ W:
//   plain:     W ← (W − ηλ W) − (η / divisor) δᵀA
//   momentum:  v ← (μ v − ηλ W) − (η / divisor) δᵀA;  W ← W + v
//   Nesterov:  the same v, with W ← (W − μ v_old) + (1 + μ) v
// which is sgd_step's rule with its terms summed in another order (Nesterov's W + μ v + step,
// step = v − μ v_old, regrouped so that the step itself is never needed). bias_sums: room for fan_out
// entries.
// sparse_delta: δ may be mostly zeros (gated by a ReLU's derivative); see sparse_weight_product.
template <class T>
void product_sgd_update(MatrixIn<T> a_prev, MatrixIn<T> delta, double divisor, const SgdConfig& config, MatrixOut<T> w,
                        VectorOut<T> b, Moments<T> mw, Moments<T> mb, T* bias_sums, GemmBuffers<T>& buffers,
                        bool sparse_delta = false) {
  const Index m = delta.rows(), n = w.rows(), k = w.cols();
  DELTAPROP_REQUIRE(updates_through_product(config), "this step needs the gradient itself");
  DELTAPROP_REQUIRE(m > 0, "gradients of an empty batch");
  DELTAPROP_REQUIRE(a_prev.rows() == m && a_prev.cols() == k, "input and delta must have the batch's rows");
  DELTAPROP_REQUIRE(delta.cols() == n && b.size() == n, "delta and bias must have one column per output");
  DELTAPROP_REQUIRE(w.outerStride() == k, "weights must be contiguous");
  const bool momentum = config.momentum != 0.0;
  DELTAPROP_REQUIRE(!momentum || (mw.first != nullptr && mb.first != nullptr),
                    "this update needs a velocity for the weights and the biases");
  const T lr_decay = static_cast<T>(config.lr * config.weight_decay);
  const T alpha = static_cast<T>(-config.lr / divisor);
  auto wa = VectorMap<T>(w.data(), n * k).array();  // contiguous: one pass over all entries
  if (momentum) {
    const T mu = static_cast<T>(config.momentum);
    // The whole rule inside the product when its depth is not split (see velocity_store.hpp)...
    const bool done = with_velocity_rule<T>(config.nesterov, lr_decay != T(0), mu, lr_decay, [&](auto rule) {
      if (sparse_delta && sparse_weight_product<T>(a_prev, delta, mw.first, w.data(), rule, alpha, buffers))
        return true;
      return gemm_through<T>(transposed<T>(delta), plain<T>(a_prev), n, k, m,
                             ResultStore<T, decltype(rule)>(mw.first, k, w.data(), k, rule), alpha, buffers);
    });
    if (!done) {  // ...else in passes over v and W before and after it
      MatrixMap<T> v(mw.first, n, k);
      auto va = VectorMap<T>(mw.first, n * k).array();
      if (config.nesterov) {  // W ← W − μ v_old and v ← μ v_old − ηλ W_old in one pass
        T* p = w.data();
        T* vel = mw.first;
        if (lr_decay != T(0)) {
          for (Index i = 0; i < n * k; ++i) {
            const T p_old = p[i], v_old = vel[i];
            p[i] = p_old - mu * v_old;
            vel[i] = mu * v_old - lr_decay * p_old;
          }
        } else {
          for (Index i = 0; i < n * k; ++i) {
            const T v_old = vel[i];
            p[i] -= mu * v_old;
            vel[i] = mu * v_old;
          }
        }
      } else if (lr_decay != T(0)) {
        va = mu * va - lr_decay * wa;
      } else {
        va *= mu;
      }
      gemm_accumulate<T>(transposed<T>(delta), plain<T>(a_prev), m, v, alpha, buffers);
      if (config.nesterov) {
        wa += (T(1) + mu) * va;
      } else {
        wa += va;
      }
    }
  } else {
    if (lr_decay != T(0)) wa -= lr_decay * wa;
    if (!sparse_delta ||
        !sparse_weight_product<T>(a_prev, delta, w.data(), w.data(), AccumulateRule<T>{}, alpha, buffers))
      gemm_accumulate<T>(transposed<T>(delta), plain<T>(a_prev), m, w, alpha, buffers);
  }
  VectorMap<T> sums(bias_sums, n);
  sum_rows<T>(delta, sums);
  with_sgd_piece_step<T>(config, b.data(), mb, 0.0, [&](auto step) {
    const T scale = static_cast<T>(static_cast<double>(step.scale) / divisor);
    for (Index j = 0; j < n; ++j) step(j, scale * sums[j]);
  });
}

}  // namespace deltaprop
