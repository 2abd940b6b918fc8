// Unit tests of static/js/frame_views.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { VIEWS, viewsFor } from "../../static/js/frame_views.js";
import { UI_DEFAULTS } from "../../static/js/state.js";

test("by default (pictures) the page asks for every view, the hidden pictures among them", () => {
  assert.deepEqual(viewsFor(UI_DEFAULTS), [...VIEWS]);
  assert.ok(viewsFor(UI_DEFAULTS).includes("hidden"));
  assert.ok(!viewsFor({}).includes("hidden_means"));
});

test("squares too small for pictures ask for one colour per neuron instead, nothing else changes", () => {
  const views = viewsFor({ ...UI_DEFAULTS, hiddenDetail: "colours" });
  assert.ok(views.includes("hidden_means") && !views.includes("hidden"));
  assert.deepEqual(views.filter((v) => v !== "hidden_means"), VIEWS.filter((v) => v !== "hidden"));
});

test("the list handed out is the caller's own", () => {
  const views = viewsFor(UI_DEFAULTS);
  views.push("x");
  assert.ok(!viewsFor(UI_DEFAULTS).includes("x"));
});
