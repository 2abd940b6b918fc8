// Wiring: schema -> state -> controls; state -> connection -> server; frames -> snapshot -> views.
// Views are drawn on animation frames from the latest snapshot only (never a backlog).

import { createAccessView } from "./access_view.js";
import { createActivationView } from "./activation_view.js";
import { createBoundaryView } from "./boundary_view.js";
import { onCanvasResize } from "./canvas_size.js";
import { createConnection } from "./connection.js";
import { buildControls } from "./controls.js";
import { createDataPanel } from "./data_panel.js";
import { createDiagnosticsView } from "./diagnostics_view.js";
import { createGhost } from "./ghost.js";
import { attachGhostButtons } from "./ghost_buttons.js";
import { attachGraphLink } from "./graph/playground_link.js";
import { createLossChart } from "./loss_chart.js";
import { createNetworkView } from "./network_view.js";
import { createNoticeBoard } from "./notice_board.js";
import { placeNotices } from "./notice_placement.js";
import { createOutputKeyboard } from "./output_keyboard.js";
import { createParamEditor } from "./param_editor.js";
import { currentRun, linkedRun, withoutToken } from "./run_access.js";
import { createRunNoticesView } from "./run_notices.js";
import { revealWhen } from "./page_boot.js";
import { addPictureButtons } from "./picture_export.js";
import { installShortcuts } from "./shortcuts.js";
import { createSnapshot } from "./snapshot.js";
import { createState, paramExists } from "./state.js";
import { createStorePanel } from "./store_panel.js";
import { createSurfaceView } from "./surface_view.js";
import { createTracePanel } from "./trace_panel.js";

// Uncaught errors and rejections, kept for the browser tests (Marionette, which drives Firefox,
// has no console hook): window.__nnp.errors.
const pageErrors = [];
window.addEventListener("error", (e) => pageErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => pageErrors.push(String(e.reason)));

const FPS = 60;            // frames per second asked of the server (it sends fewer if it must)
const byId = (id) => document.getElementById(id);

/** Three significant figures (a decaying rate changes the readout a few times, not 60 times a second). */
function threeFigures(x) {
  return x == null || !Number.isFinite(x) ? null : Number(x.toPrecision(3));
}

/** Keep the view options valid for the run's architecture (after a rebuild). */
function validateSelection(state, header, landscape) {
  const sizes = header.layer_sizes;
  const L = sizes.length - 1;
  const [layer, index] = state.ui.neuron;
  if (!(layer >= 1 && layer <= L && index < sizes[layer])) {
    state.setUi({ neuron: [1, 0] });
  }
  const valid = (name) => paramExists(name, sizes);
  if (state.ui.surfaceMode === "exact" && header.n_params !== landscape.exact_needs_params) state.setUi({ surfaceMode: "auto" });
  if (state.ui.surfaceParams.length && !state.ui.surfaceParams.every(valid)) {
    state.setUi({ surfaceParams: [], surfaceMode: state.ui.surfaceMode === "params" ? "auto" : state.ui.surfaceMode });
  }
}

// shows the page (page_boot.js); main() replaces it by one that also stops the boot timer
let revealPage = () => document.body.classList.remove("booting");

async function main() {
  // the engine's rules and the server's limits (GET /api/schema, embedded in the page)
  const rules = JSON.parse(byId("config-schema").textContent);
  const datasets = rules.datasets;
  const savedToOpen = new URLSearchParams(location.search).get("saved");  // a saved run's link
  // ?run=ID attaches to an existing run (&token=... to control it); the token leaves the
  // address bar at once (session storage keeps it), so a copied address is a watch link
  const link = linkedRun(location.search, location.hash);
  if (link.token) history.replaceState(null, "", withoutToken(location.href));
  // a reload comes back to the run this tab showed (with its token, if it had one)
  const reloaded = performance.getEntriesByType?.("navigation")?.[0]?.type === "reload";
  let storage = null;
  try { storage = window.sessionStorage; } catch { /* disabled */ }
  const previous = reloaded && !link.run && !savedToOpen ? currentRun(storage) : null;
  const attach = link.run ? link : previous ? { run: previous, token: null, quiet: true } : null;
  const state = createState(rules.fields, { datasets });
  const snapshot = createSnapshot();
  const notice = createNoticeBoard(byId("notice"));
  if (state.notes.length) notice(state.notes.join(" "), "warn");

  buildControls(state, {
    settings: byId("controls"),
    headline: byId("headline-controls"),
    actions: byId("run-actions"),
    networkTools: byId("network-tools"),
    outputTools: byId("output-tools"),
    lossTools: byId("loss-tools"),
    surfaceTools: byId("surface-tools"),
    activationTools: byId("activation-tools"),
    divergedActions: byId("diverged-actions"),
  }, datasets, rules.losses, rules.landscape);
  installShortcuts(state);

  let trace = null;   // the trace panel (created below; the network view reads its example)
  // every view gets the same way to ask for a redraw (e.g. after a click while paused)
  const redraw = { requestRedraw: () => schedule() };
  const ghost = createGhost();   // a kept previous run, faded on the loss charts and surface
  const views = {
    network: createNetworkView(byId("network-canvas"), byId("network-tooltip"), byId("network-legend"), state,
      { ...redraw, tracedExample: () => trace?.last() ?? null, live: byId("network-live") }),
    boundary: createBoundaryView(byId("output-canvas"), byId("output-legend"), redraw),
    loss: createLossChart(byId("loss-canvas"), byId("accuracy-canvas"), { ...redraw, ghost }),
    notices: createRunNoticesView(byId("run-notices"), state),
    activation: createActivationView(byId("activation-canvas"), byId("activation-legend"), byId("activation-tools"), redraw),
    surface: createSurfaceView({
      host: byId("surface-plot"), canvas: byId("surface-canvas"), plot3d: byId("surface-3d-plot"),
      tooltip: byId("surface-tooltip"), legend: byId("surface-legend"),
    }, { ...redraw, ghost }),
    diagnostics: createDiagnosticsView({
      gradCanvas: byId("gradnorm-canvas"), saturationCanvas: byId("saturation-canvas"), barsCanvas: byId("gradbars-canvas"),
      status: byId("status"), summary: byId("run-summary"),
      diverged: byId("diverged"), divergedReason: byId("diverged-reason"),
    }, redraw),
  };

  // ---- counters for tests and the page benchmark
  // drawMs / ingestMs: the last few hundred timings; totals: sums since the start (benchmarks
  // difference them over a window); viewDraws: animation frames in which some view redrew;
  // framesDrawn: of them, those that put a frame not drawn before on screen; slowDraws: the
  // last draws over SLOW_DRAW_MS, each with its views' times (which view made it slow)
  const stats = {
    framesIngested: 0, draws: 0, viewDraws: 0, framesDrawn: 0, lastFrameDrawn: null, drawMs: [], ingestMs: [], renders: {}, slowDraws: [],
    totals: { drawMs: 0, ingestMs: 0 }, viewMs: {}, lastHeader: null, lastDrawAt: 0,
  };
  const MS_KEEP = 600;
  const SLOW_DRAW_MS = 25;
  const keep = (arr, v) => {
    arr.push(v);
    if (arr.length > MS_KEEP) arr.splice(0, arr.length - MS_KEEP);
  };

  // the page shows its panels once a frame is drawn with its readouts (the diagnostics view writes
  // them into the top bar) and the panels' "?" buttons are in, or after 5 s without them (a
  // notice then says so); until then they fill in unseen (page_boot.js, body.booting).
  // panel_help.js is imported on its own: a failure there only loses the "?" buttons.
  let framed = () => {};
  const helpReady = import("./lessons/panel_help.js").then((m) => m.helpReady, () => {});
  revealPage = revealWhen(Promise.all([new Promise((resolve) => { framed = resolve; }), helpReady]), {
    onTimeout: () => {
      if (!stats.framesIngested) notice("Still waiting for the run's first frame from the server…", "warn");
    },
  });

  let scheduled = false;
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(draw);
    }
  }

  function draw(now) {
    scheduled = false;
    const t0 = performance.now();
    let waiting = false;
    let drew = false;
    const byView = {};
    for (const [name, v] of Object.entries(views)) {
      const tv = performance.now();
      try {
        if (v.render(snapshot, state.ui, now)) {
          const mv = performance.now() - tv;
          stats.renders[name] = (stats.renders[name] ?? 0) + 1;
          stats.viewMs[name] = (stats.viewMs[name] ?? 0) + mv;
          byView[name] = mv;
          drew = true;
        }
      } catch (err) {
        console.error(`${name} view:`, err);
      }
      if (v.waiting?.()) waiting = true;
    }
    stats.draws += 1;
    if (drew) stats.viewDraws += 1;
    if (stats.renders.diagnostics) framed();   // the first frame is drawn, the top bar's readouts too
    if (drew && snapshot.stamps.frame !== stats.lastFrameDrawn) {   // a new frame on screen
      stats.lastFrameDrawn = snapshot.stamps.frame;
      stats.framesDrawn += 1;
    }
    stats.lastDrawAt = now;
    const ms = performance.now() - t0;
    stats.totals.drawMs += ms;
    keep(stats.drawMs, ms);
    if (ms > SLOW_DRAW_MS) {
      stats.slowDraws.push({ at: t0, ms, byView });
      if (stats.slowDraws.length > 50) stats.slowDraws.shift();
    }
    // throttled charts may still owe a redraw of the latest data
    if (waiting || state.run.status === "playing") schedule();
  }

  let storePanel = null;
  let accessView = null;
  let graphLink = null;  // the "backprop graph of point #i" link, refreshed as the run arrives
  const connection = createConnection(state, {
    fps: FPS,
    onNotice: notice,
    // the connection's notice is up exactly while the socket is down (not for a fixed time)
    onStatus: (status) => notice.standing(status === "reconnecting" ? "Connection lost; reconnecting…" : null, "warn"),
    openSaved: savedToOpen,
    attach,
    storage,
    onAccess: (access) => { accessView?.update(access); graphLink?.refresh(); },
    onRunLost: (id) => storePanel.runLost(id),
    onFrame(frame) {
      const t0 = performance.now();
      const newGeneration = snapshot.ingest(frame);
      const h = frame.header;
      stats.framesIngested += 1;
      stats.lastHeader = h;
      state.setRun({
        status: h.status, reason: h.reason, inputDim: h.input_dim, nParams: h.n_params, nTrain: h.n_train,
        // the rate the schedule applies at this step, to three figures (a decaying rate changes
        // the readout a few times, not 60 times a second)
        effectiveLearningRate: threeFigures(h.effective_learning_rate),
        // a diverged run's one-click way out, as the engine names it for the likely cause
        remedyLabel: h.remedy?.label ?? "",
        remedyChanges: h.remedy ? JSON.stringify(h.remedy.changes) : "",
      });
      if (newGeneration) validateSelection(state, h, rules.landscape);
      graphLink?.refresh();
      const ms = performance.now() - t0;
      stats.totals.ingestMs += ms;
      keep(stats.ingestMs, ms);
      schedule();
    },
  });

  graphLink = attachGraphLink({ canvas: byId("output-canvas"), tools: byId("output-tools"), view: views.boundary, snapshot, connection });
  attachGhostButtons(byId("loss-tools"), ghost, snapshot, { redraw: schedule, notice });

  state.subscribe((change) => {
    if (change.kind === "ui" || change.kind === "config") schedule();
  });
  onCanvasResize(schedule);
  createDataPanel({ container: byId("controls"), state, snapshot, datasets, outputCanvas: byId("output-canvas"), boundaryView: views.boundary });
  let savedStorage = null;   // saved runs' owner tokens outlive the tab
  try { savedStorage = window.localStorage; } catch { /* disabled */ }
  storePanel = createStorePanel({ container: byId("controls"), connection, savedStorage,
    bannerHost: document.querySelector("[data-testid=topbar]") });
  addPictureButtons(document, storePanel.pictures, () => snapshot.header?.metrics?.step);

  trace = createTracePanel({
    panel: byId("trace-panel"), outputCanvas: byId("output-canvas"), boundaryView: views.boundary,
    snapshot, connection, state, notice,
  });
  createOutputKeyboard({
    canvas: byId("output-canvas"), cursor: byId("output-cursor"), live: byId("output-live"),
    boundaryView: views.boundary, snapshot,
    onPick: (hit) => trace.show(hit.example != null ? { example: hit.example, split: "train" } : { x: hit.x }),
  });
  createParamEditor({
    canvas: byId("network-canvas"), box: byId("param-editor"),
    snapshot, connection, notice,
  });

  accessView = createAccessView({
    note: byId("read-only-note"), watchButton: byId("copy-watch-link"), controlButton: byId("copy-control-link"),
    containers: ["run-actions", "headline-controls", "controls", "surface-tools", "diverged-actions"].map(byId),
    connection, notice,
  });

  // on tablets the run's notices and the diverged box sit in the top bar, in view
  const noticePlacement = placeNotices(byId("topbar-notices"), [byId("diverged"), byId("run-notices")]);

  window.__nnp = { noticePlacement, state, snapshot, connection, views, stats, trace, ghost, errors: pageErrors, ready: false };
  await connection.start();
  window.__nnp.ready = true;
}

main().catch((err) => {
  console.error(err);
  revealPage();   // at once, and its timer does not replace the error below with "still waiting"
  const el = byId("notice");
  if (el) {
    el.textContent = `The page could not start: ${err.message}`;
    el.className = "notice error";
  }
});
