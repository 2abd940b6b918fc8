// Unit tests of static/js/run_notices.js (node --test): the notices come from the frame header.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runNotices } from "../../static/js/run_notices.js";

const quiet = { metrics: { status: "ok", warning: null, warning_reason: "" },
  diagnostics: { standardize_hint: null, clipping: { mode: "none", steps: 0, clipped: 0, share: null } } };

test("a healthy run has no notice", () => {
  assert.deepEqual(runNotices(quiet), []);
  assert.deepEqual(runNotices(null), []);
});

test("the unstable warning carries the engine's reason", () => {
  const h = structuredClone(quiet);
  h.metrics.warning = "unstable";
  h.metrics.warning_reason = "the training loss 14.4 is 21.6x its start (0.664); likely cause: ...";
  const [n] = runNotices(h);
  assert.equal(n.kind, "unstable");
  assert.equal(n.level, "warn");
  assert.ok(n.text.startsWith("Unstable: the training loss 14.4 is 21.6x its start"));
});

test("the standardize hint offers the reset that fixes it", () => {
  const h = structuredClone(quiet);
  h.diagnostics.standardize_hint = "The inputs are far from unit scale (x has root mean square 157): ...";
  const [n] = runNotices(h);
  assert.equal(n.kind, "standardize");
  assert.equal(n.text, h.diagnostics.standardize_hint);
  assert.deepEqual(n.action.changes, { standardize: true });
});

test("clipping's effect: share of steps clipped, the norm before and after", () => {
  const h = structuredClone(quiet);
  h.diagnostics.clipping = { mode: "norm", threshold: 0.1, steps: 100, clipped: 78, share: 0.78,
    pre_clip_norm: 0.2487, post_clip_norm: 0.1 };
  const [n] = runNotices(h);
  assert.equal(n.kind, "clipping");
  assert.equal(n.text, "Clipping by global norm at 0.1: 78% of 100 steps clipped; last step's gradient norm 0.249 before, 0.1 after.");
  h.diagnostics.clipping.steps = 0;            // nothing counted yet: nothing to say
  assert.deepEqual(runNotices(h), []);
});
