import test from "node:test";
import assert from "node:assert/strict";
import { affineResidual, currentInputs, elide, full, short, sumFormula, sumTerms } from "../../static/js/trace_format.js";

test("wide layers are elided to a head, a gap and the last index", () => {
  assert.deepEqual(elide(5, 8), [0, 1, 2, 3, 4]);
  assert.deepEqual(elide(20, 6), [0, 1, 2, 3, null, 19]);
  assert.deepEqual(elide(64, 3), [0, null, 63]);
  assert.equal(elide(64, 10).length, 10);
});

test("short numbers have 3 significant digits, full ones at least 6", () => {
  assert.equal(short(-0.123456), "\u22120.123");
  assert.equal(short(12345.6), "1.23e+4");
  assert.equal(short(0), "0");
  assert.equal(full(0.123456789), "0.12345679");
  assert.equal(full(-1.00000123, 8), "\u22121.0000012");
  assert.ok(full(1 / 3).replace(/[^0-9]/g, "").length >= 6);
});

test("a neuron's sum is written term by term and adds up", () => {
  assert.equal(sumTerms([0.5, -2], [1, 0.25], 0.1), "(0.5)(1) + (\u22122)(0.25) + (0.1) = 0.1");
  const long = sumTerms(Array(10).fill(1), Array(10).fill(2), 0, 4);
  assert.match(long, /\u2026/);
  assert.ok(long.endsWith("= 20"));
});

test("affineResidual is 0 when z = W a + b", () => {
  const W = [[1, 2], [3, 4]], a = [0.5, -1], b = [0.1, 0.2];
  assert.ok(affineResidual(W, a, b, [-1.4, -2.3]) < 1e-12);
  assert.ok(affineResidual(W, a, b, [-1.4, -2.0]) > 0.29);
});

test("a neuron's sum with its weights is written over the inputs' names, wide rows elided", () => {
  assert.equal(sumFormula([0.5, -2], ["x\u2081", "x\u2082"], 0.1), "(0.5)\u00b7x\u2081 + (\u22122)\u00b7x\u2082 + (0.1)");
  const names = Array.from({ length: 64 }, (_, j) => `h1.${j}`);
  const wide = sumFormula(Array(64).fill(0.25), names, -1, 4);
  assert.equal(wide, "(0.25)\u00b7h1.0 + (0.25)\u00b7h1.1 + (0.25)\u00b7h1.2 + \u2026 + (0.25)\u00b7h1.63 + (\u22121)");
});

test("a traced example's inputs are recomputed with the current parameters", () => {
  // two inputs -> 2 tanh neurons -> 1: layer 2's input is tanh(W1 x + b1) with the W1 given
  const W = { 1: [[1, -2, 0.5], [0, 3, -1]], 2: [[2, 1, 0]] };   // rows [w..., b]
  const param = (k, i, j) => (j == null ? W[k][i].at(-1) : W[k][i][j]);
  const x = [0.5, 0.25];
  assert.deepEqual(currentInputs(x, 1, [2, 2, 1], param, Math.tanh), x);
  assert.deepEqual(currentInputs(x, 2, [2, 2, 1], param, Math.tanh),
    [Math.tanh(0.5 - 0.5 + 0.5), Math.tanh(0.75 - 1)]);
});
