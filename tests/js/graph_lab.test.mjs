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

