// Matrix products through Eigen's GEMM with packing buffers allocated once, up front. An Eigen
// product expression allocates its packing buffers on every call once they outgrow the stack
// limit; a training step must not allocate, so each product of a layer owns its buffers.
#pragma once

#include <Eigen/Core>

#include "types.hpp"

namespace deltaprop {

// Packing buffers for products of at most rows × cols with inner dimension depth.
template <class T>
class GemmBuffers {
 public:
  GemmBuffers(Index rows, Index cols, Index depth) : space_(rows, cols, depth, 1, true) { space_.allocateAll(); }
  GemmBuffers(const GemmBuffers&) = delete;
  GemmBuffers& operator=(const GemmBuffers&) = delete;

  Eigen::internal::level3_blocking<T, T>& blocking() { return space_; }

 private:
  Eigen::internal::gemm_blocking_space<Eigen::RowMajor, T, T, Eigen::Dynamic, Eigen::Dynamic, Eigen::Dynamic> space_;
};

// An operand of a product: a matrix's data read in row-major order, or its transpose (the same
// row-major data read column-major), without moving any data.
template <class T, int Order>
struct Operand {
  const T* data;
  Index stride;
};

template <class T>
Operand<T, Eigen::RowMajor> plain(MatrixIn<T> m) {
  return {m.data(), m.outerStride()};
}
template <class T>
Operand<T, Eigen::ColMajor> transposed(MatrixIn<T> m) {
  return {m.data(), m.outerStride()};
}

// dst += alpha · lhs · rhs, lhs being rows × depth and rhs depth × cols.
template <class T, int LhsOrder, int RhsOrder>
void gemm_accumulate(Operand<T, LhsOrder> lhs, Operand<T, RhsOrder> rhs, Index depth, MatrixOut<T> dst, T alpha,
                     GemmBuffers<T>& buffers) {
  if (dst.rows() == 0 || dst.cols() == 0 || depth == 0) return;
  Eigen::internal::general_matrix_matrix_product<Index, T, LhsOrder, false, T, RhsOrder, false, Eigen::RowMajor,
                                                 1>::run(dst.rows(), dst.cols(), depth, lhs.data, lhs.stride, rhs.data,
                                                         rhs.stride, dst.data(), 1, dst.outerStride(), alpha,
                                                         buffers.blocking(), nullptr);
}

}  // namespace deltaprop
