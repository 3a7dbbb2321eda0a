// Proves that training allocates nothing per mini-batch: after a first epoch has sized the
// workspaces, heap allocation through Eigen is forbidden (EIGEN_RUNTIME_NO_MALLOC makes any
// attempt throw) and further epochs, including a shorter last batch, must still run.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <stdexcept>

// Every allocation through operator new (std::string, std::vector, std::function...) is counted;
// Eigen's own allocations go through malloc and are caught by EIGEN_RUNTIME_NO_MALLOC below.
static std::atomic<long> g_news{0};
void* operator new(std::size_t size) {
  ++g_news;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

// Eigen's checks are assertions, compiled out in release builds: make them throw in every build.
struct EigenAssertion : std::logic_error {
  using std::logic_error::logic_error;
};
#define eigen_assert(x) \
  if (!(x)) throw EigenAssertion(#x)
#define EIGEN_RUNTIME_NO_MALLOC

#include "deltaprop/trainer.hpp"

using namespace deltaprop;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  if (!ok) ++failures;
}

// T: the network's type; S: the data's (the other type's rows are converted as they are gathered).
template <class T, class S = T>
void train_without_allocating(std::vector<Index> sizes, Activation hidden, Activation output, Loss loss, Index n,
                              Index batch, double momentum, bool nesterov, const char* what, bool shuffle = true,
                              int threads = 1, double hidden_bias = 0.0) {
  Network<T> net(sizes, {hidden, 0.01}, {output, 0.01}, loss);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 0.1);
  for (Index i = 0; i < net.params().size(); ++i) net.params()[i] = static_cast<T>(normal(rng));
  // A negative bias leaves most ReLU units at zero: their products then take sparse_products.hpp.
  if (hidden_bias != 0.0)
    for (Index l = 0; l + 1 < net.num_layers(); ++l)
      net.layout().bias(net.params().data(), l).setConstant(static_cast<T>(hidden_bias));
  Matrix<S> x = Matrix<S>::Random(n, sizes.front()).cwiseAbs();
  Matrix<T> y = Matrix<T>::Zero(n, sizes.back());
  for (Index i = 0; i < n; ++i) y(i, i % sizes.back()) = T(1);
  Trainer<T> trainer(net);
  const SgdConfig config{0.05, momentum, nesterov, 1e-4};
  trainer.template train_epoch<S>(x, y, batch, config, shuffle, 1, threads);  // sizes the workspaces

  Eigen::internal::set_is_malloc_allowed(false);
  double cost = 0;
  bool allocated = false;
  const long news_before = g_news.load();
  try {
    for (std::uint64_t epoch = 2; epoch <= 3; ++epoch) {
      const EpochResult r = trainer.template train_epoch<S>(x, y, batch, config, shuffle, epoch, threads);
      cost = r.cost_sum / static_cast<double>(r.samples);
    }
  } catch (const EigenAssertion& e) {
    allocated = true;
    std::printf("     %s\n", e.what());
  }
  Eigen::internal::set_is_malloc_allowed(true);
  const long news = g_news.load() - news_before;
  if (news > 0) std::printf("     %ld allocations through operator new\n", news);
  check(!allocated && news == 0 && std::isfinite(cost), what);
}

// The guard itself must be live in this build, or the tests above prove nothing.
void guard_catches_an_allocation() {
  Eigen::internal::set_is_malloc_allowed(false);
  bool caught = false;
  try {
    Matrix<double> m(64, 64);
    m.setZero();
  } catch (const EigenAssertion&) {
    caught = true;
  }
  Eigen::internal::set_is_malloc_allowed(true);
  check(caught, "control: an allocation while forbidden is caught");
}

}  // namespace

int main() {
  guard_catches_an_allocation();
  // n is never a multiple of the batch size, so the shorter last batch is exercised too.
  train_without_allocating<double>({784, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic, 1003, 10,
                                   0.0, false, "float64 [784,30,10] sigmoid/quadratic, batch 10");
  train_without_allocating<float>({784, 100, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 1001, 32,
                                  0.9, false, "float32 [784,100,10] relu/softmax, momentum, batch 32");
  train_without_allocating<float>({784, 512, 512, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 300,
                                  128, 0.9, true, "float32 [784,512,512,10] relu/softmax, Nesterov, batch 128");
  train_without_allocating<double>({20, 17, 9, 3}, Activation::tanh, Activation::softmax, Loss::quadratic, 50, 7, 0.5,
                                   false, "float64 tanh/softmax/quadratic (Jacobian path), batch 7");
  train_without_allocating<float>({200, 300, 300, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 301,
                                  64, 0.9, false, "float32 [200,300,300,10] relu, mostly zeros (sparse products)", true,
                                  1, -0.5);
  train_without_allocating<double>({200, 300, 300, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood,
                                   301, 100, 0.0, false, "float64 [200,300,300,10] relu, plain SGD, sparse products",
                                   true, 1, -0.5);
  train_without_allocating<double>({5, 8, 4}, Activation::leaky_relu, Activation::sigmoid, Loss::cross_entropy, 9, 1,
                                   0.0, false, "float64 leaky_relu/sigmoid/cross_entropy, batch 1");
  train_without_allocating<float>({64, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic, 95, 10, 0.0,
                                  false, "float32 [64,30,10] without shuffling (batches used in place)", false);
  train_without_allocating<double, float>({784, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic,
                                          1003, 10, 0.0, false,
                                          "float64 [784,30,10] on float32 data, batch 10 (read in place)");
  train_without_allocating<float, double>({64, 30, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 95,
                                          40, 0.9, false, "float32 [64,30,10] on float64 data, batch 40, in order",
                                          false);
#ifdef _OPENMP
  train_without_allocating<float>({784, 100, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 1001, 64,
                                  0.9, false, "float32 [784,100,10] on 2 threads, batch 64", true, 2);
  train_without_allocating<double>({784, 100, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 1001,
                                   32, 0.9, true, "float64 [784,100,10] on 2 threads, batch 32 (fused steps)", true, 2);
  train_without_allocating<double>({20, 17, 9, 3}, Activation::tanh, Activation::sigmoid, Loss::cross_entropy, 50, 7,
                                   0.0, false, "float64 [20,17,9,3] on 3 threads, batch 7, in place", false, 3);
  train_without_allocating<float>({200, 300, 300, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood, 301,
                                  64, 0.9, true, "float32 [200,300,300,10] relu on 2 threads, sparse products", true, 2,
                                  -0.5);
  train_without_allocating<double, float>({784, 100, 10}, Activation::relu, Activation::softmax, Loss::log_likelihood,
                                          1001, 32, 0.9, false, "float64 [784,100,10] on float32 data, 2 threads", true,
                                          2);
  train_without_allocating<double>({784, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic, 1003, 10,
                                   0.0, false, "float64 [784,30,10] on 2 threads, batch 10 (rows read in place)", true,
                                   2);
  train_without_allocating<double, float>(
      {784, 30, 10}, Activation::sigmoid, Activation::sigmoid, Loss::quadratic, 1003, 10, 0.0, false,
      "float64 [784,30,10] on float32 data, 2 threads, batch 10 (read in place)", true, 2);
#endif
  std::printf("%d failed\n", failures);
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
