// Software prefetching of a shuffled mini-batch's rows, which lie scattered over a data set much
// larger than the caches. Asking for all of a batch's cache lines at once fills the CPU's queue of
// outstanding misses and stalls it; asked for a few at a time during the step before, they arrive
// while that step computes.
#pragma once

#include <algorithm>
#include <cstdint>

#include "types.hpp"

namespace deltaprop {

// The rows x[order[0]], …, x[order[count − 1]] of a row-major matrix, fetched in installments.
template <class T>
class RowPrefetcher {
 public:
  RowPrefetcher() = default;
  RowPrefetcher(const T* x, Index stride, const Index* order, Index count, Index cols)
      : x_(x), stride_(stride), order_(order), lines_per_row_((cols * Index(sizeof(T)) + kLine - 1) / kLine) {
    // A row that does not start on a line boundary (NumPy's large arrays usually start 16 bytes
    // past one) reaches into one line more than its length needs.
    const bool line_aligned =
        reinterpret_cast<std::uintptr_t>(x) % kLine == 0 && stride * Index(sizeof(T)) % kLine == 0;
    if (!line_aligned) ++lines_per_row_;
    total_ = count * lines_per_row_;
  }

  // Brings the share done / total (at most all) of the lines on its way (called as work progresses).
  void operator()(Index done, Index total) {
    const Index target = total > 0 ? std::min(total_, total_ * done / total) : total_;
    for (; issued_ < target; ++issued_) {
      if (line_ == lines_per_row_) {
        line_ = 0;
        ++row_;
      }
      // From the line the row starts in.
      const std::uintptr_t start =
          reinterpret_cast<std::uintptr_t>(x_ + order_[row_] * stride_) & ~std::uintptr_t(kLine - 1);
      __builtin_prefetch(reinterpret_cast<const char*>(start + kLine * line_++), 0, 1);
    }
  }

 private:
  static constexpr Index kLine = 64;  // bytes per cache line
  const T* x_ = nullptr;
  Index stride_ = 0;
  const Index* order_ = nullptr;
  Index lines_per_row_ = 1, total_ = 0, issued_ = 0;
  Index row_ = 0, line_ = 0;  // the next line to ask for
};

}  // namespace deltaprop
