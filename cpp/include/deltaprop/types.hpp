// Row-major matrix aliases shared by the engine: NumPy arrays are row-major and batch-first,
// so every matrix here is too, and a C-contiguous array maps onto one without a copy.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace deltaprop {

using Index = Eigen::Index;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

template <class T>
using MatrixMap = Eigen::Map<Matrix<T>>;
template <class T>
using ConstMatrixMap = Eigen::Map<const Matrix<T>>;
template <class T>
using VectorMap = Eigen::Map<Vector<T>>;
template <class T>
using ConstVectorMap = Eigen::Map<const Vector<T>>;

// Read-only and writable views of a row-major matrix with unit inner stride (a NumPy C-contiguous
// array or a block of rows of one).
template <class T>
using MatrixIn = Eigen::Ref<const Matrix<T>>;
template <class T>
using MatrixOut = Eigen::Ref<Matrix<T>>;
template <class T>
using VectorIn = Eigen::Ref<const Vector<T>>;
template <class T>
using VectorOut = Eigen::Ref<Vector<T>>;

// Argument errors surface in Python as ValueError (pybind11 maps std::invalid_argument).
[[noreturn]] inline void fail(const std::string& message) { throw std::invalid_argument(message); }

// Checks an argument; the message expression is evaluated only when the check fails, so a check
// that passes costs a comparison and never allocates.
#define DELTAPROP_REQUIRE(ok, message)     \
  do {                                     \
    if (!(ok)) ::deltaprop::fail(message); \
  } while (false)

inline std::string shape_str(Index rows, Index cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

template <class A>
void require_shape(const A& array, Index rows, Index cols, const char* name) {
  DELTAPROP_REQUIRE(array.rows() == rows && array.cols() == cols, std::string(name) + " must have shape " +
                                                                      shape_str(rows, cols) + ", got " +
                                                                      shape_str(array.rows(), array.cols()));
}

}  // namespace deltaprop
