// Unit tests of static/js/notice_board.js (node --test): passing notices time out, the standing
// (connection) notice lasts exactly as long as its state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createNoticeBoard } from "../../static/js/notice_board.js";

function fakeTimers() {
  let next = 1;
  const due = new Map();
  return {
    setTimeout(fn) { const id = next++; due.set(id, fn); return id; },
    clearTimeout(id) { due.delete(id); },
    /** Runs every pending timeout (time passes beyond all of them). */
    elapse() { const fns = [...due.values()]; due.clear(); for (const fn of fns) fn(); },
    get pending() { return due.size; },
  };
}

function board() {
  const el = { textContent: "", className: "notice" };
  const timers = fakeTimers();
  return { el, timers, show: createNoticeBoard(el, { timers }) };
}

test("a passing notice goes after its time", () => {
  const { el, timers, show } = board();
  show("Saved.", "info");
  assert.equal(el.textContent, "Saved.");
  assert.equal(el.className, "notice info");
  timers.elapse();
  assert.equal(el.textContent, "");
});

test("the standing notice stays however long its state lasts, and goes at once when it ends", () => {
  const { el, timers, show } = board();
  show.standing("Connection lost; reconnecting…", "warn");
  timers.elapse();
  assert.equal(el.textContent, "Connection lost; reconnecting…");
  assert.equal(el.className, "notice warn");
  show.standing(null);
  assert.equal(el.textContent, "");
  assert.equal(show.current(), null);
});

test("a passing notice shows over the standing one, which comes back while its state holds", () => {
  const { el, timers, show } = board();
  show.standing("Connection lost; reconnecting…");
  show("The server refused set: ...", "error");
  assert.equal(el.textContent, "The server refused set: ...");
  show.standing("Connection lost; reconnecting…");   // the same state again: no repaint
  assert.equal(el.textContent, "The server refused set: ...");
  timers.elapse();
  assert.equal(el.textContent, "Connection lost; reconnecting…");
  assert.equal(show.current().standing, true);
});

test("the standing notice ending leaves a passing notice alone; one that ended while it showed stays gone", () => {
  const { el, timers, show } = board();
  show.standing("Connection lost; reconnecting…");
  show("Reopened the saved run.", "info");
  show.standing(null);
  assert.equal(el.textContent, "Reopened the saved run.");
  timers.elapse();
  assert.equal(el.textContent, "");
});

test("a state that begins replaces a passing notice at once", () => {
  const { el, timers, show } = board();
  show("Changed lr.", "info");
  show.standing("Connection lost; reconnecting…");
  assert.equal(el.textContent, "Connection lost; reconnecting…");
  assert.equal(timers.pending, 0);
});
