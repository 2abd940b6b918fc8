// Unit tests of static/js/heatmap.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  divergingTable, packRgb, paintClasses, paintGrid, paintValues, sequentialTable, tintTable, unpackRgb, viridis,
} from "../../static/js/heatmap.js";
import { MID_RGB, NEGATIVE, POSITIVE, hexToRgb } from "../../static/js/colors.js";

const near = (a, b, tol = 1.01) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

test("a diverging table is neutral at its centre, orange below, blue above", () => {
  const t = divergingTable({ lo: -2, hi: 2, center: 0, gain: 1 });
  assert.ok(near(unpackRgb(t[0]), hexToRgb(NEGATIVE)), `${unpackRgb(t[0])}`);
  assert.ok(near(unpackRgb(t[255]), hexToRgb(POSITIVE)));
  // code 127.5 is the centre: codes 127 and 128 are the two nearest, both close to neutral
  assert.ok(near(unpackRgb(t[128]), MID_RGB, 3));
  const p = divergingTable({ lo: 0, hi: 1, center: 0.5, scale: 0.5, discrete: true });
  assert.equal(new Set(p).size, 2, "discrete: two colours");
  assert.notEqual(p[127], p[128]);
});

test("packRgb and unpackRgb round-trip", () => {
  assert.deepEqual(unpackRgb(packRgb(12, 200, 255)), [12, 200, 255]);
});

test("paintGrid flips rows (row 0 is the bottom) and can subsample one channel", () => {
  const bytes = Uint8Array.from([0, 1, 2, 3, 4, 5]);  // 2 rows x 3 cols
  const table = Uint32Array.from({ length: 256 }, (_, q) => q * 10);
  const px = new Uint32Array(6);
  paintGrid(px, bytes, table, { rows: 2, cols: 3 });
  assert.deepEqual([...px], [30, 40, 50, 0, 10, 20]);
  // 3x3 grid of 2 channels, every 2nd sample of channel 1 into a 2x2 image
  const g = Uint8Array.from({ length: 18 }, (_, k) => k);
  const out = new Uint32Array(4);
  const size = paintGrid(out, g, table, { rows: 3, cols: 3, every: 2, channels: 2, channel: 1 });
  assert.deepEqual(size, { rows: 2, cols: 2 });
  // samples (r, c) in {0, 2}^2, channel 1: code = (r*3 + c)*2 + 1; row r=2 is drawn on top
  assert.deepEqual([...out], [130, 170, 10, 50]);
});

test("paintValues spreads [lo, hi] over the table and marks non-finite values", () => {
  const table = Uint32Array.from({ length: 256 }, (_, q) => q);
  const px = new Uint32Array(4);
  paintValues(px, [0, 10, NaN, 20], table, { rows: 2, cols: 2, lo: 0, hi: 10, missing: 999 });
  assert.deepEqual([...px], [999, 255, 0, 255]);
});

test("paintClasses picks the most likely class per point", () => {
  const px = new Uint32Array(2);
  // two points, three classes, codes over [0, 1]
  paintClasses(px, Uint8Array.from([255, 0, 0, 0, 10, 250]), { rows: 1, cols: 2, K: 3, lo: 0, hi: 1 });
  const [a, b] = px.map ? [...px].map(unpackRgb) : [];
  assert.ok(a[0] > a[2], "class 0 is orange");
  assert.ok(b[1] > b[0] && b[1] > b[2], "class 2 is green");
});

test("tint and sequential tables run from pale/dark to the colour/yellow", () => {
  const t = tintTable("#0877bd");
  assert.ok(unpackRgb(t[0]).every((v) => v >= 249));
  assert.ok(near(unpackRgb(t[255]), hexToRgb("#0877bd")));
  const v = sequentialTable();
  assert.ok(near(unpackRgb(v[0]), viridis(0)) && near(unpackRgb(v[255]), viridis(1)));
});
