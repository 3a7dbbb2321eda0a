// Each kernel of a training step, alone, at the shapes of C1, C2 and C3 in float32 and float64.
// GEMM kernels report FLOPS (GFLOP/s); element-wise kernels report bytes_per_second, counting
// each matrix read or written once.
#include "bench_shapes.hpp"

using namespace deltaprop;
using namespace deltaprop::bench;

namespace {

template <class T>
void register_kernels(const Config& c) {
  const Index m = c.batch;
  const Index depth = static_cast<Index>(c.sizes.size()) - 1;
  const double word = sizeof(T);
  for (Index l = 0; l < depth; ++l) {
    const Index n_in = c.sizes[l], n_out = c.sizes[l + 1];
    const double tile = word * double(m) * double(n_out);  // bytes of one m × n_out matrix

    // aˡ = f(aˡ⁻¹ Wᵀ + b): one product (unpacked for small batches, else a GEMM with b and f inside
    // its stores where f allows), else f in place after it.
    add_kernel<T>(c, bench_name<T>(c, "forward_layer", l), gemm_flops(m, n_out, n_in), 0, [l](BatchState<T>& s) {
      return [&s, l] {
        Matrix<T>& a = s.ws.activations[l];
        dense_forward_activated<T>(s.net.weight(l), s.net.bias(l), s.input(l), s.net.activation(l), a,
                                   s.ws.gemm[l]->forward);
        return a.data();
      };
    });

    // aˡ = f(zˡ) alone, in place: reads and writes m × nₗ.
    add_kernel<T>(c, bench_name<T>(c, "activation_layer", l), 0, 2 * tile, [l](BatchState<T>& s) {
      return [&s, l] {
        Matrix<T>& a = s.ws.activations[l];
        activation_forward<T>(s.net.activation(l), a, a);
        return a.data();
      };
    });

    // δˡ = g ⊙ f'(zˡ), g = δˡ⁺¹ Wˡ⁺¹ (the Hadamard product of a hidden layer): reads a, g, writes δ.
    if (l + 1 < depth) {
      add_kernel<T>(c, bench_name<T>(c, "hidden_delta_layer", l), 0, 3 * tile, [l](BatchState<T>& s) {
        return [&s, l, g = Matrix<T>(s.ws.deltas[l])] {
          activation_backward<T>(s.net.activation(l), s.ws.activations[l], g, s.ws.deltas[l]);
          return s.ws.deltas[l].data();
        };
      });
    }

    // ∂C/∂Wˡ = δˡᵀ aˡ⁻¹ / m (one GEMM) and ∂C/∂bˡ = mean over rows of δˡ.
    add_kernel<T>(c, bench_name<T>(c, "param_grads_layer", l), gemm_flops(n_out, n_in, m), 0, [l](BatchState<T>& s) {
      return [&s, l] {
        const Layout& layout = s.net.layout();
        dense_parameter_gradients<T>(s.input(l), s.ws.deltas[l], layout.weight(s.ws.grad.data(), l),
                                     layout.bias(s.ws.grad.data(), l), s.ws.gemm[l]->weight_grad);
        return s.ws.grad.data();
      };
    });

    // The step a layer takes instead of the two above and sgd_step: for small batches, the
    // gradient's product with the optimizer's step applied to each block of it in registers; for
    // large ones (SGD), the product accumulated into the velocity, with a pass over it and W.
    add_kernel<T>(c, bench_name<T>(c, m <= kSmallBatchRows ? "fused_update_layer" : "product_update_layer", l),
                  gemm_flops(n_out, n_in, m), 0, [l, &c](BatchState<T>& s) {
                    return [&s, l, &c] {
                      const Layout& layout = s.net.layout();
                      T* p = s.net.params().data();
                      T* v = s.velocity.data();
                      const Moments<T> mw{layout.weight(v, l).data()}, mb{layout.bias(v, l).data()};
                      dense_layer_step<T>(s.input(l), s.ws.deltas[l], static_cast<double>(c.batch), c.sgd,
                                          layout.weight(p, l), layout.bias(p, l), mw, mb, s.ws.scratch.data(),
                                          s.ws.gemm[l]->weight_grad);
                      return p;
                    };
                  });

    // δˡ⁻¹ = (δˡ Wˡ) ⊙ f'(zˡ⁻¹): the GEMM that carries δ back (training needs it for every layer but the
    // first), with the layer below's derivative inside its stores where f allows, else hidden_delta after it.
    if (l > 0) {
      add_kernel<T>(c, bench_name<T>(c, "input_grad_layer", l), gemm_flops(m, n_in, n_out), 0, [l](BatchState<T>& s) {
        return [&s, l] {
          dense_backpropagate<T>(s.net.weight(l), s.ws.deltas[l], s.net.activation(l - 1), s.ws.activations[l - 1],
                                 s.ws.deltas[l - 1], s.ws.gemm[l]->input_grad);
          return s.ws.deltas[l - 1].data();
        };
      });
    }
  }

  // The same products over an operand of which only a quarter is not zero, a ReLU layer's output
  // or δ as training leaves them, summed over its non-zeros alone (sparse_products.hpp). FLOPS
  // counts the dense product's multiply-adds, so that the rates compare with the kernels above.
  for (Index l = 0; l < depth; ++l) {
    if (c.hidden != Activation::relu || m <= kSmallBatchRows) break;
    const Index n_in = c.sizes[l], n_out = c.sizes[l + 1];
    if (l > 0 && n_out > kNarrowLayerOutputs) {  // narrow layers take the small-batch products
      add_kernel<T>(c, bench_name<T>(c, "forward_sparse_layer", l), gemm_flops(m, n_out, n_in), 0,
                    [l](BatchState<T>& s) {
                      return [&s, l, input = thinned<T>(s.input(l), 0.25)] {
                        Matrix<T>& a = s.ws.activations[l];
                        dense_forward_activated<T>(s.net.weight(l), s.net.bias(l), input, s.net.activation(l), a,
                                                   s.ws.gemm[l]->forward, true);
                        return a.data();
                      };
                    });
    }
    if (l + 1 == depth) break;  // the output layer's δ is not gated by ReLU
    add_kernel<T>(c, bench_name<T>(c, "product_update_sparse_layer", l), gemm_flops(n_out, n_in, m), 0,
                  [l, &c](BatchState<T>& s) {
                    return [&s, l, &c, delta = thinned<T>(s.ws.deltas[l], 0.25)] {
                      const Layout& layout = s.net.layout();
                      T* p = s.net.params().data();
                      T* v = s.velocity.data();
                      const Moments<T> mw{layout.weight(v, l).data()}, mb{layout.bias(v, l).data()};
                      dense_layer_step<T>(s.input(l), delta, static_cast<double>(c.batch), c.sgd, layout.weight(p, l),
                                          layout.bias(p, l), mw, mb, s.ws.scratch.data(), s.ws.gemm[l]->weight_grad,
                                          NoProgress{}, true);
                      return p;
                    };
                  });
    if (l > 0) {
      add_kernel<T>(c, bench_name<T>(c, "input_grad_sparse_layer", l), gemm_flops(m, n_in, n_out), 0,
                    [l](BatchState<T>& s) {
                      return [&s, l, delta = thinned<T>(s.ws.deltas[l], 0.25)] {
                        dense_backpropagate<T>(s.net.weight(l), delta, s.net.activation(l - 1), s.ws.activations[l - 1],
                                               s.ws.deltas[l - 1], s.ws.gemm[l]->input_grad, true);
                        return s.ws.deltas[l - 1].data();
                      };
                    });
    }
  }

  // δᴸ = ∇ₐC ⊙ f'(zᴸ) (a − y for softmax with log-likelihood): reads a, y, writes δ.
  const double out_tile = word * double(m) * double(c.sizes.back());
  add_kernel<T>(c, bench_name<T>(c, "output_delta"), 0, 3 * out_tile, [](BatchState<T>& s) {
    return [&s] {
      output_delta<T>(s.net.output_activation(), s.net.loss(), s.ws.activations.back(), s.y, s.ws.deltas.back());
      return s.ws.deltas.back().data();
    };
  });

  // p ← p − η g, or v ← μ v − η g; p ← p + v: reads p, g (and v), writes p (and v).
  const Index n_params = Layout(c.sizes).n_params();
  const double streams = c.sgd.momentum != 0 ? 5 : 3;
  add_kernel<T>(c, bench_name<T>(c, "sgd_step"), 0, streams * word * double(n_params), [&c](BatchState<T>& s) {
    return [&s, &c] {
      sgd_step<T>(c.sgd, s.net.params(), s.ws.grad, s.velocity, s.velocity, s.net.layout().n_weights());
      return s.net.params().data();
    };
  });
}

}  // namespace

int main(int argc, char** argv) {
  for (const Config& c : configs()) {
    register_kernels<float>(c);
    register_kernels<double>(c);
  }
  return run_benchmarks(argc, argv);
}
