"""PyTorch on the CPU: nn.Sequential and torch.optim.SGD, tensors preloaded, an index permutation per epoch.

No DataLoader: each mini-batch is gathered from the preloaded tensors by index. Softmax + log-likelihood is
CrossEntropyLoss on the last Linear's output (the same mean cost); the quadratic cost is ½‖a − y‖² per
sample, averaged over the batch. torch.optim.SGD's momentum (v ← μv + g, W ← W − ηv) is the same
iteration as v ← μv − ηg, W ← W + v.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from .common import Config, Data, Trained, initial_parameters, one_hot

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}


def _model(config: Config, seed: int) -> nn.Sequential:
    weights, biases = initial_parameters(config, seed)
    layers = []
    for index, (w, b) in enumerate(zip(weights, biases)):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=getattr(torch, config.dtype))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if index < len(weights) - 1:
            layers.append(ACTIVATIONS[config.activation]())
        elif config.output == "sigmoid":
            layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def train(config: Config, data: Data, threads: int, epochs: int, seed: int) -> Trained:
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = _model(config, seed)
    X = torch.from_numpy(data.X_train)  # shares the array's memory
    if config.loss == "quadratic":
        targets = torch.from_numpy(one_hot(data.y_train, config.sizes[-1], config.dtype))

        def cost(out, target):
            return 0.5 * ((out - target) ** 2).sum(dim=1).mean()
    else:
        targets = torch.from_numpy(data.y_train)
        cost = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    generator = torch.Generator().manual_seed(seed + 1)
    n, batch_size = X.shape[0], config.batch_size
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        for first in range(0, n, batch_size):
            batch = order[first : first + batch_size]
            optimizer.zero_grad(set_to_none=True)
            cost(model(X[batch]), targets[batch]).backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)

    def predict(X_test: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(X_test)).argmax(dim=1).numpy()

    return Trained(seconds, predict)
