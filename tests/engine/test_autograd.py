"""The scalar autograd: every derivative rule against central finite differences, plus the
properties backward() and trace() promise (accumulation, re-runnable, no recursion, plain data)."""

import math
import sys

import pytest

from engine.autograd import Value, log_sigmoid, logsumexp, softplus, topological_order, trace

H = 1e-6


def central_difference(f, x: float) -> float:
    """(f(x+h) - f(x-h)) / 2h on plain floats, with f written for Values."""
    return (f(Value(x + H)).data - f(Value(x - H)).data) / (2 * H)


def autograd_derivative(f, x: float) -> float:
    v = Value(x)
    f(v).backward()
    return v.grad


UNARY = {
    "exp": (lambda v: v.exp(), [-3.0, -0.5, 0.0, 0.7, 2.5]),
    "log": (lambda v: v.log(), [0.05, 0.5, 1.0, 3.0, 40.0]),
    "tanh": (lambda v: v.tanh(), [-3.0, -0.4, 0.0, 0.3, 2.0]),
    "sigmoid": (lambda v: v.sigmoid(), [-30.0, -2.0, -0.1, 0.0, 0.5, 4.0, 30.0]),
    "relu": (lambda v: v.relu(), [-2.0, -0.3, 0.4, 3.0]),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), [-2.0, -0.3, 0.4, 3.0]),
    "square": (lambda v: v ** 2, [-2.0, -0.3, 0.0, 1.5]),
    "cube": (lambda v: v ** 3, [-2.0, -0.3, 0.0, 1.5]),
    "reciprocal": (lambda v: v ** -1, [-2.0, -0.3, 0.4, 3.0]),
    "sqrt": (lambda v: v ** 0.5, [0.1, 1.0, 4.0]),
    "neg": (lambda v: -v, [-1.0, 2.0]),
    "abs": (lambda v: abs(v), [-1.5, -0.2, 0.3, 2.0]),
    "rsub": (lambda v: 3.0 - v, [-1.0, 2.0]),
    "rtruediv": (lambda v: 3.0 / v, [-1.0, 0.5, 2.0]),
    "softplus": (softplus, [-40.0, -3.0, -0.2, 0.0, 0.2, 3.0, 40.0]),
    "log_sigmoid": (log_sigmoid, [-40.0, -3.0, 0.0, 3.0, 40.0]),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_derivative_matches_central_difference(name):
    f, points = UNARY[name]
    for x in points:
        expected = central_difference(f, x)
        assert autograd_derivative(f, x) == pytest.approx(expected, rel=1e-6, abs=1e-8), x


def test_derivatives_at_kinks_follow_documented_conventions():
    assert autograd_derivative(lambda v: v.relu(), 0.0) == 0.0
    assert autograd_derivative(lambda v: v.leaky_relu(0.1), 0.0) == 0.1
    assert autograd_derivative(lambda v: abs(v), 0.0) == 0.0
    assert autograd_derivative(softplus, 0.0) == pytest.approx(0.5)


BINARY = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "truediv": lambda a, b: a / b,
    "mixed": lambda a, b: (a * b).tanh() + (a - b).exp() / (b ** 2 + 1.0),
}


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("a0, b0", [(0.3, -1.2), (-2.0, 0.7), (1.5, 2.5)])
def test_binary_partial_derivatives_match_central_difference(name, a0, b0):
    f = BINARY[name]
    a, b = Value(a0), Value(b0)
    f(a, b).backward()
    da = (f(Value(a0 + H), Value(b0)).data - f(Value(a0 - H), Value(b0)).data) / (2 * H)
    db = (f(Value(a0), Value(b0 + H)).data - f(Value(a0), Value(b0 - H)).data) / (2 * H)
    assert a.grad == pytest.approx(da, rel=1e-6, abs=1e-8)
    assert b.grad == pytest.approx(db, rel=1e-6, abs=1e-8)


def test_logsumexp_gradient_is_softmax_and_stable_for_large_inputs():
    xs = [Value(1000.0), Value(1001.0), Value(998.0)]
    out = logsumexp(xs)
    out.backward()
    exps = [math.exp(x.data - 1001.0) for x in xs]
    assert out.data == pytest.approx(1001.0 + math.log(sum(exps)))
    for x, e in zip(xs, exps):
        assert x.grad == pytest.approx(e / sum(exps))


def test_sigmoid_of_large_magnitude_does_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_value_used_twice_accumulates_both_contributions():
    a = Value(3.0)
    (a * a).backward()  # d(a^2)/da = 2a
    assert a.grad == 6.0
    b = Value(2.0)
    c = b + b
    (c * b).backward()  # d(2b * b)/db = 4b
    assert b.grad == 8.0


def test_backward_twice_gives_the_same_grads():
    a, b = Value(0.5), Value(-1.5)
    out = (a * b + a.tanh()) * b
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == first


def test_backward_on_a_subexpression_clears_grads_of_that_graph():
    a = Value(2.0)
    mid = a * 3.0
    out = mid * mid
    out.backward()
    assert a.grad == 2 * 6.0 * 3.0
    mid.backward()
    assert a.grad == 3.0


def test_topological_order_puts_inputs_first_when_a_value_is_reached_by_paths_of_different_length():
    x = Value(1.2)
    long_path = ((x * 2.0).exp() + 1.0).log()
    out = x + long_path  # x is a direct operand of out and also deep below long_path
    order = topological_order(out)
    position = {id(v): i for i, v in enumerate(order)}
    assert len(position) == len(order)
    for v in order:
        for child in v._prev:
            assert position[id(child)] < position[id(v)]
    out.backward()
    assert x.grad == pytest.approx(1.0 + 2.0 * math.exp(2.4) / (math.exp(2.4) + 1.0))


def test_deep_chain_of_5000_ops_stays_below_recursion_limit():
    depth = 5000
    assert depth > sys.getrecursionlimit() // 2
    x = Value(0.5)
    y = x
    for _ in range(depth):
        y = y * 1.0 + 0.0  # two ops per step, derivative 1 throughout
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1 + 4 * depth  # x, and per step: 2 constants, 2 results


def test_trace_returns_consistent_plain_nodes_and_edges():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    out = (c + a).tanh()
    out.backward()
    g = out.graph()
    assert g == trace(out)
    nodes, edges = g["nodes"], g["edges"]
    assert [n["id"] for n in nodes] == list(range(len(nodes)))
    assert {n["op"] for n in nodes} == {"", "*", "+", "tanh"}
    assert nodes[-1]["op"] == "tanh" and nodes[-1]["grad"] == 1.0
    by_label = {n["label"]: n for n in nodes if n["label"]}
    assert by_label["a"]["grad"] == a.grad and by_label["c"]["data"] == -6.0
    ids = {n["id"] for n in nodes}
    for child, parent in edges:
        assert child in ids and parent in ids and child < parent  # topological ids
    # a feeds both * and +; b feeds *; c feeds +; (c + a) feeds tanh
    assert len(edges) == 5 and len(set(edges)) == 5
    for n in nodes:
        assert set(n) == {"id", "op", "label", "data", "grad"}
        assert all(isinstance(n[k], (int, float, str)) for k in n)


def test_operand_used_twice_gives_one_edge():
    a = Value(1.5)
    g = trace(a * a)
    assert g["edges"] == [(0, 1)]


def test_pow_rejects_non_constant_exponent_and_complex_result():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)
    with pytest.raises(ValueError):
        Value(-2.0) ** 0.5
