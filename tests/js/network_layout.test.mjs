// Unit tests of static/js/network_layout.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { bezierPoint, computeLayout, hitTest, paramIndex, paramName } from "../../static/js/network_layout.js";

test("every square fits the box, columns left to right, no two squares overlap", () => {
  for (const sizes of [[2, 8, 8, 1], [7, 64, 64, 3], [1, 1], [2, 4, 4, 4, 4, 4, 4, 4, 4, 2]]) {
    const W = 400;
    const H = 300;
    const L = computeLayout(sizes, W, H);
    assert.deepEqual(L.nodes.map((c) => c.length), sizes);
    for (const col of L.nodes) {
      for (const n of col) assert.ok(n.x >= 0 && n.x + n.s <= W && n.y >= 0 && n.y + n.s <= H + 1e-9, JSON.stringify(n));
      for (let i = 1; i < col.length; i++) assert.ok(col[i].y >= col[i - 1].y + col[i - 1].s - 1e-9);
    }
    for (let l = 1; l < sizes.length; l++) assert.ok(L.nodes[l][0].x > L.nodes[l - 1][0].x);
    const nEdges = sizes.slice(1).reduce((a, n, l) => a + n * sizes[l], 0);
    assert.equal(L.edges.length, nEdges);
    assert.equal(L.biases.length, sizes.slice(1).reduce((a, n) => a + n, 0));
  }
});

test("hit testing finds the edge under its curve, the bias and the neuron", () => {
  const L = computeLayout([2, 3, 1], 300, 200);
  const e = L.edges.find((x) => x.name === "W1[2,0]");
  const [mx, my] = bezierPoint(e, 0.5);
  const hit = hitTest(L, mx, my);
  assert.equal(hit.kind, "edge");
  assert.equal(hit.name, "W1[2,0]");
  const b = L.biases[1];
  assert.equal(hitTest(L, b.x + b.b / 2, b.y + b.b / 2).name, "b1[1]");
  const n = L.nodes[1][2];
  const nh = hitTest(L, n.x + n.s / 2, n.y + n.s / 4);
  assert.equal(nh.kind, "node");
  assert.deepEqual([nh.layer, nh.index], [1, 2]);
  assert.equal(hitTest(L, 1, 1), null);
});

test("a touch reach finds an edge a finger's width away that the mouse reach misses", () => {
  const L = computeLayout([1, 1], 300, 200);
  const e = L.edges[0];
  const [mx, my] = bezierPoint(e, 0.5);
  assert.equal(hitTest(L, mx, my + 10, 5), null);
  assert.equal(hitTest(L, mx, my + 10, 14).name, "W1[0,0]");
});

test("parameter names and indices follow the frame's layout: W then b per row", () => {
  assert.equal(paramName(2, 1, 3), "W2[1,3]");
  assert.equal(paramName(1, 0), "b1[0]");
  const header = { layers: [{ offset: 0, shape: [3, 3] }, { offset: 9, shape: [1, 4] }] };
  assert.equal(paramIndex(header, 1, 1, 0), 3);
  assert.equal(paramIndex(header, 1, 2, null), 8);
  assert.equal(paramIndex(header, 2, 0, 2), 11);
  assert.equal(paramIndex(header, 2, 0, null), 12);
});
