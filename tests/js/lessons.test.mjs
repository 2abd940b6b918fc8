// Unit tests of static/js/lessons/: task checks, progress, the loss figure's numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { conditionHolds, playgroundState, readField, taskDone } from "../../static/js/lessons/task_check.js";
import { createProgress } from "../../static/js/lessons/progress.js";
import {
  crossEntropy, crossEntropyGrad, lossCurves, probabilityFromLoss, squaredError, squaredErrorSigmoidGrad,
} from "../../static/js/lessons/loss_curves.js";

const state = {
  metrics: { step: 1200, status: "ok", test_accuracy: 0.97, train_loss: NaN },
  diagnostics: { grad_norms: [3e-5, 0.01, 0.4] },
  config: { dataset: "xor", hidden: [3, 1] },
};

test("readField follows dotted paths and indexes lists from either end", () => {
  assert.equal(readField(state, "metrics.step"), 1200);
  assert.equal(readField(state, "diagnostics.grad_norms[0]"), 3e-5);
  assert.equal(readField(state, "diagnostics.grad_norms[-1]"), 0.4);
  assert.equal(readField(state, "diagnostics.grad_norms[7]"), undefined);
  assert.equal(readField(state, "metrics.nope.deeper"), undefined);
  assert.equal(readField(state, "config.dataset[0]"), undefined);   // not a list
});

test("conditions compare numbers, and never pass on missing or non-finite values", () => {
  assert.ok(conditionHolds({ field: "metrics.test_accuracy", op: ">=", value: 0.95 }, state));
  assert.ok(!conditionHolds({ field: "metrics.test_accuracy", op: ">=", value: 0.98 }, state));
  assert.ok(conditionHolds({ field: "diagnostics.grad_norms[0]", op: "<", value: 1e-4 }, state));
  assert.ok(!conditionHolds({ field: "metrics.train_loss", op: "<", value: 1 }, state));   // NaN
  assert.ok(!conditionHolds({ field: "metrics.missing", op: "<", value: 1 }, state));
  assert.ok(!conditionHolds({ field: "metrics.status", op: "<", value: 1 }, state));       // a string
  assert.ok(conditionHolds({ field: "metrics.status", op: "==", value: "ok" }, state));
  assert.ok(conditionHolds({ field: "metrics.status", op: "!=", value: "diverged" }, state));
});

test("a task is done only when every condition holds", () => {
  const task = { done_when: [
    { field: "config.dataset", op: "==", value: "xor" },
    { field: "metrics.test_accuracy", op: ">=", value: 0.95 },
  ] };
  assert.ok(taskDone(task, state));
  assert.ok(!taskDone({ done_when: [...task.done_when, { field: "metrics.step", op: ">", value: 5000 }] }, state));
  assert.ok(!taskDone({ done_when: [] }, state));
});

test("the playground state counts neurons and layers from the configuration", () => {
  const s = playgroundState({ header: { metrics: { step: 3 } }, config: { hidden: [4, 2] } });
  assert.deepEqual(s.network, { neurons: 6, hidden_layers: 2 });
  assert.equal(s.metrics.step, 3);
  assert.deepEqual(playgroundState({ header: null, config: { hidden: [] } }).network, { neurons: 0, hidden_layers: 0 });
});

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) };
}

test("progress records visits and completed tasks once, and survives a new store on the same storage", () => {
  const storage = memoryStorage();
  const p = createProgress(storage);
  assert.deepEqual(p.of("perceptron"), { visited: false, done: [] });
  p.visit("perceptron");
  assert.equal(p.complete("perceptron", "fire-always"), true);
  assert.equal(p.complete("perceptron", "fire-always"), false);
  assert.deepEqual(createProgress(storage).of("perceptron"), { visited: true, done: ["fire-always"] });
  p.reset();
  assert.deepEqual(p.of("perceptron"), { visited: false, done: [] });
});

test("progress ignores corrupt storage", () => {
  const storage = memoryStorage();
  storage.setItem("nnp.lessons.progress.v1", "{not json");
  assert.deepEqual(createProgress(storage).of("x"), { visited: false, done: [] });
});

test("loss curves: gradients are the derivatives of the losses through the sigmoid", () => {
  // p = sigma(z): dp/dz = p (1 - p); check dL/dz by central differences in z
  const sig = (z) => 1 / (1 + Math.exp(-z));
  for (const z of [-6, -1, 0, 0.5, 3]) {
    const h = 1e-6;
    const num = (f) => (f(sig(z + h)) - f(sig(z - h))) / (2 * h);
    assert.ok(Math.abs(num(crossEntropy) - crossEntropyGrad(sig(z))) < 1e-6);
    assert.ok(Math.abs(num(squaredError) - squaredErrorSigmoidGrad(sig(z))) < 1e-6);
  }
  const c = lossCurves(50);
  assert.equal(c.p.length, 50);
  assert.ok(c.crossEntropy.every((v, i) => i === 0 || v < c.crossEntropy[i - 1]));   // falls with p
});

test("the run's mean cross-entropy reads as a probability; other losses give none", () => {
  assert.ok(Math.abs(probabilityFromLoss(Math.log(2), "bce") - 0.5) < 1e-12);
  assert.equal(probabilityFromLoss(0.3, "mse"), null);
  assert.equal(probabilityFromLoss(NaN, "bce"), null);
});
