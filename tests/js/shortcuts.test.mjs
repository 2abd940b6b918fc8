// Unit tests of static/js/shortcuts.js's decision (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { shortcutFor } from "../../static/js/shortcuts.js";

const key = (k, target = { tagName: "BODY" }, extra = {}) => ({ key: k, code: k === " " ? "Space" : `Key${k.toUpperCase()}`, target, ...extra });
const select = { tagName: "SELECT" };
const button = { tagName: "BUTTON" };
const text = { tagName: "INPUT", type: "text" };
const range = { tagName: "INPUT", type: "range" };

test("on the page: space toggles, s steps, r resets", () => {
  assert.equal(shortcutFor(key(" ")), "toggle");
  assert.equal(shortcutFor(key("s")), "step");
  assert.equal(shortcutFor(key("R")), "reset");
  assert.equal(shortcutFor(key("x")), null);
  assert.equal(shortcutFor(key("s", undefined, { ctrlKey: true })), null);
});

test("a select picked with the mouse gives the keys back (no type-ahead from s or r)", () => {
  assert.equal(shortcutFor(key(" ", select), true), "toggle");
  assert.equal(shortcutFor(key("s", select), true), "step");
  assert.equal(shortcutFor(key("r", select), true), "reset");
});

test("a select reached with Tab keeps its keys (keyboard users type ahead and open it)", () => {
  assert.equal(shortcutFor(key(" ", select), false), null);
  assert.equal(shortcutFor(key("s", select), false), null);
});

test("text fields keep every key; sliders keep only their arrows", () => {
  for (const k of [" ", "s", "r"]) assert.equal(shortcutFor(key(k, text), true), null);
  assert.equal(shortcutFor(key(" ", { tagName: "DIV", isContentEditable: true })), null);
  assert.equal(shortcutFor(key(" ", range), false), "toggle");
  assert.equal(shortcutFor(key("s", range), false), "step");
});

test("a button reached by keyboard is pressed by Space; s and r stay shortcuts", () => {
  assert.equal(shortcutFor(key(" ", button), false), null);
  assert.equal(shortcutFor(key(" ", button), true), "toggle");
  assert.equal(shortcutFor(key("s", button), false), "step");
});
