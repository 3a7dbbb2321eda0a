// A fully-connected network's description and parameters. All parameters live in one flat
// buffer, weights first (W₀, W₁, …) then biases (b₀, b₁, …), so an optimizer is a few vector
// operations and L2 decay touches a prefix. Per-layer matrices are Eigen::Map views into it.
#pragma once

#include <string>
#include <vector>

#include "losses.hpp"

namespace deltaprop {

// Where each layer's weights and biases sit in a flat buffer of the network's layout; the same
// layout serves the parameters, their gradient and the optimizer's velocity.
class Layout {
 public:
  explicit Layout(std::vector<Index> sizes) : sizes_(std::move(sizes)) {
    DELTAPROP_REQUIRE(sizes_.size() >= 2, "a network needs at least an input and an output layer");
    for (Index n : sizes_) DELTAPROP_REQUIRE(n >= 1, "every layer needs at least one unit");
    Index offset = 0;
    for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
      weight_offsets_.push_back(offset);
      offset += sizes_[l + 1] * sizes_[l];
    }
    n_weights_ = offset;
    for (size_t l = 0; l + 1 < sizes_.size(); ++l) {
      bias_offsets_.push_back(offset);
      offset += sizes_[l + 1];
    }
    n_params_ = offset;
  }

  const std::vector<Index>& sizes() const { return sizes_; }
  Index num_layers() const { return static_cast<Index>(sizes_.size()) - 1; }  // weight layers
  Index fan_in(Index l) const { return sizes_[l]; }
  Index fan_out(Index l) const { return sizes_[l + 1]; }
  Index n_inputs() const { return sizes_.front(); }
  Index n_outputs() const { return sizes_.back(); }
  Index n_params() const { return n_params_; }
  Index n_weights() const { return n_weights_; }

  template <class T>
  MatrixMap<T> weight(T* buffer, Index l) const {
    return MatrixMap<T>(buffer + weight_offsets_[l], fan_out(l), fan_in(l));
  }
  template <class T>
  ConstMatrixMap<T> weight(const T* buffer, Index l) const {
    return ConstMatrixMap<T>(buffer + weight_offsets_[l], fan_out(l), fan_in(l));
  }
  template <class T>
  VectorMap<T> bias(T* buffer, Index l) const {
    return VectorMap<T>(buffer + bias_offsets_[l], fan_out(l));
  }
  template <class T>
  ConstVectorMap<T> bias(const T* buffer, Index l) const {
    return ConstVectorMap<T>(buffer + bias_offsets_[l], fan_out(l));
  }

 private:
  std::vector<Index> sizes_;
  std::vector<Index> weight_offsets_, bias_offsets_;
  Index n_weights_ = 0, n_params_ = 0;
};

template <class T>
class Network {
 public:
  Network(std::vector<Index> sizes, ActivationSpec hidden, ActivationSpec output, Loss loss)
      : layout_(std::move(sizes)), hidden_(hidden), output_(output), loss_(loss), params_(layout_.n_params()) {
    DELTAPROP_REQUIRE(hidden.kind != Activation::softmax,
                      "softmax is an output activation; choose another hidden activation");
    DELTAPROP_REQUIRE(hidden.slope >= 0 && output.slope >= 0, "leaky_relu slope must be >= 0");
    require_compatible(output.kind, loss);
    params_.setZero();
  }

  const Layout& layout() const { return layout_; }
  Index num_layers() const { return layout_.num_layers(); }
  const ActivationSpec& activation(Index l) const { return l + 1 == num_layers() ? output_ : hidden_; }
  const ActivationSpec& hidden_activation() const { return hidden_; }
  // Whether layer l's output, and the δ its derivative gates, are zero wherever z ≤ 0 (ReLU): the
  // products with them may skip those entries (see sparse_products.hpp).
  bool zero_gated(Index l) const { return activation(l).kind == Activation::relu; }
  const ActivationSpec& output_activation() const { return output_; }
  Loss loss() const { return loss_; }
  // Where probabilities are clipped before their logarithm in the reported cost (see losses.hpp).
  T probability_floor() const { return probability_floor_; }
  void set_probability_floor(T floor) {
    DELTAPROP_REQUIRE(floor > T(0) && floor < T(0.5), "the probability floor must be in (0, 0.5)");
    probability_floor_ = floor;
  }

  Vector<T>& params() { return params_; }
  const Vector<T>& params() const { return params_; }
  ConstMatrixMap<T> weight(Index l) const { return layout_.weight(static_cast<const T*>(params_.data()), l); }
  ConstVectorMap<T> bias(Index l) const { return layout_.bias(static_cast<const T*>(params_.data()), l); }

 private:
  Layout layout_;
  ActivationSpec hidden_, output_;
  Loss loss_;
  T probability_floor_ = default_probability_floor<T>();
  Vector<T> params_;
};

}  // namespace deltaprop
