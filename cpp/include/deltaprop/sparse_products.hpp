// Products in which one operand is mostly zeros: a ReLU layer's output (the next layer's input) and
// the δ its derivative gates, of which a trained network's hidden layers hold 50-80% zeros. That
// operand is listed row by row, its non-zero entries only, and each row of the product is summed
// over those alone: an entry times a row of the other operand, packed into chunks a few packets wide
// whose blocks stay in the L1 cache while every listed row passes over them. Leaving out products
// with an exact zero changes no sum but the order of its terms, so results equal the dense
// products' up to that.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "small_products.hpp"
#include "types.hpp"

namespace deltaprop {

// The share of non-zero entries up to which an operand goes through these products. Measured with
// AVX2 on a trained network's batch of 128 rows, listing and packing included: 1.5-1.6x faster than
// Eigen's GEMM with a quarter of the entries not zero, 1.1-1.3x with 40%, alike at a half.
constexpr double kSparseDensityLimit = 0.5;

// A weight gradient's depth (the batch's rows) is listed as one block up to this many rows, so that
// its sums pass once through the step's rule; larger batches take the dense product.
constexpr Index kSparseWholeDepthLimit = 256;

namespace sparse {

using detail::Packet;
using detail::packet_size;

// Entries a listing may write past the last one it keeps: it stores whole packets.
constexpr Index kListSlack = 64;

// A chunk of the dense operand is this many packets wide: its rows' sums fill that many registers.
constexpr int kChunkPackets = 8;
template <class T>
constexpr Index chunk_width = Index{kChunkPackets} * packet_size<T>;
// A block of a chunk, the rows of it that the listed rows sum over before the next block: 32 KiB.
template <class T>
constexpr Index block_depth = std::max<Index>(1, (Index(32) << 10) / (chunk_width<T> * Index(sizeof(T))));

// Blocks of `block` in depth.
constexpr Index blocks_of(Index depth, Index block) { return (depth + block - 1) / block; }

// How much a packed operand of depth × width takes: each chunk chunk_width wide, the last one too.
template <class T>
constexpr Index packed_size(Index depth, Index width) {
  const Index chunks = (width + chunk_width<T> - 1) / chunk_width<T>;
  return depth * chunks * chunk_width<T>;
}

}  // namespace sparse

// The listed non-zeros of a matrix's rows (or, listed by columns, its transpose's), in blocks of
// `block` entries of a row: row r's entries in block b are [begin[r·blocks + b], end[r·blocks + b]),
// each with its value and where its row of the packed operand starts in its chunk.
template <class T>
struct SparseRows {
  const std::int32_t* at;
  const T* value;
  const Index* begin;
  const Index* end;
  Index rows, blocks, block;  // block: the depth of a block
};

// Room for a product's listed operand and its packed dense operand, grown only while products are
// set up, never during training.
template <class T>
class SparseSpace {
 public:
  void reserve(Index entries, Index lists, Index packed) {
    if (entries > static_cast<Index>(at_.size())) {
      at_.resize(entries);
      value_.resize(entries);
    }
    if (lists > static_cast<Index>(begin_.size())) {
      begin_.resize(lists);
      end_.resize(lists);
    }
    if (packed > packed_.size()) packed_.resize(packed);
  }
  std::int32_t* at() { return at_.data(); }
  T* value() { return value_.data(); }
  Index* begin() { return begin_.data(); }
  Index* end() { return end_.data(); }
  T* packed() { return packed_.data(); }

 private:
  std::vector<std::int32_t> at_;
  std::vector<T> value_;
  std::vector<Index> begin_, end_;
  Vector<T> packed_;  // aligned as packet loads want it
};

namespace sparse {

// Appends the lanes of x that are not zero to value, and to at where each one's row of the packed
// operand starts (lane i's: base + i · step); returns how many. Writes up to a whole packet past
// them, which the next append overwrites.
template <class T>
struct NonZeros {
  using P = Packet<T>;
  static constexpr Index size = packet_size<T>;
#if defined(EIGEN_VECTORIZE_AVX512)
  static Index append(const P& x, std::int32_t base, std::int32_t step, T* value, std::int32_t* at) {
    const __m512i lanes =
        _mm512_add_epi32(_mm512_set1_epi32(base),
                         _mm512_mullo_epi32(_mm512_set1_epi32(step),
                                            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
    if constexpr (std::is_same_v<T, float>) {
      const __mmask16 kept = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NEQ_UQ);
      _mm512_storeu_ps(value, _mm512_maskz_compress_ps(kept, x));
      _mm512_storeu_si512(at, _mm512_maskz_compress_epi32(kept, lanes));
      return _mm_popcnt_u32(kept);
    } else {
      const __mmask8 kept = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_NEQ_UQ);
      _mm512_storeu_pd(value, _mm512_maskz_compress_pd(kept, x));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(at),
                          _mm256_maskz_compress_epi32(kept, _mm512_castsi512_si256(lanes)));
      return _mm_popcnt_u32(kept);
    }
  }
#elif defined(EIGEN_VECTORIZE_AVX2)
  // For each mask of kept lanes, their indices first, a byte each.
  static constexpr std::uint64_t first_kept(unsigned mask) {
    std::uint64_t order = 0;
    int n = 0;
    for (unsigned lane = 0; lane < 8; ++lane)
      if (mask & (1u << lane)) order |= std::uint64_t(lane) << (8 * n++);
    return order;
  }
  struct Orders {
    std::uint64_t of[256];
    constexpr Orders() : of() {
      for (unsigned m = 0; m < 256; ++m) of[m] = first_kept(m);
    }
  };
  static Index append(const P& x, std::int32_t base, std::int32_t step, T* value, std::int32_t* at) {
    static constexpr Orders orders;
    if constexpr (std::is_same_v<T, float>) {
      const unsigned kept = _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NEQ_UQ));
      const __m256i order = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(orders.of[kept])));
      const __m256i lanes =
          _mm256_add_epi32(_mm256_set1_epi32(base),
                           _mm256_mullo_epi32(_mm256_set1_epi32(step), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
      _mm256_storeu_ps(value, _mm256_permutevar8x32_ps(x, order));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(at), _mm256_permutevar8x32_epi32(lanes, order));
      return _mm_popcnt_u32(kept);
    } else {
      return one_by_one(x, base, step, value, at);
    }
  }
#else
  static Index append(const P& x, std::int32_t base, std::int32_t step, T* value, std::int32_t* at) {
    return one_by_one(x, base, step, value, at);
  }
#endif
  // Lane by lane, each written and kept when it is not zero.
  static Index one_by_one(const P& x, std::int32_t base, std::int32_t step, T* value, std::int32_t* at) {
    alignas(64) T lanes[size];
    Eigen::internal::pstore(lanes, x);
    Index n = 0;
    for (Index i = 0; i < size; ++i) {
      value[n] = lanes[i];
      at[n] = base + static_cast<std::int32_t>(i) * step;
      n += lanes[i] != T(0);
    }
    return n;
  }
};

// Lists the non-zeros of m's rows (rows × depth, row-major with stride) in blocks of `block`,
// unless more than kSparseDensityLimit of them are not zero: then returns false, the listing
// unfinished. The space holds rows × depth + sparse::kListSlack entries.
template <class T>
bool list_rows(const T* m, Index stride, Index rows, Index depth, Index block, SparseSpace<T>& space,
               SparseRows<T>& listed) {
  constexpr Index size = packet_size<T>;
  constexpr std::int32_t cw = static_cast<std::int32_t>(chunk_width<T>);
  const Index blocks = blocks_of(depth, block);
  const Index limit = static_cast<Index>(kSparseDensityLimit * static_cast<double>(rows * depth));
  std::int32_t* at = space.at();
  T* value = space.value();
  Index* begin = space.begin();
  Index* end = space.end();
  Index n = 0;
  for (Index r = 0; r < rows; ++r) {
    const T* row = m + r * stride;
    for (Index b = 0; b < blocks; ++b) {
      const Index k0 = b * block, k1 = std::min(depth, k0 + block);
      begin[r * blocks + b] = n;
      Index k = k0;
      for (; k + size <= k1; k += size)
        n += NonZeros<T>::append(Eigen::internal::ploadu<Packet<T>>(row + k), static_cast<std::int32_t>(k - k0) * cw,
                                 cw, value + n, at + n);
      for (; k < k1; ++k) {  // written always, kept when not zero
        value[n] = row[k];
        at[n] = static_cast<std::int32_t>(k - k0) * cw;
        n += row[k] != T(0);
      }
      end[r * blocks + b] = n;
    }
    if (n > limit) return false;
  }
  listed = {at, value, begin, end, rows, blocks, block};
  return true;
}

// The same for the columns of m (depth × cols, row-major with stride), the rows of its transpose,
// in one block: column c's entries start at c · (depth + kListSlack), moved a square of packets at
// a time. The space holds cols × (depth + kListSlack) entries.
template <class T>
bool list_columns(const T* m, Index stride, Index depth, Index cols, SparseSpace<T>& space, SparseRows<T>& listed) {
  namespace ei = Eigen::internal;
  using P = Packet<T>;
  constexpr Index size = packet_size<T>;
  constexpr std::int32_t cw = static_cast<std::int32_t>(chunk_width<T>);
  const Index limit = static_cast<Index>(kSparseDensityLimit * static_cast<double>(cols * depth));
  const Index room = depth + kListSlack;
  std::int32_t* at = space.at();
  T* value = space.value();
  Index* begin = space.begin();
  Index* end = space.end();
  for (Index c = 0; c < cols; ++c) begin[c] = end[c] = c * room;
  Index c = 0;
  if constexpr (size > 1) {
    for (; c + size <= cols; c += size) {
      Index k = 0;
      for (; k + size <= depth; k += size) {
        ei::PacketBlock<P, size> square;
        for (Index i = 0; i < size; ++i) square.packet[i] = ei::ploadu<P>(m + (k + i) * stride + c);
        ei::ptranspose(square);
        for (Index i = 0; i < size; ++i) {
          Index& e = end[c + i];
          e += NonZeros<T>::append(square.packet[i], static_cast<std::int32_t>(k) * cw, cw, value + e, at + e);
        }
      }
      for (; k < depth; ++k) {
        for (Index i = 0; i < size; ++i) {
          Index& e = end[c + i];
          value[e] = m[k * stride + c + i];
          at[e] = static_cast<std::int32_t>(k) * cw;
          e += value[e] != T(0);
        }
      }
    }
  }
  for (; c < cols; ++c) {
    Index& e = end[c];
    for (Index k = 0; k < depth; ++k) {
      value[e] = m[k * stride + c];
      at[e] = static_cast<std::int32_t>(k) * cw;
      e += value[e] != T(0);
    }
  }
  Index n = 0;
  for (c = 0; c < cols; ++c) n += end[c] - begin[c];
  if (n > limit) return false;
  listed = {at, value, begin, end, cols, 1, depth};
  return true;
}

// Packs m (depth × width, row-major with stride) by chunks of chunk_width columns: chunk c holds
// rows of chunk_width entries, zeros past the matrix's last column up to a whole packet.
template <class T>
void pack_rows(const T* m, Index stride, Index depth, Index width, T* packed) {
  constexpr Index cw = chunk_width<T>, size = packet_size<T>;
  for (Index c0 = 0; c0 < width; c0 += cw) {
    const Index w = std::min(cw, width - c0), padded = (w + size - 1) / size * size;
    T* chunk = packed + c0 * depth;
    for (Index k = 0; k < depth; ++k) {
      std::copy_n(m + k * stride + c0, w, chunk + k * cw);
      std::fill(chunk + k * cw + w, chunk + k * cw + padded, T(0));
    }
  }
}

// Packs the transpose of m (width × depth, row-major with stride) as pack_rows packs a matrix:
// chunk c row k holds m's entries (c·chunk_width + j, k), moved a square of packets at a time.
template <class T>
void pack_columns(const T* m, Index stride, Index depth, Index width, T* packed) {
  namespace ei = Eigen::internal;
  using P = Packet<T>;
  constexpr Index cw = chunk_width<T>, size = packet_size<T>;
  for (Index c0 = 0; c0 < width; c0 += cw) {
    const Index w = std::min(cw, width - c0), padded = (w + size - 1) / size * size;
    T* chunk = packed + c0 * depth;
    Index j = 0;
    if constexpr (size > 1) {
      for (; j + size <= w; j += size) {
        const T* rows = m + (c0 + j) * stride;
        Index k = 0;
        for (; k + size <= depth; k += size) {
          ei::PacketBlock<P, size> square;
          for (Index i = 0; i < size; ++i) square.packet[i] = ei::ploadu<P>(rows + i * stride + k);
          ei::ptranspose(square);
          for (Index i = 0; i < size; ++i) ei::pstore(chunk + (k + i) * cw + j, square.packet[i]);
        }
        for (; k < depth; ++k)
          for (Index i = 0; i < size; ++i) chunk[k * cw + j + i] = rows[i * stride + k];
      }
    }
    for (; j < padded; ++j) {
      if (j < w) {
        const T* row = m + (c0 + j) * stride;
        for (Index k = 0; k < depth; ++k) chunk[k * cw + j] = row[k];
      } else {
        for (Index k = 0; k < depth; ++k) chunk[k * cw + j] = T(0);
      }
    }
  }
}

// The listed rows times one block of one chunk (Packets packets, the last holding `last` columns),
// through rule's load and store (see result_store.hpp) on the result's entries: in the first block
// result = load + alpha Σ, the partial sums passing through the result to the final one's store.
// Never inlined: inlined into a larger function, GCC kept the sums in memory instead of registers,
// storing all of them on every step of the loop (measured: 1.7x slower).
template <class T, int Packets, bool First, bool Final, class Rule, class Second>
EIGEN_DONT_INLINE void rows_times_block(const SparseRows<T>& s, Index b, const T* block, Index last, T* out,
                                        Index out_stride, Second* second, Index second_stride, const Rule& rule,
                                        T alpha) {
  namespace ei = Eigen::internal;
  using P = Packet<T>;
  constexpr Index size = packet_size<T>;
  const std::int32_t* at = s.at;
  const T* value = s.value;
  for (Index r = 0; r < s.rows; ++r) {
    T* o = out + r * out_stride;
    P acc[Packets];
    for (int i = 0; i < Packets; ++i) {
      if constexpr (First) {
        acc[i] = ei::pset1<P>(T(0));
      } else if (i + 1 < Packets || last == size) {
        acc[i] = ei::ploadu<P>(o + i * size);
      } else {
        alignas(64) T lanes[size] = {};
        std::copy_n(o + i * size, last, lanes);
        acc[i] = ei::pload<P>(lanes);
      }
    }
    // Addressed from the middle of the row's packets, so that every offset fits in a byte and the
    // loop in two cache lines of code (measured: with longer offsets it ran up to 1.7x slower).
    const T* middle = block + (Packets / 2) * size;
#if defined(__GNUC__)
    __asm__("" : "+r"(middle));  // kept as it is: folded back into the offsets, they would be long again
#endif
    const Index e = s.end[r * s.blocks + b];
    for (Index t = s.begin[r * s.blocks + b]; t < e; ++t) {
      const P a = ei::pset1<P>(value[t]);
      const T* p = middle + at[t];
      for (int i = 0; i < Packets; ++i) acc[i] = ei::pmadd(a, ei::pload<P>(p + (i - Packets / 2) * size), acc[i]);
    }
    Second* sec = second + r * second_stride;
    for (int i = 0; i < Packets; ++i) {
      T* oi = o + i * size;
      Second* si = sec + i * size;
      if (i + 1 < Packets || last == size) {
        P sum = acc[i];
        if constexpr (First) sum = ei::pmadd(ei::pset1<P>(alpha), sum, rule.template load<P>(oi, si));
        if constexpr (Final) {
          rule.template store<P>(oi, si, sum);
        } else {
          ei::pstoreu(oi, sum);
        }
      } else {  // a partial packet, entry by entry
        alignas(64) T lanes[size];
        ei::pstore(lanes, acc[i]);
        for (Index j = 0; j < last; ++j) {
          T sum = lanes[j];
          if constexpr (First) sum = detail::multiply_add(alpha, sum, rule.template load<T>(oi + j, si + j));
          if constexpr (Final) {
            rule.template store<T>(oi + j, si + j, sum);
          } else {
            oi[j] = sum;
          }
        }
      }
    }
  }
}

// The listed rows times one chunk, block by block. With several blocks, alpha must be 1.
template <class T, int Packets, class Rule, class Second>
void rows_times_chunk(const SparseRows<T>& s, const T* chunk, Index last, T* out, Index out_stride, Second* second,
                      Index second_stride, const Rule& rule, T alpha) {
  const Index step = s.block * chunk_width<T>;
  if (s.blocks == 1) {
    rows_times_block<T, Packets, true, true>(s, 0, chunk, last, out, out_stride, second, second_stride, rule, alpha);
    return;
  }
  rows_times_block<T, Packets, true, false>(s, 0, chunk, last, out, out_stride, second, second_stride, rule, alpha);
  for (Index b = 1; b + 1 < s.blocks; ++b)
    rows_times_block<T, Packets, false, false>(s, b, chunk + b * step, last, out, out_stride, second, second_stride,
                                               rule, alpha);
  rows_times_block<T, Packets, false, true>(s, s.blocks - 1, chunk + (s.blocks - 1) * step, last, out, out_stride,
                                            second, second_stride, rule, alpha);
}

template <class T, int Packets, class Rule, class Second>
void rows_times_chunk_of(Index packets, const SparseRows<T>& s, const T* chunk, Index last, T* out, Index out_stride,
                         Second* second, Index second_stride, const Rule& rule, T alpha) {
  if constexpr (Packets > 0) {
    if (packets == Packets) {
      rows_times_chunk<T, Packets>(s, chunk, last, out, out_stride, second, second_stride, rule, alpha);
    } else {
      rows_times_chunk_of<T, Packets - 1>(packets, s, chunk, last, out, out_stride, second, second_stride, rule, alpha);
    }
  }
}

}  // namespace sparse

// result = rule(load + alpha · S B) for the listed rows S and B packed by sparse::pack_rows or
// pack_columns (depth × width): row r of the result at out + r · out_stride, of the second array
// the rule reads at second + r · second_stride. With more than one block, alpha must be 1.
template <class T, class Rule, class Second>
void sparse_times_packed(const SparseRows<T>& s, const T* packed, Index depth, Index width, T* out, Index out_stride,
                         Second* second, Index second_stride, const Rule& rule, T alpha) {
  constexpr Index cw = sparse::chunk_width<T>, size = sparse::packet_size<T>;
  for (Index c0 = 0; c0 < width; c0 += cw) {
    const Index w = std::min(cw, width - c0), packets = (w + size - 1) / size;
    sparse::rows_times_chunk_of<T, sparse::kChunkPackets>(packets, s, packed + c0 * depth, w - (packets - 1) * size,
                                                          out + c0, out_stride, second + c0, second_stride, rule,
                                                          alpha);
  }
}

// What a product's listing and packing take (entries, lists, packed), for the three products below.
struct SparseRoom {
  Index entries, lists, packed;
};
template <class T>
SparseRoom room_for_rows_product(Index rows, Index depth, Index width) {  // sparse_rows_times
  using namespace sparse;
  return {rows * depth + kListSlack, rows * blocks_of(depth, block_depth<T>), packed_size<T>(depth, width)};
}
template <class T>
SparseRoom room_for_columns_product(Index depth, Index cols, Index width) {  // sparse_columns_times
  using namespace sparse;
  return {cols * (depth + kListSlack) + kListSlack, cols, packed_size<T>(depth, width)};
}
template <class T>
void reserve(SparseSpace<T>& space, const SparseRoom& room) {
  space.reserve(room.entries, room.lists, room.packed);
}

// A matrix's data, row-major with a stride.
template <class T>
struct Strided {
  const T* data;
  Index stride;
};

// result = rule(load + A B), A (rows × depth) listed, B depth × width: a layer's input gradient; with
// Transposed, B = Wᵀ for W width × depth, a layer's forward product. False, nothing stored, when A is
// not mostly zeros.
template <bool Transposed, class T, class Rule, class Second>
bool sparse_rows_times(Strided<T> a, Index rows, Index depth, Strided<T> b, Index width, T* out, Index out_stride,
                       Second* second, Index second_stride, const Rule& rule, SparseSpace<T>& space) {
  reserve(space, room_for_rows_product<T>(rows, depth, width));
  SparseRows<T> listed;
  if (!sparse::list_rows<T>(a.data, a.stride, rows, depth, sparse::block_depth<T>, space, listed)) return false;
  if constexpr (Transposed) {
    sparse::pack_columns<T>(b.data, b.stride, depth, width, space.packed());
  } else {
    sparse::pack_rows<T>(b.data, b.stride, depth, width, space.packed());
  }
  sparse_times_packed<T>(listed, space.packed(), depth, width, out, out_stride, second, second_stride, rule, T(1));
  return true;
}

// result = rule(load + alpha Dᵀ A), D (depth × cols) listed by columns, A depth × width: a layer's
// weight gradient, D its δ, its depth the batch (at most kSparseWholeDepthLimit rows).
template <class T, class Rule, class Second>
bool sparse_columns_times(Strided<T> d, Index depth, Index cols, Strided<T> a, Index width, T* out, Index out_stride,
                          Second* second, Index second_stride, const Rule& rule, T alpha, SparseSpace<T>& space) {
  if (depth > kSparseWholeDepthLimit) return false;
  reserve(space, room_for_columns_product<T>(depth, cols, width));
  SparseRows<T> listed;
  if (!sparse::list_columns<T>(d.data, d.stride, depth, cols, space, listed)) return false;
  sparse::pack_rows<T>(a.data, a.stride, depth, width, space.packed());
  sparse_times_packed<T>(listed, space.packed(), depth, width, out, out_stride, second, second_stride, rule, alpha);
  return true;
}

}  // namespace deltaprop
