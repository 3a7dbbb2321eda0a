"""The peers bench/compare.py measures deltaprop against, one module each, imported only inside a worker.

Each peer module has ``train(config, data, threads, epochs, seed) -> Trained``; it trains on
``data.X_train`` / ``data.y_train`` from the shared initial parameters where it can and times
each epoch itself. Nothing here imports the peers' libraries, so a missing one is found
without loading it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass


@dataclass(frozen=True)
class Peer:
    name: str
    module: str  # the module in this package holding train()
    requires: str  # the library it needs
    install: str  # how to get that library

    def missing(self) -> str | None:
        """Why this peer cannot run here (its library is not importable), or None when it can."""
        try:
            found = importlib.util.find_spec(self.requires) is not None
        except (ImportError, ValueError):
            found = False
        return None if found else f"{self.requires} not installed ({self.install})"


PEERS = {
    p.name: p
    for p in (
        Peer("deltaprop", "deltaprop_peer", "deltaprop", "pip install ."),
        Peer("numpy", "numpy_peer", "numpy", "pip install numpy"),
        Peer("sklearn", "sklearn_peer", "sklearn", "pip install scikit-learn"),
        Peer("torch", "torch_peer", "torch", "pip install torch"),
    )
}
