// /race wiring: GET /api/functions -> a plotly contour of the chosen function (drawn once per
// function) -> a click picks the start -> POST /api/races -> WS /ws/races/{id} -> race state ->
// the overlay, redrawn on every new frame. Sliders send live "set" messages.
// /race?race=ID watches an existing race read-only (controls off, a note says why); &token=...
// (or a token this tab holds) controls it. Only a race this page created is deleted when the
// page goes (a click or a racer change on a watched race starts the page's own).

import { LAYER_COLORS } from "../colors.js";
import { formatNumber as fmt } from "../format.js";
import {
  byId, createLiveAccess, dropLinkFromAddress, dropResource, holdToken, json, linkedFromAddress, notice,
  openLinked, openSocket, pageDebug, wirePageKeys,
} from "../live_page.js";
import { contourValues, createRaceState, ingestRaceFrame, interpolate, plotMapping } from "./race_state.js";
import { createRaceView } from "./race_view.js";

const COLORS = LAYER_COLORS.slice(0, 6);
const MAX_RACERS = 6;
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];
const MARGIN = { l: 44, r: 12, t: 10, b: 34 };
const debug = pageDebug("__nnpRace", { colors: COLORS, stats: { frames: 0, draws: 0, drawMs: 0 }, race: null, state: null });

let functions = [];
let fn = null;            // the function shown: its description and surface
let racers = [];          // specs: {optimizer, learning_rate, momentum, beta1, beta2, rho}
let race = null;          // {id, token, ws, state, own}
let access = null;        // copy links and the read-only state (live_page.js)
let view = null;
let drawScheduled = false;
let surface3d = false;
let last3d = 0;
let lastStats = 0;        // racer numbers are written at most 10 times a second

let plotSize = null;       // the plot box's CSS size, measured on resize (no layout per frame)
function plotBox() {
  if (!plotSize) {
    const box = byId("plot-box").getBoundingClientRect();
    plotSize = { w: box.width, h: box.height };
  }
  return { x: MARGIN.l, y: MARGIN.t, w: plotSize.w - MARGIN.l - MARGIN.r, h: plotSize.h - MARGIN.t - MARGIN.b,
    canvasWidth: plotSize.w, canvasHeight: plotSize.h };
}

function requestDraw() {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame((now) => {
    drawScheduled = false;
    if (surface3d) {
      if (now - last3d > 1000) {
        last3d = now;
        draw3d();
      }
    } else {
      const t0 = performance.now();
      if (view.render(race?.state ?? createRaceState(), fn, plotBox())) {
        debug.stats.draws += 1;
        debug.stats.drawMs += performance.now() - t0;   // the page benchmark's redraw cost
      }
    }
    if (now - lastStats > 100) {
      lastStats = now;
      updateRacerStats();
    }
  });
}

// ---------------------------------------------------------------- the surface (plotly)
function contourLayout() {
  return { margin: MARGIN, showlegend: false, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    xaxis: { range: fn.domain[0], title: { text: "x", standoff: 4 }, fixedrange: true, zeroline: false },
    yaxis: { range: fn.domain[1], title: { text: "y", standoff: 4 }, fixedrange: true, zeroline: false },
    font: { size: 11, family: "system-ui, sans-serif" } };
}

function drawContour() {
  const z = contourValues(fn.surface.z, fn.log_scale);
  Plotly.react(byId("plot"), [{ type: "contour", x: fn.surface.x, y: fn.surface.y, z,
    colorscale: "Viridis", showscale: false, ncontours: 28, line: { width: 0.6, color: "rgba(255,255,255,0.35)" },
    hoverinfo: "skip" }], contourLayout(), { displayModeBar: false, staticPlot: true, responsive: true });
}

function draw3d() {
  const { x, y, z } = fn.surface;
  const zz = contourValues(z, fn.log_scale);
  const traces = [{ type: "surface", x, y, z: zz, colorscale: "Viridis", showscale: false, opacity: 0.9 }];
  (race?.state.paths ?? []).forEach((path, i) => {
    traces.push({ type: "scatter3d", mode: "lines", line: { color: COLORS[i], width: 5 },
      x: path.map((p) => p[0]), y: path.map((p) => p[1]),
      z: path.map((p) => interpolate(x, y, zz, p[0], p[1])) });
  });
  Plotly.react(byId("plot"), traces, { margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false,
    scene: { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } },
      zaxis: { title: { text: fn.log_scale ? "log f" : "f" } } }, uirevision: fn.name },
  { displayModeBar: false, responsive: true });
}

function show3d(on) {
  surface3d = on;
  byId("overlay").hidden = on;
  byId("trails").hidden = on;
  byId("click-layer").hidden = on;
  byId("plot-legend").textContent = on
    ? "3-D: heights of the paths interpolated from the surface grid; refreshed once a second"
    : "line: path · thin arrow: −gradient · thick arrow: the step taken · ★ minimum · ✕ saddle";
  Plotly.purge(byId("plot"));
  if (on) draw3d();
  else drawContour();
  requestDraw();
}

// ---------------------------------------------------------------- racers panel
function defaultRacers() {
  const rates = fn.rates;
  return ["sgd", "momentum", "rmsprop", "adam"].map((optimizer) => ({ optimizer, learning_rate: rates[optimizer] }));
}

const SLIDERS = {
  learning_rate: { label: "learning rate", log: true, min: -5, max: 0, step: 0.01 },
  momentum: { label: "momentum", min: 0, max: 0.99, step: 0.01, for: ["momentum", "nesterov"] },
  beta1: { label: "β1", min: 0, max: 0.99, step: 0.01, for: ["adam"] },
  beta2: { label: "β2", min: 0.9, max: 0.9999, step: 0.0001, for: ["adam"] },
  rho: { label: "ρ", min: 0, max: 0.999, step: 0.001, for: ["rmsprop"] },
};
const DEFAULTS = { momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9 };

function sendSet(i, config) {
  if (race?.ws?.readyState === WebSocket.OPEN) race.ws.send(JSON.stringify({ type: "set", racer: i, config }));
}

function racerCard(i) {
  const spec = racers[i];
  const card = document.createElement("div");
  card.className = "racer";
  card.dataset.testid = `racer-${i}`;
  card.style.setProperty("--member", COLORS[i]);
  const head = document.createElement("div");
  head.className = "name";
  head.innerHTML = `<span></span><span class="stats"></span>`;
  const remove = document.createElement("button");
  remove.className = "remove";
  remove.textContent = "✕";
  remove.title = "remove this racer (starts the race again)";
  remove.disabled = racers.length <= 1;
  remove.addEventListener("click", () => {
    racers.splice(i, 1);
    buildRacers();
    startRace(race?.state.frame?.start ?? fn.start);
  });
  head.append(remove);
  card.append(head);
  const select = document.createElement("select");
  select.dataset.field = "optimizer";
  for (const o of OPTIMIZERS) select.append(new Option(o, o));
  select.value = spec.optimizer;
  select.addEventListener("change", () => {
    spec.optimizer = select.value;
    sendSet(i, { optimizer: spec.optimizer });
    buildRacers();
  });
  const optLabel = document.createElement("label");
  optLabel.append("optimizer", select);
  card.append(optLabel);
  for (const [field, s] of Object.entries(SLIDERS)) {
    if (s.for && !s.for.includes(spec.optimizer)) continue;
    const value = spec[field] ?? DEFAULTS[field];
    const label = document.createElement("label");
    const text = document.createElement("span");
    const input = document.createElement("input");
    input.type = "range";
    input.dataset.field = field;
    Object.assign(input, { min: s.min, max: s.max, step: s.step });
    input.value = s.log ? Math.log10(value) : value;
    const show = () => { text.textContent = `${s.label} ${fmt(s.log ? 10 ** Number(input.value) : Number(input.value), s.log ? 2 : 4)}`; };
    show();
    input.addEventListener("input", () => {
      show();
      const v = s.log ? Number((10 ** Number(input.value)).toPrecision(2)) : Number(input.value);
      spec[field] = v;
      sendSet(i, { [field]: v });
    });
    label.append(text, input);
    card.append(label);
  }
  head.querySelector("span").textContent = `${i + 1}. ${spec.optimizer}`;
  return card;
}

function buildRacers() {
  byId("racers").replaceChildren(...racers.map((_, i) => racerCard(i)));
  byId("add-racer").disabled = racers.length >= MAX_RACERS;
}

function updateRacerStats() {
  const frame = race?.state.frame;
  if (!frame) return;
  frame.racers.forEach((r, i) => {
    const el = byId("racers").children[i]?.querySelector(".stats");
    if (!el) return;
    const where = r.status === "ok" ? `f ${fmt(r.value, 3)}` : r.status;
    el.textContent = `${r.steps} steps · ${where}`;
  });
  const play = byId("play");
  play.textContent = frame.playing ? "❚❚" : "▶";
  play.setAttribute("aria-label", frame.playing ? "pause" : "play");
}

// ---------------------------------------------------------------- races
function closeRace() {
  if (!race) return;
  const old = race;
  race = null;
  if (old.own) dropResource(old, `/api/races/${old.id}`);
  else old.ws?.close();   // a watched (or linked) race is someone else's: it stays
}

async function startRace(start, play = true) {
  closeRace();
  const body = { function: fn.name, start, racers, noise: Number(byId("noise").value) };
  const created = await json("/api/races", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify(body) });
  const r = { id: created.id, token: created.control_token, ws: null, state: createRaceState(), own: true };
  holdToken(created.id, created.control_token);
  dropLinkFromAddress("race");
  connectRace(r, { play, speed: Number(byId("speed").value) });
}

/** The race's socket (`opened`: one openLinked already holds, its hello read). A watcher
 * subscribes to frames only (speed is the race's, not its own). */
function connectRace(r, { play = false, speed = null, opened = null } = {}) {
  race = r;
  debug.race = r;
  debug.state = r.state;
  const ws = opened?.ws ?? openSocket(`/ws/races/${r.id}`, r.token);
  r.ws = ws;
  const hello = (msg) => {
    r.control = msg.control;
    access.update({ control: msg.control });
    ws.send(JSON.stringify(msg.control && speed ? { type: "subscribe", fps: 60, speed } : { type: "subscribe", fps: 60 }));
    if (msg.control && play) ws.send(JSON.stringify({ type: "play" }));
    if (!msg.control && r.token) notice("this control link's token is not this race's: watching read-only", "warn");
  };
  ws.onmessage = (e) => {
    if (race !== r) return;
    const msg = JSON.parse(e.data);
    if (msg.type === "hello") {
      hello(msg);
    } else if (msg.type === "race") {
      ingestRaceFrame(r.state, msg);
      debug.stats.frames += 1;
      debug.ready = true;
      requestDraw();
    } else if (msg.type === "error" || msg.type === "closed") {
      notice(msg.message, "error");
    }
  };
  if (opened) {
    hello(opened.hello);
    for (const e of opened.early) ws.onmessage(e);
  }
}

async function loadFunction(name) {
  const desc = functions.find((f) => f.name === name) ?? functions[0];
  const surface = await json(`/api/functions/${desc.name}/surface?resolution=121`);
  fn = { ...desc, surface };
  debug.fn = fn;
  const url = new URL(location.href);
  url.searchParams.set("function", fn.name);
  history.replaceState(null, "", url);
  byId("function").value = fn.name;
  byId("formula").textContent = fn.formula;
  byId("fn-note").textContent = fn.note;
}

async function showFunction(name) {
  await loadFunction(name);
  racers = defaultRacers();
  buildRacers();
  closeRace();
  if (surface3d) draw3d();
  else drawContour();
  await startRace(fn.start, false);
  requestDraw();
}

function wire() {
  byId("function").addEventListener("change", (e) => showFunction(e.target.value).catch((err) => notice(err.message, "error")));
  byId("click-layer").addEventListener("click", (e) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const p = [e.clientX - rect.left, e.clientY - rect.top];
    const map = plotMapping(plotBox(), fn.domain);
    if (!map.inside(p)) return;
    const start = map.toData(p).map((v) => Number(v.toFixed(4)));
    startRace(start).catch((err) => notice(err.message, "error"));
  });
  byId("play").addEventListener("click", () => {
    if (!race?.ws) return;
    race.ws.send(JSON.stringify({ type: race.state.frame?.playing ? "pause" : "play" }));
  });
  byId("step").addEventListener("click", () => race?.ws?.send(JSON.stringify({ type: "step", n: 10 })));
  byId("restart").addEventListener("click", () => race?.ws?.send(JSON.stringify({ type: "restart", start: null })));
  byId("noise").addEventListener("input", (e) => {
    byId("noise-value").textContent = fmt(Number(e.target.value), 2);
    race?.ws?.send(JSON.stringify({ type: "noise", noise: Number(e.target.value) }));
  });
  byId("speed").addEventListener("change", (e) => race?.ws?.send(JSON.stringify({ type: "subscribe", speed: Number(e.target.value) })));
  byId("view3d").addEventListener("change", (e) => show3d(e.target.checked));
  byId("add-racer").addEventListener("click", () => {
    if (racers.length >= MAX_RACERS) return;
    const used = new Set(racers.map((r) => r.optimizer));
    const optimizer = OPTIMIZERS.find((o) => !used.has(o)) ?? "sgd";
    racers.push({ optimizer, learning_rate: fn.rates[optimizer] });
    buildRacers();
    startRace(race?.state.frame?.start ?? fn.start).catch((err) => notice(err.message, "error"));
  });
  new ResizeObserver(() => {
    plotSize = null;
    requestDraw();
  }).observe(byId("plot-box"));
  wirePageKeys(byId("play"), closeRace, "input, select, button");
}

/** Show the existing race `id` (a watch link; `token`: a control link's); throws if it is gone. */
async function attachRace(id, token) {
  const opened = await openLinked(`/ws/races/${encodeURIComponent(id)}`, token);
  if (!opened) throw new Error("it was deleted or expired");
  const described = await json(`/api/races/${encodeURIComponent(id)}`).catch((err) => {
    opened.ws.close();
    throw err;
  });
  await loadFunction(described.function);
  racers = described.racers.map((r) => ({ ...r.config }));
  buildRacers();
  byId("speed").value = String(described.speed);
  byId("noise").value = String(described.noise);
  byId("noise-value").textContent = fmt(described.noise, 2);
  if (surface3d) draw3d();
  else drawContour();
  connectRace({ id: described.id, token, ws: null, state: createRaceState(), own: false }, { opened });
  requestDraw();
}

async function main() {
  view = createRaceView(byId("overlay"), COLORS, byId("trails"));
  debug.view = view;
  functions = await json("/api/functions");
  for (const f of functions) byId("function").append(new Option(f.title, f.name));
  wire();
  access = createLiveAccess({ page: "/race", key: "race", what: "race", current: () => race,
    containers: ["run-actions", "race-tools", "racer-tools", "racers", "click-layer"].map(byId) });
  const linked = linkedFromAddress("race");
  if (linked.id) {
    try {
      await attachRace(linked.id, linked.token);
      return;
    } catch (err) {
      notice(`No race ${linked.id} to watch (${err.message}): a new race starts instead.`, "warn");
      dropLinkFromAddress("race");
    }
  }
  const wanted = new URL(location.href).searchParams.get("function");
  if (wanted && !functions.some((f) => f.name === wanted)) {
    notice(`unknown function "${wanted}"; known: ${functions.map((f) => f.name).join(", ")}`, "error");
  }
  await showFunction(functions.some((f) => f.name === wanted) ? wanted : "rosenbrock");
}

window.addEventListener("load", () => main().catch((err) => notice(String(err.message ?? err), "error")));
