// The boot of a page that drives one live resource over REST and a websocket (/compare's
// comparison group, /race's race): the page's error log and debug handle for the browser tests,
// its notice line, JSON requests whose errors read as the server's messages, the resource's
// socket (with its control token) and its deletion when the page goes, Space for play / pause.

import { controlHeaders, socketPath } from "./run_access.js";

export const byId = (id) => document.getElementById(id);

/** Collects uncaught errors and returns window[debugName] = {ready, errors, ...fields}. */
export function pageDebug(debugName, fields) {
  const errors = [];
  window.addEventListener("error", (e) => errors.push(String(e.message)));
  window.addEventListener("unhandledrejection", (e) => errors.push(String(e.reason)));
  const debug = window[debugName] = { ready: false, errors, ...fields };
  return debug;
}

/** Writes one line (info / warn / error) into #notice. */
export function notice(text, level = "info") {
  const el = byId("notice");
  el.textContent = text;
  el.className = `notice ${level}`;
}

/** fetch -> the JSON body; a 4xx/5xx throws an Error with the server's message(s). */
export async function json(url, options) {
  const r = await fetch(url, options);
  const body = r.status === 204 ? null : await r.json();
  if (!r.ok) {
    const detail = body?.detail;
    throw new Error(Array.isArray(detail) ? detail.map((d) => d.msg).join("; ") : String(detail));
  }
  return body;
}

/** The websocket of resource `path` ("/ws/races/ID"), carrying its control token if any. */
export function openSocket(path, token) {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  return new WebSocket(`${proto}://${location.host}${socketPath(path, token)}`);
}

/** Closes the resource's socket and deletes it (`url`, with its token), even as the page goes. */
export function dropResource(resource, url) {
  resource.ws?.close();
  fetch(url, { method: "DELETE", keepalive: true, headers: controlHeaders(resource.token) }).catch(() => {});
}

/** Space clicks the play button (outside text fields); `onLeave` runs when the page goes. */
export function wirePageKeys(playButton, onLeave, ignore = "input, select") {
  document.addEventListener("keydown", (e) => {
    if (e.target.closest(ignore)) return;
    if (e.code === "Space") {
      e.preventDefault();
      playButton.click();
    }
  });
  addEventListener("pagehide", onLeave);
}
