// The two products of a dense layer for small mini-batches, as register-blocked SIMD loops that
// read their operands where they are. A general GEMM re-packs W on every call, which costs as much
// as the product itself when a batch has a few dozen rows; these loops pack nothing and hand each
// block of the weight gradient to an update while it is still in registers, so the gradient is
// never written to memory.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "types.hpp"

namespace deltaprop {

// Mini-batches up to this many rows train through these products (measured faster than GEMM up to here).
constexpr Index kSmallBatchRows = 32;

// A progress callback that does nothing.
struct NoProgress {
  void operator()(Index, Index) const {}
};

// The rows of a mini-batch's input where they lie in a data set, named by pointers, each row's
// entries contiguous: a shuffled batch read in place instead of copied into a block of its own
// (measured: C1's epoch over 60,000 rows 13% faster). Anything else these products take is a
// row-major matrix. The rows hold the products' own type, or float for float64 products (widened
// as they are loaded, exactly, so a float32 data set trains a float64 network without a copy).
template <class S>
struct ScatteredRows {
  const S* const* first;  // first[i]: row i
  Index count, width;
  Index rows() const { return count; }
  Index cols() const { return width; }
};

template <class Input>
constexpr bool is_scattered = false;
template <class S>
constexpr bool is_scattered<ScatteredRows<S>> = true;

// Whether products in T read input rows of type S as they lie.
template <class S, class T>
constexpr bool reads_rows_of = std::is_same_v<S, T> || (std::is_same_v<S, float> && std::is_same_v<T, double>);

namespace detail {

// Row i of the input at rows[i], whichever way the rows lie.
template <class S>
struct StridedRowPointer {
  const S* data;
  Index stride;
  const S* operator[](Index i) const { return data + i * stride; }
};
template <class S>
struct ScatteredRowPointer {
  const S* const* first;
  const S* operator[](Index i) const { return first[i]; }
};
template <class S>
ScatteredRowPointer<S> row_pointer(const ScatteredRows<S>& a) {
  return {a.first};
}
template <class Matrix>
StridedRowPointer<typename Matrix::Scalar> row_pointer(const Matrix& a) {
  return {a.data(), a.outerStride()};
}

namespace ei = Eigen::internal;
template <class T>
using Packet = typename ei::packet_traits<T>::type;
template <class T>
constexpr Index packet_size = ei::unpacket_traits<Packet<T>>::size;
// How many vector registers the register blocks may fill: 16 with AVX, 32 with AVX-512.
constexpr int vector_registers = EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS;

// a · b + c, fused where the CPU has fused multiply-adds. Written out, it is fused alike in every
// instantiation; left to the compiler, a float32 data set's products and its float64 copy's
// rounded their last bits differently.
template <class T>
EIGEN_STRONG_INLINE T multiply_add(T a, T b, T c) {
#ifdef FP_FAST_FMA  // <cmath>: the target has fused multiply-adds in hardware
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// A packet of T from consecutive entries of an input row, widened from float when T is double.
template <class T, class S>
EIGEN_STRONG_INLINE Packet<T> load_row(const S* p) {
  static_assert(reads_rows_of<S, T>, "input rows of a type these products do not read");
  if constexpr (std::is_same_v<S, T>) {
    return ei::ploadu<Packet<T>>(p);
  } else {
#if defined(EIGEN_VECTORIZE_AVX512)
    return _mm512_cvtps_pd(_mm256_loadu_ps(p));
#elif defined(EIGEN_VECTORIZE_AVX)
    return _mm256_cvtps_pd(_mm_loadu_ps(p));
#elif defined(EIGEN_VECTORIZE_SSE2)
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
#else
    T wide[packet_size<T>];
    for (Index i = 0; i < packet_size<T>; ++i) wide[i] = static_cast<T>(p[i]);
    return ei::ploadu<Packet<T>>(wide);
#endif
  }
}

// The last, partial packet of a row: lanes [0, count) from p, the others zero, reading nothing
// past p + count. Where the CPU has masked loads, a row's last few entries join the SIMD sums;
// elsewhere they are added one at a time after the reduction (has_partial_packets is false).
#if defined(EIGEN_VECTORIZE_AVX)
// The sums of four packets' lanes, in order, as one short vector: a pairwise tree that shares its
// additions among the four, where four reductions one by one took as long as a small layer's
// multiply-adds.
EIGEN_STRONG_INLINE __m128 sum_lanes4(const __m256* p) {
  const __m256 pairs = _mm256_hadd_ps(_mm256_hadd_ps(p[0], p[1]), _mm256_hadd_ps(p[2], p[3]));
  return _mm_add_ps(_mm256_castps256_ps128(pairs), _mm256_extractf128_ps(pairs, 1));
}
EIGEN_STRONG_INLINE __m256d sum_lanes4(const __m256d* p) {
  const __m256d low = _mm256_hadd_pd(p[0], p[1]), high = _mm256_hadd_pd(p[2], p[3]);
  return _mm256_add_pd(_mm256_permute2f128_pd(low, high, 0x20), _mm256_permute2f128_pd(low, high, 0x31));
}
EIGEN_STRONG_INLINE __m128 load_quad(const float* p) { return _mm_loadu_ps(p); }
EIGEN_STRONG_INLINE __m256d load_quad(const double* p) { return _mm256_loadu_pd(p); }
EIGEN_STRONG_INLINE void store_quad(float* p, __m128 v) { _mm_storeu_ps(p, v); }
EIGEN_STRONG_INLINE void store_quad(double* p, __m256d v) { _mm256_storeu_pd(p, v); }
EIGEN_STRONG_INLINE __m128 add_quad(__m128 a, __m128 b) { return _mm_add_ps(a, b); }
EIGEN_STRONG_INLINE __m256d add_quad(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
#endif
#if defined(EIGEN_VECTORIZE_AVX512)
constexpr bool has_partial_packets = true;
// The lanes to load, one bit each, as AVX-512's masked loads take them (which never touch the
// memory of a lane left out).
template <class T>
struct PartialMask {
  __mmask16 lanes;
  explicit PartialMask(Index count) : lanes(static_cast<__mmask16>((1u << count) - 1)) {}
};
template <class T, class S>
EIGEN_STRONG_INLINE Packet<T> load_partial(const S* p, const PartialMask<T>& mask) {
  static_assert(reads_rows_of<S, T>, "input rows of a type these products do not read");
  if constexpr (std::is_same_v<T, float>) {
    return _mm512_maskz_loadu_ps(mask.lanes, p);
  } else if constexpr (std::is_same_v<S, double>) {
    return _mm512_maskz_loadu_pd(static_cast<__mmask8>(mask.lanes), p);
  } else {  // eight floats, widened
    return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(static_cast<__mmask8>(mask.lanes), p));
  }
}
template <class T>
EIGEN_STRONG_INLINE void store_partial(T* p, const Packet<T>& v, const PartialMask<T>& mask) {
  if constexpr (std::is_same_v<T, float>) {
    _mm512_mask_storeu_ps(p, mask.lanes, v);
  } else {
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>(mask.lanes), v);
  }
}
// Four wide packets' lanes summed: each folded to half its width first, then as AVX sums them.
EIGEN_STRONG_INLINE __m128 sum_lanes4(const __m512* p) {
  __m256 halves[4];
  for (int i = 0; i < 4; ++i) halves[i] = _mm256_add_ps(_mm512_castps512_ps256(p[i]), _mm512_extractf32x8_ps(p[i], 1));
  return sum_lanes4(halves);
}
EIGEN_STRONG_INLINE __m256d sum_lanes4(const __m512d* p) {
  __m256d halves[4];
  for (int i = 0; i < 4; ++i) halves[i] = _mm256_add_pd(_mm512_castpd512_pd256(p[i]), _mm512_extractf64x4_pd(p[i], 1));
  return sum_lanes4(halves);
}
#elif defined(EIGEN_VECTORIZE_AVX)
constexpr bool has_partial_packets = true;
// The lanes to load, as AVX's masked loads take them: all bits set in a lane's sign. floats: the
// same lanes for float rows widened as they are loaded.
template <class T>
struct PartialMask {
  __m256i lanes;
  __m128i floats;
  explicit PartialMask(Index count)
      : lanes(std::is_same_v<T, float>
                  ? _mm256_cmpgt_epi32(_mm256_set1_epi32(int(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
                  : _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_setr_epi64x(0, 1, 2, 3))),
        floats(_mm_cmpgt_epi32(_mm_set1_epi32(int(count)), _mm_setr_epi32(0, 1, 2, 3))) {}
};
template <class T, class S>
EIGEN_STRONG_INLINE Packet<T> load_partial(const S* p, const PartialMask<T>& mask) {
  static_assert(reads_rows_of<S, T>, "input rows of a type these products do not read");
  if constexpr (std::is_same_v<T, float>) {
    return _mm256_maskload_ps(p, mask.lanes);
  } else if constexpr (std::is_same_v<S, double>) {
    return _mm256_maskload_pd(p, mask.lanes);
  } else {  // four floats, widened
    return _mm256_cvtps_pd(_mm_maskload_ps(p, mask.floats));
  }
}
template <class T>
EIGEN_STRONG_INLINE void store_partial(T* p, const Packet<T>& v, const PartialMask<T>& mask) {
  if constexpr (std::is_same_v<T, float>) {
    _mm256_maskstore_ps(p, mask.lanes, v);
  } else {
    _mm256_maskstore_pd(p, mask.lanes, v);
  }
}
#else
constexpr bool has_partial_packets = false;
template <class T>
struct PartialMask {
  explicit PartialMask(Index) {}
};
template <class T, class S>
Packet<T> load_partial(const S* p, const PartialMask<T>& mask);  // declared only: never called here
template <class T>
void store_partial(T* p, const Packet<T>& v, const PartialMask<T>& mask);  // nor this
#endif

// z[r][c] = bias[c] + Σₖ a[r][k] w[c][k] over k in [k0, k1) for an MR × NR block (added to z
// when k0 > 0), k vectorised, reduced at the end.
template <class T, int MR, int NR, class Rows>
void forward_block(const Rows& a, Index i0, const T* w, Index k, const T* bias, T* z, Index ldz, Index k0, Index k1) {
  using P = Packet<T>;
  constexpr Index size = packet_size<T>;
  decltype(a[0]) ar[MR];
  for (int r = 0; r < MR; ++r) ar[r] = a[i0 + r];
  P acc[MR][NR];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NR; ++c) acc[r][c] = ei::pset1<P>(T(0));
  Index kk = k0;
  for (; kk + size <= k1; kk += size) {
    P wv[NR];
    for (int c = 0; c < NR; ++c) wv[c] = ei::ploadu<P>(w + c * k + kk);
    for (int r = 0; r < MR; ++r) {
      const P av = load_row<T>(ar[r] + kk);
      for (int c = 0; c < NR; ++c) acc[r][c] = ei::pmadd(av, wv[c], acc[r][c]);
    }
  }
  if constexpr (has_partial_packets) {
    if (kk < k1) {  // the last few entries as one more packet, zero beyond the row's end
      const PartialMask<T> mask(k1 - kk);
      P wv[NR];
      for (int c = 0; c < NR; ++c) wv[c] = load_partial<T>(w + c * k + kk, mask);
      for (int r = 0; r < MR; ++r) {
        const P av = load_partial<T>(ar[r] + kk, mask);
        for (int c = 0; c < NR; ++c) acc[r][c] = ei::pmadd(av, wv[c], acc[r][c]);
      }
    }
    // No entries left over: the outputs of a row at once, summed alike whatever NR (so that a team
    // member's share of a layer's outputs sums each as one thread would).
    static_assert(NR <= 4, "a row's outputs are reduced four at a time");
    for (int r = 0; r < MR; ++r) {
      T* out = z + r * ldz;
      if constexpr (NR == 4) {
        store_quad(out, add_quad(load_quad(k0 == 0 ? bias : out), sum_lanes4(acc[r])));
      } else {
        P four[4] = {ei::pset1<P>(T(0)), ei::pset1<P>(T(0)), ei::pset1<P>(T(0)), ei::pset1<P>(T(0))};
        for (int c = 0; c < NR; ++c) four[c] = acc[r][c];
        alignas(32) T sums[4];
        store_quad(sums, sum_lanes4(four));
        for (int c = 0; c < NR; ++c) out[c] = (k0 == 0 ? bias[c] : out[c]) + sums[c];
      }
    }
    return;
  }
  for (int r = 0; r < MR; ++r) {
    for (int c = 0; c < NR; ++c) {
      T sum = ei::predux(acc[r][c]);
      for (Index t = kk; t < k1; ++t) sum = multiply_add(static_cast<T>(ar[r][t]), w[c * k + t], sum);
      z[r * ldz + c] = k0 == 0 ? bias[c] + sum : z[r * ldz + c] + sum;
    }
  }
}

// Columns [k0, k1) of Z's rows i0..i0+MR for all n outputs: blocks of NR outputs, then the rest
// in one narrower block (one output at a time would read the MR rows of A again for each). The
// first piece of columns starts from the bias, later ones add to what is there.
template <class T, int MR, int NR, class Rows>
void forward_columns(const Rows& a, Index i0, const T* w, Index n, Index k, const T* bias, T* z, Index ldz, Index k0,
                     Index k1) {
  Index j = 0;
  for (; j + NR <= n; j += NR) forward_block<T, MR, NR>(a, i0, w + j * k, k, bias + j, z + j, ldz, k0, k1);
  if constexpr (NR > 1) {
    if (j < n) forward_columns<T, MR, NR - 1>(a, i0, w + j * k, n - j, k, bias + j, z + j, ldz, k0, k1);
  }
}

// Z's rows i0..i0+MR. Rows longer than 4 KiB go in a few shorter pieces, so the block's rows of A
// stay in the L1 cache while W streams past (measured: 8% faster for float64 rows of 784; shorter
// pieces lose more to the extra reductions than they gain).
template <class T, int MR, int NR, class Rows>
void forward_row_block(const Rows& a, Index i0, const T* w, Index n, Index k, const T* bias, T* z, Index ldz) {
  constexpr Index piece_bytes = 4096, size = packet_size<T>;
  const Index pieces = std::max<Index>(1, (k * Index(sizeof(T)) + piece_bytes - 1) / piece_bytes);
  const Index piece = (k / pieces + size - 1) / size * size;
  for (Index k0 = 0; k0 < k; k0 += piece)
    forward_columns<T, MR, NR>(a, i0, w, n, k, bias, z, ldz, k0, std::min(k, k0 + piece));
}

// The gradient block g[r][kv] = Σᵢ dt[r][i] a[i][k0 + kv·size …] for NJ weight rows and KV
// packets of columns, then update(offset, g) for each packet (offset into W's row-major data).
// Always inlined: a block of a small batch is a few dozen multiply-adds, and in an OpenMP build
// the compiler stopped inlining it (measured: C1's epoch 10%, C2's on two threads 19% faster inlined).
template <class T, int NJ, int KV, class Rows, class Update>
EIGEN_ALWAYS_INLINE void gradient_block(const Rows& a, Index m, const T* dt, Index j0, Index k0, Index k,
                                        Update update) {
  using P = Packet<T>;
  constexpr Index size = packet_size<T>;
  P acc[NJ][KV];
  for (int r = 0; r < NJ; ++r)
    for (int c = 0; c < KV; ++c) acc[r][c] = ei::pset1<P>(T(0));
  for (Index i = 0; i < m; ++i) {
    const auto* ai = a[i] + k0;
    P av[KV];
    for (int c = 0; c < KV; ++c) av[c] = load_row<T>(ai + c * size);
    for (int r = 0; r < NJ; ++r) {
      const P d = ei::pset1<P>(dt[(j0 + r) * m + i]);
      for (int c = 0; c < KV; ++c) acc[r][c] = ei::pmadd(d, av[c], acc[r][c]);
    }
  }
  for (int r = 0; r < NJ; ++r)
    for (int c = 0; c < KV; ++c) update((j0 + r) * k + k0 + c * size, acc[r][c]);
}

// Columns [k0, k1) of the gradient (whole blocks of KV packets) for rows j… of W: NJ rows at a
// time, each across the panel's blocks, so the update reads and writes whole cache lines in order.
// progress(done, n · k) follows the entries of the gradient done, after each group of rows.
template <class T, int NJ, int KV, class Rows, class Update, class Progress>
void gradient_panel(const Rows& a, Index m, const T* dt, Index n, Index k0, Index k1, Index k, Update update,
                    Progress& progress, Index j = 0) {
  constexpr Index block = KV * packet_size<T>;
  for (; j + NJ <= n; j += NJ) {
    for (Index c = k0; c < k1; c += block) gradient_block<T, NJ, KV>(a, m, dt, j, c, k, update);
    progress(k0 * n + (k1 - k0) * (j + NJ), n * k);
  }
  if constexpr (NJ > 1) {
    if (j < n) gradient_panel<T, NJ - 1, KV>(a, m, dt, n, k0, k1, k, update, progress, j);
  }
}

// out[i0 + r][c0 …] = Σⱼ δ[i0 + r][j] w[j][c0 …] for MR rows and KV packets of columns, j in
// order: broadcasts of δ times packets of W's rows, no reduction. With a mask, one partial packet.
template <class T, int MR, int KV, bool Partial>
EIGEN_ALWAYS_INLINE void input_gradient_block(const T* delta, Index ldd, const T* w, Index ldw, Index n, T* out,
                                              Index ldo, const PartialMask<T>* mask) {
  using P = Packet<T>;
  constexpr Index size = packet_size<T>;
  P acc[MR][KV];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < KV; ++c) acc[r][c] = ei::pset1<P>(T(0));
  for (Index j = 0; j < n; ++j) {
    const T* wj = w + j * ldw;
    P wv[KV];
    for (int c = 0; c < KV; ++c) {
      if constexpr (Partial) {
        wv[c] = load_partial<T>(wj, *mask);
      } else {
        wv[c] = ei::ploadu<P>(wj + c * size);
      }
    }
    for (int r = 0; r < MR; ++r) {
      const P d = ei::pset1<P>(delta[r * ldd + j]);
      for (int c = 0; c < KV; ++c) acc[r][c] = ei::pmadd(d, wv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    for (int c = 0; c < KV; ++c) {
      if constexpr (Partial) {
        store_partial<T>(out + r * ldo, acc[r][c], *mask);
      } else {
        ei::pstoreu(out + r * ldo + c * size, acc[r][c]);
      }
    }
  }
}

// Rows i0..i0+MR of out = δ W, across all k columns: blocks of three packets, single packets,
// then (with masked loads) a partial packet or (without) one column at a time.
template <class T, int MR>
void input_gradient_rows(const T* delta, Index ldd, const T* w, Index ldw, Index n, Index k, T* out, Index ldo) {
  constexpr Index size = packet_size<T>;
  Index c = 0;
  for (; c + 3 * size <= k; c += 3 * size)
    input_gradient_block<T, MR, 3, false>(delta, ldd, w + c, ldw, n, out + c, ldo, nullptr);
  for (; c + size <= k; c += size)
    input_gradient_block<T, MR, 1, false>(delta, ldd, w + c, ldw, n, out + c, ldo, nullptr);
  if (c == k) return;
  if constexpr (has_partial_packets) {
    const PartialMask<T> mask(k - c);
    input_gradient_block<T, MR, 1, true>(delta, ldd, w + c, ldw, n, out + c, ldo, &mask);
  } else {
    for (; c < k; ++c) {
      for (int r = 0; r < MR; ++r) {
        T sum = 0;
        for (Index j = 0; j < n; ++j) sum = multiply_add(delta[r * ldd + j], w[j * ldw + c], sum);
        out[r * ldo + c] = sum;
      }
    }
  }
}

}  // namespace detail

// Z = A Wᵀ + b; W is (n, k) and contiguous, A (m, k) a row-major matrix or ScatteredRows, Z (m, n).
template <class T, class Input>
void small_forward(const Input& a, MatrixIn<T> w, VectorIn<T> b, MatrixOut<T> z) {
  DELTAPROP_REQUIRE(w.outerStride() == w.cols(), "weights must be contiguous");
  DELTAPROP_REQUIRE(a.cols() == w.cols() && b.size() == w.rows(), "input, weights and bias do not match");
  require_shape(z, a.rows(), w.rows(), "forward output");
  constexpr int NR = 4;
  const Index m = a.rows(), n = w.rows(), k = w.cols(), ldz = z.outerStride();
  const auto rows = detail::row_pointer(a);
  const T* w_data = w.data();
  const T* bias = b.data();
  Index i = 0;
  // Rows i..i+MR, then on to the next block.
  auto block = [&](auto mr) {
    detail::forward_row_block<T, decltype(mr)::value, NR>(rows, i, w_data, n, k, bias, z.data() + i * ldz, ldz);
    i += decltype(mr)::value;
  };
  using Three = std::integral_constant<int, 3>;
  using Four = std::integral_constant<int, 4>;
  using Five = std::integral_constant<int, 5>;
  if constexpr (detail::vector_registers >= 32) {
    // Blocks of four rows (16 accumulators), and fives where fours would leave one or two over
    // (measured with AVX-512: the forward product of 10 rows 4.9 µs against 6.6 with the blocks
    // below, of 32 rows 23.7 against 31.5; blocks of six were no faster).
    const Index r = m % 4, fives = r == 1 && m >= 5 ? 1 : r == 2 && m >= 10 ? 2 : 0;
    const Index fours_end = m - 5 * fives - (r == 3 ? 3 : 0);
    while (i + 4 <= fours_end) block(Four{});
    for (Index f = 0; f < fives; ++f) block(Five{});
    if (m - i >= 3) block(Three{});
  } else {
    // Blocks of four rows by three outputs: 12 accumulators, three packets of W and one of A fill
    // the 16 vector registers (three rows by four outputs would need 17, and took W's fourth packet
    // from memory for every row). Threes (as 3 × 4) where fours would leave one to three rows over:
    // a block of two rows or one loads W for too few multiply-adds. Measured with AVX2 on a Zen 3
    // core, the forward product of 32 rows (784 → 100) 4-9% faster than in blocks of three rows by four
    // outputs; of 10 rows no different.
    // Two or one rows over in a batch of fewer than 6 or 9 go to the narrow blocks below instead.
    const Index r = m % 4;
    const Index threes = r == 3 ? 1 : r == 2 && m >= 6 ? 2 : r == 1 && m >= 9 ? 3 : 0;
    const Index fours_end = threes > 0 ? m - 3 * threes : m - r;
    while (i < fours_end) {
      detail::forward_row_block<T, 4, 3>(rows, i, w_data, n, k, bias, z.data() + i * ldz, ldz);
      i += 4;
    }
    for (Index t = 0; t < threes; ++t) block(Three{});
  }
  // Only a few small batches end in a narrower block.
  for (; m - i >= 2; i += 2) detail::forward_row_block<T, 2, NR>(rows, i, w_data, n, k, bias, z.data() + i * ldz, ldz);
  if (i < m) detail::forward_row_block<T, 1, NR>(rows, i, w_data, n, k, bias, z.data() + i * ldz, ldz);
}

// For each entry of the n × k weight gradient G = dt · A (dt is n × m, row-major, contiguous; A is
// m × k, a row-major matrix or ScatteredRows), calls update(offset, g) once with g holding that entry — a SIMD packet
// of consecutive entries of a row, or a single value at a row's end — where offset is the entry's index in a row-major
// n × k matrix. Update is a callable with a template operator() for both, saying in factors_in_registers
// how many vector registers it keeps its factors in while the blocks are computed. progress(done, n · k) is called
// every few blocks with the number of entries done, for work to interleave.
template <class T, class Input, class Update, class Progress = NoProgress>
void small_weight_gradient(const Input& a, const T* dt, Index n, Update update, Progress&& progress = {}) {
  const Index m = a.rows(), k = a.cols();
  const auto rows = detail::row_pointer(a);
  constexpr Index size = detail::packet_size<T>;
  // Blocks of 3 rows × 3 packets: 9 accumulators, 3 packets of A and a broadcast of dt, which
  // leaves the 16 vector registers room for one factor the update keeps (with 12 accumulators the
  // momentum step was 45% slower). An update that keeps two (momentum with weight decay) pushed a
  // packet of A onto the stack in every iteration; blocks of 4 rows × 2 packets (8 accumulators)
  // leave room for both (measured: such epochs 6-12% faster; the other updates no faster).
  // With 32 vector registers (AVX-512), blocks of 4 rows × 4 packets, whatever the update keeps
  // (measured: C1's fused step 4.6 µs against 6.8 in blocks of 3 × 3, C2's 23.4 against 31.9; 6 × 3 or
  // 6 × 4 were faster for one and slower for the other).
  constexpr bool two_factors = Update::factors_in_registers >= 2;
  constexpr bool wide = detail::vector_registers >= 32;
  constexpr int NJ = wide || two_factors ? 4 : 3, KV = wide ? 4 : two_factors ? 2 : 3;
  constexpr Index block = KV * size, panel = 4 * block;
  // Panels of columns outermost: their slice of A stays in the L1 cache while every weight row passes.
  const Index whole = k - k % block;
  for (Index k0 = 0; k0 < whole; k0 += panel) {
    const Index k1 = std::min(k0 + panel, whole);
    detail::gradient_panel<T, NJ, KV>(rows, m, dt, n, k0, k1, k, update, progress);
  }
  Index k0 = whole;
  for (; k0 + size <= k; k0 += size)
    detail::gradient_panel<T, NJ, 1>(rows, m, dt, n, k0, k0 + size, k, update, progress);
  for (; k0 < k; ++k0) {
    for (Index j = 0; j < n; ++j) {
      T sum = 0;
      for (Index i = 0; i < m; ++i) sum = detail::multiply_add(dt[j * m + i], static_cast<T>(rows[i][k0]), sum);
      update(j * k + k0, sum);
    }
  }
  progress(n * k, n * k);
}

// out = δ W (δ is m × n, W n × k, out m × k, each row-major with its own row stride): the gradient
// with respect to a layer's input for small batches, each entry summed over j in order. Blocks of
// four rows: 12 accumulators, three packets of W and a broadcast of δ fill the 16 vector registers.
template <class T>
void small_input_gradient(MatrixIn<T> delta, MatrixIn<T> w, MatrixOut<T> out) {
  const Index m = delta.rows(), n = w.rows(), k = w.cols();
  const Index ldd = delta.outerStride(), ldw = w.outerStride(), ldo = out.outerStride();
  const T* d = delta.data();
  T* o = out.data();
  Index i = 0;
  for (; i + 4 <= m; i += 4) detail::input_gradient_rows<T, 4>(d + i * ldd, ldd, w.data(), ldw, n, k, o + i * ldo, ldo);
  if (m - i == 3) detail::input_gradient_rows<T, 3>(d + i * ldd, ldd, w.data(), ldw, n, k, o + i * ldo, ldo);
  if (m - i == 2) detail::input_gradient_rows<T, 2>(d + i * ldd, ldd, w.data(), ldw, n, k, o + i * ldo, ldo);
  if (m - i == 1) detail::input_gradient_rows<T, 1>(d + i * ldd, ldd, w.data(), ldw, n, k, o + i * ldo, ldo);
}

}  // namespace deltaprop
