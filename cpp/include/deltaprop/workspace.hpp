// Buffers for one mini-batch, sized once for a batch capacity and reused for every batch
// (a shorter batch uses the top rows, which are contiguous in row-major storage).
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#include "dense.hpp"
#include "network.hpp"

namespace deltaprop {

template <class T>
struct Workspace {
  Workspace(const Layout& layout, Index capacity) : capacity(capacity) {
    DELTAPROP_REQUIRE(capacity >= 1, "batch size must be at least 1");
    const Index depth = layout.num_layers();
    input.resize(capacity, layout.n_inputs());
    targets.resize(capacity, layout.n_outputs());
    weights.resize(capacity);
    row_pointers.resize(capacity);
    if constexpr (std::is_same_v<T, double>) float_row_pointers.resize(capacity);
    activations.resize(depth);
    deltas.resize(depth);
    for (Index l = 0; l < depth; ++l) {
      activations[l].resize(capacity, layout.fan_out(l));
      deltas[l].resize(capacity, layout.fan_out(l));
      gemm.push_back(std::make_unique<DenseBuffers<T>>(capacity, layout.fan_in(l), layout.fan_out(l), packing));
    }
    grad.resize(layout.n_params());
    Index widest = 0;
    for (Index l = 0; l < depth; ++l) widest = std::max(widest, layout.fan_out(l));
    scratch.resize(widest * capacity);
  }

  // Its products' blockings refer to its packing space: a workspace stays where it was made.
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Room for the addresses of a batch's input rows of type S, read in place.
  template <class S>
  const S** input_rows() {
    static_assert(reads_rows_of<S, T>, "input rows of a type the products do not read");
    if constexpr (std::is_same_v<S, T>) {
      return row_pointers.data();
    } else {
      return float_row_pointers.data();
    }
  }

  // The first `rows` rows of a buffer, as a matrix of their own.
  static MatrixMap<T> top(Matrix<T>& m, Index rows) { return MatrixMap<T>(m.data(), rows, m.cols()); }

  Index capacity;
  Matrix<T> input, targets;                            // gathered mini-batch (when shuffled)
  Vector<T> weights;                                   // its sample weights, when there are any
  std::vector<const T*> row_pointers;                  // or where its input rows lie, when read in place
  std::vector<const float*> float_row_pointers;        // the same for float rows (a float64 network's)
  std::vector<Matrix<T>> activations;                  // aˡ for l = 1..L (index l − 1)
  std::vector<Matrix<T>> deltas;                       // δˡ, same shapes
  Vector<T> grad;                                      // ∂C/∂params in the network's flat layout
  PackingSpace<T> packing;                             // where every product below packs its operands
  std::vector<std::unique_ptr<DenseBuffers<T>>> gemm;  // each layer's GEMM blockings
  Vector<T> scratch;                                   // a layer's scaled δᵀ in a fused update
};

}  // namespace deltaprop
