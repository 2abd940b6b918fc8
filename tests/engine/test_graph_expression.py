"""The backprop lab's expressions: safe parsing, the course's numbers exactly, gradients against
central differences on random expressions, the exported steps and the nudge sweep."""

from __future__ import annotations

import math
import random

import pytest

from engine.expression import ExpressionError, ExpressionLimits, build, free_names
from engine.graph_export import NUDGE_STEPS
from engine.graph_lab import expression_graph
from engine.graph_presets import PRESETS


def by_label(graph: dict) -> dict:
    return {n["label"]: n for n in graph["nodes"] if n["label"]}


def preset_graph(name: str, **kw) -> dict:
    p = PRESETS[name]
    return expression_graph(p["expression"], p["values"], **kw)


# ---------------------------------------------------------------- the course's numbers
def test_chain_preset_has_the_course_numbers_exactly():
    g = by_label(preset_graph("chain"))
    assert g["L"]["data"] == -8.0
    grads = {k: g[k]["grad"] for k in "fdcaeb"}
    assert grads == {"f": 4.0, "d": -2.0, "c": -2.0, "a": 6.0, "e": -2.0, "b": -4.0}


def test_neuron_preset_has_the_course_numbers():
    g = by_label(preset_graph("neuron"))
    assert g["o"]["data"] == pytest.approx(math.sqrt(0.5), abs=1e-12)
    assert round(g["o"]["data"], 4) == 0.7071
    expect = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5, "n": 0.5}
    for name, value in expect.items():
        assert g[name]["grad"] == pytest.approx(value, abs=1e-12), name


def test_tanh_written_out_gives_the_same_gradients_with_more_nodes():
    short, long = preset_graph("neuron"), preset_graph("neuron_exp")
    assert len(long["nodes"]) > len(short["nodes"])
    s, l = by_label(short), by_label(long)
    assert l["o"]["data"] == pytest.approx(s["o"]["data"], abs=1e-12)
    for name in ("x1", "w1", "x2", "w2", "b"):
        assert l[name]["grad"] == pytest.approx(s[name]["grad"], abs=1e-12), name


def test_a_value_used_twice_adds_both_contributions():
    g = preset_graph("reuse")
    a = by_label(g)["a"]
    assert a["grad"] == 2.0
    (step,) = g["steps"]
    assert [u["child"] for u in step["updates"]] == [a["id"], a["id"]]
    assert [u["grad"] for u in step["updates"]] == [1.0, 2.0]


def test_nudging_f_by_one_changes_L_by_its_gradient():
    g = preset_graph("chain", nudge="f")
    sweep = g["nudge"]
    assert sweep["h"][-1] == 1.0 and sweep["h"] == NUDGE_STEPS
    assert sweep["delta"][-1] == 4.0
    assert sweep["grad"] == 4.0
    # smaller h: still 4 up to round-off (L is linear in f)
    assert all(abs(d / h - 4.0) < 1e-3 for d, h in zip(sweep["delta"], sweep["h"]) if h >= 1e-6)


def test_forward_difference_is_truncation_limited_for_a_curved_function():
    g = expression_graph("L = x ** 3", {"x": 1.0}, nudge="x")
    d = g["nudge"]
    err = {h: abs(delta / h - 3.0) for h, delta in zip(d["h"], d["delta"])}
    assert err[1.0] == pytest.approx(4.0)        # (2^3 - 1) / 1 - 3 = 3h + h^2 = 4
    assert err[1e-2] == pytest.approx(0.0301, rel=1e-6)
    best = min(err, key=err.get)                  # neither too large nor too small:
    assert 1e-10 < best < 1e-2                    # round-off takes over for tiny h
    assert err[1e-10] > 10 * err[best]


# ---------------------------------------------------------------- structure of the export
def test_export_has_nodes_edges_order_rules_and_steps_in_reverse_topological_order():
    g = preset_graph("chain")
    n = len(g["nodes"])
    assert g["order"] == list(range(n)) and g["output"] == n - 1
    for a, b in g["edges"]:
        assert a < b  # inputs before the values made from them
    assert all(n["rule"] for n in g["nodes"])
    assert {n["op"] for n in g["nodes"]} == {"", "*", "+"}
    nodes = [s["node"] for s in g["steps"]]
    assert nodes == sorted(nodes, reverse=True)
    last = {}
    for s in g["steps"]:
        assert s["upstream"] == g["nodes"][s["node"]]["grad"]
        for u in s["updates"]:
            assert u["product"] == u["local"] * s["upstream"]
            last[u["child"]] = u["grad"]
    assert all(g["nodes"][i]["grad"] == grad for i, grad in last.items())


def test_named_intermediates_label_their_nodes_and_the_last_assignment_is_the_output():
    g = expression_graph("u = x*y\nv = u + 1\nw = tanh(v)", {"x": 0.5, "y": 2.0})
    labels = [n["label"] for n in g["nodes"] if n["label"]]
    assert set(labels) == {"x", "y", "u", "v", "w"}
    assert g["nodes"][g["output"]]["label"] == "w"
    assert g["nodes"][g["output"]]["kind"] == "output"
    assert free_names("u = x*y; v = u + z") == ["x", "y", "z"]


# ---------------------------------------------------------------- random expressions
UNARY = ["tanh({})", "sigmoid({})", "exp(0.3*{})", "log(1 + ({})**2)", "relu({} + 0.05)",
         "-({})", "({})**2", "({})**3"]
BINARY = ["({} + {})", "({} - {})", "({} * {})", "({} / (1.5 + ({})**2))"]


def random_expression(rng: random.Random, names: list[str], depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(names) if rng.random() < 0.85 else f"{rng.uniform(-2, 2):.3f}"
    if rng.random() < 0.4:
        return rng.choice(UNARY).format(random_expression(rng, names, depth - 1))
    return rng.choice(BINARY).format(random_expression(rng, names, depth - 1),
                                     random_expression(rng, names, depth - 1))


@pytest.mark.parametrize("seed", range(60))
def test_graph_gradients_equal_central_differences_on_random_expressions(seed):
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"][: rng.randint(1, 4)]
    parts = [f"t{k} = {random_expression(rng, names + [f't{j}' for j in range(k)], 3)}"
             for k in range(rng.randint(1, 3))]
    text = "; ".join(parts)
    values = {n: rng.uniform(-1.5, 1.5) for n in names}
    used = free_names(text)
    values = {k: v for k, v in values.items() if k in used} or values
    g = expression_graph(text, values)
    leaves = by_label(g)
    eps = 1e-6
    for name in [n for n in used if n in leaves]:
        up = build(text, {**values, name: values[name] + eps}).output.data
        down = build(text, {**values, name: values[name] - eps}).output.data
        central = (up - down) / (2 * eps)
        assert leaves[name]["grad"] == pytest.approx(central, rel=1e-5, abs=1e-6), (text, name)
        # the exported forward difference agrees to O(h)
        assert leaves[name]["numeric"] == pytest.approx(central, rel=2e-2, abs=2e-2), (text, name)


# ---------------------------------------------------------------- hostile and bad input
HOSTILE = {
    "import": "__import__('os')",
    "attribute": "a.__class__",
    "lambda": "f = lambda: a",
    "comprehension": "[a for a in b]",
    "subscript": "a[0]",
    "huge_exponent": "a ** 1e308",
    "exponent_not_a_number": "a ** b",
    "long": "a+" * 500_000 + "a",
    "deep_parentheses": "(" * 5000 + "a" + ")" * 5000,
    "deep_unary": "-" * 1900 + "a",
    "deep_calls": "tanh(" * 300 + "a" + ")" * 300,
    "string": "a + 'x'",
    "compare": "a < b",
    "call_other": "print(a)",
    "keyword_arg": "exp(x=a)",
    "walrus": "(c := a)",
    "import_statement": "import os",
    "overflow": "exp(exp(exp(a * 100)))",
    "literal_overflow": "a * 1e400",
    "division_by_zero": "a / (b - b)",
    "log_negative": "log(-a)",
}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_or_bad_expressions_raise_expression_error(case):
    with pytest.raises(ExpressionError) as info:
        build(HOSTILE[case], {"a": 2.0, "b": 3.0})
    assert info.value.message


def test_errors_name_the_position_or_the_name():
    with pytest.raises(ExpressionError) as info:
        build("e = a*b; L = e + foo(c)", {"a": 1, "b": 2, "c": 3})
    assert info.value.name == "foo" and info.value.offset == 17 and "column 18" in info.value.message
    with pytest.raises(ExpressionError) as info:
        build("L = a * q", {"a": 1})
    assert info.value.name == "q" and "'q'" in info.value.message
    with pytest.raises(ExpressionError) as info:
        build("L = a *", {"a": 1})
    assert info.value.offset is not None and "syntax" in info.value.message


def test_node_count_is_bounded():
    text = "; ".join(f"t{k} = {'t' + str(k - 1) if k else 'a'} * a + 1" for k in range(60))
    with pytest.raises(ExpressionError, match="at most 50"):
        build(text, {"a": 0.5}, ExpressionLimits(max_nodes=50))
    assert len(expression_graph(text, {"a": 0.5})["nodes"]) > 50


def test_reassignment_and_function_names_are_refused():
    with pytest.raises(ExpressionError, match="'a' is a leaf"):
        build("b = a + 1; a = b", {"a": 1})
    with pytest.raises(ExpressionError, match="function"):
        build("exp = a", {"a": 1})


def test_non_finite_gradient_is_an_error():
    from engine.graph_export import GraphError
    with pytest.raises(GraphError):
        expression_graph("L = a ** 0.5", {"a": 0.0})


def test_too_many_nodes_names_the_statement_that_passes_the_bound():
    text = "; ".join(f"t{k} = {'t' + str(k - 1) if k else 'a'} * a + 1" for k in range(60))
    with pytest.raises(ExpressionError) as info:
        build(text, {"a": 0.5}, ExpressionLimits(max_nodes=100))
    # a, then 3 values per statement (the constant 1, the product, the sum): t32 makes 100
    assert info.value.name == "t33" and "passed at 't33'" in info.value.message
    assert info.value.offset == text.index("t32 * a", text.index("t33 =")) and "at most 100" in info.value.message


def test_an_output_that_only_renames_a_value_is_labelled_with_the_last_assignments_name():
    for text, values, inner in (("L = a", {"a": 2.0}, "a"), ("d = a*b\nL = d", {"a": 2.0, "b": 3.0}, "d")):
        g = expression_graph(text, values, nudge="a")
        out = g["nodes"][g["output"]]
        assert out["label"] == "L" and out["op"] == "=" and out["kind"] == "output", text
        assert inner in by_label(g), text  # the renamed value keeps its own name
        assert by_label(g)["a"]["grad"] == (1.0 if inner == "a" else 3.0)
        assert out["rule"] and "same value" in out["rule"]
        assert g["nudge"]["delta"][-1] == pytest.approx(by_label(g)["a"]["grad"])  # the replay knows "="


def test_values_for_names_the_expression_does_not_use_are_named_in_a_note():
    g = expression_graph("L = a*b", {"a": 2.0, "b": 3.0, "q": 1.0, "z": 5.0})
    assert g["unused_values"] == ["q", "z"]
    assert "q" in g["note"] and "z" in g["note"] and "ignored" in g["note"]
    assert "unused_values" not in expression_graph("L = a*b", {"a": 2.0, "b": 3.0})
