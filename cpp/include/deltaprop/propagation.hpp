// The forward pass and backpropagation through the whole network for one mini-batch held in a
// Workspace. Nothing here allocates: every matrix is a view of the workspace or the network.
#pragma once

#include "dense.hpp"
#include "workspace.hpp"

namespace deltaprop {

// aˡ = f(Wˡ aˡ⁻¹ + bˡ) for every layer; returns a view of the output aᴸ (rows × n_out).
template <class T>
MatrixMap<T> forward(const Network<T>& net, Workspace<T>& ws, MatrixIn<T> x) {
  const Index rows = x.rows();
  DELTAPROP_REQUIRE(rows <= ws.capacity, "batch larger than the workspace");
  for (Index l = 0; l < net.num_layers(); ++l) {
    MatrixMap<T> a = Workspace<T>::top(ws.activations[l], rows);
    const MatrixIn<T> input = l == 0 ? x : MatrixIn<T>(Workspace<T>::top(ws.activations[l - 1], rows));
    dense_forward_activated<T>(net.weight(l), net.bias(l), input, net.activation(l), a, ws.gemm[l]->forward,
                               l > 0 && net.zero_gated(l - 1));
  }
  return Workspace<T>::top(ws.activations.back(), rows);
}

// The four equations, after forward() on the same x:
//   δᴸ = ∇ₐC ⊙ f'(zᴸ);  δˡ = (δˡ⁺¹ Wˡ⁺¹) ⊙ f'(zˡ);  ∂C/∂bˡ = Σ δˡ / m;  ∂C/∂Wˡ = δˡᵀ aˡ⁻¹ / m.
// Gradients of the batch's mean cost go to ws.grad. With input_grad, also ∂C/∂x = δ¹ W¹ / m.
// With sample weights (one per row), each row's δᴸ is scaled by its weight; divisor, when not 0,
// replaces m (the total weight of the batch these rows belong to).
template <class T>
void backward(const Network<T>& net, Workspace<T>& ws, MatrixIn<T> x, MatrixIn<T> y, MatrixOut<T>* input_grad = nullptr,
              const T* weights = nullptr, T divisor = T(0)) {
  const Index rows = x.rows();
  const Index depth = net.num_layers();
  const Layout& layout = net.layout();
  MatrixMap<T> output_error = Workspace<T>::top(ws.deltas[depth - 1], rows);
  output_delta<T>(net.output_activation(), net.loss(), Workspace<T>::top(ws.activations[depth - 1], rows), y,
                  output_error);
  if (weights != nullptr) weigh_rows<T>(output_error, weights);
  if (divisor == T(0)) divisor = static_cast<T>(rows);
  for (Index l = depth - 1; l >= 0; --l) {
    MatrixMap<T> delta = Workspace<T>::top(ws.deltas[l], rows);
    MatrixMap<T> dw = layout.weight(ws.grad.data(), l);
    VectorMap<T> db = layout.bias(ws.grad.data(), l);
    if (l > 0) {
      MatrixMap<T> a_prev = Workspace<T>::top(ws.activations[l - 1], rows);
      dense_parameter_gradients<T>(a_prev, delta, dw, db, ws.gemm[l]->weight_grad, divisor);
      MatrixMap<T> delta_prev = Workspace<T>::top(ws.deltas[l - 1], rows);
      dense_backpropagate<T>(net.weight(l), delta, net.activation(l - 1), a_prev, delta_prev, ws.gemm[l]->input_grad);
    } else {
      dense_parameter_gradients<T>(x, delta, dw, db, ws.gemm[0]->weight_grad, divisor);
      if (input_grad != nullptr) {
        dense_input_gradient<T>(net.weight(0), delta, *input_grad, ws.gemm[0]->input_grad);
        *input_grad /= divisor;
      }
    }
  }
}

}  // namespace deltaprop
