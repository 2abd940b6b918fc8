// Unit tests of static/js/run_access.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  closingAction, controlHeaders, controlLink, currentRun, forgetRun, heldRun, linkedRun,
  forgetSaved, linkedResource, rememberRun, resourceControlLink, resourceWatchLink,
  rememberSaved, savedToken, setCurrentRun, socketPath, watchLink,
  withoutToken,
} from "../../static/js/run_access.js";

function memoryStorage() {
  const data = new Map();
  return {
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem: (k, v) => data.set(k, String(v)),
    removeItem: (k) => data.delete(k),
  };
}

test("changes carry the token as X-Run-Token; without a token no header is invented", () => {
  assert.deepEqual(controlHeaders("abc", { "content-type": "application/json" }),
    { "content-type": "application/json", "X-Run-Token": "abc" });
  assert.deepEqual(controlHeaders(null), {});
  assert.equal(socketPath("/ws/runs/r1", "a b"), "/ws/runs/r1?token=a%20b");
  assert.equal(socketPath("/ws/runs/r1", null), "/ws/runs/r1");
});

test("a link names the run and, for control, the token (query or fragment)", () => {
  assert.deepEqual(linkedRun("?run=r1&token=t1&dataset=xor"), { run: "r1", token: "t1" });
  assert.deepEqual(linkedRun("?run=r1", "#token=t2"), { run: "r1", token: "t2" });
  assert.deepEqual(linkedRun("?dataset=xor"), { run: null, token: null });
  assert.equal(watchLink("http://h:1", "r 1"), "http://h:1/?run=r%201");
  assert.equal(controlLink("http://h:1", "r1", "t/1"), "http://h:1/?run=r1&token=t%2F1");
  assert.deepEqual(linkedRun(new URL(controlLink("http://h", "r1", "t/1")).search), { run: "r1", token: "t/1" });
});

test("the address bar loses the token (it is kept in session storage) and keeps the rest", () => {
  assert.equal(withoutToken("http://h/?run=r1&token=t1&dataset=xor"), "http://h/?run=r1&dataset=xor");
  assert.equal(withoutToken("http://h/?run=r1#token=t1"), "http://h/?run=r1");
});

test("session storage keeps each run's token and whether this tab created it", () => {
  const s = memoryStorage();
  assert.equal(heldRun(s, "r1"), null);
  rememberRun(s, "r1", { token: "t1", own: true });
  rememberRun(s, "r2", { token: "t2" });
  assert.deepEqual(heldRun(s, "r1"), { token: "t1", own: true });
  assert.deepEqual(heldRun(s, "r2"), { token: "t2", own: false });
  forgetRun(s, "r1");
  assert.equal(heldRun(s, "r1"), null);
  for (let i = 0; i < 40; i++) rememberRun(s, `x${i}`, { token: `t${i}`, own: true });
  assert.equal(heldRun(s, "x0"), null);                       // bounded: the oldest go
  assert.deepEqual(heldRun(s, "x39"), { token: "t39", own: true });
  setCurrentRun(s, "x39");
  assert.equal(currentRun(s), "x39");
  setCurrentRun(s, null);
  assert.equal(currentRun(s), null);
  s.setItem("nnp.runTokens", "not json");
  assert.equal(heldRun(s, "x39"), null);                      // a broken entry is no crash
  assert.equal(heldRun(null, "x"), null);
});

test("closing deletes only the page's own untrained run, releases its trained one, leaves others", () => {
  assert.equal(closingAction({ own: true, step: 0 }), "delete");
  assert.equal(closingAction({ own: true, step: 12 }), "release");   // expires soon, saved then
  assert.equal(closingAction({ own: false, step: 0 }), null);        // a watched run is not ours
  assert.equal(closingAction({ own: false, step: 50 }), null);
  assert.equal(closingAction({ own: true, step: undefined }), "delete");
});

test("saved runs' owner tokens are remembered, bounded, and forgotten", () => {
  const storage = memoryStorage();
  assert.equal(savedToken(storage, "s1"), null);
  rememberSaved(storage, "s1", "t1");
  rememberSaved(storage, "s2", null);          // nothing to keep
  assert.equal(savedToken(storage, "s1"), "t1");
  assert.equal(savedToken(storage, "s2"), null);
  for (let i = 0; i < 70; i += 1) rememberSaved(storage, `x${i}`, `t${i}`);
  assert.equal(savedToken(storage, "s1"), null);          // the oldest went first
  assert.equal(savedToken(storage, "x69"), "t69");
  forgetSaved(storage, "x69");
  assert.equal(savedToken(storage, "x69"), null);
  storage.setItem("nnp.savedTokens", "[not json");
  assert.equal(savedToken(storage, "x1"), null);           // a broken entry is no token
  assert.equal(savedToken(null, "x1"), null);              // no storage at all
});

test("a live page's links name its resource by key; the token rides along for control", () => {
  assert.deepEqual(linkedResource("?group=g1&token=t1", "", "group"), { id: "g1", token: "t1" });
  assert.deepEqual(linkedResource("?race=r1", "#token=t2", "race"), { id: "r1", token: "t2" });
  assert.deepEqual(linkedResource("?preset=lr", "", "group"), { id: null, token: null });
  assert.deepEqual(linkedResource("?run=x", "", "group"), { id: null, token: null });
  assert.equal(resourceWatchLink("http://h:1", "/compare", "group", "g 1"), "http://h:1/compare?group=g%201");
  assert.equal(resourceControlLink("http://h:1", "/race", "race", "r1", "a&b"), "http://h:1/race?race=r1&token=a%26b");
  assert.deepEqual(linkedResource(new URL(resourceControlLink("http://h", "/race", "race", "r1", "a&b")).search, "", "race"),
    { id: "r1", token: "a&b" });
});
