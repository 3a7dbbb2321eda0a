// Whole passes of C1, C2 and C3 in float32 and float64: the forward pass, backpropagation, one
// training step, and one epoch through Trainer::train_epoch over kEpochSamples synthetic samples.
// FLOPS counts the GEMMs (see bench_shapes.hpp); samples/s is training throughput.
#include "bench_shapes.hpp"

using namespace deltaprop;
using namespace deltaprop::bench;

namespace {

// Samples in the synthetic epoch: a tenth of MNIST's training set, so that an epoch takes seconds at most.
constexpr Index kEpochSamples = 6000;

// Restore the starting parameters this often in train_step, so that a long run of steps on one
// batch cannot saturate the outputs and change the arithmetic (denormals) it measures.
constexpr std::int64_t kStepsPerRestart = 256;

void set_samples(benchmark::State& state, Index samples_per_iteration) {
  state.counters["samples/s"] =
      benchmark::Counter(double(samples_per_iteration), benchmark::Counter::kIsIterationInvariantRate);
}

template <class T>
void register_training(const Config& c) {
  const Index m = c.batch;

  // aᴸ: aˡ = f(aˡ⁻¹ Wˡᵀ + bˡ) for l = 1..L.
  add_kernel<T>(c, bench_name<T>(c, "forward"), forward_flops(c, m), 0,
                [](BatchState<T>& s) { return [&s] { return forward<T>(s.net, s.ws, s.x).data(); }; });

  // δᴸ, then δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ f'(zˡ), ∂C/∂Wˡ = δˡᵀ aˡ⁻¹ / m, ∂C/∂bˡ = mean δˡ.
  add_kernel<T>(c, bench_name<T>(c, "backward"), backward_flops(c, m), 0, [](BatchState<T>& s) {
    return [&s] {
      backward<T>(s.net, s.ws, s.x, s.y);
      return s.ws.grad.data();
    };
  });

  // One step as the trainer takes it on an in-order batch: forward, cost, backward, update.
  benchmark::RegisterBenchmark(bench_name<T>(c, "train_step").c_str(), [&c, m](benchmark::State& state) {
    BatchState<T> s(c, m);
    Trainer<T> trainer(s.net);
    const Vector<T> start = s.net.params();
    std::int64_t steps = 0;
    for (auto _ : state) {
      // An epoch of one in-order batch takes the route training takes (fused or through the products).
      benchmark::DoNotOptimize(trainer.train_epoch(s.x, s.y, m, c.sgd, false, 0, 1).cost_sum);
      benchmark::ClobberMemory();
      if (++steps % kStepsPerRestart == 0) {
        state.PauseTiming();
        s.net.params() = start;
        trainer.reset_optimizer();
        state.ResumeTiming();
      }
    }
    set_flops(state, forward_flops(c, m) + backward_flops(c, m));
    set_samples(state, m);
  });

  // One epoch: shuffle, gather each mini-batch, step; every epoch starts from the same parameters.
  // One thread is timed in CPU time (steadier on a shared machine); several in wall-clock time,
  // since the benchmark's CPU time is only its main thread's.
  auto epoch = [&c](benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    BatchState<T> s(c, c.batch);
    Matrix<T> x, y;
    synthetic_data<T>(c, kEpochSamples, x, y);
    const Vector<T> start = s.net.params();
    Trainer<T> trainer(s.net);
    trainer.train_epoch(x.topRows(c.batch), y.topRows(c.batch), c.batch, c.sgd, true, 0, threads);  // sizes it
    for (auto _ : state) {
      state.PauseTiming();
      s.net.params() = start;
      trainer.reset_optimizer();
      state.ResumeTiming();
      benchmark::DoNotOptimize(trainer.train_epoch(x, y, c.batch, c.sgd, true, 1, threads).cost_sum);
      benchmark::ClobberMemory();
    }
    set_flops(state, forward_flops(c, kEpochSamples) + backward_flops(c, kEpochSamples));
    set_samples(state, kEpochSamples);
  };
  const std::string name = bench_name<T>(c, "epoch");
  benchmark::RegisterBenchmark(name.c_str(), epoch)->ArgName("threads")->Arg(1)->Unit(benchmark::kMillisecond);
#ifdef _OPENMP
  if (omp_get_max_threads() > 1) {
    benchmark::RegisterBenchmark(name.c_str(), epoch)
        ->ArgName("threads")
        ->Arg(omp_get_max_threads())
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
#endif
}

}  // namespace

int main(int argc, char** argv) {
  for (const Config& c : configs()) {
    register_training<float>(c);
    register_training<double>(c);
  }
  return run_benchmarks(argc, argv);
}
