// The boot of a page that drives one live resource over REST and a websocket (/compare's
// comparison group, /race's race): the page's error log and debug handle for the browser tests,
// its notice line, JSON requests whose errors read as the server's messages, the resource's
// socket (with its control token) and its deletion when the page goes, Space for play / pause;
// watch and control links (?group=ID / ?race=ID, &token=...) and the read-only state of a
// watching page (static/js/access_view.js).

import { createAccessView, readOnlyNote } from "./access_view.js";
import {
  controlHeaders, heldRun, linkedResource, rememberRun, resourceControlLink, resourceWatchLink,
  socketPath, withoutToken,
} from "./run_access.js";

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

let tabStorage = null;   // the control tokens this tab holds (as the playground's own runs)
try { tabStorage = window.sessionStorage; } catch { /* disabled */ }

/** What the address asks to watch: {id, token} of ?<key>=ID; the token (from &token= or held
 * by this tab) leaves the address bar at once, so a copied address is a watch link. */
export function linkedFromAddress(key) {
  const linked = linkedResource(location.search, location.hash, key);
  if (!linked.id) return { id: null, token: null };
  if (linked.token) {
    rememberRun(tabStorage, linked.id, { token: linked.token });
    history.replaceState(null, "", withoutToken(location.href));
  }
  return { id: linked.id, token: linked.token ?? heldRun(tabStorage, linked.id)?.token ?? null };
}

/** Keep the token of a resource this page created (a later control link in this tab finds it). */
export function holdToken(id, token) {
  if (id && token) rememberRun(tabStorage, id, { token, own: true });
}

/** The address without the ?<key>= of a watched resource (the page went on to its own). */
export function dropLinkFromAddress(key) {
  const url = new URL(location.href);
  if (!url.searchParams.has(key)) return;
  url.searchParams.delete(key);
  history.replaceState(null, "", url);
}

/**
 * The copy links and the read-only state of a live page: `current()` gives the shown resource
 * ({id, token}); `containers` hold its controls. Returns {update({control})} for the hello.
 */
export function createLiveAccess({ page, key, what, containers, current }) {
  const origin = location.origin;
  return createAccessView({
    note: byId("read-only-note"), watchButton: byId("copy-watch-link"),
    controlButton: byId("copy-control-link"), containers, notice, noteText: readOnlyNote(what),
    connection: {
      watchLink: () => (current()?.id ? resourceWatchLink(origin, page, key, current().id) : null),
      controlLink: () => (current()?.token ? resourceControlLink(origin, page, key, current().id, current().token) : null),
    },
  });
}

/** Opens the socket of a linked resource and waits for its hello: {ws, hello, early} (early:
 * the messages that came after the hello, for the page's handler to replay), or null when the
 * server has no such resource (it closes with 4404; unlike a GET, no 404 in the console). */
export function openLinked(path, token) {
  return new Promise((resolve) => {
    const ws = openSocket(path, token);
    ws.binaryType = "arraybuffer";
    const early = [];
    let hello = null;
    ws.onmessage = (e) => {
      if (hello) {
        early.push(e);
        return;
      }
      const msg = typeof e.data === "string" ? JSON.parse(e.data) : null;
      if (msg?.type === "hello") {
        hello = msg;
        ws.onclose = null;
        resolve({ ws, hello, early });
      }
    };
    ws.onclose = () => resolve(null);
  });
}
