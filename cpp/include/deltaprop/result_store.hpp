// A result mapper in Eigen's sense (see gemm_through) that hands every entry the kernel loads or
// stores to a rule, together with the entry at the same place of a second array: the rule's load
// stands for a pass before the product, its store for a pass after it. The second array has its
// own stride, 0 for a vector read down the result's columns (a bias, one entry per output).
#pragma once

#include <Eigen/Core>

#include "types.hpp"

namespace deltaprop {

// Over the column-major view the kernel writes: entry (i, j) of the result lies at offset
// i + j · stride, of the second array at i + j · second_stride. Second is T, or const T where the
// rule only reads it. Rule: load<P>(const T* result, const Second* second) returning a packet P
// (or T itself: Eigen's packet functions take a lone value as a packet of one) and
// store<P>(T* result, Second* second, const P& sum).
template <class T, class Rule, class Second = T>
class ResultStore {
 public:
  // From one entry down its column, as the kernel walks it; `+= x` updates that entry alone.
  class LinearMapper {
   public:
    LinearMapper(T* result, Second* second, const Rule& rule) : result_(result), second_(second), rule_(rule) {}
    void prefetch(Index i) const { Eigen::internal::prefetch(result_ + i); }
    template <class P>
    P loadPacket(Index i) const {
      return rule_.template load<P>(result_ + i, second_ + i);
    }
    template <class P>
    void storePacket(Index i, const P& p) const {
      rule_.template store<P>(result_ + i, second_ + i, p);
    }
    void operator+=(T x) const { storePacket<T>(0, loadPacket<T>(0) + x); }

   private:
    T* result_;
    Second* second_;
    Rule rule_;
  };

  ResultStore(T* result, Index stride, Second* second, Index second_stride, const Rule& rule)
      : result_(result), second_(second), stride_(stride), second_stride_(second_stride), rule_(rule) {}

  ResultStore getSubMapper(Index i, Index j) const {
    return {result_ + i + j * stride_, stride_, second_ + i + j * second_stride_, second_stride_, rule_};
  }
  LinearMapper getLinearMapper(Index i, Index j) const {
    return {result_ + i + j * stride_, second_ + i + j * second_stride_, rule_};
  }
  LinearMapper operator()(Index i, Index j) const { return getLinearMapper(i, j); }

  // Along a row of the view: entries stride apart, one by one.
  template <class P>
  P gatherPacket(Index i, Index j) const {
    alignas(64) T loaded[Eigen::internal::unpacket_traits<P>::size];
    for (int k = 0; k < Eigen::internal::unpacket_traits<P>::size; ++k)
      loaded[k] = (*this)(i, j + k).template loadPacket<T>(0);
    return Eigen::internal::pload<P>(loaded);
  }
  template <class P>
  void scatterPacket(Index i, Index j, const P& sums) const {
    alignas(64) T stored[Eigen::internal::unpacket_traits<P>::size];
    Eigen::internal::pstore(stored, sums);
    for (int k = 0; k < Eigen::internal::unpacket_traits<P>::size; ++k)
      (*this)(i, j + k).template storePacket<T>(0, stored[k]);
  }

 private:
  T* result_;
  Second* second_;
  Index stride_, second_stride_;
  Rule rule_;
};

}  // namespace deltaprop
