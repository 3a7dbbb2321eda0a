// Python bindings: the private module deltaprop._core. Arrays cross the boundary without copies:
// every argument is marked noconvert, so an array of the wrong dtype or layout raises TypeError
// here instead of being copied silently; the Python layer converts once, on purpose.
#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "deltaprop/trainer.hpp"
#include "list_rows.hpp"
#include "python_random.hpp"

namespace py = pybind11;
using namespace pybind11::literals;
using namespace deltaprop;

namespace {

template <class T>
const char* dtype_name() {
  return sizeof(T) == 4 ? "float32" : "float64";
}

ActivationSpec spec(const std::string& name, double slope) {
  DELTAPROP_REQUIRE(std::isfinite(slope) && slope >= 0, "leaky_relu slope must be finite and >= 0");
  return ActivationSpec{parse_activation(name), slope};
}

// A writable NumPy view of a vector owned by `owner`, which it keeps alive.
template <class T>
py::array_t<T> view(py::object owner, Vector<T>& v) {
  return py::array_t<T>({v.size()}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
}

// A network with its trainer, as one Python object. Calls run without the GIL, so a mutex keeps
// two Python threads from sharing the trainer's workspaces at once.
template <class T>
class Engine {
 public:
  Engine(std::vector<Index> sizes, const std::string& hidden, const std::string& output, const std::string& loss,
         double slope)
      : net_(std::move(sizes), spec(hidden, slope), spec(output, slope), parse_loss(loss)), trainer_(net_) {}

  Network<T>& net() { return net_; }

  // One epoch; returns (cost_sum, samples, batches, stopped, penalty_sum), where stopped is None,
  // "interrupt" (Ctrl-C, seen between mini-batches) or "callback" (progress returned False).
  template <class S>
  py::tuple train_epoch(MatrixIn<S> x, MatrixIn<T> y, Index batch_size, double lr, double momentum, bool nesterov,
                        double weight_decay, bool shuffle, std::uint64_t seed, int threads, py::object progress,
                        double progress_interval,
                        std::optional<py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>> order,
                        const std::string& method, double beta1, double beta2, double epsilon, double batch_l2,
                        std::optional<VectorIn<T>> sample_weight) {
    // Copied in one block: converting element by element took longer than a small epoch.
    std::optional<std::vector<Index>> rows;
    if (order) {
      DELTAPROP_REQUIRE(order->ndim() == 1, "order must be 1-D");
      rows.emplace(order->data(), order->data() + order->size());
    }
    check_weights(x, sample_weight);
    SgdConfig config{lr, momentum, nesterov, weight_decay};
    config.method = parse_method(method);
    config.beta1 = beta1;
    config.beta2 = beta2;
    config.epsilon = epsilon;
    config.batch_l2 = batch_l2;
    std::optional<py::error_already_set> error;
    bool interrupted = false;
    // Runs between mini-batches: take the GIL briefly to notice Ctrl-C and to report progress.
    Progress report = [&](Index batches, Index samples, double cost_sum) {
      py::gil_scoped_acquire acquire;
      try {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) {
          py::object answer = progress(batches, samples, cost_sum);
          if (!answer.is_none() && !answer.cast<bool>()) return false;
        }
      } catch (py::error_already_set& e) {
        if (e.matches(PyExc_KeyboardInterrupt)) {
          interrupted = true;
        } else {
          error.emplace(std::move(e));
        }
        return false;
      }
      return true;
    };
    EpochResult result;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      result =
          trainer_.template train_epoch<S>(x, y, batch_size, config, shuffle, seed, threads, report, progress_interval,
                                           rows ? &*rows : nullptr, sample_weight ? sample_weight->data() : nullptr);
    }
    if (error) throw std::move(*error);
    py::object stopped = py::none();
    if (result.stopped) stopped = py::str(interrupted ? "interrupt" : "callback");
    return py::make_tuple(result.cost_sum, result.samples, result.batches, stopped, result.penalty_sum);
  }

  template <class S>
  T cost(MatrixIn<S> x, MatrixIn<T> y, std::optional<VectorIn<T>> sample_weight) {
    check_weights(x, sample_weight);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return trainer_.template evaluate<S>(x, y, nullptr, nullptr, sample_weight ? sample_weight->data() : nullptr);
  }

  template <class S>
  T backprop(MatrixIn<S> x, MatrixIn<T> y, VectorOut<T> grad, std::optional<MatrixOut<T>> input_grad,
             std::optional<VectorIn<T>> sample_weight) {
    check_weights(x, sample_weight);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return trainer_.template evaluate<S>(x, y, &grad, input_grad ? &*input_grad : nullptr,
                                         sample_weight ? sample_weight->data() : nullptr);
  }

  Trainer<T>& trainer() { return trainer_; }

  template <class S>
  void feedforward(MatrixIn<S> x, MatrixOut<T> out) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    trainer_.template predict<S>(x, out);
  }

  void reset_optimizer() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    trainer_.reset_optimizer();
  }

 private:
  // One finite weight per row of x, not all zero.
  template <class S>
  static void check_weights(MatrixIn<S> x, const std::optional<VectorIn<T>>& sample_weight) {
    if (!sample_weight) return;
    DELTAPROP_REQUIRE(sample_weight->size() == x.rows(), "sample_weight must have one entry per row of X (" +
                                                             std::to_string(x.rows()) + "), got " +
                                                             std::to_string(sample_weight->size()));
    DELTAPROP_REQUIRE(sample_weight->allFinite(), "sample_weight must be finite (no NaN or infinity)");
    DELTAPROP_REQUIRE((sample_weight->array() != T(0)).any(), "the sample weights sum to zero: every one is zero");
  }

  Network<T> net_;
  Trainer<T> trainer_;
  std::mutex mutex_;
};

template <class T>
struct TypeTag {
  using type = T;
};

// The floating-point type that is not T.
template <class T>
using OtherFloat = std::conditional_t<std::is_same_v<T, float>, double, float>;

template <class T>
void bind_engine(py::module_& m, const char* name) {
  using E = Engine<T>;
  py::class_<E> cls(m, name, "A network's parameters and its trainer, for one floating-point type.");
  cls.def(py::init<std::vector<Index>, const std::string&, const std::string&, const std::string&, double>(), "sizes"_a,
          "hidden_activation"_a, "output_activation"_a, "loss"_a, "slope"_a = 0.01)
      .def_property_readonly("sizes", [](E& e) { return e.net().layout().sizes(); })
      .def_property_readonly("dtype", [](E&) { return py::dtype::of<T>(); })
      .def_property_readonly("n_params", [](E& e) { return e.net().layout().n_params(); })
      .def_property_readonly("n_weights", [](E& e) { return e.net().layout().n_weights(); })
      .def_property_readonly("hidden_activation",
                             [](E& e) { return activation_name(e.net().hidden_activation().kind); })
      .def_property_readonly("output_activation",
                             [](E& e) { return activation_name(e.net().output_activation().kind); })
      .def_property_readonly("loss", [](E& e) { return loss_name(e.net().loss()); })
      .def_property_readonly("slope", [](E& e) { return e.net().hidden_activation().slope; })
      .def_property_readonly(
          "params", [](py::object self) { return view(self, self.cast<E&>().net().params()); },
          "Flat view of all parameters: W0, W1, ... (each (out, in), row-major), then b0, b1, ...")
      .def_property_readonly(
          "first_moment", [](py::object self) { return view(self, self.cast<E&>().trainer().first_moment()); },
          "Flat view of the optimizer's velocity (Adam: its first moment), in the layout of params.")
      .def_property_readonly(
          "second_moment", [](py::object self) { return view(self, self.cast<E&>().trainer().second_moment()); },
          "Flat view of Adam's second moment, in the layout of params.")
      .def_property(
          "adam_steps", [](E& e) { return e.trainer().adam_steps(); },
          [](E& e, long long steps) { e.trainer().set_adam_steps(steps); }, "How many steps Adam has taken (its t).")
      .def_property(
          "probability_floor", [](E& e) { return e.net().probability_floor(); },
          [](E& e, T floor) { e.net().set_probability_floor(floor); },
          "Probabilities are clipped to [floor, 1 - floor] before their logarithm in the reported cost.")
      .def("reset_optimizer", &E::reset_optimizer, "Forget the optimizer's state (velocity, Adam's moments and t).");
  // x of the network's type, or of the other floating-point type, whose rows the engine converts as
  // it reads them (a float32 data set trains a float64 network without a float64 copy of it).
  auto bind_inputs = [&cls](auto tag) {
    using S = typename decltype(tag)::type;
    cls.def("feedforward", &E::template feedforward<S>, "x"_a.noconvert(), "out"_a.noconvert(),
            "Write the network's output for each row of x into out.")
        .def("cost", &E::template cost<S>, "x"_a.noconvert(), "y"_a.noconvert(),
             "sample_weight"_a.noconvert() = py::none(),
             "Mean per-sample cost over all rows (weighted mean with sample_weight).")
        .def("backprop", &E::template backprop<S>, "x"_a.noconvert(), "y"_a.noconvert(), "grad"_a.noconvert(),
             "input_grad"_a.noconvert() = py::none(), "sample_weight"_a.noconvert() = py::none(),
             "Gradient of the mean cost into grad (flat layout) and optionally d(cost)/dx into input_grad; "
             "returns the mean cost. With sample_weight: of the weighted mean.")
        .def("train_epoch", &E::template train_epoch<S>, "x"_a.noconvert(), "y"_a.noconvert(), "batch_size"_a, "lr"_a,
             "momentum"_a = 0.0, "nesterov"_a = false, "weight_decay"_a = 0.0, "shuffle"_a = true, "seed"_a = 0,
             "threads"_a = 1, "progress"_a = py::none(), "progress_interval"_a = 0.2, "order"_a = py::none(),
             "method"_a = "sgd", "beta1"_a = 0.9, "beta2"_a = 0.999, "epsilon"_a = 1e-8, "batch_l2"_a = 0.0,
             "sample_weight"_a.noconvert() = py::none(),
             "One epoch of mini-batch gradient descent (method 'sgd') or Adam ('adam') without the GIL. "
             "progress(batches, samples, cost_sum) is called between batches at most every progress_interval "
             "seconds; returning False stops the epoch. With order (row indices), the epoch visits those rows in "
             "that order instead of shuffling. batch_l2 adds batch_l2 / (batch weight) to each batch's weight "
             "decay. With sample_weight, each batch minimises its weighted mean cost. Returns (cost_sum, samples, "
             "batches, stopped, penalty_sum) with stopped None, 'interrupt' or 'callback' and penalty_sum the "
             "batches' summed L2 terms rows * batch_l2 / 2 * |W|^2 / weight.");
  };
  bind_inputs(TypeTag<T>{});
  bind_inputs(TypeTag<OtherFloat<T>>{});
}

template <class T>
void check_layer_update(const MatrixOut<T>& w, const MatrixIn<T>& a_prev, const MatrixIn<T>& delta) {
  DELTAPROP_REQUIRE(a_prev.cols() == w.cols() && delta.cols() == w.rows() && a_prev.rows() == delta.rows(),
                    "a_prev must be (m, " + std::to_string(w.cols()) + ") and delta (m, " + std::to_string(w.rows()) +
                        ") for w of shape " + shape_str(w.rows(), w.cols()));
}

SgdConfig adam_config(double lr, long long t, double beta1, double beta2, double epsilon, double weight_decay) {
  DELTAPROP_REQUIRE(t >= 1, "Adam's steps are numbered from t = 1");
  DELTAPROP_REQUIRE(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "beta1 and beta2 must be in [0, 1)");
  DELTAPROP_REQUIRE(epsilon > 0, "epsilon must be > 0");
  SgdConfig c{lr, 0.0, false, weight_decay};
  c.method = Method::adam;
  c.beta1 = beta1;
  c.beta2 = beta2;
  c.epsilon = epsilon;
  return c;
}

template <class T>
void bind_kernels(py::module_& k) {
  k.def(
      "activation",
      [](const std::string& name, MatrixIn<T> z, MatrixOut<T> out, double slope) {
        activation_forward<T>(spec(name, slope), z, out);
      },
      "name"_a, "z"_a.noconvert(), "out"_a.noconvert(), "slope"_a = 0.01, "a = f(z)");
  k.def(
      "activation_derivative",
      [](const std::string& name, MatrixIn<T> a, MatrixOut<T> out, double slope) {
        activation_derivative<T>(spec(name, slope), a, out);
      },
      "name"_a, "a"_a.noconvert(), "out"_a.noconvert(), "slope"_a = 0.01, "f'(z) written from a = f(z)");
  k.def(
      "activation_backward",
      [](const std::string& name, MatrixIn<T> a, MatrixIn<T> g, MatrixOut<T> out, double slope) {
        activation_backward<T>(spec(name, slope), a, g, out);
      },
      "name"_a, "a"_a.noconvert(), "g"_a.noconvert(), "out"_a.noconvert(), "slope"_a = 0.01,
      "g * f'(z) (softmax: its Jacobian-vector product)");
  k.def(
      "loss",
      [](const std::string& name, MatrixIn<T> a, MatrixIn<T> y, std::optional<VectorIn<T>> sample_weight,
         std::optional<double> probability_floor) {
        if (sample_weight) {
          DELTAPROP_REQUIRE(sample_weight->size() == a.rows(), "sample_weight must have one entry per row");
        }
        const T floor = probability_floor ? static_cast<T>(*probability_floor) : default_probability_floor<T>();
        DELTAPROP_REQUIRE(floor > T(0) && floor < T(0.5), "the probability floor must be in (0, 0.5)");
        return loss_value<T>(parse_loss(name), a, y, sample_weight ? sample_weight->data() : nullptr, floor);
      },
      "name"_a, "a"_a.noconvert(), "y"_a.noconvert(), "sample_weight"_a.noconvert() = py::none(),
      "probability_floor"_a = py::none(),
      "Mean over rows of the per-sample cost (weighted with sample_weight; probabilities clipped to "
      "[floor, 1 - floor] before logarithms)");
  k.def(
      "loss_gradient",
      [](const std::string& name, MatrixIn<T> a, MatrixIn<T> y, MatrixOut<T> out) {
        loss_gradient<T>(parse_loss(name), a, y, out);
      },
      "name"_a, "a"_a.noconvert(), "y"_a.noconvert(), "out"_a.noconvert(), "Gradient of the cost w.r.t. a, per sample");
  k.def(
      "output_delta",
      [](const std::string& activation, const std::string& loss, MatrixIn<T> a, MatrixIn<T> y, MatrixOut<T> out,
         double slope) { output_delta<T>(spec(activation, slope), parse_loss(loss), a, y, out); },
      "activation"_a, "loss"_a, "a"_a.noconvert(), "y"_a.noconvert(), "out"_a.noconvert(), "slope"_a = 0.01,
      "Output error: grad_a C * f'(z)");
  // The products block as a network's layers block them (DenseBuffers).
  k.def(
      "dense_forward",
      [](MatrixIn<T> w, VectorIn<T> b, MatrixIn<T> a_prev, MatrixOut<T> out, const std::string& activation,
         double slope, bool sparse_input) {
        GemmBuffers<T> buffers(a_prev.rows(), w.rows(), a_prev.cols(), nullptr, DepthBlocking::whole);
        dense_forward_activated<T>(w, b, a_prev, spec(activation, slope), out, buffers, sparse_input);
      },
      "w"_a.noconvert(), "b"_a.noconvert(), "a_prev"_a.noconvert(), "out"_a.noconvert(), "activation"_a = "identity",
      "slope"_a = 0.01, "sparse_input"_a = false,
      "a = f(a_prev @ w.T + b); sparse_input: over a_prev's non-zeros alone where most of it is zeros");
  k.def(
      "dense_backpropagate",
      [](MatrixIn<T> w, MatrixIn<T> delta, const std::string& activation, MatrixIn<T> a_prev, MatrixOut<T> out,
         double slope, bool sparse_delta) {
        DELTAPROP_REQUIRE(out.data() != a_prev.data(), "out must not be a_prev");
        GemmBuffers<T> buffers(delta.rows(), w.cols(), w.rows(), nullptr, DepthBlocking::whole);
        dense_backpropagate<T>(w, delta, spec(activation, slope), a_prev, out, buffers, sparse_delta);
      },
      "w"_a.noconvert(), "delta"_a.noconvert(), "activation"_a, "a_prev"_a.noconvert(), "out"_a.noconvert(),
      "slope"_a = 0.01, "sparse_delta"_a = false,
      "(delta @ w) * f'(z), the error of the layer below, given its output a_prev = f(z); sparse_delta: over "
      "delta's non-zeros alone where most of it is zeros");
  k.def(
      "dense_backward",
      [](MatrixIn<T> w, MatrixIn<T> a_prev, MatrixIn<T> delta, MatrixOut<T> dw, VectorOut<T> db,
         std::optional<MatrixOut<T>> da_prev) {
        DELTAPROP_REQUIRE(a_prev.cols() == w.cols() && delta.cols() == w.rows(),
                          "a_prev must be (m, " + std::to_string(w.cols()) + ") and delta (m, " +
                              std::to_string(w.rows()) + ") for w of shape " + shape_str(w.rows(), w.cols()));
        GemmBuffers<T> weight_grad(delta.cols(), a_prev.cols(), delta.rows());
        dense_parameter_gradients<T>(a_prev, delta, dw, db, weight_grad);
        if (da_prev) {
          GemmBuffers<T> input_grad(delta.rows(), w.cols(), w.rows(), nullptr, DepthBlocking::whole);
          dense_input_gradient<T>(w, delta, *da_prev, input_grad);
        }
      },
      "w"_a.noconvert(), "a_prev"_a.noconvert(), "delta"_a.noconvert(), "dw"_a.noconvert(), "db"_a.noconvert(),
      "da_prev"_a.noconvert() = py::none(), "dw = delta.T @ a_prev / m, db = mean(delta), da_prev = delta @ w");
  k.def(
      "dense_sgd_update",
      [](MatrixOut<T> w, VectorOut<T> b, MatrixIn<T> a_prev, MatrixIn<T> delta, MatrixOut<T> velocity_w,
         VectorOut<T> velocity_b, double lr, double momentum, bool nesterov, double weight_decay, bool sparse_delta) {
        check_layer_update(w, a_prev, delta);
        Vector<T> scratch(w.rows() * delta.rows());
        const bool moving = momentum != 0.0;
        DELTAPROP_REQUIRE(!moving || (velocity_w.rows() == w.rows() && velocity_w.cols() == w.cols() &&
                                      velocity_w.outerStride() == w.cols() && velocity_b.size() == b.size()),
                          "velocities must have the shapes of the parameters");
        const Moments<T> mw{moving ? velocity_w.data() : nullptr}, mb{moving ? velocity_b.data() : nullptr};
        GemmBuffers<T> buffers(w.rows(), w.cols(), delta.rows());
        dense_layer_step<T>(a_prev, delta, static_cast<double>(delta.rows()),
                            SgdConfig{lr, momentum, nesterov, weight_decay}, w, b, mw, mb, scratch.data(), buffers,
                            NoProgress{}, sparse_delta);
      },
      "w"_a.noconvert(), "b"_a.noconvert(), "a_prev"_a.noconvert(), "delta"_a.noconvert(), "velocity_w"_a.noconvert(),
      "velocity_b"_a.noconvert(), "lr"_a, "momentum"_a = 0.0, "nesterov"_a = false, "weight_decay"_a = 0.0,
      "sparse_delta"_a = false,
      "One SGD step on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta) without forming them; "
      "sparse_delta: over delta's non-zeros alone where most of it is zeros");
  k.def(
      "dense_adam_update",
      [](MatrixOut<T> w, VectorOut<T> b, MatrixIn<T> a_prev, MatrixIn<T> delta, MatrixOut<T> m_w, VectorOut<T> m_b,
         MatrixOut<T> s_w, VectorOut<T> s_b, double lr, long long t, double beta1, double beta2, double epsilon,
         double weight_decay) {
        check_layer_update(w, a_prev, delta);
        for (const auto* moment : {&m_w, &s_w}) {
          DELTAPROP_REQUIRE(
              moment->rows() == w.rows() && moment->cols() == w.cols() && moment->outerStride() == w.cols(),
              "moments must have the shapes of the parameters");
        }
        DELTAPROP_REQUIRE(m_b.size() == b.size() && s_b.size() == b.size(),
                          "moments must have the shapes of the parameters");
        Vector<T> scratch(w.rows() * delta.rows());
        const SgdConfig config = step_config(adam_config(lr, t, beta1, beta2, epsilon, weight_decay), 1.0, t);
        dense_sgd_update<T>(a_prev, delta, static_cast<double>(delta.rows()), config, w, b,
                            Moments<T>{m_w.data(), s_w.data()}, Moments<T>{m_b.data(), s_b.data()}, scratch.data());
      },
      "w"_a.noconvert(), "b"_a.noconvert(), "a_prev"_a.noconvert(), "delta"_a.noconvert(), "m_w"_a.noconvert(),
      "m_b"_a.noconvert(), "s_w"_a.noconvert(), "s_b"_a.noconvert(), "lr"_a, "t"_a, "beta1"_a = 0.9, "beta2"_a = 0.999,
      "epsilon"_a = 1e-8, "weight_decay"_a = 0.0,
      "Adam's step number t on a layer's w and b, in place, from delta.T @ a_prev / m and mean(delta)");
  k.def(
      "sgd_step",
      [](VectorOut<T> params, VectorIn<T> grads, VectorOut<T> velocity, double lr, double momentum, bool nesterov,
         double weight_decay, Index n_decayed) {
        sgd_step<T>(SgdConfig{lr, momentum, nesterov, weight_decay}, params, grads, velocity, velocity,
                    n_decayed < 0 ? params.size() : n_decayed);
      },
      "params"_a.noconvert(), "grads"_a.noconvert(), "velocity"_a.noconvert(), "lr"_a, "momentum"_a = 0.0,
      "nesterov"_a = false, "weight_decay"_a = 0.0, "n_decayed"_a = -1,
      "One gradient-descent step in place (L2 on the first n_decayed entries)");
  k.def(
      "adam_step",
      [](VectorOut<T> params, VectorIn<T> grads, VectorOut<T> m, VectorOut<T> s, double lr, long long t, double beta1,
         double beta2, double epsilon, double weight_decay, Index n_decayed) {
        const SgdConfig config = step_config(adam_config(lr, t, beta1, beta2, epsilon, weight_decay), 1.0, t);
        sgd_step<T>(config, params, grads, m, s, n_decayed < 0 ? params.size() : n_decayed);
      },
      "params"_a.noconvert(), "grads"_a.noconvert(), "m"_a.noconvert(), "s"_a.noconvert(), "lr"_a, "t"_a,
      "beta1"_a = 0.9, "beta2"_a = 0.999, "epsilon"_a = 1e-8, "weight_decay"_a = 0.0, "n_decayed"_a = -1,
      "Adam's step number t in place (L2 on the first n_decayed entries)");
}

}  // namespace

// The vector instruction sets this build was compiled for.
static std::string simd_in_use() {
  std::string sets;
  auto add = [&](bool on, const char* name) {
    if (on) sets += sets.empty() ? name : std::string(", ") + name;
  };
#ifdef __AVX512F__
  add(true, "AVX-512");
#endif
#ifdef __FMA__
  add(true, "FMA");
#endif
#ifdef __AVX2__
  add(true, "AVX2");
#endif
#ifdef __AVX__
  add(true, "AVX");
#endif
#ifdef __SSE4_2__
  add(true, "SSE4.2");
#endif
#ifdef __SSE2__
  add(true, "SSE2");
#endif
#ifdef __ARM_NEON
  add(true, "NEON");
#endif
  return sets.empty() ? "none" : sets;
}

// The same source is built once per instruction-set level, each as a module of its own name.
#ifndef DELTAPROP_MODULE
#define DELTAPROP_MODULE _core
#endif
#define DELTAPROP_STRINGIFY(x) #x
#define DELTAPROP_NAME(x) DELTAPROP_STRINGIFY(x)

// The newest x86-64 level (1 to 4) this CPU and OS support, 0 on other architectures.
static int cpu_level() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return 4;
  if (__builtin_cpu_supports("x86-64-v3")) return 3;
  if (__builtin_cpu_supports("x86-64-v2")) return 2;
  return 1;
#elif defined(__x86_64__) && defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
    return 4;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return 3;
  return 1;
#else
  return 0;
#endif
}

PYBIND11_MODULE(DELTAPROP_MODULE, m) {
  m.doc() = "deltaprop's compiled engine (private; use the deltaprop package).";
  m.attr("build") = DELTAPROP_NAME(DELTAPROP_MODULE);
  m.attr("simd") = simd_in_use();
  m.def("cpu_level", &cpu_level, "The newest x86-64 level (1-4) this CPU supports; 0 on other architectures.");
#ifdef _OPENMP
  m.attr("openmp") = true;
#else
  m.attr("openmp") = false;
#endif
  m.def(
      "python_shuffle",
      [](py::array_t<std::int64_t, py::array::c_style> order, std::vector<std::uint64_t> state) {
        PythonMersenneTwister random(state);
        {
          auto items = order.mutable_unchecked<1>();
          python_shuffle(items.mutable_data(0), items.shape(0), random);
        }
        return random.state();
      },
      py::arg("order").noconvert(), py::arg("state"),
      "Shuffle the int64 array ``order`` in place as random.shuffle would from the state ``state`` (the 625 "
      "numbers of random.getstate()[1]); return the state after it.");
  auto bind_rows = [&](auto scalar) {
    using T = decltype(scalar);
    m.def("first_of_consecutive_rows", &first_of_consecutive_rows<T>, py::arg("base").noconvert(), py::arg("vectors"),
          py::arg("width"),
          "The row of the C-contiguous array ``base`` (read as rows of ``width`` entries) where vectors[0] lies, "
          "when the list ``vectors`` holds contiguous arrays of base's dtype lying on consecutive rows of it, in "
          "order; otherwise -1.");
    m.def("copy_rows", &copy_rows<T>, py::arg("vectors"), py::arg("out").noconvert(),
          "Copy vectors[i] into row i of the C-contiguous matrix ``out`` when every vector is a contiguous array "
          "of out's dtype with one entry per column; return whether they all were (out is then partly written).");
  };
  bind_rows(float{});
  bind_rows(double{});
  bind_engine<float>(m, "Engine32");
  bind_engine<double>(m, "Engine64");
  py::module_ k = m.def_submodule("kernels", "The engine's kernels on NumPy arrays (no conversion, no copies).");
  bind_kernels<float>(k);
  bind_kernels<double>(k);
}
