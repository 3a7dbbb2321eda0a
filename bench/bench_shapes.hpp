// The three benchmark configurations, a mini-batch state built from them, and the flop counts the
// benchmarks report. Data are synthetic but in the ranges of real training (inputs in [0, 1),
// one-hot targets, weights ~ N(0, 1/fan_in)): values matter to speed only through denormals and
// the sign pattern that ReLU's backward pass branches on.
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "deltaprop/trainer.hpp"

namespace deltaprop::bench {

struct Config {
  const char* name;
  std::vector<Index> sizes;
  Activation hidden, output;
  Loss loss;
  SgdConfig sgd;
  Index batch;
};

// C1: the textbook's chapter 1; C2: a small modern MLP; C3: a wide two-hidden-layer MLP.
inline const std::vector<Config>& configs() {
  static const std::vector<Config> all = {
      {"C1", {784, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic, {3.0}, 10},
      {"C2", {784, 100, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, {0.01, 0.9}, 32},
      {"C3", {784, 512, 512, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, {0.05, 0.9}, 128},
  };
  return all;
}

template <class T>
const char* dtype_name() {
  return sizeof(T) == 4 ? "f32" : "f64";
}

// "C2/f32/forward_layer1": layers are numbered from 1, the first weight layer being layer 1.
template <class T>
std::string bench_name(const Config& c, const std::string& kernel, Index layer = -1) {
  return std::string(c.name) + "/" + dtype_name<T>() + "/" + kernel + (layer >= 0 ? std::to_string(layer + 1) : "");
}

// Asks for transparent huge pages for a data set's memory before it is first written, as NumPy does
// for its large arrays, so that epochs here read their shuffled rows as they do from Python. On
// 4 KiB pages nearly every row of a shuffled batch misses the TLB (measured: C1's epoch over 60,000
// rows 8-14% slower than on huge pages).
template <class T>
void use_huge_pages(Matrix<T>& m) {
#ifdef __linux__
  constexpr std::uintptr_t huge = std::uintptr_t(1) << 21;
  const auto begin = (reinterpret_cast<std::uintptr_t>(m.data()) + huge - 1) & ~(huge - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(m.data() + m.size()) & ~(huge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: failure is fine
#else
  (void)m;
#endif
}

// Synthetic samples: inputs uniform in [0, 1) like scaled pixels, one-hot targets cycling over the classes.
template <class T>
void synthetic_data(const Config& c, Index n, Matrix<T>& x, Matrix<T>& y) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  x.resize(n, c.sizes.front());
  use_huge_pages(x);
  for (Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<T>(uniform(rng));
  y.setZero(n, c.sizes.back());
  for (Index i = 0; i < n; ++i) y(i, (i * 7) % c.sizes.back()) = T(1);
}

// A network with weights ~ N(0, 1/fan_in) and one mini-batch already propagated forward and
// backward, so every activation, δ and gradient buffer holds realistic values.
template <class T>
struct BatchState {
  BatchState(const Config& c, Index rows)
      : net(c.sizes, {c.hidden, 0.01}, {c.output, 0.01}, c.loss),
        ws(net.layout(), rows),
        velocity(Vector<T>::Zero(net.layout().n_params())) {
    std::mt19937_64 rng(7);
    const Layout& layout = net.layout();
    for (Index l = 0; l < layout.num_layers(); ++l) {
      std::normal_distribution<double> normal(0.0, 1.0 / std::sqrt(static_cast<double>(layout.fan_in(l))));
      MatrixMap<T> w = layout.weight(net.params().data(), l);
      for (Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<T>(normal(rng));
    }
    synthetic_data<T>(c, rows, x, y);
    forward<T>(net, ws, x);
    backward<T>(net, ws, x, y);
  }

  // The layer's input aˡ⁻¹ (the samples for the first layer).
  const Matrix<T>& input(Index l) const { return l == 0 ? x : ws.activations[l - 1]; }

  Network<T> net;
  Workspace<T> ws;
  Vector<T> velocity;
  Matrix<T> x, y;
};

// m with all but about `keep` of its entries set to zero, at random: a ReLU layer's output or δ as a
// trained network has them (Fashion-MNIST's C3 after an epoch: 26% of the first hidden layer's
// outputs not zero, 40% of the second's).
template <class T>
Matrix<T> thinned(const Matrix<T>& m, double keep) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Matrix<T> out = m;
  for (Index i = 0; i < out.size(); ++i)
    if (uniform(rng) >= keep) out.data()[i] = T(0);
  return out;
}

// Only the GEMMs' multiply-adds are counted (2·m·n·k each); bias adds and activations are O(m·n).
inline double gemm_flops(Index m, Index n, Index k) { return 2.0 * double(m) * double(n) * double(k); }

// Σ over layers of 2·m·nₗ₋₁·nₗ: the forward pass's A Wᵀ.
inline double forward_flops(const Config& c, Index m) {
  double f = 0;
  for (size_t l = 0; l + 1 < c.sizes.size(); ++l) f += gemm_flops(m, c.sizes[l + 1], c.sizes[l]);
  return f;
}

// Backward: δᵀ A for every layer and δ W for every layer but the first.
inline double backward_flops(const Config& c, Index m) {
  return 2 * forward_flops(c, m) - gemm_flops(m, c.sizes[1], c.sizes[0]);
}

// FLOPS as GFLOP/s in the output: flops done per iteration, divided by the time per iteration.
inline void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOPS"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::kIs1000);
}

// Registers `name`, timing the closure setup(s) returns on a BatchState s built outside the timed
// loop; the closure returns its output's data, which the compiler must then treat as observed.
template <class T, class Setup>
benchmark::internal::Benchmark* add_kernel(const Config& c, const std::string& name, double flops, double bytes,
                                           Setup setup) {
  return benchmark::RegisterBenchmark(name.c_str(), [&c, flops, bytes, setup](benchmark::State& state) {
    BatchState<T> s(c, c.batch);
    auto kernel = setup(s);
    for (auto _ : state) {
      benchmark::DoNotOptimize(kernel());
      benchmark::ClobberMemory();
    }
    if (flops > 0) set_flops(state, flops);
    if (bytes > 0) state.SetBytesProcessed(static_cast<std::int64_t>(bytes * double(state.iterations())));
  });
}

// The header's machine description, extended with what decides the engine's speed.
inline void add_engine_context() {
  benchmark::AddCustomContext("eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) +
                                           "." + std::to_string(EIGEN_MINOR_VERSION));
  benchmark::AddCustomContext("eigen_simd", Eigen::SimdInstructionSetsInUse());
#ifdef _OPENMP
  benchmark::AddCustomContext("openmp_max_threads", std::to_string(omp_get_max_threads()));
#else
  benchmark::AddCustomContext("openmp_max_threads", "none (single-threaded build)");
#endif
}

// main() of a benchmark binary, once its benchmarks are registered.
inline int run_benchmarks(int argc, char** argv) {
  add_engine_context();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace deltaprop::bench
