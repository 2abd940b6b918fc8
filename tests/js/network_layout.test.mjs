// Unit tests of static/js/network_layout.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { EDGE_AREA, bezierPoint, computeLayout, focusItem, hitTest, layerLabels, nextFocus, paramIndex, paramName, strongestEdges } from "../../static/js/network_layout.js";

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

// ---- large networks: every size from 2 to 8 layers of 1 to 64 neurons --------------------------
const BOXES = [[560, 360], [380, 300], [720, 250], [300, 420]];
const WIDTHS = [1, 2, 4, 8, 16, 33, 64];

function* architectures() {
  for (let hidden = 2; hidden <= 8; hidden++) {
    for (const n of WIDTHS) {
      for (const inputs of [2, 7]) yield [inputs, ...Array(hidden).fill(n), 1];
    }
  }
}

const overlap = (a, b) => a.x < b.x + b.w - 1e-9 && b.x < a.x + a.w - 1e-9 && a.y < b.y + b.h - 1e-9 && b.y < a.y + a.h - 1e-9;

test("no two squares overlap, biases included, at 2..8 layers of 1..64 in every box", () => {
  for (const [W, H] of BOXES) {
    for (const sizes of architectures()) {
      const L = computeLayout(sizes, W, H);
      const rects = [];
      for (const col of L.nodes) for (const n of col) rects.push({ x: n.x, y: n.y, w: n.s, h: n.s, what: `n${n.layer}.${n.index}` });
      for (const b of L.biases) rects.push({ x: b.x, y: b.y, w: b.b, h: b.b, what: b.name });
      for (const r of rects) assert.ok(r.x >= 0 && r.x + r.w <= W + 1e-9 && r.y >= 0 && r.y + r.h <= H + 1e-9, `${sizes} ${W}x${H}: ${r.what} outside`);
      // squares sorted by x: only neighbours within one column pitch can touch
      rects.sort((a, b) => a.x - b.x);
      for (let i = 0; i < rects.length; i++) {
        for (let j = i + 1; j < rects.length && rects[j].x < rects[i].x + rects[i].w; j++) {
          assert.ok(!overlap(rects[i], rects[j]), `${sizes} ${W}x${H}: ${rects[i].what} overlaps ${rects[j].what}`);
        }
      }
      assert.ok(L.s >= 3, `${sizes} ${W}x${H}: squares of ${L.s} px`);
    }
  }
});

test("column titles of a row never run together and stay in the box", () => {
  for (const [W, H] of BOXES) {
    for (const sizes of architectures()) {
      const { labels, nodes, s } = computeLayout(sizes, W, H);
      assert.equal(labels.length, sizes.length);
      for (const q of labels) assert.ok(q.x - q.width / 2 >= -1e-9 && q.x + q.width / 2 <= W + 1e-9, `${sizes} ${W}: ${q.text}`);
      for (let a = 0; a < labels.length; a++) {
        for (let b = a + 1; b < labels.length; b++) {
          if (labels[a].row !== labels[b].row) continue;
          const apart = Math.abs(labels[a].x - labels[b].x) - (labels[a].width + labels[b].width) / 2;
          assert.ok(apart >= 2, `${sizes} ${W}x${H}: "${labels[a].text}" and "${labels[b].text}" ${apart.toFixed(1)} px apart`);
        }
      }
      // every title sits over its own column and names it (h3, input, output)
      labels.forEach((q, l) => assert.ok(Math.abs(q.x - (nodes[l][0].x + s / 2)) <= q.width / 2 + 1e-9));
      assert.match(labels[1].text, /^(hidden 1|h1)/);
      // the titles sit above the squares
      const top = Math.min(...nodes.flat().map((n) => n.y));
      const rows = Math.max(...labels.map((q) => q.row)) + 1;
      assert.ok(top >= 3 + rows * 11, `${sizes} ${W}x${H}: titles over the squares`);
    }
  }
});

test("a small network keeps every edge; a dense band keeps only its strongest, within its limit", () => {
  const small = computeLayout([2, 4, 4, 1], 560, 360);
  for (const p of small.pairs) assert.equal(p.limit, p.count);
  for (const [W, H] of BOXES) {
    for (const sizes of architectures()) {
      const L = computeLayout(sizes, W, H);
      assert.equal(L.pairs.reduce((a, p) => a + p.count, 0), L.edges.length);
      const values = Float64Array.from(L.edges, (e, k) => Math.sin(k * 12.9898) * 3);
      const { mask, summary } = strongestEdges(L, values);
      for (const [q, p] of L.pairs.entries()) {
        let shown = 0;
        let minShown = Infinity;
        let maxHidden = -Infinity;
        for (let k = p.start; k < p.start + p.count; k++) {
          assert.equal(L.edges[k].layer, p.layer);
          if (mask[k]) { shown += 1; minShown = Math.min(minShown, Math.abs(values[k])); } else maxHidden = Math.max(maxHidden, Math.abs(values[k]));
        }
        assert.equal(shown, p.limit);
        assert.equal(summary[q].shown, shown);
        assert.ok(p.limit >= Math.min(p.count, Math.max(sizes[p.layer], sizes[p.layer - 1])), "at least one edge per neuron's worth");
        assert.ok(minShown >= maxHidden, `${sizes}: a weaker edge drawn over a stronger one`);
        // density: the drawn edges of a band never exceed one per EDGE_AREA px² (or one per neuron)
        const bandArea = (L.colGap - L.s) * Math.max(sizes[p.layer], sizes[p.layer - 1]) * (L.nodes[0][1] ? L.nodes[0][1].y - L.nodes[0][0].y : L.s);
        assert.ok(shown <= Math.max(sizes[p.layer], sizes[p.layer - 1], bandArea / EDGE_AREA + 1) || shown === p.count);
      }
    }
  }
  const big = computeLayout([7, ...Array(8).fill(64), 1], 560, 360);
  assert.ok(big.pairs.slice(1, -1).every((p) => p.limit < p.count / 4), "64x64 bands are thinned");
});

test("non-finite values are never preferred, and hit testing skips edges not drawn", () => {
  const L = computeLayout([2, 64, 64, 1], 400, 300);
  const values = new Float64Array(L.edges.length).fill(0.1);
  const p = L.pairs[1];
  values[p.start] = NaN;
  values[p.start + 1] = 5;
  const { mask } = strongestEdges(L, values);
  assert.equal(mask[p.start], 0);
  assert.equal(mask[p.start + 1], 1);
  const hidden = L.edges.findIndex((e, k) => !mask[k] && e.layer === 2);
  const [x, y] = bezierPoint(L.edges[hidden], 0.5);
  const hit = hitTest(L, x, y, 0.5, mask);
  assert.ok(hit === null || hit.kind !== "edge" || mask[L.edges.findIndex((e) => e.name === hit.name)] === 1);
});

test("titles shorten before they crowd: long on a wide box, short or two rows on a narrow one", () => {
  const wide = computeLayout([2, 4, 1], 800, 300);
  assert.deepEqual(wide.labels.map((q) => q.text), ["input (2)", "hidden 1 (4)", "output (1)"]);
  const narrow = computeLayout([7, ...Array(8).fill(64), 1], 320, 300);
  assert.ok(narrow.labels.every((q) => !q.text.startsWith("hidden")));
  const labels = layerLabels([2, 4, 4, 1], [10, 20, 30, 40], 60);
  assert.ok(labels.some((q) => q.row === 1), "titles 10 px apart go on two rows");
});

test("the keyboard walks neurons by column and row, into a neuron's weights and bias and back", () => {
  const sizes = [2, 4, 3, 1];
  const L = computeLayout(sizes, 400, 300);
  let f = nextFocus(null, "ArrowDown", sizes);
  assert.deepEqual(f, { kind: "node", layer: 1, index: 0 }, "the first key lands on the first hidden neuron");
  f = nextFocus(f, "ArrowDown", sizes);
  f = nextFocus(f, "ArrowDown", sizes);
  f = nextFocus(f, "ArrowDown", sizes);
  f = nextFocus(f, "ArrowDown", sizes);
  assert.equal(f.index, 3, "clamped at the column's end");
  f = nextFocus(f, "ArrowRight", sizes);
  assert.deepEqual(f, { kind: "node", layer: 2, index: 2 }, "the next column, row clamped");
  assert.equal(nextFocus({ kind: "node", layer: 0, index: 0 }, "e", sizes), null, "inputs have no weights in");
  f = nextFocus(f, "e", sizes);
  assert.deepEqual(f, { kind: "edge", layer: 2, i: 2, j: 0 });
  assert.equal(focusItem(L, f).name, "W2[2,0]");
  f = nextFocus(f, "ArrowDown", sizes);
  assert.equal(focusItem(L, f).name, "W2[2,1]");
  f = nextFocus(f, "ArrowLeft", sizes);
  assert.equal(focusItem(L, f).name, "W2[1,1]");
  f = nextFocus(f, "b", sizes);
  assert.equal(focusItem(L, f).name, "b2[1]");
  f = nextFocus(f, "Escape", sizes);
  assert.deepEqual(f, { kind: "node", layer: 2, index: 1 });
  assert.equal(focusItem(L, f).kind, "node");
  assert.equal(nextFocus(f, "x", sizes), null);
  // every weight of every size is reachable and is the right one
  for (const sz of [[7, 64, 64, 1], [2, 1, 1]]) {
    const big = computeLayout(sz, 500, 300);
    for (let l = 1; l < sz.length; l++) {
      const i = sz[l] - 1;
      const j = sz[l - 1] - 1;
      assert.equal(focusItem(big, { kind: "edge", layer: l, i, j }).name, `W${l}[${i},${j}]`);
    }
  }
});
