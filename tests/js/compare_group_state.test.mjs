// Unit tests of static/js/compare/group_state.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createGroupState, ingestFrame, markLabel, memberSeries, thin } from "../../static/js/compare/group_state.js";

const COLUMNS = ["updates", "epochs", "examples", "train_loss", "test_loss", "train_accuracy",
  "test_accuracy", "gradient_norm", "learning_rate"];

function frame(full, members, sections = {}) {
  return { header: { seq: 1, full, history_columns: COLUMNS, members }, sections, shapes: {}, quantized: {} };
}

test("a full frame fills rows from the history sections, later frames append newer rows", () => {
  const s = createGroupState();
  const h = new Float64Array([0, 0, 0, 0.7, 0.7, 0.5, 0.5, 1, 0.1, 5, 1, 50, 0.6, 0.65, 0.6, 0.6, 0.9, 0.1]);
  ingestFrame(s, frame(true, [{ status: "ok", row: null, marks: [] }], { m0_history: h }));
  assert.equal(s.members[0].rows.length, 2);
  const row = [9, 2, 90, 0.5, 0.55, 0.7, 0.7, 0.8, 0.1];
  ingestFrame(s, frame(false, [{ status: "ok", row, marks: [] }]));
  ingestFrame(s, frame(false, [{ status: "ok", row, marks: [] }]));   // same row twice: once
  assert.equal(s.members[0].rows.length, 3);
  const { xs, ys } = memberSeries(s, 0, "examples", "train_loss");
  assert.deepEqual(Array.from(xs), [0, 50, 90]);
  assert.deepEqual(Array.from(ys), [0.7, 0.6, 0.5]);
  const byEpoch = memberSeries(s, 0, "epochs", "train_loss");
  assert.deepEqual(Array.from(byEpoch.xs), [0, 1, 2]);
});

test("null accuracies become NaN (regression) and a smaller update count restarts the curve", () => {
  const s = createGroupState();
  ingestFrame(s, frame(false, [{ status: "ok", row: [3, 1, 30, 1, 1, null, null, 1, 0.1], marks: [] }]));
  assert.ok(Number.isNaN(memberSeries(s, 0, "updates", "train_accuracy").ys[0]));
  ingestFrame(s, frame(false, [{ status: "ok", row: [1, 0.1, 10, 1, 1, null, null, 1, 0.1], marks: [] }]));
  assert.equal(s.members[0].rows.length, 1);
  assert.throws(() => memberSeries(s, 0, "minutes", "train_loss"), /unknown column minutes/);
});

test("thin halves long histories and keeps the newest row", () => {
  const rows = Array.from({ length: 11 }, (_, i) => [i]);
  const kept = thin(rows, 10);
  assert.ok(kept.length <= 7);
  assert.deepEqual(kept[kept.length - 1], [10]);
  assert.equal(thin(rows, 100), rows);
});

test("marks read as short labels", () => {
  assert.equal(markLabel({ field: "learning_rate", value: 0.1 }), "lr 0.1");
  assert.equal(markLabel({ field: "reset", value: null }), "reset");
});
