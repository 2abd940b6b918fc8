"""The computational graph of a trainer's network on one training example, scalar by scalar.

    example_graph(trainer, i)  -> (root Value, info): the loss of example i with the live weights
                                  as leaves, labelled as the page names parameters (`W1[0,1]`,
                                  `b2[0]`), the inputs `x1`, `x2`, ... and the target `y` (`y[k]`
                                  for a one-hot target). Its leaf grads are the per-example
                                  gradient (`Trainer.example_gradient`).
    neuron_graph(trainer, i, layer, neuron) -> (root, info): one neuron alone: its inputs (the
                                  previous layer's activations on example i, as leaves), weights,
                                  bias, sum and activation, times the upstream gradient dL/da from
                                  the engine's backprop, so that its weight and bias leaves get
                                  exactly dL/dW and dL/db.
    graph_size(trainer)        -> how many nodes example_graph would have (without building it).

The loss is written as the engine defines it, in the autograd's primitives (stable branches):
bce = softplus(z) - y z, mse = sum_k (y_k - z_k)^2, cce = logsumexp(z) - sum_k y_k z_k.
Layers count from 1 like parameter names; hidden values are labelled z{l}[j] and a{l}[j].
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, LEAKY_SLOPE
from .autograd import Value, logsumexp, softplus, topological_order

HIDDEN = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "leaky_relu": lambda v: v.leaky_relu(LEAKY_SLOPE),
    "step": Value.step,
    "linear": None,  # a = z: no node
}


class GraphTooLarge(ValueError):
    """The network's graph has more nodes than allowed; `nodes` says how many."""

    def __init__(self, nodes: int, limit: int):
        super().__init__(f"this network's graph of one example would have {nodes} nodes; at "
                         f"most {limit} can be drawn scalar by scalar")
        self.nodes, self.limit = nodes, limit


def _targets(trainer, i: int) -> tuple[list[float], list[str]]:
    """Example i's target in the loss's layout and the leaves' labels."""
    label = float(trainer.data()["y_train"][i])
    k = trainer.layer_sizes[-1]
    if k == 1:
        return [label], ["y"]
    return [1.0 if j == int(label) else 0.0 for j in range(k)], [f"y[{j}]" for j in range(k)]


def _example(trainer, i: int) -> np.ndarray:
    x = trainer.data()["x_train"]
    if not 0 <= i < x.shape[0]:
        raise IndexError(f"training example {i} is out of range 0..{x.shape[0] - 1}")
    return x[i]


def _loss(z: list[Value], y: list[Value], loss: str) -> Value:
    if loss == "bce":
        return softplus(z[0]) - y[0] * z[0]
    if loss == "cce":
        return logsumexp(z) - _sum([yk * zk for yk, zk in zip(y, z)])
    return _sum([(yk - zk) ** 2 for yk, zk in zip(y, z)])


def _sum(terms: list[Value]) -> Value:
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _neuron(weights: list[Value], inputs: list[Value], bias: Value) -> Value:
    """z = W[0] a[0] + W[1] a[1] + ... + b, in that order."""
    return _sum([w * a for w, a in zip(weights, inputs)] + [bias])


def example_graph(trainer, i: int) -> tuple[Value, dict]:
    """The loss of training example i as a Value graph; info has the leaves by label."""
    x = _example(trainer, i)
    cfg = trainer.config
    g = HIDDEN[cfg.activation]
    params = trainer.params()
    leaves: dict[str, Value] = {}
    a = [Value(float(v), label=f"x{j + 1}") for j, v in enumerate(x)]
    leaves.update({v.label: v for v in a})
    last = len(params)
    for l, p in enumerate(params, start=1):
        z = []
        for j, (row, bj) in enumerate(zip(p["W"], p["b"])):
            w = [Value(float(wk), label=f"W{l}[{j},{k}]") for k, wk in enumerate(row)]
            b = Value(float(bj), label=f"b{l}[{j}]")
            leaves.update({v.label: v for v in w})
            leaves[b.label] = b
            zj = _neuron(w, a, b)
            zj.label = f"z{l}[{j}]"
            z.append(zj)
        if l == last or g is None:
            a = z
        else:
            a = [g(zj) for zj in z]
            for j, aj in enumerate(a):
                aj.label = f"a{l}[{j}]"
    targets, labels = _targets(trainer, i)
    y = [Value(t, label=lab) for t, lab in zip(targets, labels)]
    leaves.update({v.label: v for v in y})
    root = _loss(a, y, cfg.loss)
    root.label = "L"
    return root, {"leaves": leaves}


def graph_size(trainer) -> int:
    """Nodes in example_graph without building it: per layer of n neurons with m inputs,
    n*m weights, n biases, n*m products, n*m sums and n activations (hidden, not linear); plus
    the inputs and the loss's own nodes (counted on a small stand-in of the output layer)."""
    sizes = trainer.layer_sizes
    hidden_act = trainer.config.activation != "linear"
    count = sizes[0]
    for l in range(1, len(sizes)):
        m, n = sizes[l - 1], sizes[l]
        count += 3 * n * m + n + (n if hidden_act and l < len(sizes) - 1 else 0)
    k = sizes[-1]
    z = [Value(0.5 * (j + 1)) for j in range(k)]  # > 0: softplus's branch with more nodes
    y = [Value(0.0) for _ in range(k)]
    loss_nodes = len(topological_order(_loss(z, y, trainer.config.loss))) - k
    return count + loss_nodes


def _forward(trainer, x: np.ndarray) -> list[np.ndarray]:
    """Activations of every layer on one example: [x, a1, ..., z_L], by the engine's own
    activation functions."""
    act = ACTIVATIONS[trainer.config.activation].forward
    params = trainer.params()
    out = [x]
    for l, p in enumerate(params):
        z = p["W"] @ out[-1] + p["b"]
        out.append(z if l == len(params) - 1 else act(z, np.empty_like(z)))
    return out


def neuron_graph(trainer, i: int, layer: int, neuron: int) -> tuple[Value, dict]:
    """Neuron `neuron` of layer `layer` (1 = the first after the inputs) on example i, times the
    upstream gradient u = dL/da (the last layer: dL/dz) from the engine's per-example gradient:
    root = u * a has d root/dW = u da/dW = dL/dW for this neuron's weights and bias."""
    x = _example(trainer, i)
    sizes = trainer.layer_sizes
    n_layers = len(sizes) - 1
    if not 1 <= layer <= n_layers:
        raise IndexError(f"layer {layer} is out of range 1..{n_layers}")
    if not 0 <= neuron < sizes[layer]:
        raise IndexError(f"layer {layer} has neurons 0..{sizes[layer] - 1}, not {neuron}")
    params = trainer.params()
    acts = _forward(trainer, x)
    p = params[layer - 1]
    last = layer == n_layers
    if layer == 1:
        names = [f"x{j + 1}" for j in range(sizes[0])]
    else:
        names = [f"a{layer - 1}[{j}]" for j in range(sizes[layer - 1])]
    inputs = [Value(float(v), label=n) for v, n in zip(acts[layer - 1], names)]
    w = [Value(float(wk), label=f"W{layer}[{neuron},{k}]") for k, wk in enumerate(p["W"][neuron])]
    b = Value(float(p["b"][neuron]), label=f"b{layer}[{neuron}]")
    z = _neuron(w, inputs, b)
    z.label = f"z{layer}[{neuron}]"
    g = HIDDEN[trainer.config.activation]
    a = z if last or g is None else g(z)
    if a is not z:
        a.label = f"a{layer}[{neuron}]"
    _, grad = trainer.example_gradient(i)
    blocks = trainer.net.views(grad)
    if last:  # dL/dz of the output = dL/db
        u = float(blocks[layer - 1][neuron, -1])
    else:  # dL/da_k = sum_j dL/dz_j W_jk over the next layer, dL/dz_j = dL/db_j
        nxt = params[layer]["W"]
        u = float(blocks[layer][:, -1] @ nxt[:, neuron])
    upstream = Value(u, label=f"dL/d{a.label}")
    root = a * upstream
    root.label = f"{a.label}*dL/d{a.label}"
    leaves = {v.label: v for v in [*inputs, *w, b, upstream]}
    return root, {"leaves": leaves, "upstream": u, "value": a.data}
