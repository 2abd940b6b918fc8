"""A `Value` graph as plain data for the backprop lab: nodes, edges, topological order, each
node's local-derivative rule in words, the backward sweep step by step, and finite differences.

    export(root, h) -> {"output": id, "nodes": [...], "edges": [[from, to]], "order": [ids],
                        "steps": [...], "h": h}

Node ids are positions in the topological order (inputs first, the output last). Each node:
    id, label, op, kind ("variable" | "constant" | "intermediate" | "output"), data, grad,
    numeric (leaves: the forward difference (L(x+h) - L(x)) / h; None elsewhere, or when L(x+h)
    is undefined), rule (its local derivative in words), inputs (the ids it is computed from,
    each once), local (d node / d input per input, at the current data).
Steps, one per node in reverse topological order (the sweep of `Value.backward`):
    {"node": id, "upstream": node.grad, "updates": [{"child", "local", "product", "grad"}]}
with product = local * upstream and grad the child's grad after this step (read from the real
sweep, not recomputed).

The local derivatives come from each node's own `_backward` closure (run once with out.grad = 1
on zeroed inputs), so no derivative rule is restated here; the rules in words below are text.
Forward differences replay the forward pass for every nudged variant at once, one NumPy column
per variant, through the engine's vectorized functions (`Replayer`).
"""

from __future__ import annotations

import math

import numpy as np

from .activations import ACTIVATIONS
from .autograd import Value, topological_order

RULES = {
    "=": "a new name for the same value: d(name)/d(value) = 1, so the gradient passes unchanged",
    "+": "sum: d(a+b)/da = 1 and d(a+b)/db = 1, so each input receives the gradient unchanged",
    "*": "product: d(a*b)/da = b and d(a*b)/db = a, so each input receives the other's value "
         "times the gradient",
    "exp": "d(e^x)/dx = e^x, this node's own value",
    "log": "d(ln x)/dx = 1/x",
    "tanh": "d(tanh x)/dx = 1 - tanh(x)^2, from this node's own value",
    "sigmoid": "d(sigmoid x)/dx = s(1 - s), s this node's own value",
    "relu": "d(relu x)/dx = 1 if x > 0, else 0",
    "leaky_relu": "d(leaky_relu x)/dx = 1 if x > 0, else the slope 0.01",
    "step": "d(step x)/dx = 0: a threshold passes no gradient back",
}
LEAF_RULE = "a leaf: its grad is dL/d(this value); it passes nothing further back"
OUTPUT_NOTE = "the output: dL/dL = 1 starts the backward pass"

# The nudge sweep: h = 10^-10 ... 10^0 in quarter decades (41 steps, 1 exactly included).
NUDGE_EXPONENTS = [e / 4 for e in range(-40, 1)]
NUDGE_STEPS = [10.0 ** e for e in NUDGE_EXPONENTS]


class GraphError(ValueError):
    """The graph cannot be exported (e.g. a gradient is not finite); the message says where."""


def rule_of(v: Value) -> str:
    if not v._prev:
        return LEAF_RULE
    if v.op.startswith("**"):
        k = v.op[2:]
        return f"power: d(x^{k})/dx = {k}*x^({k}-1)"
    return RULES.get(v.op, f"operation {v.op}")


def _local_derivatives(v: Value) -> list[float]:
    """d v / d child for each distinct child, from v's own backward closure."""
    children = list(dict.fromkeys(v._prev))
    saved = [c.grad for c in children], v.grad
    for c in children:
        c.grad = 0.0
    v.grad = 1.0
    v._backward()
    local = [c.grad for c in children]
    for c, g in zip(children, saved[0]):
        c.grad = g
    v.grad = saved[1]
    return local


def _sweep(order: list[Value]) -> tuple[list[dict], dict[int, list[float]]]:
    """Value.backward's sweep, one node at a time, recording each child's grad after.
    Returns (steps, each inner node's local derivatives by id)."""
    ids = {id(v): i for i, v in enumerate(order)}
    for v in order:
        v.grad = 0.0
    order[-1].grad = 1.0
    steps, locals_by_id = [], {}
    for v in reversed(order):
        if not v._prev:
            continue
        children = list(dict.fromkeys(v._prev))
        upstream = v.grad
        locals_by_id[ids[id(v)]] = _local_derivatives(v)
        local = dict(zip(children, locals_by_id[ids[id(v)]]))
        before = {c: c.grad for c in children}
        v._backward()
        # one update per operand slot: a + a adds 1 * upstream twice. A repeated operand of
        # + or * contributes equally through each slot, so its combined local derivative
        # splits evenly; the last slot shows the grad the real sweep left.
        slots = v._prev
        count = {c: slots.count(c) for c in children}
        seen: dict = {}
        updates = []
        for c in slots:
            d = local[c] / count[c]
            seen[c] = seen.get(c, 0) + 1
            grad = c.grad if seen[c] == count[c] else before[c] + seen[c] * d * upstream
            updates.append({"child": ids[id(c)], "local": d, "product": d * upstream,
                            "grad": grad})
        steps.append({"node": ids[id(v)], "upstream": upstream, "updates": updates})
    return steps, locals_by_id


class Replayer:
    """Re-evaluates the forward pass with leaves changed, many variants at once: each node's
    value becomes a NumPy column (one entry per variant) computed by the engine's own
    vectorized functions (engine/activations.py; exp, log and powers from NumPy). `exponents`
    gives exact exponents of pow nodes by id (the op text rounds them)."""

    def __init__(self, order: list[Value], exponents: dict[int, float] | None = None):
        self.order = order
        self.exponents = exponents or {}
        ids = {id(v): i for i, v in enumerate(order)}
        self.inputs = [[ids[id(c)] for c in v._prev] for v in order]

    def _apply(self, i: int, args: list[np.ndarray]) -> np.ndarray:
        v = self.order[i]
        op = v.op
        if op == "=":
            return args[0]
        if op == "+":
            return args[0] + args[1]
        if op == "*":
            return args[0] * args[1]
        if op.startswith("**"):
            return np.power(args[0], self.exponents.get(id(v), float(op[2:])))
        if op == "exp":
            return np.exp(args[0])
        if op == "log":
            return np.log(args[0])
        return ACTIVATIONS[op].forward(args[0], np.empty_like(args[0]))

    def outputs(self, changes: list[tuple[int, float]]) -> list[float | None]:
        """L for each (leaf id, new value) variant; None where undefined or not finite."""
        m = len(changes)
        if m == 0:
            return []
        col = np.arange(m)
        by_leaf: dict[int, list[int]] = {}
        for k, (leaf, _) in enumerate(changes):
            by_leaf.setdefault(leaf, []).append(k)
        xs = np.array([x for _, x in changes], dtype=float)
        values: list[np.ndarray] = []
        with np.errstate(all="ignore"):
            for i, v in enumerate(self.order):
                if self.inputs[i]:
                    values.append(self._apply(i, [values[k] for k in self.inputs[i]]))
                else:
                    a = np.full(m, v.data)
                    if i in by_leaf:
                        ks = by_leaf[i]
                        a[ks] = xs[ks]
                    values.append(a)
        out = values[-1][col]
        return [float(y) if np.isfinite(y) else None for y in out]


def kind_of(v: Value, root: Value) -> str:
    if v is root:
        return "output"
    if not v._prev:
        return "variable" if v.label else "constant"
    return "intermediate"


def export(root: Value, h: float = 1e-3, exponents: dict[int, float] | None = None,
           nudge: int | None = None) -> dict:
    """The graph below `root` as plain data (see the module docstring). Runs the backward pass.
    `nudge` (a leaf's label or id) adds {"nudge": {"leaf", "h": NUDGE_STEPS, "delta": [L(x+h) - L(x)]}}.
    Raises GraphError if a gradient is not finite."""
    order = topological_order(root)
    ids = {id(v): i for i, v in enumerate(order)}
    try:
        steps, locals_by_id = _sweep(order)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise GraphError(f"the backward pass is undefined here ({exc})") from None
    for v in order:
        for what, x in (("value", v.data), ("gradient", v.grad)):
            if not math.isfinite(x):
                where = f"'{v.label}'" if v.label else f"node {ids[id(v)]} ({v.op})"
                raise GraphError(f"the {what} at {where} is {x} (not finite)")
    replay = Replayer(order, exponents)
    L = root.data
    leaves = [i for i, v in enumerate(order) if not v._prev]
    nudged_leaf = _leaf_index(order, nudge) if nudge is not None else None
    # one vectorized replay: every leaf + h (the numeric slopes), then the nudge sweep's steps
    variants = [(i, order[i].data + h) for i in leaves]
    if nudged_leaf is not None:
        variants += [(nudged_leaf, order[nudged_leaf].data + step) for step in NUDGE_STEPS]
    outputs = replay.outputs(variants)
    numerics = {i: _finite_or_none(None if y is None else (y - L) / h)
                for i, y in zip(leaves, outputs)}
    nodes = []
    for i, v in enumerate(order):
        children = list(dict.fromkeys(v._prev))
        numeric = numerics.get(i)
        nodes.append({
            "id": i, "label": v.label, "op": v.op, "kind": kind_of(v, root),
            "data": v.data, "grad": v.grad, "numeric": numeric,
            "rule": OUTPUT_NOTE + "; " + rule_of(v) if v is root and children else rule_of(v),
            "inputs": [ids[id(c)] for c in children],
            "local": locals_by_id.get(i, []),
        })
    edges = [[ids[id(c)], i] for i, v in enumerate(order) for c in dict.fromkeys(v._prev)]
    out = {"output": len(order) - 1, "nodes": nodes, "edges": edges,
           "order": list(range(len(order))), "steps": steps, "h": h}
    if nudged_leaf is not None:
        out["nudge"] = _sweep_answer(order[nudged_leaf], nudged_leaf, L, outputs[len(leaves):])
    return out


def _finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _leaf_index(order: list[Value], nudge: int | str) -> int:
    """The id of the leaf labelled `nudge` (or with that id); LookupError if there is none."""
    for i, v in enumerate(order):
        if not v._prev and (v.label == nudge or (isinstance(nudge, int) and i == nudge)):
            return i
    names = [v.label for v in order if not v._prev and v.label]
    raise LookupError(f"no leaf named {nudge!r} to nudge; leaves: {', '.join(names[:20])}")


def nudge_sweep(replay: Replayer, leaf: int) -> dict:
    """L(x + h) - L(x) for leaf `leaf` over NUDGE_STEPS (None where undefined)."""
    v = replay.order[leaf]
    L = replay.order[-1].data
    return _sweep_answer(v, leaf, L, replay.outputs([(leaf, v.data + h) for h in NUDGE_STEPS]))


def _sweep_answer(v: Value, leaf: int, L: float, ys: list[float | None]) -> dict:
    delta = [None if y is None else _finite_or_none(y - L) for y in ys]
    return {"leaf": leaf, "label": v.label, "grad": v.grad, "h": NUDGE_STEPS, "delta": delta}
