// Watch and control rights on the page's side (the server's rule: server/run_access.py).
// Whoever created a run (or group, or race) holds its control token: REST changes send it as
// the X-Run-Token header, the websocket as ?token=. Without it a page only watches.
// Pure functions; `storage` is sessionStorage in the page (a stub in the unit tests).

export const TOKEN_HEADER = "X-Run-Token";
const OWN_RUNS_KEY = "nnp.runTokens";   // {runId: {token, own}} of the runs this tab may control
const OWN_RUN_LIMIT = 16;

/** Headers for a change of a resource whose token is `token` (none without one). */
export function controlHeaders(token, extra = {}) {
  return token ? { ...extra, [TOKEN_HEADER]: token } : { ...extra };
}

/** The websocket path with the token, if any: "/ws/runs/ID?token=..." */
export function socketPath(path, token) {
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

/** What the page's address asks for: ?run=ID (attach), &token=... (or #token=...) to control. */
export function linkedRun(search, hash = "") {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const run = query.get("run");
  return { run: run || null, token: query.get("token") || fragment.get("token") || null };
}

/** What a live page's address asks for: ?<key>=ID (watch), &token=... (or #token=...) to
 * control: {id, token} (/compare?group=ID, /race?race=ID). */
export function linkedResource(search, hash, key) {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  return { id: query.get(key) || null, token: query.get("token") || fragment.get("token") || null };
}

/** A watch link to the live resource `id` of page `page` ("/compare", key "group"). */
export function resourceWatchLink(origin, page, key, id) {
  return `${origin}${page}?${key}=${encodeURIComponent(id)}`;
}

/** Its control link (it carries the token: share it with care). */
export function resourceControlLink(origin, page, key, id, token) {
  return `${resourceWatchLink(origin, page, key, id)}&token=${encodeURIComponent(token)}`;
}

/** A link that shows run `id` read-only to anyone who has it. */
export function watchLink(origin, id) {
  return `${origin}/?run=${encodeURIComponent(id)}`;
}

/** A link that gives control of run `id` (it carries the token: share it with care). */
export function controlLink(origin, id, token) {
  return `${watchLink(origin, id)}&token=${encodeURIComponent(token)}`;
}

/** The address without its token (the page keeps the token in session storage instead, so a
 * copied address bar is a watch link). */
export function withoutToken(href) {
  const url = new URL(href);
  url.searchParams.delete("token");
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ""));
  if (fragment.has("token")) {
    fragment.delete("token");
    url.hash = fragment.toString();
  }
  return url.toString();
}

function readHeld(storage) {
  try {
    const value = JSON.parse(storage?.getItem(OWN_RUNS_KEY) ?? "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function writeHeld(storage, held) {
  try {
    storage?.setItem(OWN_RUNS_KEY, JSON.stringify(held));
  } catch { /* storage full or disabled: the run still works until the tab closes */ }
}

/** What this tab holds for run `id`: {token, own} (own: this tab created it), or null. */
export function heldRun(storage, id) {
  const entry = readHeld(storage)[id];
  return entry && typeof entry.token === "string" ? { token: entry.token, own: Boolean(entry.own) } : null;
}

/** Remember the token of run `id` (own: this tab created it); the newest OWN_RUN_LIMIT are kept. */
export function rememberRun(storage, id, { token, own = false }) {
  const held = readHeld(storage);
  delete held[id];
  held[id] = { token, own: Boolean(own) };
  const ids = Object.keys(held);
  for (const old of ids.slice(0, Math.max(0, ids.length - OWN_RUN_LIMIT))) delete held[old];
  writeHeld(storage, held);
}

/** Forget run `id` (deleted, gone from the server, or its token was refused). */
export function forgetRun(storage, id) {
  const held = readHeld(storage);
  if (!(id in held)) return;
  delete held[id];
  writeHeld(storage, held);
}

/** The run this tab was last showing (so that a reload comes back to it). */
const CURRENT_KEY = "nnp.currentRun";
export function currentRun(storage) {
  try {
    return storage?.getItem(CURRENT_KEY) || null;
  } catch {
    return null;
  }
}
export function setCurrentRun(storage, id) {
  try {
    if (id) storage?.setItem(CURRENT_KEY, id);
    else storage?.removeItem(CURRENT_KEY);
  } catch { /* ignore */ }
}

/** What closing the page does to its run: "delete" a run this page created that never
 * trained; "release" one it created that trained (the server lets it expire soon unless a
 * reload comes back to it, and saves it then); nothing (null) to a run it did not create. */
export function closingAction({ own, step }) {
  if (!own) return null;
  return step > 0 ? "release" : "delete";
}

// Saved runs' owner tokens (POST /api/runs/{id}/save answers control_token: the saving run's
// token; DELETE /api/saved/{id} needs it). Kept in localStorage, since a saved run outlives the
// tab: {savedId: token}, the newest SAVED_LIMIT.
const SAVED_KEY = "nnp.savedTokens";
const SAVED_LIMIT = 64;

function readSaved(storage) {
  try {
    const value = JSON.parse(storage?.getItem(SAVED_KEY) ?? "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

/** Remember the owner token of saved run `savedId`. */
export function rememberSaved(storage, savedId, token) {
  if (!savedId || !token) return;
  const held = readSaved(storage);
  delete held[savedId];
  held[savedId] = token;
  const ids = Object.keys(held);
  for (const old of ids.slice(0, Math.max(0, ids.length - SAVED_LIMIT))) delete held[old];
  try {
    storage?.setItem(SAVED_KEY, JSON.stringify(held));
  } catch { /* storage full or disabled: the saved run stays, only this page cannot delete it */ }
}

/** The owner token this browser holds for saved run `savedId`, or null. */
export function savedToken(storage, savedId) {
  const token = readSaved(storage)[savedId];
  return typeof token === "string" ? token : null;
}

/** Forget saved run `savedId` (deleted, or the server no longer has it). */
export function forgetSaved(storage, savedId) {
  const held = readSaved(storage);
  if (!(savedId in held)) return;
  delete held[savedId];
  try {
    storage?.setItem(SAVED_KEY, JSON.stringify(held));
  } catch { /* ignore */ }
}
