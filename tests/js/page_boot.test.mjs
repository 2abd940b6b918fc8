import { test } from "node:test";
import assert from "node:assert/strict";
import { revealWhen } from "../../static/js/page_boot.js";

function fakeBody() {
  const classes = new Set(["booting"]);
  return { classList: { remove: (c) => classes.delete(c), contains: (c) => classes.has(c) } };
}
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test("the page shows once it is ready, and the timeout then says nothing", async () => {
  const body = fakeBody();
  let timedOut = false, ready;
  revealWhen(new Promise((r) => { ready = r; }), { body, timeoutMs: 40, onTimeout: () => { timedOut = true; } });
  await tick();
  assert.equal(body.classList.contains("booting"), true);
  ready();
  await tick();
  assert.equal(body.classList.contains("booting"), false);
  await tick(60);
  assert.equal(timedOut, false);
});

test("a page that never gets ready shows after the timeout, which says why", async () => {
  const body = fakeBody();
  let timedOut = 0;
  revealWhen(new Promise(() => {}), { body, timeoutMs: 20, onTimeout: () => { timedOut += 1; } });
  await tick(5);
  assert.equal(body.classList.contains("booting"), true);
  await tick(40);
  assert.equal(body.classList.contains("booting"), false);
  assert.equal(timedOut, 1);
});

test("a failed start shows the page at once (its error is on it)", async () => {
  const body = fakeBody();
  revealWhen(Promise.reject(new Error("no server")), { body, timeoutMs: 1000 });
  await tick();
  assert.equal(body.classList.contains("booting"), false);
});

test("the returned function shows the page early", async () => {
  const body = fakeBody();
  const reveal = revealWhen(new Promise(() => {}), { body, timeoutMs: 1000 });
  reveal();
  assert.equal(body.classList.contains("booting"), false);
});

test("a lesson's slug is read from the address's hash, and nothing else is", async () => {
  const { lessonSlugFromHash } = await import("../../static/js/lessons/lesson_room.js");
  assert.equal(lessonSlugFromHash("#lesson=chain-rule"), "chain-rule");
  assert.equal(lessonSlugFromHash("#x=1&lesson=perceptron"), "perceptron");
  assert.equal(lessonSlugFromHash("#lesson=Bad_Slug"), null);
  assert.equal(lessonSlugFromHash(""), null);
});
