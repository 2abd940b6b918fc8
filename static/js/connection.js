// The page's only link to the server: REST to create its run (or none: it attaches to an
// existing one), one websocket to steer it and to receive its frames (docs/protocol.md). It
// listens to the client state (settings, commands, view options that change what frames carry)
// and hands every decoded frame to `onFrame`.
// Watching and controlling are different rights (static/js/run_access.js): the page controls a
// run it holds the token of (its own, kept in session storage across a reload, or a control
// link's); any other run it only watches: controls are not sent, and it never deletes it.

import { viewsFor } from "./frame_views.js";
import { decodeFrame } from "./protocol.js";
import {
  closingAction, controlHeaders, controlLink, forgetRun, heldRun, rememberRun, setCurrentRun,
  socketPath, watchLink,
} from "./run_access.js";

const SET_COALESCE_MS = 60;     // a moving slider sends at most ~16 changes per second
const RECONNECT_MS = 1000;

function sessionStore() {
  try {
    return window.sessionStorage;
  } catch {
    return null;   // storage disabled: tokens last as long as the page
  }
}

// openSaved: a saved run's id to reopen instead of creating a run (the page's ?saved=ID);
// attach: {run, token} an existing run to show instead (the page's ?run=ID[&token=...], or the
// run this tab showed before a reload; token null: the one session storage holds, if any);
// onRunLost(runId): the server no longer has the run; resolves true if the user was told about
// a saved copy (static/js/store_panel.js), else the page says that it expired;
// onAccess({runId, control, own}): whether this page may control the run it shows (after start,
// and whenever that changes);
// onStatus(status): the socket's state whenever it changes: "connecting" (the first socket, or
// a new run's after the old one was lost), "open" (a socket is open), "reconnecting" (the socket
// closed on its own: a dropped network or a server that stopped; retried every RECONNECT_MS),
// "gone" (the watched run is gone: nothing to reconnect to), "closed" (the page is leaving).
export function createConnection(state, {
  onFrame, onNotice, fps = 60, openSaved = null, onRunLost = null, attach = null, onAccess = null,
  onStatus = null, storage = sessionStore(),
} = {}) {
  let runId = null;
  let token = null;             // the run's control token (null: this page only watches)
  let own = false;              // this tab created the run (only then may closing delete it)
  let attachTo = attach;
  let attaching = null;         // {id, quiet} until the attached run's first frame (or its 4404)
  let savedToOpen = openSaved;
  let refusedNoticeAt = 0;
  let ws = null;
  let closedByUs = false;
  let pendingSet = null;        // {config, reset} waiting to be sent
  let setTimer = null;
  let resyncConfig = false;     // adopt the next frame's config (after the server refused one)
  let lastHeader = null;
  let subscribed = false;       // this socket has had our subscription (sent after its first frame)
  let surfaceRetry = null;      // {timer}: the server had no room for the live surface
  let keptSurface = false;      // it kept the run's surface at its options instead of ours
  let status = "connecting";
  const counters = { framesReceived: 0, bytesReceived: 0, messagesSent: 0, errors: 0, lastError: null, decodeMs: 0 };

  function notice(text, level = "info") {
    onNotice?.(text, level);
  }

  function setStatus(next) {
    if (next === status) return;
    status = next;
    onStatus?.(status);
  }

  /** Start again after the run was lost: a server that is not there (yet) is retried. */
  async function startAgain() {
    setStatus("connecting");
    try {
      await start();
    } catch (err) {
      if (err instanceof TypeError) {   // fetch found no server: the connection is what is lost
        setStatus("reconnecting");
        setTimeout(() => { if (!closedByUs) startAgain(); }, RECONNECT_MS);
        return;
      }
      notice(`Could not start a new run: ${err.message}`, "error");
    }
  }

  async function createRun(config) {
    const r = await fetch("/api/runs", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(config),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const err = new Error(body?.detail ? JSON.stringify(body.detail) : `HTTP ${r.status}`);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    counters.messagesSent += 1;
    return true;
  }

  function landscapeOptions(ui) {
    const pinned = ui.surfaceParams.length === 2;
    const mode = ui.surfaceMode === "params" && !pinned ? "auto" : ui.surfaceMode;
    return {
      mode,
      resolution: ui.surfaceResolution,
      params: (mode === "params" || mode === "exact") && pinned ? ui.surfaceParams : null,
    };
  }

  function subscription() {
    const ui = state.ui;
    const views = viewsFor(ui);
    // the landscape's options and the speed are the run's: only a controlling page sets them
    if (!token) return { type: "subscribe", views, fps, neuron: ui.neuron };
    return { type: "subscribe", views, fps, neuron: ui.neuron, landscape: landscapeOptions(ui), speed: ui.speed };
  }

  /** Adopt run `id` with `runToken` (null: watch only); remember it for a reload. */
  function adopt(id, runToken, isOwn) {
    runId = id;
    token = runToken || null;
    own = Boolean(isOwn && token);
    if (token) rememberRun(storage, id, { token, own });
    setCurrentRun(storage, id);
    onAccess?.({ runId, control: Boolean(token), own });
  }

  function readOnlyNotice() {
    const now = Date.now();
    if (now - refusedNoticeAt < 4000) return;
    refusedNoticeAt = now;
    notice("You are watching this run: its controls are off here (open its control link to steer it).", "warn");
  }

  function flushSet() {
    setTimer = null;
    if (!pendingSet) return;
    if (send({ type: "set", config: pendingSet.config, reset: pendingSet.reset })) pendingSet = null;
  }

  function queueSet(changes, reset) {
    pendingSet = pendingSet ?? { config: {}, reset: false };
    Object.assign(pendingSet.config, changes);
    pendingSet.reset = pendingSet.reset || reset;
    if (reset) {
      // a rebuild should feel immediate; live changes (sliders) are coalesced
      if (setTimer) clearTimeout(setTimer);
      flushSet();
    } else if (!setTimer) {
      setTimer = setTimeout(flushSet, SET_COALESCE_MS);
    }
  }

  function handleText(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.type === "hello") {
      state.setLimits(msg.limits);  // e.g. a linked speed above the server's bound is lowered
      if (token && msg.control === false) {
        // the token this page had is not this run's (a mistyped control link): watch only
        forgetRun(storage, runId);
        adopt(runId, null, false);
        notice("That link's control token does not fit this run: watching it read-only.", "warn");
      }
    } else if (msg.type === "error" && refusedSurface(msg)) {
      counters.errors += 1;
      counters.lastError = msg;
    } else if (msg.type === "error") {
      counters.errors += 1;
      counters.lastError = msg;
      notice(`The server refused ${msg.for ?? "a message"}: ${msg.message}`, "error");
      if (msg.for === "set") resyncConfig = true;
    } else if (msg.type === "ack" && msg.for === "subscribe") {
      if (msg.views?.includes("landscape") && surfaceRetry) {
        clearTimeout(surfaceRetry.timer);   // there was room after all: a later refusal is told again
        surfaceRetry = null;
      }
      if (keptSurface && msg.landscape && msg.landscape.resolution !== state.ui.surfaceResolution) {
        state.setUi({ surfaceResolution: msg.landscape.resolution });   // the control shows what is drawn
      }
      keptSurface = false;
    } else if (msg.type === "ack" && msg.for === "set" && msg.reset && msg.changed?.length) {
      notice(`Changed ${msg.changed.join(", ")}: the run was rebuilt (training restarts).`, "warn");
    }
  }

  /** No room for the live surface now (a 503 with retry_after): told once, asked again after
   *  retry_after seconds, and again until there is room; the rest of the views go on. */
  function refusedSurface(msg) {
    if (msg.for !== "subscribe" || msg.status !== 503 || !msg.fields?.includes("landscape")) return false;
    if (msg.kept) {
      // other options did not fit: the run's surface stays as it is; the next ack says which
      keptSurface = true;
      notice(`${msg.message.replace(/^landscape: /, "").replace(/; subscribe again after [^;]*$/, "")}.`, "warn");
      return true;
    }
    if (!(msg.retry_after > 0)) return false;
    if (!surfaceRetry) {   // once per spell without a surface (the numbers in it change)
      notice(`No live loss surface for now: the server's landscape threads are full (the loss-surface panel says what would fit). The page asks again every ${Math.round(msg.retry_after)} s.`, "warn");
    }
    clearTimeout(surfaceRetry?.timer);
    surfaceRetry = { timer: setTimeout(() => send(subscription()), msg.retry_after * 1000) };
    return true;
  }

  function open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    ws = new WebSocket(`${scheme}://${location.host}${socketPath(`/ws/runs/${runId}`, token)}`);
    ws.binaryType = "arraybuffer";
    subscribed = false;
    ws.addEventListener("open", () => {
      setStatus("open");
      if (pendingSet) flushSet();
    });
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") {
        handleText(e.data);
        return;
      }
      counters.framesReceived += 1;
      counters.bytesReceived += e.data.byteLength;
      let frame;
      const t0 = performance.now();
      try {
        frame = decodeFrame(e.data);
        counters.decodeMs += performance.now() - t0;
      } catch (err) {
        counters.errors += 1;
        notice(`Could not read a frame: ${err.message}`, "error");
        return;
      }
      const changedConfig = frame.header.config_version !== lastHeader?.config_version;
      lastHeader = frame.header;
      if (attaching) {   // the run exists: the controls show its configuration
        attaching = null;
        if (frame.header.config) state.adoptConfig(frame.header.config);
      }
      // a watching page shows the configuration its owner (or script) gives the run
      if ((resyncConfig || (!token && changedConfig)) && frame.header.config) {
        resyncConfig = false;
        state.adoptConfig(frame.header.config);
      }
      try {
        onFrame(frame);
      } finally {
        // subscribe once the first frame (after the hello and its limits) has let the page check
        // its view options against the run (a link's surface axes or neuron may not exist in it):
        // the server refuses a whole subscription for one bad key
        if (!subscribed) subscribed = send(subscription());
      }
    });
    ws.addEventListener("close", async (e) => {
      ws = null;
      clearTimeout(surfaceRetry?.timer);
      surfaceRetry = null;
      if (closedByUs) {
        setStatus("closed");
        return;
      }
      if (e.code === 4404 && attaching) {   // the run to attach to does not exist (any more)
        const { id, quiet } = attaching;
        attaching = null;
        forgetRun(storage, id);
        setCurrentRun(storage, null);
        const told = await onRunLost?.(id).catch(() => false);
        if (!told && !quiet) notice(`Could not open run ${id}: the server has no such run (deleted or expired). Starting a new run.`, "error");
        await startAgain();
        return;
      }
      if (e.code === 4404) {
        const lost = runId;
        forgetRun(storage, lost);
        const told = await onRunLost?.(lost).catch(() => false);
        if (!own) {   // not ours to start again: say so and keep the last picture
          setStatus("gone");
          setCurrentRun(storage, null);
          if (!told) notice("The run you were watching is gone from the server (deleted or expired).", "warn");
          return;
        }
        if (!told) notice("The run expired on the server; starting a new one with the same settings.", "warn");
        await startAgain();
        return;
      }
      setStatus("reconnecting");   // the page says so for as long as it lasts (onStatus)
      setTimeout(() => { if (!ws && !closedByUs) open(); }, RECONNECT_MS);
    });
  }

  async function reopen(savedId) {
    const r = await fetch(`/api/saved/${encodeURIComponent(savedId)}/open`, { method: "POST" });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body?.detail ?? `HTTP ${r.status}`);
    state.adoptConfig(body.config);
    notice(`Reopened the saved run at step ${body.metrics.step}: it continues where it stopped.`);
    return body;
  }

  async function start() {
    let run;
    if (attachTo) {
      // straight to the socket (its first frame carries the configuration; an unknown run
      // closes it with 4404, then a new run starts)
      const { run: id, token: linkToken, quiet = false } = attachTo;
      attachTo = null;
      const held = heldRun(storage, id);
      const runToken = linkToken || held?.token || null;
      // own only when this tab created it (a control link's token gives control, not ownership)
      adopt(id, runToken, Boolean(held?.own && held.token === runToken));
      attaching = { id, quiet };
      open();
      return { id };
    }
    if (savedToOpen) {
      const savedId = savedToOpen;
      savedToOpen = null;
      try {
        run = await reopen(savedId);
      } catch (err) {
        notice(`Could not reopen the saved run: ${err.message}`, "error");
      }
      if (run) {
        adopt(run.id, run.control_token, true);
        open();
        return run;
      }
    }
    try {
      run = await createRun(state.config);
    } catch (err) {
      if (err.status !== 422) throw err;
      // a link with settings the server does not accept together: start from the defaults
      notice(`These settings were refused (${err.message}); using the defaults.`, "error");
      run = await createRun(state.defaults);
      state.adoptConfig(run.config);
    }
    adopt(run.id, run.control_token, true);
    open();
    return run;
  }

  state.subscribe((change) => {
    if (!token && runId && ((change.kind === "config" && !change.fromServer) || change.kind === "command")) {
      // watching: nothing is sent (the server would refuse it); the controls show the run's own
      if (change.kind === "config" && lastHeader?.config) state.adoptConfig(lastHeader.config);
      readOnlyNotice();
      return;
    }
    if (change.kind === "config" && !change.fromServer) {
      queueSet(change.changes, change.reset);
    } else if (change.kind === "command") {
      switch (change.name) {
        case "toggle":
          send({ type: lastHeader?.playing ? "pause" : "play" });
          break;
        case "step":
          send({ type: "step", n: change.n ?? 1 });
          break;
        default:
          send({ type: change.name });
      }
    } else if (change.kind === "ui") {
      const keys = Object.keys(change.changes);
      if (subscribed && keys.some((k) => ["neuron", "surfaceMode", "surfaceResolution", "surfaceParams", "speed", "hiddenDetail"].includes(k))) {
        send(subscription());
      }
    }
  });

  // Closing the page: a run it created that never trained is of no use to anyone and is freed
  // now. One that trained is released: the server lets it expire within a minute unless a
  // reload comes back to it (its token is in session storage), and saves it then, so nothing
  // is lost silently. A run this page did not create is never deleted nor released.
  window.addEventListener("pagehide", () => {
    closedByUs = true;
    if (ws) ws.close(1000, "page closed");
    const action = runId ? closingAction({ own, step: lastHeader?.metrics?.step }) : null;
    if (action === "delete") {
      forgetRun(storage, runId);
      setCurrentRun(storage, null);   // a reload starts a new run
      fetch(`/api/runs/${runId}`, { method: "DELETE", keepalive: true, headers: controlHeaders(token) }).catch(() => {});
    } else if (action === "release") {
      fetch(`/api/runs/${runId}/release`, { method: "POST", keepalive: true, headers: controlHeaders(token) }).catch(() => {});
    }
  });

  return {
    start,
    counters,
    get runId() { return runId; },
    get token() { return token; },
    /** Whether this page may control its run, and whether it created it. */
    get canControl() { return Boolean(token); },
    get own() { return own; },
    /** Links to this run: anyone with the watch link sees it live, read-only; the control link
     * (null without the token) steers it. */
    watchLink: () => (runId ? watchLink(location.origin, runId) : null),
    controlLink: () => (runId && token ? controlLink(location.origin, runId, token) : null),
    /** Headers for a REST change of this run (its X-Run-Token). */
    controlHeaders: (extra = {}) => controlHeaders(token, extra),
    get socket() { return ws; },
    /** The socket's state (see onStatus). */
    get status() { return status; },
  };
}
