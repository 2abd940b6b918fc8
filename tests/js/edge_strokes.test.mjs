// Unit tests of static/js/edge_strokes.js (the network view's edges grouped by stroke) and of the
// look-ups the view paints with (network_layout.js edgeIndex, kthSmallest).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CODES, WIDTH_LEVELS, bucketEdges, edgeCode, straightMask } from "../../static/js/edge_strokes.js";
import { computeLayout, edgeIndex, kthSmallest, strongestEdges } from "../../static/js/network_layout.js";

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The strokes as the view used to find them: per code, its curves then its lines, scanning every edge. */
function naiveStrokes(values, shown, straight, scale, gradMode) {
  const strokes = [];
  for (let code = 0; code < CODES; code++) {
    for (const line of [0, 1]) {
      const ks = [];
      for (let k = 0; k < values.length; k++) {
        if (shown[k] && straight[k] === line && edgeCode(values[k], scale, gradMode) === code) ks.push(k);
      }
      strokes.push(ks);
    }
  }
  return strokes;
}

const asStrokes = ({ order, starts }) => Array.from({ length: 2 * CODES }, (_, b) => [...order.subarray(starts[b], starts[b + 1])]);

function randomCase(seed, n) {
  const r = rng(seed);
  const values = Float64Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.02) return NaN;
    if (u < 0.03) return u < 0.025 ? Infinity : -Infinity;
    return (r() - 0.5) * 4;
  });
  const shown = Uint8Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
  const straight = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  return { values, shown, straight };
}

test("the strokes are the naive per-code scan's: same edges, same order, for weights and gradients", () => {
  for (const [seed, n] of [[1, 0], [2, 1], [3, 50], [4, 3000]]) {
    const { values, shown, straight } = randomCase(seed, n);
    for (const gradMode of [false, true]) {
      const scale = gradMode ? 1.7 : 1;
      const got = asStrokes(bucketEdges(values, shown, straight, scale, gradMode));
      assert.deepEqual(got, naiveStrokes(values, shown, straight, scale, gradMode), `seed ${seed} grad ${gradMode}`);
    }
  }
});

test("reused buffers give the same strokes as fresh ones (nothing of the last paint stays)", () => {
  const big = randomCase(7, 2000);
  const small = randomCase(8, 2000);
  small.shown.fill(0, 0, 1500);   // fewer shown edges than the previous call had
  const first = bucketEdges(big.values, big.shown, big.straight, 1, false);
  const again = bucketEdges(small.values, small.shown, small.straight, 1, false, first);
  assert.equal(again, first, "the buffers were reused");
  assert.deepEqual(asStrokes(again), naiveStrokes(small.values, small.shown, small.straight, 1, false));
});

test("every shown finite edge is in exactly one stroke; hidden and non-finite ones in none", () => {
  const { values, shown, straight } = randomCase(11, 1000);
  const { order, starts } = bucketEdges(values, shown, straight, 1, false);
  const drawn = [...order.subarray(0, starts[2 * CODES])].sort((a, b) => a - b);
  const expected = [];
  for (let k = 0; k < values.length; k++) if (shown[k] && Number.isFinite(values[k])) expected.push(k);
  assert.deepEqual(drawn, expected);
});

test("the hash follows the shown edges' looks only", () => {
  const { values, shown, straight } = randomCase(5, 500);
  const base = bucketEdges(values, shown, straight, 1, false).hash;
  const hidden = shown.indexOf(0);
  const visible = shown.indexOf(1);
  const v2 = Float64Array.from(values);
  v2[hidden] = values[hidden] + 3;
  assert.equal(bucketEdges(v2, shown, straight, 1, false).hash, base, "a hidden edge's change is not seen");
  const v3 = Float64Array.from(values);
  v3[visible] = -Math.sign(values[visible] || 1) * 1.5;   // another sign: another code
  assert.notEqual(bucketEdges(v3, shown, straight, 1, false).hash, base);
});

test("codes: negative first, thin under thick, beyond the scale at full width; non-finite not drawn", () => {
  assert.equal(edgeCode(-0.01, 1, false), 0);
  assert.equal(edgeCode(-5, 1, false), WIDTH_LEVELS - 1);
  assert.equal(edgeCode(0, 1, false), WIDTH_LEVELS);
  assert.equal(edgeCode(0.99, 1, false), 2 * WIDTH_LEVELS - 1);
  assert.ok(edgeCode(0.1, 1, true) > edgeCode(0.1, 1, false), "gradients spread small values out");
  assert.equal(edgeCode(NaN, 1, false), -1);
  assert.equal(edgeCode(Infinity, 1, false), -1);
});

test("straight lines exactly in the bands thinned to their strongest (8 layers of 64)", () => {
  const L = computeLayout([7, 64, 64, 64, 64, 64, 64, 64, 64, 1], 560, 360);
  const straight = straightMask(L);
  assert.equal(straight.length, L.edges.length);
  assert.ok(L.pairs.some((p) => p.limit < p.count));
  for (const p of L.pairs) {
    const band = [...straight.subarray(p.start, p.start + p.count)];
    assert.ok(band.every((x) => x === (p.limit < p.count ? 1 : 0)), `layer ${p.layer}`);
  }
});

test("edgeIndex finds every edge by its name; biases and unknown names are -1", () => {
  const L = computeLayout([3, 5, 4, 2], 400, 300);
  L.edges.forEach((e, k) => assert.equal(edgeIndex(L, e.name), k, e.name));
  for (const name of ["b1[0]", "W0[0,0]", "W4[0,0]", "W1[5,0]", "W1[0,3]", "W2[3,5]", "x", ""]) assert.equal(edgeIndex(L, name), -1, name);
});

test("kthSmallest is a sorted copy's k-th, with ties and -1s for non-finite values", () => {
  const r = rng(3);
  for (const n of [1, 2, 5, 100, 4096]) {
    for (const ties of [false, true]) {
      const a = Float64Array.from({ length: n }, () => (ties ? Math.floor(r() * 4) - 1 : r()));
      const sorted = Float64Array.from(a).sort();
      for (const k of [0, n - 1, Math.floor(n / 2), Math.max(0, n - 64)]) {
        assert.equal(kthSmallest(Float64Array.from(a), k), sorted[k], `n ${n} k ${k} ties ${ties}`);
      }
    }
  }
});

test("strongestEdges keeps each dense band's `limit` largest |values| (ties by index)", () => {
  const L = computeLayout([7, 64, 64, 64, 1], 560, 360);
  const r = rng(9);
  const values = Float64Array.from(L.edges, () => Math.round((r() - 0.5) * 40) / 10);   // many ties
  const { mask } = strongestEdges(L, values);
  for (const p of L.pairs) {
    const ks = Array.from({ length: p.count }, (_, q) => p.start + q);
    const ranked = [...ks].sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
    const want = new Set(ranked.slice(0, Math.min(p.limit, p.count)));
    for (const k of ks) assert.equal(mask[k], want.has(k) ? 1 : 0, `layer ${p.layer} edge ${k}`);
  }
});
