// Unit tests of static/js/control_values.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  batchName, batchStops, checkNumber, learningRateAt, learningRatePosition, rangeText, twoSignificant,
} from "../../static/js/control_values.js";

const LR = { name: "learning_rate", type: "float", maximum: 100, exclusiveMinimum: 0 };
const BATCH = { name: "batch_size", type: "int", minimum: 1, maximum: 2000 };

test("the learning-rate slider is logarithmic and reads in two figures", () => {
  assert.equal(learningRateAt(-2), 0.01);
  assert.equal(learningRateAt(Math.log10(0.03)), 0.03);
  assert.equal(learningRateAt(-1.5), 0.032);
  assert.equal(learningRatePosition(0.001), -3);
  assert.equal(learningRatePosition(1e-9), -5, "clamped to the slider's end");
  assert.equal(twoSignificant(0.0123456), 0.012);
});

test("batch stops run from 1 (stochastic) to the training-set size (full batch)", () => {
  assert.deepEqual(batchStops(12, 10), [1, 2, 5, 10, 12]);
  assert.deepEqual(batchStops(250, 33), [1, 2, 5, 10, 20, 33, 50, 100, 200, 250]);
  assert.deepEqual(batchStops(1, 1), [1]);
  assert.equal(batchName(1, 250), "1 (stochastic)");
  assert.equal(batchName(250, 250), "250 (full batch)");
  assert.equal(batchName(2000, 250), "250 (full batch)");
  assert.equal(batchName(10, 250), "10");
});

test("a bad typed number is refused with the allowed range", () => {
  assert.deepEqual(checkNumber(LR, " 0.1 "), { ok: true, value: 0.1 });
  for (const t of ["", "abc", "0", "-1", "101", "NaN"]) {
    const r = checkNumber(LR, t, "Learning rate");
    assert.equal(r.ok, false, t);
    assert.equal(r.message, "Learning rate: a number more than 0 and at most 100");
  }
  assert.equal(checkNumber(BATCH, "2.5").ok, false);
  assert.match(checkNumber(BATCH, "2.5").message, /a whole number at least 1 and at most 2000/);
  assert.equal(rangeText({ type: "float", minimum: 0, maximum: 0.999 }), "a number at least 0 and at most 0.999");
  assert.equal(rangeText({ type: "int", minimum: 0, maximum: 2147483647 }), "a whole number at least 0 and at most 2147483647");
  assert.equal(rangeText({ type: "float", minimum: 1e-12, maximum: 0.01 }), "a number at least 1e-12 and at most 0.01");
});
