"""The backprop lab's graphs as plain data: an expression, a network example, one neuron.

    expression_graph(text, values, h, limits, nudge) -> export() of the parsed expression
    network_graph(trainer, i, h, max_nodes, nudge, what_if)   -> export() of example i's loss,
        plus "check": the leaves' grads against Trainer.example_gradient (the engine's backprop)
    single_neuron_graph(trainer, i, layer, neuron, h, nudge, what_if) -> export() of one neuron

`nudge` is a leaf's label (or id); the answer then carries the nudge sweep for it. `what_if`
({"W1[0,1]": 0.5, ...}, names as engine/param_names.py) draws the graph with those parameters
changed on a copy of the trainer: the run itself is never touched, and the check compares with
the engine's backprop at the changed parameters. Errors are ExpressionError (bad expression),
GraphTooLarge, IndexError (example, layer, neuron out of range), GraphError (a non-finite
gradient), LookupError (unknown nudge leaf) and ParameterEditError (a bad what-if entry, each
named)."""

from __future__ import annotations

import math

import numpy as np

from .expression import ExpressionLimits, build
from .graph_export import export
from .network_graph import GraphTooLarge, example_graph, graph_size, neuron_graph

DEFAULT_H = 1e-3


def _check_h(h: float) -> float:
    if not (isinstance(h, (int, float)) and math.isfinite(h) and 0 < h <= 1):
        raise ValueError(f"h must be a number in (0, 1], got {h!r}")
    return float(h)


def _export(root, h, exponents=None, nudge=None) -> dict:
    return export(root, h, exponents, nudge=nudge)


def expression_graph(text: str, values: dict, h: float = DEFAULT_H,
                     limits: ExpressionLimits = ExpressionLimits(), nudge=None) -> dict:
    h = _check_h(h)
    parsed = build(text, values, limits)
    graph = _export(parsed.output, h, parsed.exponents, nudge)
    graph.update({"kind": "expression", "expression": text,
                  "values": {k: v.data for k, v in parsed.leaves.items()}})
    unused = [name for name in values if name not in parsed.leaves]
    if unused:
        # accepted, not an error (a page may keep values for names it just deleted), but said
        graph["unused_values"] = unused
        graph["note"] = ("not used by the expression, so ignored: " + ", ".join(unused[:10])
                         + (f" and {len(unused) - 10} more" if len(unused) > 10 else ""))
    return graph


def _compare(graph: dict, trainer, grad: np.ndarray) -> dict:
    """Every parameter leaf's grad against the engine's per-example gradient."""
    from .landscape import parameter_names
    names = parameter_names(trainer)
    by_label = {n["label"]: n["grad"] for n in graph["nodes"] if not n["inputs"]}
    diffs = [abs(by_label[name] - g) for name, g in zip(names, grad) if name in by_label]
    scale = max(1.0, float(np.max(np.abs(grad))) if grad.size else 1.0)
    worst = max(diffs) if diffs else 0.0
    return {"compared": len(diffs), "max_abs_difference": float(worst),
            "matches": bool(worst <= 1e-9 * scale),
            "what": "each weight and bias leaf's grad against the engine's vectorized backprop "
                    "of this example's loss (Trainer.example_gradient)"}


def what_if_trainer(trainer, what_if: dict | None):
    """`trainer` itself without a what-if, else an independent copy with those parameters set
    (ParameterEditError names every bad entry); the trainer passed in never changes."""
    if not what_if:
        return trainer
    copy = trainer.copy()
    copy.set_params(what_if)
    return copy


def _changes(what_if: dict) -> str:
    shown = ", ".join(f"{name} = {float(v):.6g}" for name, v in list(what_if.items())[:6])
    return shown + (f" and {len(what_if) - 6} more" if len(what_if) > 6 else "")


def _what_if_fields(what_if: dict | None) -> dict:
    return {"what_if": {name: float(v) for name, v in what_if.items()} if what_if else None}


def network_graph(trainer, i: int, h: float = DEFAULT_H, max_nodes: int = 400,
                  nudge=None, what_if: dict | None = None) -> dict:
    h = _check_h(h)
    size = graph_size(trainer)
    if size > max_nodes:
        raise GraphTooLarge(size, max_nodes)
    trainer = what_if_trainer(trainer, what_if)
    root, _ = example_graph(trainer, i)
    graph = _export(root, h, None, nudge)
    loss, grad = trainer.example_gradient(i)
    graph.update({"kind": "network", "example": i, "engine_loss": loss,
                  "check": _compare(graph, trainer, grad),
                  "note": f"the loss of training example {i} on the run's current weights"
                          if not what_if else
                          f"what-if: the loss of training example {i} with "
                          f"{_changes(what_if)} on a copy of the run's weights (the run itself "
                          "is unchanged)",
                  **_what_if_fields(what_if)})
    return graph


def single_neuron_graph(trainer, i: int, layer: int, neuron: int, h: float = DEFAULT_H,
                        nudge=None, what_if: dict | None = None) -> dict:
    h = _check_h(h)
    trainer = what_if_trainer(trainer, what_if)
    root, info = neuron_graph(trainer, i, layer, neuron)
    graph = _export(root, h, None, nudge)
    _, grad = trainer.example_gradient(i)
    graph.update({"kind": "neuron", "example": i, "layer": layer, "neuron": neuron,
                  "check": _compare(graph, trainer, grad),
                  "note": (f"neuron {neuron} of layer {layer} alone on training example {i}; "
                           f"the rest of the network enters as the upstream gradient "
                           f"{root._prev[1].label} = {info['upstream']:.6g} (engine backprop), so "
                           "root = activation × upstream has the loss's exact gradient for this "
                           "neuron's weights and bias (numeric slopes: of that root)")
                          + ("" if not what_if else f"; what-if: {_changes(what_if)} on a copy "
                             "of the run's weights (the run itself is unchanged)"),
                  **_what_if_fields(what_if)})
    return graph


__all__ = ["expression_graph", "network_graph", "single_neuron_graph", "what_if_trainer",
           "GraphTooLarge", "DEFAULT_H"]
