// A data set given as a Python list of its samples, each an array (the textbook's form), as one
// matrix: found behind the list or copied out of it in one pass. The textbook's loader makes each
// image a (784, 1) view of a row of one array; when a list holds such views of consecutive rows,
// that array's rows are the matrix and nothing is copied (for 60,000 images, the copy was most of a
// one-epoch training call).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace deltaprop {

namespace detail {
// Where item's entries lie, when it is an array of T with `width` entries lying contiguously; else null.
template <class T>
const char* contiguous_vector(pybind11::handle item, pybind11::ssize_t width) {
  namespace py = pybind11;
  if (!py::array_t<T>::check_(item)) return nullptr;  // not an ndarray of T
  const auto vector = py::reinterpret_borrow<py::array>(item);
  if (vector.size() != width || !(vector.flags() & py::array::c_style)) return nullptr;
  return static_cast<const char*>(vector.data());
}
}  // namespace detail

// The row of `base` (a C-contiguous array of T, read as rows of `width` entries) where vectors[0]
// lies, when every vectors[i] is a contiguous array of T with `width` entries lying on the row after
// vectors[i - 1]'s; otherwise -1.
template <class T>
long long first_of_consecutive_rows(const pybind11::array_t<T>& base, const pybind11::list& vectors,
                                    pybind11::ssize_t width) {
  namespace py = pybind11;
  const py::ssize_t n = static_cast<py::ssize_t>(vectors.size());
  if (width <= 0 || width > base.nbytes() / static_cast<py::ssize_t>(sizeof(T)) || n == 0) return -1;
  const auto row_bytes = static_cast<py::ssize_t>(sizeof(T)) * width;  // at most base's size: no overflow
  if (!(base.flags() & py::array::c_style) || base.nbytes() % row_bytes != 0) return -1;
  const auto start = reinterpret_cast<std::uintptr_t>(base.data());
  const py::ssize_t rows = base.nbytes() / row_bytes;
  py::ssize_t first = -1;
  for (py::ssize_t i = 0; i < n; ++i) {
    const char* entries = detail::contiguous_vector<T>(vectors[static_cast<size_t>(i)], width);
    if (entries == nullptr) return -1;
    const auto at = reinterpret_cast<std::uintptr_t>(entries);
    if (i == 0) {
      if (at < start || (at - start) % row_bytes != 0) return -1;
      first = static_cast<py::ssize_t>((at - start) / row_bytes);
      if (first + n > rows) return -1;
    } else if (at != start + static_cast<std::uintptr_t>((first + i) * row_bytes)) {
      return -1;
    }
  }
  return first;
}

// Copies vectors[i] into row i of out (n × width, C-contiguous) when every vector is a contiguous
// array of T with width entries, and says whether they all were (out is then partly written).
template <class T>
bool copy_rows(const pybind11::list& vectors, pybind11::array_t<T, pybind11::array::c_style> out) {
  namespace py = pybind11;
  const py::ssize_t n = static_cast<py::ssize_t>(vectors.size());
  if (out.ndim() != 2 || out.shape(0) != n) throw std::invalid_argument("out must have one row per vector");
  const py::ssize_t width = out.shape(1);
  T* row = out.mutable_data();
  for (py::ssize_t i = 0; i < n; ++i, row += width) {
    const char* entries = detail::contiguous_vector<T>(vectors[static_cast<size_t>(i)], width);
    if (entries == nullptr) return false;
    std::memmove(row, entries, sizeof(T) * static_cast<size_t>(width));  // out may even be one of the vectors
  }
  return true;
}

}  // namespace deltaprop
