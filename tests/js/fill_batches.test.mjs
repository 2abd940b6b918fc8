// Unit tests of static/js/fill_batches.js (the network view's squares grouped by colour code).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BIAS_LEVELS, biasCode, biasShade, groupByCode } from "../../static/js/fill_batches.js";

test("groupByCode puts every item with a code in its group once, in index order, and leaves out negatives", () => {
  const codes = Int16Array.from([3, 0, 3, -1, 2, 0, 3, 1, -1, 2]);
  const g = groupByCode(codes, 4);
  const groups = [0, 1, 2, 3].map((c) => Array.from(g.order.subarray(g.starts[c], g.starts[c + 1])));
  assert.deepEqual(groups, [[1, 5], [7], [4, 9], [0, 2, 6]]);
  assert.equal(g.starts[4], 8);   // two items had no code
  // the buffers are reused, and a new grouping replaces the old one entirely
  const again = groupByCode(Int16Array.from([1, 1, 0]), 4, g);
  assert.equal(again, g);
  assert.deepEqual(Array.from(again.starts), [0, 1, 3, 3, 3]);
  assert.deepEqual(Array.from(again.order.subarray(0, 3)), [2, 0, 1]);
  // a different number of codes gets buffers of its own
  assert.notEqual(groupByCode(codes, 5, g), g);
});

test("groupByCode agrees with a plain filter on random codes", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const codes = Int16Array.from({ length: 700 }, () => (next() % 70) - 6);
  const g = groupByCode(codes, 64);
  for (let c = 0; c < 64; c++) {
    const want = [];
    codes.forEach((v, k) => { if (v === c) want.push(k); });
    assert.deepEqual(Array.from(g.order.subarray(g.starts[c], g.starts[c + 1])), want, `code ${c}`);
  }
});

test("a bias's code keeps its sign and orders its shade by |b| / scale", () => {
  assert.equal(biasCode(0.5, 1), BIAS_LEVELS + Math.floor(0.5 * BIAS_LEVELS));
  assert.equal(biasCode(-0.5, 1), Math.floor(0.5 * BIAS_LEVELS));
  assert.equal(biasCode(5, 1), 2 * BIAS_LEVELS - 1);        // past the scale: the darkest
  assert.equal(biasCode(-5, 1), BIAS_LEVELS - 1);
  assert.equal(biasCode(0, 1), BIAS_LEVELS);                // zero: the palest positive
  assert.equal(biasCode(Number.NaN, 1), BIAS_LEVELS);
  for (let c = 1; c < BIAS_LEVELS; c++) {
    assert.ok(biasShade(BIAS_LEVELS + c) > biasShade(BIAS_LEVELS + c - 1), "positive shades darken with |b|");
    assert.ok(biasShade(c) < biasShade(c - 1), "negative shades darken with |b|");
  }
  // the shades span the range the view drew before (0.25 .. 1 of the sign's colour)
  assert.ok(Math.abs(biasShade(BIAS_LEVELS) - 0.25) < 0.75 / BIAS_LEVELS);
  assert.ok(Math.abs(biasShade(2 * BIAS_LEVELS - 1) - 1) < 0.75 / BIAS_LEVELS);
  assert.ok(biasShade(0) < 0 && biasShade(BIAS_LEVELS) > 0);
});
