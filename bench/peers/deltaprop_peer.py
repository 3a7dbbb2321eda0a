"""deltaprop itself: Network.fit over the whole run, epoch times from its History."""

from __future__ import annotations

from deltaprop import Network

from .common import Config, Data, Trained, initial_parameters


def train(config: Config, data: Data, threads: int, epochs: int, seed: int) -> Trained:
    net = Network(
        list(config.sizes),
        activation=config.activation,
        output_activation=config.output,
        loss=config.loss,
        dtype=config.dtype,
        init=config.init,
        seed=seed,
    )
    net.weights, net.biases = initial_parameters(config, seed)
    history = net.fit(
        data.X_train,
        data.y_train,
        epochs=epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        momentum=config.momentum,
        threads=threads,
    )
    return Trained(list(history["seconds"]), net.predict)
