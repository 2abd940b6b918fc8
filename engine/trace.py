"""One example through the network, forward and backward, with every number.

Forward, per layer l = 1..L (input layer first): Z[l] = W[l] A[l-1] + b[l], A[l] = g(Z[l]) on
hidden layers and A[L] = the loss's output (sigmoid, softmax, identity or step). With a target
y, backward: delta[L] = dloss/dZ[L] for this one example (the loss's residual: sigma(z) - y,
softmax(z) - y, 2 (z - y), step(z) - y), delta[l] = (W[l+1]^T delta[l+1]) * g'(Z[l]),
dW[l] = delta[l] A[l-1]^T, db[l] = delta[l]. The mean of dW over the training set plus the
penalty's gradient is Trainer.gradients() (tested). Written with plain per-example NumPy from
params(), independent of the batched buffers of engine/network.py.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES


def trace_features(trainer, features: np.ndarray, target: np.ndarray | None) -> dict:
    """The trace of one example given its mapped features (n_in,) and, optionally, its target in
    the loss's layout (k,). Returns {"output", "loss", "layers": [{"W", "b", "a_in", "z", "a"}
    + with a target {"delta", "dW", "db"}]}; "loss" is None without a target."""
    cfg = trainer.config
    g, loss = ACTIVATIONS[cfg.activation], LOSSES[cfg.loss]
    params = trainer.params()
    layers, a = [], np.asarray(features, dtype=float)
    with np.errstate(all="ignore"):
        for l, p in enumerate(params):
            z = p["W"] @ a + p["b"]
            last = l == len(params) - 1
            out = loss.output(z[None, :].copy())[0] if last else g.forward(z, np.empty_like(z))
            layers.append({"W": p["W"], "b": p["b"], "a_in": a, "z": z, "a": out})
            a = out
        result = {"output": a, "loss": None, "layers": layers}
        if target is None:
            return result
        y = np.asarray(target, dtype=float)[None, :]
        z_out = layers[-1]["z"][None, :]
        result["loss"] = loss.value(z_out, y)
        delta = loss.residual(z_out, y, np.empty_like(z_out))[0]
        for l in range(len(layers) - 1, -1, -1):
            layer = layers[l]
            layer.update(delta=delta, dW=np.outer(delta, layer["a_in"]), db=delta.copy())
            if l > 0:
                below = layers[l - 1]
                slope = g.derivative(below["z"], below["a"], np.empty_like(below["z"]))
                delta = (layer["W"].T @ delta) * slope
    return result
