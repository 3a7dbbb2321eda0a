// Whole passes over a data set: one epoch of mini-batch gradient descent, the mean cost and its
// gradient over any number of samples, and inference. Workspaces are sized once and reused.
#pragma once

#include <cstdint>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "optimizers.hpp"
#include "propagation.hpp"

namespace deltaprop {

// Rows per chunk when a whole data set is evaluated at once (inference, full gradients).
constexpr Index kEvalChunk = 256;

// A uniformly shuffled 0..n-1 from a seeded 64-bit Mersenne Twister (Fisher–Yates). The index
// is drawn by a 128-bit multiply, so the order is the same with every compiler and library.
inline void shuffle_indices(std::vector<Index>& order, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (Index i = static_cast<Index>(order.size()) - 1; i > 0; --i) {
    const auto bound = static_cast<unsigned __int128>(i + 1);
    const auto j = static_cast<Index>((static_cast<unsigned __int128>(rng()) * bound) >> 64);
    std::swap(order[i], order[j]);
  }
}

template <class T>
class Trainer {
 public:
  explicit Trainer(Network<T>& net) : net_(net), velocity_(Vector<T>::Zero(net.layout().n_params())) {}

  void reset_optimizer() { velocity_.setZero(); }

  // One epoch over (x, y) in mini-batches; the last, shorter batch is used. Returns the mean
  // per-sample cost measured in each batch's forward pass, before its update.
  T train_epoch(MatrixIn<T> x, MatrixIn<T> y, Index batch_size, const SgdConfig& config, bool shuffle,
                std::uint64_t seed) {
    check_data(x, y);
    require(batch_size >= 1, "batch_size must be at least 1");
    const Index n = x.rows();
    Workspace<T>& ws = workspace(train_ws_, std::min(batch_size, n));
    if (shuffle) {
      if (static_cast<Index>(order_.size()) != n) order_.resize(n);
      std::iota(order_.begin(), order_.end(), Index(0));
      shuffle_indices(order_, seed);
    }

    // Forward, cost, backward and update on one mini-batch.
    auto step = [&](MatrixIn<T> xb, MatrixIn<T> yb) {
      MatrixMap<T> out = forward<T>(net_, ws, xb);
      const T cost = loss_value<T>(net_.loss(), out, yb);
      backward<T>(net_, ws, xb, yb);
      sgd_step<T>(config, net_.params(), ws.grad, velocity_, net_.layout().n_weights());
      return cost * static_cast<T>(xb.rows());
    };
    T total_cost = 0;
    for (Index start = 0; start < n; start += batch_size) {
      const Index rows = std::min(batch_size, n - start);
      if (!shuffle) {  // consecutive rows of the caller's arrays: used in place, no copy
        total_cost += step(x.middleRows(start, rows), y.middleRows(start, rows));
        continue;
      }
      MatrixMap<T> xb = Workspace<T>::top(ws.input, rows);
      MatrixMap<T> yb = Workspace<T>::top(ws.targets, rows);
      for (Index k = 0; k < rows; ++k) {
        xb.row(k) = x.row(order_[start + k]);
        yb.row(k) = y.row(order_[start + k]);
      }
      total_cost += step(xb, yb);
    }
    return total_cost / static_cast<T>(n);
  }

  // Mean cost over all of (x, y); with grad, its gradient (flat layout); with input_grad, ∂C/∂x.
  T evaluate(MatrixIn<T> x, MatrixIn<T> y, VectorOut<T>* grad = nullptr, MatrixOut<T>* input_grad = nullptr) {
    check_data(x, y);
    const Index n = x.rows();
    if (grad != nullptr) {
      require(grad->size() == net_.layout().n_params(), "gradient buffer must have n_params entries");
      grad->setZero();
    }
    if (input_grad != nullptr) require_shape(*input_grad, n, x.cols(), "input gradient");
    Workspace<T>& ws = workspace(eval_ws_, std::min(kEvalChunk, n));
    T total_cost = 0;
    for (Index start = 0; start < n; start += ws.capacity) {
      const Index rows = std::min(ws.capacity, n - start);
      auto xb = x.middleRows(start, rows);
      auto yb = y.middleRows(start, rows);
      MatrixMap<T> out = forward<T>(net_, ws, xb);
      const T weight = static_cast<T>(rows) / static_cast<T>(n);  // chunk means → mean over all n
      total_cost += loss_value<T>(net_.loss(), out, yb) * weight;
      if (grad == nullptr && input_grad == nullptr) continue;
      if (input_grad != nullptr) {
        MatrixOut<T> ig = input_grad->middleRows(start, rows);
        backward<T>(net_, ws, xb, yb, &ig);
        ig *= weight;
      } else {
        backward<T>(net_, ws, xb, yb);
      }
      if (grad != nullptr) *grad += weight * ws.grad;
    }
    return total_cost;
  }

  // The network's output for every row of x.
  void predict(MatrixIn<T> x, MatrixOut<T> out) {
    require(x.cols() == net_.layout().n_inputs(),
            "X must have " + std::to_string(net_.layout().n_inputs()) + " columns, got " + std::to_string(x.cols()));
    require_shape(out, x.rows(), net_.layout().n_outputs(), "output");
    if (x.rows() == 0) return;
    Workspace<T>& ws = workspace(eval_ws_, std::min(kEvalChunk, x.rows()));
    for (Index start = 0; start < x.rows(); start += ws.capacity) {
      const Index rows = std::min(ws.capacity, x.rows() - start);
      out.middleRows(start, rows) = forward<T>(net_, ws, x.middleRows(start, rows));
    }
  }

 private:
  void check_data(MatrixIn<T> x, MatrixIn<T> y) const {
    const Layout& layout = net_.layout();
    require(x.rows() > 0, "no samples: X is empty");
    require(x.cols() == layout.n_inputs(),
            "X must have " + std::to_string(layout.n_inputs()) + " columns, got " + std::to_string(x.cols()));
    require_shape(y, x.rows(), layout.n_outputs(), "Y");
  }

  // The workspace for a capacity, allocated when first needed and again only when a larger one is asked for.
  Workspace<T>& workspace(std::optional<Workspace<T>>& slot, Index capacity) {
    if (!slot || slot->capacity < capacity) slot.emplace(net_.layout(), capacity);
    return *slot;
  }

  Network<T>& net_;
  Vector<T> velocity_;
  std::vector<Index> order_;
  std::optional<Workspace<T>> train_ws_, eval_ws_;
};

}  // namespace deltaprop
