import test from "node:test";
import assert from "node:assert/strict";
import {
  OUTPUTS, PRESETS, binaryInputs, biasOf, compareTables, distanceFromPerceptron, evaluate,
  fmt, normalizeNeuron, scaled, sumText, sweepWeight, thresholdOf, truthTable, weightedSum,
} from "../../static/js/neuron/neuron_math.js";

test("the weighted sum is written term by term and adds up", () => {
  const s = weightedSum([2, 6, 2], [1, 0, 1], -5);
  assert.deepEqual(s.terms.map((t) => t.product), [2, 0, 2]);
  assert.equal(s.sum, 4);
  assert.equal(s.z, -1);
  assert.equal(sumText(s), "2\u00b71 + 6\u00b70 + 2\u00b71 + (\u22125) = \u22121");
  assert.throws(() => weightedSum([1, 2], [1], 0), /2 weights for 1 inputs/);
});

test("outputs: step is 0 at z = 0 like the engine; sigmoid, tanh, relu", () => {
  assert.equal(OUTPUTS.perceptron(0), 0);
  assert.equal(OUTPUTS.perceptron(1e-9), 1);
  assert.equal(OUTPUTS.sigmoid(0), 0.5);
  assert.ok(Math.abs(OUTPUTS.sigmoid(2) - 0.8807970779778823) < 1e-15);
  assert.equal(OUTPUTS.relu(-3), 0);
  assert.equal(OUTPUTS.tanh(0), 0);
  const e = evaluate([1, -1], [0.5, 2], 0.25);
  assert.equal(e.z, -1.25);
  assert.equal(e.outputs.perceptron, 0);
});

test("bias is minus the threshold", () => {
  assert.equal(biasOf(5), -5);
  assert.equal(thresholdOf(-5), 5);
  assert.equal(Object.is(biasOf(0), 0), true);
});

test("binary inputs count with x1 as the top bit", () => {
  assert.deepEqual(binaryInputs(2), [[0, 0], [0, 1], [1, 0], [1, 1]]);
  assert.equal(binaryInputs(4).length, 16);
});

test("the sweets preset's perceptron outputs x2 on all 8 rows", () => {
  const p = PRESETS.sweets;
  const table = truthTable(p.w, biasOf(p.threshold));
  assert.equal(table.length, 8);
  for (const row of table) assert.equal(row.outputs.perceptron, row.x[1], `row ${row.x}`);
  // while the sigmoid neuron says something in between on some rows
  assert.ok(table.some((r) => r.outputs.sigmoid > 0.2 && r.outputs.sigmoid < 0.8));
});

test("the scale trick never changes the perceptron and steepens the sigmoid toward it", () => {
  const w = [2, 6, 2], b = -5;
  const base = truthTable(w, b);
  let last = distanceFromPerceptron(base);
  for (const c of [2, 5, 20, 100]) {
    const s = scaled(w, b, c);
    const t = truthTable(s.w, s.b);
    assert.deepEqual(t.map((r) => r.outputs.perceptron), base.map((r) => r.outputs.perceptron));
    const d = distanceFromPerceptron(t);
    assert.ok(d < last, `c = ${c}: ${d} should be below ${last}`);
    last = d;
  }
  assert.ok(last < 1e-20);
  assert.throws(() => scaled(w, b, 0), /> 0/);
});

test("a small weight change flips perceptron rows at once while the sigmoid moves a little", () => {
  const b = -5;
  const before = truthTable([2, 6, 2], b);
  const after = truthTable([2, 6, 3.01], b); // x1 + x3 now 5.01 > 5: row [1,0,1] flips
  const cmp = compareTables(before, after);
  assert.deepEqual(cmp.flipped, [5]);
  assert.deepEqual(before[5].x, [1, 0, 1]);
  // the sigmoid of that row moved from sigma(-1) to sigma(0.01)
  assert.ok(Math.abs(cmp.sigmoidChanges[5] - (OUTPUTS.sigmoid(0.01) - OUTPUTS.sigmoid(-1))) < 1e-15);
  const tiny = compareTables(truthTable([2, 6, 2.999], b), truthTable([2, 6, 3.001], b));
  assert.deepEqual(tiny.flipped, [5]);
  assert.ok(tiny.maxSigmoidChange < 0.001);
});

test("sweeping one weight gives both curves and where the perceptron jumps", () => {
  const sw = sweepWeight([2, 6, 2], [1, 0, 1], -5, 2, -10, 10, 201);
  assert.equal(sw.values.length, 201);
  assert.equal(sw.values[0], -10);
  assert.equal(sw.values[200], 10);
  assert.deepEqual(sw.jumps, [3]); // 2 + w3 - 5 = 0
  const i = sw.values.findIndex((v) => v > 3);
  assert.equal(sw.series.perceptron[i - 1], 0);
  assert.equal(sw.series.perceptron[i], 1);
  assert.ok(Math.abs(sw.series.sigmoid[i] - sw.series.sigmoid[i - 1]) < 0.1);
  // an input of 0 makes its weight irrelevant: no jump
  assert.deepEqual(sweepWeight([2, 6, 2], [1, 0, 1], -5, 1, -10, 10, 5).jumps, []);
});

test("numbers are formatted with a real minus and no trailing zeros", () => {
  assert.equal(fmt(-1.5), "\u22121.5");
  assert.equal(fmt(0.123456789, 6), "0.123457");
  assert.equal(fmt(2), "2");
  assert.equal(fmt(1.23e-9, 3), "1.23e\u22129");
});

test("normalizeNeuron clamps sizes and fixes bad values", () => {
  const n = normalizeNeuron({ w: [1, 2, 3, 4, 5, 6], x: [1, 0.2], mode: "binary", scale: -2 });
  assert.equal(n.w.length, 4);
  assert.deepEqual(n.x, [1, 0, 0, 0]);
  assert.equal(n.scale, 1);
  assert.equal(normalizeNeuron({}).w.length, 2);
  assert.deepEqual(normalizeNeuron({ w: [1, "a"], x: [0.3, 2], mode: "real" }).w, [1, 1]);
});
