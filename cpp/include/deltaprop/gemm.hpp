// Matrix products through Eigen's GEMM with packing buffers allocated once, up front. An Eigen
// product expression allocates its packing buffers on every call once they outgrow the stack
// limit; a training step must not allocate, so the products pack into space set aside for them.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <memory>

#include "sparse_products.hpp"
#include "types.hpp"

namespace deltaprop {

// Room for the packed blocks of a product's two operands, shared by products that run one after
// another (a workspace's, on one thread): their packed blocks stay in the cache from one product to
// the next instead of each product writing to memory of its own (measured with 32 KiB L1 and 512 KiB
// L2 caches: C3's training step 1.5-2% faster, its products packing into 1.0 MiB instead of 3.9).
// Grown only while products are being set up, never during training.
template <class T>
class PackingSpace {
 public:
  void reserve(Index lhs, Index rhs) {
    if (lhs > lhs_.size()) lhs_.resize(lhs);
    if (rhs > rhs_.size()) rhs_.resize(rhs);
  }
  T* lhs() { return lhs_.data(); }
  T* rhs() { return rhs_.data(); }
  SparseSpace<T>& sparse() { return sparse_; }

 private:
  Vector<T> lhs_, rhs_;    // aligned as Eigen's packed loads want them
  SparseSpace<T> sparse_;  // for the products with a mostly zero operand (see sparse_products.hpp)
};

// How a product's depth is blocked: as Eigen chooses, or whole up to kWholeDepthLimit, every entry
// of the result then being loaded and stored once. Eigen cuts the depth to fit a 32 KiB L1 (264 in
// float32); measured with AVX2 and 32 KiB L1 / 512 KiB L2, the whole depth was faster at every
// shape tried (128-1024 rows by 512-2048 deep by 100-512 wide: 0-2% at 2048 deep, 2-4% at 512-1024,
// 6-10% with 1024 rows), and nowhere slower.
enum class DepthBlocking { eigen, whole };
constexpr Index kWholeDepthLimit = 2048;
// With the whole depth, the packed block of the left-hand operand holds at most this much (measured
// as above: blocks of 0.75-1.2 MiB were 1-2% faster than 1.6 MiB, smaller or larger ones no faster).
constexpr Index kWholeDepthBlockBytes = Index(1) << 20;

// The blocking of one product of at most rows × cols with inner dimension depth, as Eigen chooses
// it for a row-major result (or with the whole depth), packing into a PackingSpace: the one given,
// which must outlive this and not grow once products run, or else a space of its own.
template <class T>
class GemmBuffers {
 public:
  GemmBuffers(Index rows, Index cols, Index depth, PackingSpace<T>* space = nullptr,
              DepthBlocking depth_blocking = DepthBlocking::eigen)
      : own_(space == nullptr ? std::make_unique<PackingSpace<T>>() : nullptr), space_(space ? *space : *own_) {
    blocking_.set(rows, cols, depth);
    if (depth_blocking == DepthBlocking::whole) blocking_.take_whole_depth(cols, depth);
    space_.reserve(blocking_.mc() * blocking_.kc(), blocking_.kc() * blocking_.nc());
  }
  GemmBuffers(const GemmBuffers&) = delete;
  GemmBuffers& operator=(const GemmBuffers&) = delete;

  SparseSpace<T>& sparse() { return space_.sparse(); }

  Eigen::internal::level3_blocking<T, T>& blocking() {
    blocking_.place(space_.lhs(), space_.rhs());  // where the space lies now (it grows while set up)
    return blocking_;
  }

 private:
  // Eigen's blocking sizes for the product, without buffers of its own.
  struct Blocking : Eigen::internal::level3_blocking<T, T> {
    void set(Index rows, Index cols, Index depth) {
      // A row-major result is computed as the transposed, column-major product (as Eigen's own
      // gemm_blocking_space sizes it).
      this->m_mc = cols;
      this->m_nc = rows;
      this->m_kc = depth;
      Eigen::internal::computeProductBlockingSizes<T, T, 1>(this->m_kc, this->m_mc, this->m_nc, Index(1));
    }
    // The whole depth where Eigen cuts it, the result's columns (the packed left-hand operand's
    // rows) split into equal blocks of whole micro-panels, each of at most kWholeDepthBlockBytes.
    void take_whole_depth(Index cols, Index depth) {
      if (this->m_kc >= depth || depth > kWholeDepthLimit) return;
      constexpr Index mr = Eigen::internal::gebp_traits<T, T>::mr;
      const Index bytes = cols * depth * Index(sizeof(T));
      const Index blocks = (bytes + kWholeDepthBlockBytes - 1) / kWholeDepthBlockBytes;
      const Index block_rows = (cols + blocks - 1) / blocks;
      this->m_kc = depth;
      this->m_mc = std::min(cols, (block_rows + mr - 1) / mr * mr);
    }
    void place(T* lhs, T* rhs) {
      this->m_blockA = lhs;
      this->m_blockB = rhs;
    }
  };

  std::unique_ptr<PackingSpace<T>> own_;
  PackingSpace<T>& space_;
  Blocking blocking_;
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

// The storage order in which the same data read as the transposed matrix.
constexpr int flipped(int order) { return order == Eigen::RowMajor ? Eigen::ColMajor : Eigen::RowMajor; }

// Whether Eigen's kernel on this CPU takes result mappers of ours: its POWER kernel asks more of them.
#if defined(EIGEN_VECTORIZE_ALTIVEC) || defined(EIGEN_VECTORIZE_VSX)
constexpr bool kernel_takes_result_mappers = false;
#else
constexpr bool kernel_takes_result_mappers = true;
#endif

// result = alpha · lhs · rhs, rows × cols in row-major order, each entry handed to `result`: a
// result mapper in Eigen's sense for the column-major (cols × rows) view of the result. Eigen's
// kernel loads an entry through it, adds alpha · the product's entry and stores the sum through
// it, so a load and a store can stand for an update rule's passes before and after the product.
// That holds only when the product is not split along its depth, which is when every entry is
// loaded and stored exactly once: otherwise (or where the kernel takes no result mappers of ours)
// this returns false and does nothing.
template <class T, int LhsOrder, int RhsOrder, class ResultMapper>
bool gemm_through(Operand<T, LhsOrder> lhs, Operand<T, RhsOrder> rhs, Index rows, Index cols, Index depth,
                  const ResultMapper& result, T alpha, GemmBuffers<T>& buffers) {
  if constexpr (!kernel_takes_result_mappers) {
    return false;
  } else {
    namespace ei = Eigen::internal;
    auto& blocking = buffers.blocking();
    if (blocking.kc() < depth) return false;
    if (rows == 0 || cols == 0 || depth == 0) return true;
    // The column-major product cols × rows = rhsᵀ · lhsᵀ, as Eigen computes a row-major result.
    using Traits = ei::gebp_traits<T, T>;
    using LhsMapper = ei::const_blas_data_mapper<T, Index, flipped(RhsOrder)>;
    using RhsMapper = ei::const_blas_data_mapper<T, Index, flipped(LhsOrder)>;
    ei::gemm_pack_lhs<T, Index, LhsMapper, Traits::mr, Traits::LhsProgress, typename Traits::LhsPacket4Packing,
                      flipped(RhsOrder)>
        pack_lhs;
    ei::gemm_pack_rhs<T, Index, RhsMapper, Traits::nr, flipped(LhsOrder)> pack_rhs;
    ei::gebp_kernel<T, T, Index, ResultMapper, Traits::mr, Traits::nr, false, false> kernel;
    const LhsMapper packed_lhs(rhs.data, rhs.stride);
    const RhsMapper packed_rhs(lhs.data, lhs.stride);
    const Index mc = std::min(cols, blocking.mc()), nc = std::min(rows, blocking.nc());
    const bool pack_rhs_once = mc != cols && nc == rows;  // as Eigen's own loop: the whole rhs fits one block
    for (Index i = 0; i < cols; i += mc) {
      const Index block_rows = std::min(i + mc, cols) - i;
      pack_lhs(blocking.blockA(), packed_lhs.getSubMapper(i, 0), depth, block_rows);
      for (Index j = 0; j < rows; j += nc) {
        const Index block_cols = std::min(j + nc, rows) - j;
        if (!pack_rhs_once || i == 0) pack_rhs(blocking.blockB(), packed_rhs.getSubMapper(0, j), depth, block_cols);
        kernel(result.getSubMapper(i, j), blocking.blockA(), blocking.blockB(), block_rows, depth, block_cols, alpha);
      }
    }
    return true;
  }
}

}  // namespace deltaprop
