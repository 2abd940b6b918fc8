// /compare wiring: presets (GET /api/comparisons/presets) -> POST /api/comparisons -> one
// socket (WS /ws/comparisons/{id}) -> group state -> curves and boundaries, drawn on animation
// frames from the latest state only. Controls send messages; they never touch a view.
// /compare?group=ID watches an existing group read-only (controls off, a note says why);
// &token=... (or a token this tab holds) controls it. Only a group this page created is deleted
// when the page goes.

import { onCanvasResize } from "../canvas_size.js";
import { LAYER_COLORS } from "../colors.js";
import { formatNumber as fmt } from "../format.js";
import {
  byId, createLiveAccess, dropLinkFromAddress, dropResource, holdToken, json, linkedFromAddress, notice,
  openLinked, openSocket, pageDebug, wirePageKeys,
} from "../live_page.js";
import { afterNextFrame, revealWhen } from "../page_boot.js";
import { decodeFrame } from "../protocol.js";
import { createBoundariesView } from "./boundaries_view.js";
import { createCurvesView } from "./curves_view.js";
import { createGroupState, ingestFrame } from "./group_state.js";
import { createSurfacePanel } from "./surface_panel.js";

const COLORS = LAYER_COLORS.slice(0, 6);   // one per member, distinct (ColorBrewer Dark2)
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];
const debug = pageDebug("__nnpCompare", { colors: COLORS, stats: { frames: 0, draws: 0 }, group: null, state: null, ui: null });

const ui = { xKey: "epochs", logLoss: false };
debug.ui = ui;
let presets = [];
let group = null;       // {id, token, members, ws, state, own}
let access = null;      // copy links and the read-only state (live_page.js)
let curves = null;
let boundaries = null;
let surface = null;
let drawScheduled = false;
let lastMembers = 0;      // member numbers are written at most 10 times a second
let firstDrawn = () => {};   // resolves the page's reveal (page_boot.js) once a frame is drawn

function requestDraw() {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame((now) => {
    drawScheduled = false;
    if (!group) return;
    const a = curves.render(group.state, ui, now);
    const b = boundaries.render(group.state);
    if (a || b) debug.stats.draws += 1;
    if (!a) setTimeout(requestDraw, 110);   // throttled charts still owe a redraw
    if (now - lastMembers > 100) {
      lastMembers = now;
      updateMembers();
    }
    if (group.state.header) firstDrawn();
  });
}

function send(message) {
  if (group?.ws?.readyState === WebSocket.OPEN) group.ws.send(JSON.stringify(message));
}

function setClockRadio(value) {
  for (const r of document.querySelectorAll("input[name=clock]")) r.checked = r.value === value;
}

// ---------------------------------------------------------------- members panel
function memberRow(i, member) {
  const cfg = member.config;
  const row = document.createElement("div");
  row.className = "member";
  row.style.setProperty("--member", COLORS[i]);
  row.dataset.testid = `member-${i}`;
  row.innerHTML = `<div class="name"><span></span><span class="stats"></span></div>
    <label>learning rate<input type="number" step="any" min="0" data-field="learning_rate"></label>
    <label>batch size<input type="number" step="1" min="1" data-field="batch_size"></label>
    <label>optimizer<select data-field="optimizer">${OPTIMIZERS.map((o) => `<option>${o}</option>`).join("")}</select></label>
    <div class="status"></div>`;
  row.querySelector(".name span").textContent = member.label;
  const inputs = row.querySelectorAll("[data-field]");
  for (const input of inputs) {
    input.value = cfg[input.dataset.field];
    input.addEventListener("change", () => {
      const field = input.dataset.field;
      let value = input.value;
      if (field !== "optimizer") value = Number(value);
      if (field !== "optimizer" && !(value > 0)) {
        notice(`${field} must be a positive number`, "error");
        return;
      }
      send({ type: "set", member: i, config: { [field]: value } });
    });
  }
  return row;
}

function buildMembers(members) {
  const box = byId("members");
  box.replaceChildren(...members.map((m, i) => memberRow(i, m)));
}

function updateMembers() {
  const header = group?.state.header;
  if (!header) return;
  header.members.forEach((m, i) => {
    const row = byId("members").children[i];
    if (!row) return;
    const stats = row.querySelector(".stats");
    const status = row.querySelector(".status");
    if (m.status === "deleted") {
      status.textContent = "deleted";
      return;
    }
    const met = m.metrics;
    stats.textContent = `${fmt(m.clock.updates, 4)} upd · ${fmt(m.clock.epochs, 3)} ep · loss ${fmt(met.train_loss, 3)}`;
    status.textContent = m.status === "diverged" ? m.reason : "";
    for (const input of row.querySelectorAll("[data-field]")) {
      if (document.activeElement !== input) input.value = m.config[input.dataset.field];
    }
  });
  const play = byId("play");
  play.textContent = header.playing ? "❚❚" : "▶";
  play.setAttribute("aria-label", header.playing ? "pause" : "play");
}

// ---------------------------------------------------------------- group lifecycle
function closeGroup() {
  if (!group) return;
  const old = group;
  group = null;
  if (old.own) dropResource(old, `/api/comparisons/${old.id}`);
  else old.ws?.close();   // a watched (or linked) group is someone else's: it stays
}

async function openPreset(name) {
  const preset = presets.find((p) => p.name === name) ?? presets[0];
  byId("preset").querySelector("option[value='']")?.remove();   // the linked group's entry
  closeGroup();
  const url = new URL(location.href);
  url.searchParams.set("preset", preset.name);
  url.searchParams.delete("group");
  history.replaceState(null, "", url);
  byId("preset").value = preset.name;
  byId("lesson").textContent = preset.lesson;
  ui.xKey = preset.clock;
  setClockRadio(ui.xKey);
  const created = await json("/api/comparisons", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ base: preset.base, variants: preset.variants, clock: preset.clock, labels: preset.labels }),
  });
  const state = createGroupState();
  group = { id: created.id, token: created.control_token, members: created.members, state, ws: null, own: true };
  holdToken(created.id, created.control_token);
  debug.group = group;
  debug.state = state;
  buildMembers(created.members);
  surface.setGroup(created.id);
  connect(group);
}

/** Show the existing group `id` (a watch link; `token`: a control link's); throws if it is gone. */
async function attachGroup(id, token) {
  const opened = await openLinked(`/ws/comparisons/${encodeURIComponent(id)}`, token);
  if (!opened) throw new Error("it was deleted or expired");
  const described = await json(`/api/comparisons/${encodeURIComponent(id)}`).catch((err) => {
    opened.ws.close();
    throw err;
  });
  const state = createGroupState();
  group = { id: described.id, token, members: described.members, state, ws: null, own: false };
  debug.group = group;
  debug.state = state;
  const start = described.same_start ? "the same start" : "different starts (their initial weights differ)";
  byId("lesson").textContent = `A comparison of ${described.members.length} runs from ${start}: `
    + described.members.map((m) => m.label).join(" · ");
  ui.xKey = described.clock;
  setClockRadio(ui.xKey);
  const select = byId("preset");   // no preset names it: say so instead of showing the first
  select.prepend(new Option("(a linked comparison)", "", true, true));
  select.value = "";
  buildMembers(described.members);
  surface.setGroup(described.id);
  connect(group, false, opened);
}

/** The group's socket (`opened`: one openLinked already holds, its hello read). */
function connect(g, autoplay = true, opened = null) {
  const ws = opened?.ws ?? openSocket(`/ws/comparisons/${g.id}`, g.token);
  ws.binaryType = "arraybuffer";
  g.ws = ws;
  let started = !autoplay;   // a watched group plays (or not) as its owner left it
  const hello = (msg) => {
    g.control = msg.control;
    access.update({ control: msg.control });
    if (!msg.control && g.token) notice("this control link's token is not this group's: watching read-only", "warn");
  };
  ws.onmessage = (e) => {
    if (group !== g) return;
    if (typeof e.data === "string") {
      const msg = JSON.parse(e.data);
      if (msg.type === "hello") hello(msg);
      else if (msg.type === "error") notice(msg.message, "error");
      else if (msg.type === "closed") notice(msg.message, "error");
      return;
    }
    ingestFrame(g.state, decodeFrame(e.data));
    debug.stats.frames += 1;
    if (!started) {       // a preset is one click: it plays at once
      started = true;
      send({ type: "play" });
    }
    debug.ready = true;
    requestDraw();
  };
  ws.onclose = () => {
    if (group !== g) return;
    reveal();
    notice("connection closed; reload the page to start again", "error");
  };
  if (opened) {
    hello(opened.hello);
    for (const e of opened.early) ws.onmessage(e);
  }
}

// ---------------------------------------------------------------- controls
function wireControls() {
  byId("preset").addEventListener("change", (e) => openPreset(e.target.value).catch((err) => notice(err.message, "error")));
  byId("play").addEventListener("click", () => send({ type: group?.state.header?.playing ? "pause" : "play" }));
  byId("step").addEventListener("click", () => {
    const clock = group?.state.header?.clock ?? "epochs";
    send(clock === "updates" ? { type: "step", updates: 100 } : { type: "step", epochs: 1 });
  });
  for (const radio of document.querySelectorAll("input[name=clock]")) {
    radio.addEventListener("change", () => {
      ui.xKey = radio.value;
      const clock = radio.value === "updates" ? "updates" : "epochs";   // examples seen = epochs
      if (group?.state.header && group.state.header.clock !== clock) send({ type: "clock", clock });
      requestDraw();
    });
  }
  for (const radio of document.querySelectorAll("input[name=bottom]")) {
    radio.addEventListener("change", () => {
      const on = radio.value === "surface" && radio.checked;
      byId("boundaries").hidden = on;
      byId("shared-surface").hidden = !on;
      byId("boundaries-title").textContent = on ? "Shared loss surface" : "Decision boundaries";
      byId("bottom-legend").textContent = on ? "one plane under every path" : "orange class 0 · blue class 1";
      surface.show(on, group?.id);
    });
  }
  byId("log-loss").addEventListener("change", (e) => {
    ui.logLoss = e.target.checked;
    requestDraw();
  });
  wirePageKeys(byId("play"), closeGroup);
}

// shown once a frame is drawn, or after 5 s (a notice says why), or at once on an error
const reveal = revealWhen(new Promise((resolve) => { firstDrawn = resolve; }).then(afterNextFrame), {
  onTimeout: () => {
    if (!debug.stats.frames) notice("Still waiting for the comparison's first frame from the server…", "warn");
  },
});

async function main() {
  curves = createCurvesView({ loss: byId("loss-canvas"), accuracy: byId("accuracy-canvas"),
    gradnorm: byId("gradnorm-canvas"), lr: byId("lr-canvas") }, COLORS);
  boundaries = createBoundariesView(byId("boundaries"), COLORS);
  surface = createSurfacePanel(byId("shared-plot"), byId("shared-note"), COLORS,
    { plane: byId("surface-plane"), paramA: byId("surface-param-a"), paramB: byId("surface-param-b") });
  debug.surface = surface;
  debug.curves = curves;
  onCanvasResize(requestDraw);   // a resized chart is blank until redrawn (a paused group sends no frames)
  presets = await json("/api/comparisons/presets");
  const select = byId("preset");
  for (const p of presets) select.append(new Option(p.title, p.name));
  wireControls();
  access = createLiveAccess({ page: "/compare", key: "group", what: "comparison", current: () => group,
    containers: ["run-actions", "clock-switch", "members"].map(byId) });
  const linked = linkedFromAddress("group");
  if (linked.id) {
    try {
      await attachGroup(linked.id, linked.token);
      return;
    } catch (err) {
      notice(`No comparison ${linked.id} to watch (${err.message}): a preset starts instead.`, "warn");
      dropLinkFromAddress("group");
    }
  }
  const wanted = new URL(location.href).searchParams.get("preset");
  if (wanted && !presets.some((p) => p.name === wanted)) {
    notice(`unknown preset "${wanted}"; known: ${presets.map((p) => p.name).join(", ")}`, "error");
  }
  await openPreset(presets.some((p) => p.name === wanted) ? wanted : presets[0].name);
}

main().catch((err) => {
  reveal();
  notice(String(err.message ?? err), "error");
});
