// Unit tests of the backprop lab's pure modules (node --test): formatting, dagre layout,
// the stepper, the nudge numbers, and the leaf scan.
import { test } from "node:test";
import assert from "node:assert/strict";
import dagre from "../../static/vendor/dagre/dagre.esm.js";
import { fmt } from "../../static/js/graph/format.js";
import { layoutGraph } from "../../static/js/graph/layout.js";
import { activeAt, describe, gradsAt, positions } from "../../static/js/graph/stepper.js";
import { errorCurve, nearestStep, nudgeRows } from "../../static/js/graph/nudge.js";
import { leafNames } from "../../static/js/graph/leaves.js";

// the chain example as the engine exports it (ids in topological order)
const CHAIN = {
  output: 6,
  nodes: [
    { id: 0, label: "f", op: "", kind: "variable", data: -2, grad: 4, inputs: [], rule: "leaf" },
    { id: 1, label: "c", op: "", kind: "variable", data: 10, grad: -2, inputs: [], rule: "leaf" },
    { id: 2, label: "b", op: "", kind: "variable", data: -3, grad: -4, inputs: [], rule: "leaf" },
    { id: 3, label: "a", op: "", kind: "variable", data: 2, grad: 6, inputs: [], rule: "leaf" },
    { id: 4, label: "e", op: "*", kind: "intermediate", data: -6, grad: -2, inputs: [3, 2], rule: "product" },
    { id: 5, label: "d", op: "+", kind: "intermediate", data: 4, grad: -2, inputs: [4, 1], rule: "sum" },
    { id: 6, label: "L", op: "*", kind: "output", data: -8, grad: 1, inputs: [5, 0], rule: "product" },
  ],
  edges: [[3, 4], [2, 4], [4, 5], [1, 5], [5, 6], [0, 6]],
  steps: [
    { node: 6, upstream: 1, updates: [{ child: 5, local: -2, product: -2, grad: -2 }, { child: 0, local: 4, product: 4, grad: 4 }] },
    { node: 5, upstream: -2, updates: [{ child: 4, local: 1, product: -2, grad: -2 }, { child: 1, local: 1, product: -2, grad: -2 }] },
    { node: 4, upstream: -2, updates: [{ child: 3, local: -3, product: 6, grad: 6 }, { child: 2, local: 2, product: -4, grad: -4 }] },
  ],
};

test("fmt keeps round numbers exact and shortens the rest", () => {
  assert.equal(fmt(-8), "-8");
  assert.equal(fmt(4), "4");
  assert.equal(fmt(0.70710678), "0.7071");
  assert.equal(fmt(1e-10), "1e-10");
  assert.equal(fmt(null), "—");
});

test("layout puts every input left of the value made from it, op circles in between", () => {
  const lay = layoutGraph(CHAIN, dagre);
  const x = new Map(lay.values.map((v) => [v.id, v.x]));
  const op = new Map(lay.ops.map((o) => [o.id, o.x]));
  for (const [from, to] of CHAIN.edges) {
    assert.ok(x.get(from) < op.get(to) && op.get(to) < x.get(to), `edge ${from}->${to}`);
  }
  assert.equal(lay.ops.length, 3);
  assert.equal(lay.edges.length, CHAIN.edges.length + 3);
  // no two value boxes overlap
  for (const a of lay.values) for (const b of lay.values) {
    if (a.id < b.id) {
      const apart = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 || Math.abs(a.y - b.y) >= (a.h + b.h) / 2;
      assert.ok(apart, `boxes ${a.id} and ${b.id} overlap`);
    }
  }
});

test("stepping fills grads in reverse topological order, from the exported steps", () => {
  assert.equal(positions(CHAIN), 5);
  assert.equal(gradsAt(CHAIN, 0).size, 0);
  assert.deepEqual([...gradsAt(CHAIN, 1)], [[6, 1]]);
  const order = [];
  for (let p = 1; p < positions(CHAIN); p++) {
    for (const id of gradsAt(CHAIN, p).keys()) if (!order.includes(id)) order.push(id);
  }
  assert.deepEqual(order, [6, 5, 0, 4, 1, 3, 2]);
  const all = gradsAt(CHAIN, 4);
  for (const n of CHAIN.nodes) assert.equal(all.get(n.id), n.grad);
  assert.equal(activeAt(CHAIN, 2).node, 6);
  assert.deepEqual(activeAt(CHAIN, 2).children, [5, 0]);
  const text = describe(CHAIN, 2).lines.join("\n");
  assert.match(text, /f\.grad \+= 4 × 1 = 4/);
  assert.match(text, /d\.grad \+= -2 × 1 = -2/);
});

test("nudge rows: delta, grad*h, slope and error; nearest step on the log scale", () => {
  const sweep = { grad: 4, h: [1e-3, 1e-2, 1], delta: [0.004, 0.04, 4], label: "f", leaf: 0 };
  const rows = nudgeRows(sweep);
  assert.equal(rows[2].delta, 4);
  assert.equal(rows[2].gradH, 4);
  assert.equal(rows[2].slope, 4);
  assert.equal(rows[2].error, 0);
  assert.equal(nearestStep(sweep, 0.5), 2);
  assert.equal(nearestStep(sweep, 0.002), 0);
  const curve = errorCurve(nudgeRows({ grad: 1, h: [1e-2, 1], delta: [0.0101, null] }));
  assert.equal(curve.length, 1);
  assert.ok(Math.abs(curve[0][1] - Math.log10(0.01)) < 1e-9);
});

test("leafNames lists names read before being assigned, not functions", () => {
  assert.deepEqual(leafNames("e = a*b; d = e + c; L = d*f"), ["a", "b", "c", "f"]);
  assert.deepEqual(leafNames("n = x1*w1 + b\no = tanh(n)"), ["x1", "w1", "b"]);
  assert.deepEqual(leafNames("b = a + a"), ["a"]);
});


// ---- layout cost and stability (issue 9: 150 values in <= 50 ms; no re-layout on edits) ----
import { boxWidth, structureKey } from "../../static/js/graph/layout.js";
import { fmtFit, NUMBER_CHARS } from "../../static/js/graph/format.js";
import { crossings, initialLayers, orderLayers } from "../../static/js/graph/layer_order.js";
import { rankLayers } from "../../static/js/graph/layer_rank.js";
import { edgePaths } from "../../static/js/graph/graph_view.js";
import { createWhatIf, isParameter } from "../../static/js/graph/what_if.js";

/** An exported-like graph built op by op (ids in topological order), for structure tests. */
function builder() {
  const nodes = [];
  const edges = [];
  const add = (op, inputs, label = "", data = 0.5) => {
    const id = nodes.length;
    const kind = inputs.length ? "intermediate" : label ? "variable" : "constant";
    nodes.push({ id, label, op, kind, data, grad: 0.25, inputs, rule: "" });
    for (const i of inputs) edges.push([i, id]);
    return id;
  };
  const sum = (ids) => ids.reduce((a, b) => add("+", [a, b]));
  return { nodes, edges, add, sum, graph() {
    nodes[nodes.length - 1].kind = "output";
    return { output: nodes.length - 1, nodes, edges, steps: [] };
  } };
}

/** bench/bench_graph.py's 150-value expression: 3 inputs, 10 tanh units, a squared error. */
function network150() {
  const b = builder();
  const x = [0, 1, 2].map((k) => b.add("", [], `x${k}`));
  const a = [];
  for (let j = 0; j < 10; j++) {
    const terms = x.map((xk, k) => b.add("*", [b.add("", [], `w${j}${k}`), xk]));
    const z = b.add("+", [b.sum(terms), b.add("", [], `b${j}`)], `z${j}`);
    a.push(b.add("tanh", [z], `a${j}`));
  }
  const o = b.sum(a.map((aj, j) => b.add("*", [b.add("", [], `v${j}`), aj])));
  const d = b.add("+", [o, b.add("*", [b.add("", [], "", -1), b.add("", [], "y")])]);
  b.add("**2", [d], "L");
  return b.graph();
}

test("fmtFit keeps every number within the box's slot", () => {
  for (const x of [-1.23456e-10, -0.000123456, -12345.6, -123456789, 1 / 3, -4.9e-324, 1e300, -8]) {
    assert.ok(fmtFit(x).length <= NUMBER_CHARS, `${x} -> ${fmtFit(x)}`);
  }
  assert.equal(fmtFit(-8), "-8");
  assert.equal(fmtFit(0.70710678), "0.7071");
  assert.equal(fmt(12345), "12345");  // not "1.235e+4"
});

test("a box's width and the layout depend on the structure, not on the numbers", () => {
  const changed = structuredClone(CHAIN);
  changed.nodes[0].data = -1.23456789e-7;   // f
  changed.nodes[0].grad = 123456.789;
  changed.nodes[6].data = 0.000123456;      // L
  assert.equal(structureKey(changed), structureKey(CHAIN));
  for (const n of CHAIN.nodes) assert.equal(boxWidth(changed.nodes[n.id]), boxWidth(n));
  const a = layoutGraph(CHAIN, dagre);
  const b = layoutGraph(changed, dagre);
  assert.deepEqual(b.values, a.values);
  assert.deepEqual(b.edges, a.edges);
  const other = structuredClone(CHAIN);
  other.nodes[6].op = "+";
  assert.notEqual(structureKey(other), structureKey(CHAIN));
});

test("the ranker honours every edge and keeps edges short; the order has few crossings", () => {
  const g = network150();
  assert.ok(g.nodes.length >= 140 && g.nodes.length <= 160, `${g.nodes.length} values`);
  const seen = {};
  const lay = (ranker, customOrder) => {
    const G = new dagre.graphlib.Graph();
    G.setGraph({ rankdir: "LR", ranker });
    G.setDefaultEdgeLabel(() => ({}));
    for (const n of g.nodes) G.setNode(`v${n.id}`, { width: 100, height: 36 });
    for (const [a, b] of g.edges) G.setEdge(`v${a}`, `v${b}`);
    dagre.layout(G, { customOrder });
    return G;
  };
  // ranks: feasible, and no more total length than dagre's cheap tight-tree ranker
  const ranks = (ranker) => {
    let total = 0;
    lay(ranker, (lg) => {
      for (const e of lg.edges()) {
        const d = lg.node(e.w).rank - lg.node(e.v).rank;
        assert.ok(d >= 1, "an edge points backwards or sideways");
        total += d;
      }
      orderLayers(lg);
    });
    return total;
  };
  const ours = ranks((rg) => { seen.length = rankLayers(rg); });
  const tight = ranks("tight-tree");
  assert.ok(ours < tight, `ours ${ours} vs tight-tree ${tight}`);
  // order: no more crossings than dagre's own ordering on the same ranks, far fewer than the
  // depth-first order dagre keeps without its heuristic
  const crossingsBy = (mode) => {
    let c = null;
    lay((rg) => { rankLayers(rg); }, (lg, dagreOrder) => {
      if (mode === "ours") { c = orderLayers(lg); return; }
      const nodes = lg.nodes().filter((v) => !lg.children(v).length);
      if (mode === "dfs") {
        c = crossings(lg, initialLayers(lg, nodes));
        assert.equal(orderLayers(lg, { sweeps: 0 }), c);
        return;
      }
      dagreOrder(lg, {});
      const layers = [];
      for (const v of nodes) (layers[lg.node(v).rank] ||= []).push(v);
      c = crossings(lg, layers.map((l) => l.sort((p, q) => lg.node(p).order - lg.node(q).order)));
    });
    return c;
  };
  const mine = crossingsBy("ours");
  assert.ok(mine <= crossingsBy("dagre"), `ours ${mine} vs dagre ${crossingsBy("dagre")}`);
  assert.ok(mine < crossingsBy("dfs") / 1.5, `ours ${mine} vs depth-first ${crossingsBy("dfs")}`);
});

test("crossings counts each pair of crossing edges once", () => {
  const G = new dagre.graphlib.Graph();
  for (const v of ["a", "b", "c", "d"]) G.setNode(v, {});
  G.setEdge("a", "d");
  G.setEdge("b", "c");
  assert.equal(crossings(G, [["a", "b"], ["c", "d"]]), 1);
  assert.equal(crossings(G, [["a", "b"], ["d", "c"]]), 0);
});

test("edges are one path and the arrowheads another, each arrow ending at its edge's end", () => {
  const p = edgePaths([{ points: [[0, 0], [10, 0]] }, { points: [[0, 5], [5, 5], [20, 10]] }]);
  assert.equal((p.lines.match(/M/g) || []).length, 2);
  assert.equal((p.heads.match(/Z/g) || []).length, 2);
  assert.match(p.heads, /^M10\.0,0\.0L3\.0,/);
  assert.match(p.heads, /M20\.0,10\.0L/);
});

test("what-if keeps the changes beside the run's values; back to the run's value drops one", () => {
  assert.ok(isParameter("W1[0,1]") && isParameter("b2[0]"));
  assert.ok(!isParameter("x1") && !isParameter("y") && !isParameter("a1[0]") && !isParameter("dL/da1[0]"));
  const w = createWhatIf();
  assert.equal(w.weights(), null);
  w.set("W1[0,1]", 0.5, 0.25);
  w.set("W1[0,1]", 0.75, 0.5);   // the run's value is the one from the first change
  w.set("b1[0]", -1, 0);
  assert.deepEqual(w.weights(), { "W1[0,1]": 0.75, "b1[0]": -1 });
  assert.deepEqual(w.entries()[0], { name: "W1[0,1]", value: 0.75, run: 0.25 });
  w.set("W1[0,1]", 0.25, 0.75);
  assert.deepEqual(w.weights(), { "b1[0]": -1 });
  w.clear();
  assert.equal(w.size, 0);
});

import { fmtInput } from "../../static/js/graph/format.js";
import { curveCaption, curveShows } from "../../static/js/graph/nudge.js";

test("fmtInput shows a leaf's value short, in a form a number input accepts", () => {
  assert.equal(fmtInput(-0.37968327390331397), "-0.379683");
  assert.equal(fmtInput(6.881373587019543), "6.88137");
  assert.equal(fmtInput(10), "10");
  assert.equal(fmtInput(-2), "-2");
  assert.equal(fmtInput(1.5e-7), "1.5e-7");
  for (const x of [-0.37968327390331397, 6.881373587019543, 1.5e-7, 123456.789]) {
    const s = fmtInput(x);
    assert.ok(Number.isFinite(Number(s)) && s.length <= 11, s);
    assert.ok(Math.abs(Number(s) - x) <= 1e-5 * Math.abs(x), s);
  }
});

test("the nudge caption says what the curve shows, decided from the numbers", () => {
  const sweep = (f, x, grad) => {
    const h = Array.from({ length: 41 }, (_, k) => 10 ** (-10 + k / 4));
    return { label: "x", grad, h, delta: h.map((s) => f(x + s) - f(x)) };
  };
  // L = (a*b + c)*f is linear in f: only round-off, at every h
  const linear = nudgeRows(sweep((f) => (2 * -3 + 10) * f, -2, 4));
  assert.equal(curveShows(linear, 4), "round-off");
  const text = curveCaption("round-off", "f");
  assert.match(text, /linear in f/);
  assert.match(text, /only round-off/);
  assert.match(text, /neuron preset/);
  assert.doesNotMatch(text, /bends away \(truncation\)/);
  // tanh is curved: truncation at large h
  const curved = nudgeRows(sweep(Math.tanh, 0.8814, 1 - Math.tanh(0.8814) ** 2));
  assert.equal(curveShows(curved, 1 - Math.tanh(0.8814) ** 2), "both");
  assert.match(curveCaption("both", "n"), /truncation/);
});
