"""A scalar autograd, micrograd-style: the chain rule on one screen.

Independent of the vectorized engine (it imports nothing from it), so it can check the engine's
hand-written backpropagation and draw a computational graph in the browser.

Every operation returns a new `Value` and attaches one closure, `_backward`, that applies its
local derivative times the upstream gradient ``out.grad`` with ``+=`` (a value used twice adds
both contributions). Only these operations have a derivative rule:

    a + b, a * b, a ** k (k a constant), exp, log, tanh, sigmoid, relu, leaky_relu, step

Everything else (negation, subtraction, division, abs, softplus, log_sigmoid, logsumexp) is
written in terms of them, so there is nothing more to trust.
"""

from __future__ import annotations

import math
from typing import Iterable


class Value:
    """One scalar in a computation: its `data`, the gradient `grad` of the root of the last
    `backward()` with respect to it, the values it was computed from and the operation `op`."""

    __slots__ = ("data", "grad", "label", "op", "_prev", "_backward")

    def __init__(self, data: float, children: tuple[Value, ...] = (), op: str = "",
                 label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.op = op
        self._prev = children
        self._backward = _no_backward

    def __repr__(self) -> str:
        name = f" {self.label!r}" if self.label else ""
        return f"Value({self.data:.6g}, grad={self.grad:.6g}{name})"

    # --- the primitives: each derivative written once, next to its function ---

    def __add__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k: int | float) -> Value:
        if not isinstance(k, (int, float)):
            raise TypeError("only a constant int/float exponent is supported")
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(f"{self.data} ** {k} is not real")
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward():  # d(x^k)/dx = k x^(k-1)
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():  # d(e^x)/dx = e^x
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural logarithm; x must be > 0."""
        out = Value(math.log(self.data), (self,), "log")

        def _backward():  # d(ln x)/dx = 1/x
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():  # d(tanh x)/dx = 1 - tanh(x)^2
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """1/(1+e^-x), evaluated as e^x/(1+e^x) for x < 0 so that e^-x never overflows."""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():  # d(sigmoid x)/dx = s(1-s)
            self.grad += s * (1.0 - s) * out.grad
        out._backward = _backward
        return out

    def relu(self) -> Value:
        """max(0, x); its derivative at exactly 0 is taken as 0."""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():  # d(relu x)/dx = [x > 0]
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, slope*x otherwise; its derivative at exactly 0 is taken as slope."""
        out = Value(self.data if self.data > 0 else slope * self.data, (self,), "leaky_relu")

        def _backward():  # d/dx = 1 if x > 0 else slope
            self.grad += (1.0 if self.data > 0 else slope) * out.grad
        out._backward = _backward
        return out

    def step(self) -> Value:
        """The perceptron's threshold: 1 for x > 0, else 0. Its derivative is 0 everywhere (at 0
        it is undefined and taken as 0), so no gradient passes through it."""
        out = Value(1.0 if self.data > 0 else 0.0, (self,), "step")

        def _backward():  # d(step x)/dx = 0
            self.grad += 0.0 * out.grad
        out._backward = _backward
        return out

    # --- derived from the primitives: no derivative rules of their own ---

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-as_value(other))

    def __truediv__(self, other: Value | float) -> Value:
        return self * as_value(other) ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return as_value(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return as_value(other) / self

    def __abs__(self) -> Value:
        """|x| = relu(x) + relu(-x); its derivative at exactly 0 is 0, like sign(0)."""
        return self.relu() + (-self).relu()

    # --- the sweep ---

    def backward(self) -> None:
        """Set `grad` of every value in this graph to d(self)/d(value).

        All grads in the graph are zeroed first, so calling it twice gives the same result (unlike
        PyTorch, nothing accumulates across calls). The topological sort is iterative, so graphs of
        any depth work without touching the recursion limit.
        """
        order = topological_order(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    def graph(self) -> dict:
        """This value's computational graph as plain data; see `trace`."""
        return trace(self)


def _no_backward() -> None:
    """A leaf has no inputs to pass its gradient to."""


def as_value(x: Value | float) -> Value:
    """x itself if it is a Value, else a constant leaf holding it."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every value `root` depends on, each exactly once, inputs before the values made from them.

    Depth-first with an explicit stack (no recursion). A value is expanded when first popped, not
    when first pushed: one pushed earlier on another path may still be waiting below on the stack,
    and its inputs must all be emitted before anything that depends on it."""
    order: list[Value] = []
    expanded: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif id(node) not in expanded:
            expanded.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if id(child) not in expanded)
    return order


def trace(root: Value) -> dict:
    """The graph below `root` as plain data for a view.

    Returns {"nodes": [{id, op, label, data, grad}], "edges": [(child_id, parent_id)]}: nodes in
    topological order (inputs first, `root` last) with ids 0..n-1 in that order; one edge from each
    operand to the value computed from it (an operand used twice, as in a*a, gives one edge).
    """
    order = topological_order(root)
    ids = {id(v): i for i, v in enumerate(order)}
    nodes = [{"id": i, "op": v.op, "label": v.label, "data": v.data, "grad": v.grad}
             for i, v in enumerate(order)]
    edges = [(ids[id(child)], ids[id(v)])
             for v in order for child in dict.fromkeys(v._prev)]
    return {"nodes": nodes, "edges": edges}


# --- helpers for losses, written in primitives (stable branches chosen on the data) ---

def softplus(x: Value) -> Value:
    """log(1 + e^x), as x + log(1 + e^-x) for x > 0 so that e^x never overflows."""
    if x.data > 0:
        return x + (1.0 + (-x).exp()).log()
    return (1.0 + x.exp()).log()


def log_sigmoid(z: Value) -> Value:
    """log(sigmoid(z)) = -softplus(-z); log(1 - sigmoid(z)) is log_sigmoid(-z)."""
    return -softplus(-z)


def logsumexp(xs: Iterable[Value]) -> Value:
    """log(sum_j e^{x_j}) = m + log(sum_j e^{x_j - m}) with the constant m = max_j x_j.

    Subtracting a constant changes no derivative, so m needs no gradient."""
    xs = list(xs)
    m = max(x.data for x in xs)
    total = sum(((x - m).exp() for x in xs), Value(0.0))
    return total.log() + m
