// Unit tests of static/js/state.js's rule readers: they apply what the schema says, nothing more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clearStaleReferences, compatibleLoss, fieldApplies } from "../../static/js/state.js";

const info = (losses, usual) => ({ kind: "k", losses, usual_loss: usual });

test("compatibleLoss keeps a loss the dataset lists and otherwise takes its usual one", () => {
  assert.equal(compatibleLoss(info(["bce", "cce", "mse"], "bce"), "mse"), "mse");
  assert.equal(compatibleLoss(info(["cce", "mse"], "cce"), "bce"), "cce");
  assert.equal(compatibleLoss(info(["mse"], "mse"), "cce"), "mse");
  // a loss the page has never heard of, when the schema lists it
  assert.equal(compatibleLoss(info(["huber"], "huber"), "mse"), "huber");
  assert.equal(compatibleLoss(undefined, "bce"), "bce");
});

test("fieldApplies follows applies_when: every named field must have one of the values", () => {
  const momentum = { name: "momentum", applies_when: { optimizer: ["momentum", "nesterov"] } };
  assert.equal(fieldApplies(momentum, { optimizer: "sgd" }), false);
  assert.equal(fieldApplies(momentum, { optimizer: "nesterov" }), true);
  const both = { applies_when: { optimizer: ["adam"], schedule: ["warmup"] } };
  assert.equal(fieldApplies(both, { optimizer: "adam", schedule: "constant" }), false);
  assert.equal(fieldApplies(both, { optimizer: "adam", schedule: "warmup" }), true);
  assert.equal(fieldApplies({ name: "learning_rate" }, { optimizer: "sgd" }), true);
});

test("clearStaleReferences nulls a reference that no longer applies, unless it is being set", () => {
  const fields = new Map([
    ["dataset", { name: "dataset" }],
    ["custom_dataset", { name: "custom_dataset", reference: true, applies_when: { dataset: ["custom"] } }],
    ["momentum", { name: "momentum", applies_when: { optimizer: ["momentum"] } }],
  ]);
  const config = { dataset: "circle", custom_dataset: "abc", momentum: 0.9, optimizer: "sgd" };
  assert.deepEqual(clearStaleReferences({ ...config }, fields, { custom_dataset: "abc" }), []);
  const cleaned = { ...config };
  assert.deepEqual(clearStaleReferences(cleaned, fields), ["custom_dataset"]);
  assert.equal(cleaned.custom_dataset, null);
  assert.equal(cleaned.momentum, 0.9);   // a setting that does not apply keeps its value
  const custom = { ...config, dataset: "custom" };
  assert.deepEqual(clearStaleReferences(custom, fields), []);
  assert.equal(custom.custom_dataset, "abc");
});
