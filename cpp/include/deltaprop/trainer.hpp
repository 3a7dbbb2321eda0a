// Whole passes over a data set: one epoch of mini-batch gradient descent or Adam, the mean cost and its
// gradient over any number of samples, and inference. Workspaces are sized once and reused.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "layer_step.hpp"
#include "prefetch.hpp"
#include "propagation.hpp"

namespace deltaprop {

// A data set's rows of type S, when S is named rather than deduced: the trainer's entry points take
// rows of either floating-point type, S being T unless the caller names the other one.
template <class S>
using DataRows = typename std::enable_if<true, MatrixIn<S>>::type;

// Rows per chunk when a whole data set is evaluated at once (inference, full gradients).
constexpr Index kEvalChunk = 256;

// A conservative size of one core's L2 cache, for the choice of reads_in_place.
constexpr Index kCoreCacheBytes = Index(512) * 1024;

// Σ pᵢ² over n entries, with four independent SIMD sums: a single running sum waits on each
// addition, which made this pass cost as much as a small batch's step.
template <class T>
T sum_of_squares(const T* p, Index n) {
  namespace ei = Eigen::internal;
  using P = typename ei::packet_traits<T>::type;
  constexpr Index size = ei::unpacket_traits<P>::size;
  P acc[4] = {ei::pset1<P>(T(0)), ei::pset1<P>(T(0)), ei::pset1<P>(T(0)), ei::pset1<P>(T(0))};
  Index i = 0;
  for (; i + 4 * size <= n; i += 4 * size) {
    for (int k = 0; k < 4; ++k) {
      const P v = ei::ploadu<P>(p + i + k * size);
      acc[k] = ei::pmadd(v, v, acc[k]);
    }
  }
  for (; i + size <= n; i += size) {
    const P v = ei::ploadu<P>(p + i);
    acc[0] = ei::pmadd(v, v, acc[0]);
  }
  T total = ei::predux(ei::padd(ei::padd(acc[0], acc[1]), ei::padd(acc[2], acc[3])));
  for (; i < n; ++i) total += p[i] * p[i];
  return total;
}

// A uniformly shuffled 0..n-1 from a seeded 64-bit Mersenne Twister (Fisher–Yates). The index
// is drawn by a 128-bit multiply, so the order is the same with every compiler and library.
inline void shuffle_indices(std::vector<Index>& order, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (Index i = static_cast<Index>(order.size()) - 1; i > 0; --i) {
    const auto bound = static_cast<unsigned __int128>(i + 1);
    const auto j = static_cast<Index>((static_cast<unsigned __int128>(rng()) * bound) >> 64);
    std::swap(order[i], order[j]);
  }
}

// What an epoch did: Σ over its mini-batches of rows × mean cost (measured before each update),
// the same sum of the batches' L2 terms ½ α ‖W‖² / (batch weight) when SgdConfig::batch_l2 = α is
// set, how many samples and batches it processed, and whether a progress report stopped it early.
struct EpochResult {
  double cost_sum = 0;
  double penalty_sum = 0;
  Index samples = 0;
  Index batches = 0;
  bool stopped = false;
};

// Called between mini-batches with (batches, samples, cost_sum) so far; returning false stops the
// epoch there, leaving the parameters consistent.
using Progress = std::function<bool(Index, Index, double)>;

template <class T>
class Trainer {
 public:
  explicit Trainer(Network<T>& net)
      : net_(net), first_(Vector<T>::Zero(net.layout().n_params())), second_(Vector<T>::Zero(first_.size())) {}

  // Forgets the optimizer's state: the velocity (Adam: both moments) and Adam's step count.
  void reset_optimizer() {
    first_.setZero();
    second_.setZero();
    adam_steps_ = 0;
  }

  // The optimizer's state, to save and restore it: the velocity or Adam's first moment, Adam's
  // second moment and how many Adam steps have been taken. The buffers never move.
  Vector<T>& first_moment() { return first_; }
  Vector<T>& second_moment() { return second_; }
  long long adam_steps() const { return adam_steps_; }
  void set_adam_steps(long long steps) {
    DELTAPROP_REQUIRE(steps >= 0, "the Adam step count must be >= 0");
    adam_steps_ = steps;
  }

  // One epoch over (x, y) in mini-batches; the last, shorter batch is used. With threads > 1 the
  // threads share each mini-batch by units (see shared_step); results are reproducible for a given
  // thread count.
  // progress, when given, is called at most every progress_interval seconds between batches.
  // With order, the epoch visits the rows x[order[0]], x[order[1]], … instead (shuffle and seed
  // are then unused): any number of indices into x, repeats allowed. With sample_weight (one per
  // row of x), each batch minimises Σ wᵢ Cᵢ / Σ wᵢ over its rows; a batch whose weights sum to
  // zero takes no step.
  // x may hold the other floating-point type (S ≠ T): each batch's rows are then converted as they
  // are gathered, or (float rows of small batches) as the products load them, exactly as converting
  // all of x first would, without a copy of x.
  template <class S = T>
  EpochResult train_epoch(DataRows<S> x, MatrixIn<T> y, Index batch_size, const SgdConfig& config, bool shuffle,
                          std::uint64_t seed, int threads = 1, const Progress& progress = {},
                          double progress_interval = 0.2, const std::vector<Index>* order = nullptr,
                          const T* sample_weight = nullptr) {
    check_data(x, y);
    DELTAPROP_REQUIRE(batch_size >= 1, "batch_size must be at least 1");
    DELTAPROP_REQUIRE(threads >= 1, "threads must be at least 1");
#ifndef _OPENMP
    DELTAPROP_REQUIRE(threads == 1, "this build of deltaprop has no OpenMP support: threads must be 1");
#endif
    if (order != nullptr) {
      DELTAPROP_REQUIRE(!order->empty(), "the order of an epoch must name at least one row");
      for (Index i : *order) {
        DELTAPROP_REQUIRE(i >= 0 && i < x.rows(), "the order names row " + std::to_string(i) + " of X, which has " +
                                                      std::to_string(x.rows()) + " rows");
      }
      order_ = *order;
      shuffle = true;                               // from here on: visit the rows through order_
    } else if (shuffle || !std::is_same_v<S, T>) {  // rows of another type are gathered, in order if not shuffled
      if (static_cast<Index>(order_.size()) != x.rows()) order_.resize(x.rows());
      std::iota(order_.begin(), order_.end(), Index(0));
      if (shuffle) shuffle_indices(order_, seed);
      shuffle = true;
    }
    const Index n = shuffle ? static_cast<Index>(order_.size()) : x.rows();
    const Index batch = std::min(batch_size, n);
    const int team = threads;
    prepare(team, batch);
    input_zeros_ = batch > kSmallBatchRows && mostly_zeros<S>(x);

    sample_weight_ = sample_weight;
    EpochResult result;
    bool stop = false;
    auto last_report = std::chrono::steady_clock::now();
    // Between batches, on one thread: book-keeping and, when due, the progress report.
    auto finish_batch = [&](Index rows, double cost, double penalty) {
      result.cost_sum += cost;
      result.penalty_sum += penalty;
      result.samples += rows;
      result.batches += 1;
      if (!progress) return;
      const auto now = std::chrono::steady_clock::now();
      if (std::chrono::duration<double>(now - last_report).count() < progress_interval) return;
      last_report = now;
      if (!progress(result.batches, result.samples, result.cost_sum)) stop = true;
    };

    if (team == 1) {
      const bool small = batch <= kSmallBatchRows;
      for (Index start = 0; start < n && !stop; start += batch_size) {
        const Index rows = std::min(batch_size, n - start);
        const double weight = batch_weight(start, rows, shuffle);
        if (weight == 0.0) {  // nothing in this batch counts: no step
          finish_batch(rows, 0.0, 0.0);
          continue;
        }
        const double penalty = batch_penalty(config, rows, weight);
        if (config.method == Method::adam) ++adam_steps_;
        const SgdConfig step = step_config(config, weight, adam_steps_);
        double cost;
        if (small) {
          cost = small_batch_step(*ws_[0], x, y, start, rows, shuffle, step, weight);
        } else if (takes_layer_step(step, rows)) {
          cost = with_rows(*ws_[0], x, y, start, rows, shuffle, [&](MatrixIn<T> xb, MatrixIn<T> yb, const T* wb) {
            return layerwise_step(*ws_[0], xb, yb, wb, weight, step, NoProgress{});
          });
        } else {
          cost = slice_step(*ws_[0], x, y, start, rows, shuffle, weight) * static_cast<double>(rows) / weight;
          sgd_step<T>(step, net_.params(), ws_[0]->grad, first_, second_, net_.layout().n_weights());
        }
        finish_batch(rows, cost, penalty);
      }
      result.stopped = stop;
      return result;
    }
#ifdef _OPENMP
    std::exception_ptr failure;
    long long adam_steps = adam_steps_;
#pragma omp parallel num_threads(team)
    {
      const int t = omp_get_thread_num();
      // The team OpenMP actually formed: fewer than asked inside another parallel region or under
      // OMP_THREAD_LIMIT, and every unit must still be someone's.
      const int members = omp_get_num_threads();
      long long steps = adam_steps_;  // every thread counts the same steps
      for (Index start = 0; start < n; start += batch_size) {
        const Index rows = std::min(batch_size, n - start);
        const double weight = batch_weight(start, rows, shuffle);
        if (weight != 0.0) {
          if (config.method == Method::adam) ++steps;
          shared_step(t, members, x, y, start, rows, shuffle, step_config(config, weight, steps), weight);
        }
#pragma omp master
        {
          try {
            if (weight == 0.0) {
              finish_batch(rows, 0.0, 0.0);
            } else {
              finish_batch(rows, batch_cost_, batch_penalty_);
            }
            adam_steps = steps;
          } catch (...) {
            failure = std::current_exception();
            stop = true;
          }
        }
#pragma omp barrier
        if (stop) break;
      }
    }
    adam_steps_ = adam_steps;
    if (failure) std::rethrow_exception(failure);
#endif
    result.stopped = stop;
    return result;
  }

  // Mean cost over all of (x, y); with grad, its gradient (flat layout); with input_grad, ∂C/∂x.
  // With sample_weight (one per row), the weighted mean Σ wᵢ Cᵢ / Σ wᵢ and its gradients.
  // x may hold the other floating-point type, converted a chunk of rows at a time.
  template <class S = T>
  T evaluate(DataRows<S> x, MatrixIn<T> y, VectorOut<T>* grad = nullptr, MatrixOut<T>* input_grad = nullptr,
             const T* sample_weight = nullptr) {
    check_data(x, y);
    const Index n = x.rows();
    if (grad != nullptr) {
      DELTAPROP_REQUIRE(grad->size() == net_.layout().n_params(), "gradient buffer must have n_params entries");
      grad->setZero();
    }
    if (input_grad != nullptr) require_shape(*input_grad, n, x.cols(), "input gradient");
    T total_weight = static_cast<T>(n);
    if (sample_weight != nullptr) {
      total_weight = ConstVectorMap<T>(sample_weight, n).sum();
      DELTAPROP_REQUIRE(total_weight != T(0), "the sample weights sum to zero");
    }
    Workspace<T>& ws = workspace(eval_ws_, std::min(kEvalChunk, n));
    T total_cost = 0;
    for (Index start = 0; start < n; start += ws.capacity) {
      const Index rows = std::min(ws.capacity, n - start);
      MatrixIn<T> xb = chunk(ws, x, start, rows);
      auto yb = y.middleRows(start, rows);
      const T* wb = sample_weight != nullptr ? sample_weight + start : nullptr;
      MatrixMap<T> out = forward<T>(net_, ws, xb);
      total_cost += loss_sum<T>(net_.loss(), out, yb, wb, net_.probability_floor());
      if (grad == nullptr && input_grad == nullptr) continue;
      if (input_grad != nullptr) {
        MatrixOut<T> ig = input_grad->middleRows(start, rows);
        backward<T>(net_, ws, xb, yb, &ig, wb, total_weight);
      } else {
        backward<T>(net_, ws, xb, yb, nullptr, wb, total_weight);
      }
      if (grad != nullptr) *grad += ws.grad;
    }
    return total_cost / total_weight;
  }

  // The network's output for every row of x (of either floating-point type, as in evaluate).
  template <class S = T>
  void predict(DataRows<S> x, MatrixOut<T> out) {
    DELTAPROP_REQUIRE(x.cols() == net_.layout().n_inputs(), "X must have " + std::to_string(net_.layout().n_inputs()) +
                                                                " columns, got " + std::to_string(x.cols()));
    require_shape(out, x.rows(), net_.layout().n_outputs(), "output");
    if (x.rows() == 0) return;
    Workspace<T>& ws = workspace(eval_ws_, std::min(kEvalChunk, x.rows()));
    for (Index start = 0; start < x.rows(); start += ws.capacity) {
      const Index rows = std::min(ws.capacity, x.rows() - start);
      out.middleRows(start, rows) = forward<T>(net_, ws, chunk(ws, x, start, rows));
    }
  }

 private:
  // Rows [start, start + rows) of x as a matrix of T: in place, or converted into ws.input.
  template <class S>
  static MatrixIn<T> chunk(Workspace<T>& ws, MatrixIn<S> x, Index start, Index rows) {
    if constexpr (std::is_same_v<S, T>) {
      return x.middleRows(start, rows);
    } else {
      MatrixMap<T> converted = Workspace<T>::top(ws.input, rows);
      converted = x.middleRows(start, rows).template cast<T>();
      return converted;
    }
  }

  template <class S>
  void check_data(MatrixIn<S> x, MatrixIn<T> y) const {
    const Layout& layout = net_.layout();
    DELTAPROP_REQUIRE(x.rows() > 0, "no samples: X is empty");
    DELTAPROP_REQUIRE(x.cols() == layout.n_inputs(),
                      "X must have " + std::to_string(layout.n_inputs()) + " columns, got " + std::to_string(x.cols()));
    require_shape(y, x.rows(), layout.n_outputs(), "Y");
  }

  // The total sample weight of rows [start, start + rows) of the epoch's order (their number
  // without sample weights).
  double batch_weight(Index start, Index rows, bool shuffle) const {
    if (sample_weight_ == nullptr) return static_cast<double>(rows);
    double total = 0;
    for (Index k = start; k < start + rows; ++k) total += sample_weight_[shuffle ? order_[k] : k];
    return total;
  }

  // rows × ½ α ‖W‖² / weight: a batch's share of the L2 term in the epoch's reported cost.
  double batch_penalty(const SgdConfig& config, Index rows, double weight) const {
    if (config.batch_l2 == 0.0) return 0.0;
    const double squares = static_cast<double>(sum_of_squares(net_.params().data(), net_.layout().n_weights()));
    return static_cast<double>(rows) * 0.5 * config.batch_l2 * squares / weight;
  }

  // Copies the batch's rows k0..k1 (rows [first + k0, first + k1) of the epoch's order) and their
  // sample weights into the top of ws.input, ws.targets and ws.weights. Unless the rows were
  // prefetched already, each is asked for while the one before it is copied: a row starts at a
  // random place, where the hardware's prefetcher would first miss a few times (measured: a
  // [784, 100, 10] float64 epoch in batches of 200, 4% faster).
  template <class S>
  void gather(Workspace<T>& ws, MatrixIn<S> x, MatrixIn<T> y, Index first, Index k0, Index k1,
              bool prefetched = false) const {
    RowPrefetcher<S> ahead(x.data(), x.outerStride(), order_.data() + first + k0, prefetched ? 0 : k1 - k0, x.cols());
    for (Index k = k0; k < k1; ++k) {
      ahead(k - k0 + 2, k1 - k0);
      ws.input.row(k) = x.row(order_[first + k]).template cast<T>();
    }
    gather_targets(ws, y, first, k0, k1);
  }

  // The same for the targets and sample weights alone.
  void gather_targets(Workspace<T>& ws, MatrixIn<T> y, Index first, Index k0, Index k1) const {
    for (Index k = k0; k < k1; ++k) {
      ws.targets.row(k) = y.row(order_[first + k]);
      if (sample_weight_ != nullptr) ws.weights[k] = sample_weight_[order_[first + k]];
    }
  }

  // As gather, but the input rows stay where they lie: their addresses go to ws's row pointers
  // (returned), the targets and sample weights are gathered.
  template <class S>
  const S** point_to_rows(Workspace<T>& ws, MatrixIn<S> x, MatrixIn<T> y, Index first, Index k0, Index k1) const {
    const S** rows = ws.template input_rows<S>();
    for (Index k = k0; k < k1; ++k) rows[k] = x.data() + order_[first + k] * x.outerStride();
    gather_targets(ws, y, first, k0, k1);
    return rows;
  }

  // Rows [first, first + rows) of the epoch's order, gathered (when shuffled) with their sample
  // weights; calls step(x rows, y rows, weights or null). prefetched: see gather.
  // (Rows of another type than T are always gathered.)
  template <class S, class Step>
  auto with_rows(Workspace<T>& ws, MatrixIn<S> x, MatrixIn<T> y, Index first, Index rows, bool shuffle, Step&& step,
                 bool prefetched = false) {
    if constexpr (std::is_same_v<S, T>) {
      if (!shuffle) {  // in place, no copy
        return step(x.middleRows(first, rows), y.middleRows(first, rows),
                    sample_weight_ != nullptr ? sample_weight_ + first : nullptr);
      }
    }
    gather(ws, x, y, first, 0, rows, prefetched);
    return step(MatrixIn<T>(Workspace<T>::top(ws.input, rows)), MatrixIn<T>(Workspace<T>::top(ws.targets, rows)),
                static_cast<const T*>(sample_weight_ != nullptr ? ws.weights.data() : nullptr));
  }

  // Forward and backward on the batch of rows [start, start + rows) of the epoch's order: leaves in
  // ws.grad the gradient of its (weighted) mean cost and returns its summed cost Σ wᵢ Cᵢ, weight
  // being the batch's total sample weight.
  template <class S>
  double slice_step(Workspace<T>& ws, MatrixIn<S> x, MatrixIn<T> y, Index start, Index rows, bool shuffle,
                    double batch_weight) {
    return with_rows(ws, x, y, start, rows, shuffle, [&](MatrixIn<T> xb, MatrixIn<T> yb, const T* wb) {
      MatrixMap<T> out = forward<T>(net_, ws, xb);
      const double cost = static_cast<double>(loss_sum<T>(net_.loss(), out, yb, wb, net_.probability_floor()));
      backward<T>(net_, ws, xb, yb, nullptr, wb, static_cast<T>(batch_weight));
      return cost;
    });
  }

  // A whole training step on rows [start, start + rows) of the epoch's order, for small batches,
  // layer by layer (see layerwise_step), the next batch's rows fetched meanwhile. Returns rows ×
  // the batch's (weighted) mean cost before the step.
  template <class S>
  double small_batch_step(Workspace<T>& ws, MatrixIn<S> x, MatrixIn<T> y, Index start, Index rows, bool shuffle,
                          const SgdConfig& config, double weight) {
    if (!shuffle) {
      return with_rows(ws, x, y, start, rows, false, [&](MatrixIn<T> xb, MatrixIn<T> yb, const T* wb) {
        return layerwise_step(ws, xb, yb, wb, weight, config, NoProgress{});
      });
    }
    // The next batch's rows, fetched while this batch's first layer takes its step.
    const Index next = std::min(rows, static_cast<Index>(order_.size()) - start - rows);
    RowPrefetcher<S> fetch_next(x.data(), x.outerStride(), order_.data() + start + rows, next, x.cols());
    if constexpr (reads_rows_of<S, T>) {
      if (reads_in_place<S>(rows, config, 1)) {  // only the targets are gathered
        const S** first = point_to_rows(ws, x, y, start, 0, rows);
        return layerwise_step(ws, ScatteredRows<S>{first, rows, x.cols()}, Workspace<T>::top(ws.targets, rows),
                              sample_weight_ != nullptr ? ws.weights.data() : nullptr, weight, config, fetch_next);
      }
    }
    // Gathered (rows of another type converted as they are).
    return with_rows(
        ws, x, y, start, rows, true,
        [&](MatrixIn<T> xb, MatrixIn<T> yb, const T* wb) {
          return layerwise_step(ws, xb, yb, wb, weight, config, fetch_next);
        },
        true);
  }

  // Whether most entries of x are zeros (images on a blank ground, one-hot features), judged from up
  // to 1,024 of its rows spread over it: the first layer's forward product then tries the sparse
  // products on each batch (see sparse_products.hpp), with a margin below their limit so that
  // batches about as dense as the limit do not list their rows in vain.
  template <class S>
  static bool mostly_zeros(DataRows<S> x) {
    const Index sampled = std::min<Index>(x.rows(), 1024), step = x.rows() / std::max<Index>(sampled, 1);
    Index nonzero = 0;
    for (Index i = 0; i < sampled; ++i) nonzero += (x.row(i * step).array() != S(0)).count();
    return static_cast<double>(nonzero) <= 0.9 * kSparseDensityLimit * static_cast<double>(sampled * x.cols());
  }

  // Whether a shuffled small batch's input rows are read where they lie in the data set instead of
  // copied into a block of their own first. Read in place, they are read twice from where they
  // lie, by the first layer's forward product and by its step: that pays only when they stay in
  // the core's L2 cache in between, while the layer's W and optimizer state (a team member's share
  // of them) pass through it. Measured on 60,000 rows: [784, 30, 10] float64, batch 10, 13% faster
  // in place; [784, 100, 10] with momentum, batch 32, no faster (1-3% slower on one thread).
  // S: the type of the rows.
  template <class S>
  bool reads_in_place(Index rows, const SgdConfig& config, int team) const {
    const Layout& layout = net_.layout();
    const Index state = 1 + (uses_first_moment(config) ? 1 : 0) + (uses_second_moment(config) ? 1 : 0);
    const Index units = (layout.fan_out(0) + team - 1) / team;
    const Index bytes = (rows * Index(sizeof(S)) + state * units * Index(sizeof(T))) * layout.fan_in(0);
    return bytes <= kCoreCacheBytes;
  }

  // A = f(X Wᵀ + b) on a batch's input X, a matrix or scattered rows.
  template <class Input>
  static void forward_input(const Input& x, MatrixIn<T> w, VectorIn<T> b, const ActivationSpec& f, MatrixOut<T> a,
                            GemmBuffers<T>& buffers, bool sparse_input = false) {
    if constexpr (is_scattered<Input>) {
      small_forward<T>(x, w, b, a);
      activation_forward<T>(f, a, a);
    } else {
      dense_forward_activated<T>(w, b, x, f, a, buffers, sparse_input);
    }
  }

  // A whole training step in which each layer's parameters take their step as soon as δ has passed
  // through them (δ goes on with the old W): for small batches (any update), and for large ones
  // when the step can be taken through the weight gradient's product (see product_update.hpp).
  // x: the batch's input rows, a matrix or (small batches only) ScatteredRows. Returns rows × the
  // batch's (weighted) mean cost before the step.
  template <class Input, class Progress>
  double layerwise_step(Workspace<T>& ws, const Input& x, MatrixIn<T> y, const T* weights, double weight,
                        const SgdConfig& config, Progress&& first_layer_progress) {
    const Index rows = x.rows();
    const Layout& layout = net_.layout();
    const Index depth = net_.num_layers();
    // The input of layer l > 0.
    auto input_of = [&](Index l) { return MatrixIn<T>(Workspace<T>::top(ws.activations[l - 1], rows)); };
    for (Index l = 0; l < depth; ++l) {
      MatrixMap<T> a = Workspace<T>::top(ws.activations[l], rows);
      if (l == 0) {
        forward_input(x, net_.weight(0), net_.bias(0), net_.activation(0), a, ws.gemm[0]->forward, input_zeros_);
      } else {
        dense_forward_activated<T>(net_.weight(l), net_.bias(l), input_of(l), net_.activation(l), a,
                                   ws.gemm[l]->forward, net_.zero_gated(l - 1));
      }
    }
    MatrixMap<T> out = Workspace<T>::top(ws.activations[depth - 1], rows);
    const double cost = static_cast<double>(loss_sum<T>(net_.loss(), out, y, weights, net_.probability_floor())) *
                        static_cast<double>(rows) / weight;
    MatrixMap<T> output_error = Workspace<T>::top(ws.deltas[depth - 1], rows);
    output_delta<T>(net_.output_activation(), net_.loss(), out, y, output_error);
    if (weights != nullptr) weigh_rows<T>(output_error, weights);
    T* params = net_.params().data();
    T* first = first_.data();
    T* second = second_.data();
    // A layer's moments: pointers into the flat buffers at the layer's place.
    auto moments = [&](auto at) { return Moments<T>{at(first), at(second)}; };
    for (Index l = depth - 1; l >= 0; --l) {
      MatrixMap<T> delta = Workspace<T>::top(ws.deltas[l], rows);
      auto w = layout.weight(params, l);
      auto b = layout.bias(params, l);
      const Moments<T> mw = moments([&](T* buffer) { return layout.weight(buffer, l).data(); });
      const Moments<T> mb = moments([&](T* buffer) { return layout.bias(buffer, l).data(); });
      if (l > 0) {
        MatrixMap<T> delta_prev = Workspace<T>::top(ws.deltas[l - 1], rows);
        dense_backpropagate<T>(w, delta, net_.activation(l - 1), input_of(l), delta_prev, ws.gemm[l]->input_grad,
                               net_.zero_gated(l));
      }
      if (l > 0) {
        dense_layer_step<T>(input_of(l), delta, weight, config, w, b, mw, mb, ws.scratch.data(),
                            ws.gemm[l]->weight_grad, NoProgress{}, net_.zero_gated(l));
      } else {
        dense_layer_step<T>(x, delta, weight, config, w, b, mw, mb, ws.scratch.data(), ws.gemm[0]->weight_grad,
                            first_layer_progress, net_.zero_gated(0));
      }
    }
    return cost;
  }

#ifdef _OPENMP
  // The first and one-past-last of n units that thread t of team handles.
  static std::pair<Index, Index> share(Index n, int t, int team) { return {n * t / team, n * (t + 1) / team}; }

  // A whole training step on rows [start, start + rows) of the epoch's order, shared by the team:
  // every thread computes its share of each layer's units (forward: outputs; backward: the
  // inputs' δ) and takes the step of its own rows of W and b, so no gradient is ever summed
  // across threads. Barriers separate the layers. The mini-batch lives in ws_[0]; each thread
  // packs and scratches in its own workspace. Leaves the cost and L2 term in batch_cost_ and
  // batch_penalty_. Called by every thread of the team.
  template <class S>
  void shared_step(int t, int team, MatrixIn<S> x, MatrixIn<T> y, Index start, Index rows, bool shuffle,
                   const SgdConfig& config, double weight) {
    Workspace<T>& ws = *ws_[0];
    if constexpr (std::is_same_v<S, T>) {
      if (!shuffle) {
        shared_layers(t, team, MatrixIn<T>(x.middleRows(start, rows)), y.middleRows(start, rows),
                      sample_weight_ != nullptr ? sample_weight_ + start : nullptr, config, weight, NoProgress{});
        return;
      }
    }
    const auto [r0, r1] = share(rows, t, team);  // each thread gathers its share of the rows
    const T* weights = sample_weight_ != nullptr ? ws.weights.data() : nullptr;
    // As on one thread, a small batch's first layer fetches the next batch's rows while it takes its step.
    const bool small = rows <= kSmallBatchRows;
    const Index next = small ? std::min(rows, static_cast<Index>(order_.size()) - start - rows) : 0;
    const Index* next_order = order_.data() + start + rows;
    if constexpr (reads_rows_of<S, T>) {
      if (small && reads_in_place<S>(rows, config, team)) {  // as on one thread; every thread reads every row
        const S** first = point_to_rows(ws, x, y, start, r0, r1);
        RowPrefetcher<S> fetch_next(x.data(), x.outerStride(), next_order, next, x.cols());
#pragma omp barrier
        shared_layers(t, team, ScatteredRows<S>{first, rows, x.cols()}, Workspace<T>::top(ws.targets, rows), weights,
                      config, weight, fetch_next);
        return;
      }
    }
    gather(ws, x, y, start, r0, r1, small);
    const auto [q0, q1] = share(next, t, team);  // the rows this thread gathers next
    RowPrefetcher<S> fetch_share(x.data(), x.outerStride(), next_order + q0, q1 - q0, x.cols());
#pragma omp barrier
    shared_layers(t, team, MatrixIn<T>(Workspace<T>::top(ws.input, rows)), Workspace<T>::top(ws.targets, rows), weights,
                  config, weight, fetch_share);
  }

  // xb: the batch's input, a matrix or (small batches only) ScatteredRows. first_layer_progress: see
  // layerwise_step.
  template <class Input, class Progress>
  void shared_layers(int t, int team, const Input& xb, MatrixIn<T> yb, const T* weights, const SgdConfig& config,
                     double weight, Progress&& first_layer_progress) {
    Workspace<T>& ws = *ws_[0];
    Workspace<T>& own = *ws_[t];
    const Layout& layout = net_.layout();
    const Index depth = net_.num_layers();
    const Index rows = xb.rows();
    // Calls use(the input of layer l): the batch's input for l = 0, the activations below otherwise.
    auto with_input = [&](Index l, auto&& use) {
      if (l == 0) {
        use(xb);
      } else {
        use(MatrixIn<T>(Workspace<T>::top(ws.activations[l - 1], rows)));
      }
    };
    for (Index l = 0; l < depth; ++l) {
      const auto [n0, n1] = share(layout.fan_out(l), t, team);
      MatrixMap<T> a = Workspace<T>::top(ws.activations[l], rows);
      if (n1 > n0) {
        // Softmax needs the whole rows: thread 0 applies it below.
        const ActivationSpec f =
            net_.activation(l).kind == Activation::softmax ? ActivationSpec{Activation::identity} : net_.activation(l);
        with_input(l, [&](const auto& input) {
          forward_input(input, net_.weight(l).middleRows(n0, n1 - n0), net_.bias(l).segment(n0, n1 - n0), f,
                        a.middleCols(n0, n1 - n0), own.gemm[l]->forward, l > 0 ? net_.zero_gated(l - 1) : input_zeros_);
        });
      }
#pragma omp barrier
    }
    if (t == 0) {  // the output layer's rows whole: softmax, the cost, δᴸ; the L2 term from W before the step
      MatrixMap<T> out = Workspace<T>::top(ws.activations[depth - 1], rows);
      if (net_.output_activation().kind == Activation::softmax)
        activation_forward<T>(net_.output_activation(), out, out);
      batch_cost_ = static_cast<double>(loss_sum<T>(net_.loss(), out, yb, weights, net_.probability_floor())) *
                    static_cast<double>(rows) / weight;
      MatrixMap<T> output_error = Workspace<T>::top(ws.deltas[depth - 1], rows);
      output_delta<T>(net_.output_activation(), net_.loss(), out, yb, output_error);
      if (weights != nullptr) weigh_rows<T>(output_error, weights);
      batch_penalty_ = batch_penalty(config, rows, weight);
    }
#pragma omp barrier
    const bool layerwise = takes_layer_step(config, rows);
    T* params = net_.params().data();
    for (Index l = depth - 1; l >= 0; --l) {
      MatrixMap<T> delta = Workspace<T>::top(ws.deltas[l], rows);
      if (l > 0) {  // δˡ⁻¹ from the old Wˡ, this thread's columns of it; then everyone may change Wˡ
        const auto [j0, j1] = share(layout.fan_in(l), t, team);
        if (j1 > j0) {
          auto below = Workspace<T>::top(ws.deltas[l - 1], rows).middleCols(j0, j1 - j0);
          dense_backpropagate<T>(net_.weight(l).middleCols(j0, j1 - j0), delta, net_.activation(l - 1),
                                 Workspace<T>::top(ws.activations[l - 1], rows).middleCols(j0, j1 - j0), below,
                                 own.gemm[l]->input_grad, net_.zero_gated(l));
        }
#pragma omp barrier
      }
      const auto [n0, n1] = share(layout.fan_out(l), t, team);
      if (n1 == n0) continue;
      const Index units = n1 - n0, fan_in = layout.fan_in(l);
      auto w = layout.weight(params, l).middleRows(n0, units);
      auto b = layout.bias(params, l).segment(n0, units);
      auto mine = delta.middleCols(n0, units);
      const Index w_at = static_cast<Index>(w.data() - params), b_at = static_cast<Index>(b.data() - params);
      if (layerwise) {
        const Moments<T> mw{first_.data() + w_at, second_.data() + w_at},
            mb{first_.data() + b_at, second_.data() + b_at};
        with_input(l, [&](const auto& input) {
          if (l == 0) {
            dense_layer_step<T>(input, mine, weight, config, w, b, mw, mb, own.scratch.data(), own.gemm[l]->weight_grad,
                                first_layer_progress, net_.zero_gated(l));
          } else {
            dense_layer_step<T>(input, mine, weight, config, w, b, mw, mb, own.scratch.data(), own.gemm[l]->weight_grad,
                                NoProgress{}, net_.zero_gated(l));
          }
        });
      } else if constexpr (!is_scattered<Input>) {
        auto dw = layout.weight(own.grad.data(), l).middleRows(n0, units);
        auto db = layout.bias(own.grad.data(), l).segment(n0, units);
        with_input(l, [&](MatrixIn<T> input) {
          dense_parameter_gradients<T>(input, mine, dw, db, own.gemm[l]->weight_grad, static_cast<T>(weight));
        });
        const Index nw = units * fan_in;
        sgd_step<T>(config, net_.params().segment(w_at, nw), own.grad.segment(w_at, nw), first_.segment(w_at, nw),
                    second_.segment(w_at, nw), nw);
        sgd_step<T>(config, net_.params().segment(b_at, units), own.grad.segment(b_at, units),
                    first_.segment(b_at, units), second_.segment(b_at, units), 0);
      }
    }
  }
#endif

  // One workspace per thread, each with room for a whole batch.
  void prepare(int team, Index rows_per_thread) {
    if (static_cast<int>(ws_.size()) != team) ws_.clear();
    for (int t = 0; t < team; ++t) {
      if (t >= static_cast<int>(ws_.size())) ws_.push_back(nullptr);
      if (!ws_[t] || ws_[t]->capacity < rows_per_thread) {
        ws_[t] = std::make_unique<Workspace<T>>(net_.layout(), rows_per_thread);
      }
    }
  }

  // The workspace for a capacity, allocated when first needed and again only when a larger one is asked for.
  Workspace<T>& workspace(std::optional<Workspace<T>>& slot, Index capacity) {
    if (!slot || slot->capacity < capacity) slot.emplace(net_.layout(), capacity);
    return *slot;
  }

  Network<T>& net_;
  Vector<T> first_;                            // the velocity, or Adam's first moment
  Vector<T> second_;                           // Adam's second moment
  long long adam_steps_ = 0;                   // Adam's t
  const T* sample_weight_ = nullptr;           // the current epoch's, if any
  double batch_cost_ = 0, batch_penalty_ = 0;  // the current batch's cost and L2 term, shared by the team
  bool input_zeros_ = false;                   // the current epoch's data are mostly zeros (see mostly_zeros)
  std::vector<Index> order_;
  std::vector<std::unique_ptr<Workspace<T>>> ws_;  // training: one per thread
  std::optional<Workspace<T>> eval_ws_;
};

}  // namespace deltaprop
