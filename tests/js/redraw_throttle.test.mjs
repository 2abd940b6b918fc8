// Unit tests of static/js/redraw_throttle.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRedrawThrottle } from "../../static/js/redraw_throttle.js";

test("the first data draws at once; unchanged data never redraws", () => {
  const t = createRedrawThrottle(100);
  assert.equal(t.due(0, "a", 1), true);
  assert.equal(t.due(500, "a", 2), false);
  assert.equal(t.owed(), false);
});

test("new data within the interval waits, and is owed", () => {
  const t = createRedrawThrottle(100);
  t.due(0, "a", 1);
  assert.equal(t.due(50, "b", 2), false);
  assert.equal(t.owed(), true);
});

test("while frames come, an owed redraw waits for the next new frame", () => {
  const t = createRedrawThrottle(100);
  t.due(0, "a", 1);
  assert.equal(t.due(67, "b", 2), false);     // a frame, but within the interval
  assert.equal(t.due(120, "b", 2), false);    // past the interval, between frames: waits
  assert.equal(t.due(133, "c", 3), true);     // drawn with the next frame
  assert.equal(t.owed(), false);
});

test("when frames stop, the owed redraw comes after twice the interval", () => {
  const t = createRedrawThrottle(100);
  t.due(0, "a", 1);
  assert.equal(t.due(50, "b", 2), false);
  assert.equal(t.due(150, "b", 2), false);
  assert.equal(t.due(199, "b", 2), false);
  assert.equal(t.due(200, "b", 2), true);
});

test("a resize redraws at once, whatever the interval", () => {
  const t = createRedrawThrottle(100);
  t.due(0, "a", 1);
  assert.equal(t.due(10, "a", 1, true), true);
});
