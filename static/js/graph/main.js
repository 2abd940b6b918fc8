// The backprop lab: expression (or a run's example) -> server graph -> layout and SVG -> the
// backward pass step by step, the nudge panel. URL: ?preset=chain|neuron|neuron_exp|reuse,
// ?run=ID&example=i[&layer=l&neuron=k], or ?expression=...
import dagre from "/static/vendor/dagre/dagre.esm.js";
import { applyToRun, expressionGraph, runGraph } from "./api.js";
import { fmt, fmtInput } from "./format.js";
import { createGraphView } from "./graph_view.js";
import { leafNames } from "./leaves.js";
import { createNudgeView } from "./nudge_view.js";
import { activeAt, describe, gradsAt, positions } from "./stepper.js";
import { createWhatIf, isParameter } from "./what_if.js";
import { afterNextFrame, revealWhen } from "../page_boot.js";
import { controlHeaders, heldRun, linkedRun, rememberRun, withoutToken } from "../run_access.js";

const errors = [];
window.addEventListener("error", (e) => errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => errors.push(String(e.reason)));

const byId = (id) => document.getElementById(id);
const PRESETS = JSON.parse(byId("graph-presets").textContent);
const PLAY_MS = 700;
const DEFAULT_PRESET = "chain";

const params = new URLSearchParams(location.search);
const state = {
  mode: params.get("run") ? "run" : "expression",
  run: params.get("run"),
  example: Number(params.get("example") ?? 0),
  layer: params.get("layer") != null ? Number(params.get("layer")) : null,
  neuron: params.get("neuron") != null ? Number(params.get("neuron")) : null,
  expression: "",
  values: {},
  graph: null,
  position: 0,
  nudgeLeaf: null,
  loads: 0,
  preset: null,          // the preset loaded, until the expression is edited
  backwardDone: false,   // the user stepped (or played, or asked for all) to the last grad
};

const view = createGraphView(byId("graph-box"), dagre, {
  onLeafClick(node) {
    const input = byId("leaves").querySelector(`input[data-leaf="${CSS.escape(node.label)}"]`);
    if (input && !input.disabled) input.focus();
    if (node.label) { byId("nudge-leaf").value = node.label; setNudgeLeaf(node.label); }
  },
});
const whatIf = createWhatIf();
const nudge = createNudgeView({
  slider: byId("nudge-slider"), h: byId("nudge-h"), delta: byId("nudge-delta"),
  gradh: byId("nudge-gradh"), slope: byId("nudge-slope"), grad: byId("nudge-grad"),
  canvas: byId("nudge-plot"), caption: byId("nudge-help"),
});

function showError(text) {
  const el = byId("error");
  el.hidden = !text;
  el.textContent = text || "";
}

// ---- presets and the expression -------------------------------------------------------
function buildPresets() {
  const nav = byId("presets");
  for (const [name, p] of Object.entries(PRESETS)) {
    const b = document.createElement("button");
    b.textContent = name.replace("_", " ");
    b.title = p.title;
    b.dataset.testid = `preset-${name}`;
    b.addEventListener("click", () => loadPreset(name, true));
    nav.appendChild(b);
  }
}

function loadPreset(name, push) {
  const p = PRESETS[name] ?? PRESETS[DEFAULT_PRESET];
  state.mode = "expression";
  state.expression = p.expression;
  state.values = { ...p.values };
  state.nudgeLeaf = p.nudge ?? null;
  state.preset = PRESETS[name] ? name : DEFAULT_PRESET;
  state.backwardDone = false;
  byId("expression").value = p.expression;
  byId("graph-legend").textContent = p.description;
  if (push) history.replaceState(null, "", `/graph?preset=${name}`);
  buildLeafInputs();
  return refresh();
}

function leafInput(name, value, editable, onChange) {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = name;
  span.title = name;
  const input = document.createElement("input");
  input.type = "number";
  input.step = "any";
  setLeafValue(input, value);
  input.dataset.leaf = name;
  input.dataset.testid = `leaf-${name}`;
  input.disabled = !editable;
  input.title = String(value);
  // short while shown (format.js fmtInput), the full value while edited
  input.addEventListener("focus", () => {
    if (input.value === input.dataset.full) return;
    input.value = input.dataset.full;
    input.select();  // typing replaces the whole number, as it would have replaced the short one
  });
  input.addEventListener("blur", () => {
    if (Number(input.value) === Number(input.dataset.full)) input.value = fmtInput(Number(input.dataset.full));
  });
  input.addEventListener("input", () => {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v)) return;
    input.dataset.full = String(v);
    input.title = String(v);
    onChange(v);
  });
  label.append(span, input);
  return label;
}

/** A leaf input's value: the full number kept in data-full, a short one shown unless focused. */
function setLeafValue(input, value) {
  input.dataset.full = String(value);
  input.title = String(value);
  input.value = document.activeElement === input ? String(value) : fmtInput(value);
}

/** Expression mode: one input per leaf name of the expression. */
function buildLeafInputs() {
  const box = byId("leaves");
  box.textContent = "";
  box.dataset.key = "";
  box.classList.remove("long");
  for (const name of leafNames(state.expression)) {
    if (!(name in state.values)) state.values[name] = 1;
    box.appendChild(leafInput(name, state.values[name], true, (v) => {
      state.values[name] = v;
      scheduleRefresh();
    }));
  }
}

/** Run mode: the graph's leaves; weights and biases editable as a what-if, the example's
 *  inputs and target (and a neuron's incoming values) fixed. Inputs are rebuilt only when the
 *  leaves change, so a value being typed is never replaced. */
function syncRunLeaves(graph) {
  const box = byId("leaves");
  const leaves = graph.nodes.filter((n) => !n.inputs.length && n.label)
    .sort((a, b) => leafOrder(a.label, b.label));
  state.values = Object.fromEntries(leaves.map((n) => [n.label, n.data]));
  const key = `${graph.kind}|${leaves.map((n) => n.label).join("|")}`;
  if (box.dataset.key !== key) {
    box.textContent = "";
    box.dataset.key = key;
    box.classList.add("long");
    for (const n of leaves) {
      const name = n.label;
      box.appendChild(leafInput(name, n.data, isParameter(name), (v) => {
        whatIf.set(name, v, state.values[name]);
        byId("what-if-status").textContent = "";
        showWhatIf();
        scheduleRefresh();
      }));
    }
    const p = document.createElement("p");
    p.className = "help";
    p.textContent = "change a weight or bias to see the graph with it: a what-if on a copy, the "
      + "run is not changed. The example's inputs and target are fixed.";
    box.appendChild(p);
  } else {
    for (const input of box.querySelectorAll("input[data-leaf]")) {
      const name = input.dataset.leaf;
      if (document.activeElement !== input && name in state.values) setLeafValue(input, state.values[name]);
    }
  }
  for (const input of box.querySelectorAll("input[data-leaf]")) {
    input.classList.toggle("changed", whatIf.has(input.dataset.leaf));
  }
}

/** The what-if box: what is changed (beside the run's values), reset, and apply to run. */
function showWhatIf() {
  const box = byId("what-if");
  const entries = whatIf.entries();
  box.hidden = entries.length === 0 && !byId("what-if-status").textContent;
  byId("what-if-text").textContent = entries.length
    ? `What-if (the run is unchanged): ${entries.map((e) => `${e.name} = ${fmt(e.value, 6)} (run: ${fmt(e.run, 6)})`).join(", ")}`
    : "";
  byId("what-if-reset").hidden = entries.length === 0;
  byId("what-if-apply").hidden = entries.length === 0 || !runToken();
}

let timer = null;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
}

// ---- fetching a graph -----------------------------------------------------------------
let requestSerial = 0;
/** The leaf whose nudge sweep comes with the graph (no second request): the one picked, else a
 *  weight of the network (or neuron), else the expression's first leaf. */
function nudgeFor(names) {
  if (state.nudgeLeaf) return state.nudgeLeaf;
  if (state.mode === "run") return `W${state.layer ?? 1}[${state.neuron ?? 0},0]`;
  return names[0];
}

async function fetchGraph(nudgeLeaf) {
  if (state.mode === "run") {
    let answer = await runGraph({ run: state.run, example: state.example, layer: state.layer,
      neuron: state.neuron, nudge: nudgeLeaf, weights: whatIf.weights() });
    if (answer.detail?.type === "graph_too_large" && state.layer == null) {
      state.tooLarge = `${answer.error.split("; ask")[0]}, so here is one neuron's graph.`;
      state.layer = 1;
      state.neuron = 0;
      answer = await runGraph({ run: state.run, example: state.example, layer: 1, neuron: 0,
        nudge: state.nudgeLeaf ?? "W1[0,0]", weights: whatIf.weights() });
    }
    return answer;
  }
  const values = {};
  for (const name of leafNames(state.expression)) values[name] = state.values[name] ?? 1;
  return expressionGraph({ expression: state.expression, values, nudge: nudgeLeaf });
}

async function refresh() {
  const serial = ++requestSerial;
  let answer = await fetchGraph(nudgeFor(leafNames(state.expression)));
  if (serial !== requestSerial) return;
  if (answer.detail?.type === "nudge") {
    // the leaf is gone (the expression changed): the graph without a sweep, then its first leaf
    state.nudgeLeaf = null;
    answer = await fetchGraph(null);
    if (serial !== requestSerial) return;
  }
  if (answer.error) {
    showError(answer.error);
    return;
  }
  showError("");
  setGraph(answer.graph);
}

function setGraph(graph) {
  const keepPosition = state.graph && state.graph.steps.length === graph.steps.length
    && state.position < positions(state.graph) - 1;
  state.graph = graph;
  view.setGraph(graph);
  view.markChanged(new Set(Object.keys(graph.what_if ?? {})));
  state.loads += 1;
  if (!keepPosition) state.position = positions(graph) - 1;
  state.position = Math.min(state.position, positions(graph) - 1);
  if (graph.kind !== "expression") showSource(graph);
  else byId("graph-legend").textContent = state.preset ? PRESETS[state.preset].description : `${graph.nodes.length} values`;
  fillNudgeLeaves(graph);
  nudge.setSweep(graph.nudge ?? null);
  renderStep();
}

function showSource(graph) {
  byId("source-block").hidden = false;
  byId("expression-block").hidden = true;
  byId("source-note").textContent = graph.kind === "neuron" && state.tooLarge
    ? `${state.tooLarge} ${graph.note}.` : `${graph.note}.`;
  byId("neuron-pick").hidden = graph.kind !== "neuron";
  if (graph.kind === "neuron") {
    byId("pick-layer").value = String(graph.layer);
    byId("pick-neuron").value = String(graph.neuron);
  }
  const c = graph.check;
  byId("check").textContent = c.matches
    ? `✓ each of the ${c.compared} weight and bias leaves' grads equals the engine's backprop gradient of this example's loss (largest difference ${fmt(c.max_abs_difference, 2)}).`
    : `✗ leaf grads differ from the engine's by up to ${fmt(c.max_abs_difference, 3)}`;
  byId("check").className = `check ${c.matches ? "ok" : "bad"}`;
  byId("graph-legend").textContent = (graph.what_if ? "what-if · " : "") + (graph.kind === "network"
    ? `loss of training example ${graph.example}: ${graph.nodes.length} values`
    : `layer ${graph.layer}, neuron ${graph.neuron}, example ${graph.example}`);
  syncRunLeaves(graph);
  showWhatIf();
}

/** Inputs first, then each layer's weights and biases row by row, the target last. */
function leafOrder(a, b) {
  const key = (s) => {
    const m = s.match(/^([Wb])(\d+)\[(\d+)(?:,(\d+))?\]$/);
    if (m) return [1, Number(m[2]), Number(m[3]), m[1] === "b" ? 1e9 : Number(m[4]), 0];
    const x = s.match(/^x(\d+)$/);
    if (x) return [0, Number(x[1]), 0, 0, 0];
    if (s.startsWith("a")) return [0.5, 0, 0, 0, s];
    return [2, 0, 0, 0, s];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] < kb[i]) return -1;
    if (ka[i] > kb[i]) return 1;
  }
  return 0;
}

// ---- nudge ----------------------------------------------------------------------------
function fillNudgeLeaves(graph) {
  const select = byId("nudge-leaf");
  const leaves = graph.nodes.filter((n) => !n.inputs.length && n.label);
  const key = leaves.map((n) => n.label).join("|");
  if (select.dataset.key !== key) {
    select.dataset.key = key;
    select.textContent = "";
    for (const n of leaves) {
      const o = document.createElement("option");
      o.value = n.label;
      o.textContent = n.label;
      select.appendChild(o);
    }
  }
  if (!state.nudgeLeaf && leaves.length) {
    const weight = graph.kind === "expression" ? null : leaves.find((n) => n.label.startsWith("W"));
    setNudgeLeaf(graph.nudge?.label ?? (weight ?? leaves[0]).label);
  } else if (state.nudgeLeaf) {
    select.value = state.nudgeLeaf;
  }
}

/** Nudge another leaf: asks for its sweep unless the graph already carries it. */
function setNudgeLeaf(label) {
  state.nudgeLeaf = label;
  byId("nudge-leaf").value = label;
  if (state.graph?.nudge?.label !== label) refresh();
}

// ---- the backward pass ----------------------------------------------------------------
let playing = null;
function renderStep() {
  const g = state.graph;
  if (!g) return;
  view.render(gradsAt(g, state.position), activeAt(g, state.position));
  const d = describe(g, state.position);
  const box = byId("explain");
  box.textContent = "";
  const title = document.createElement("b");
  title.textContent = `${state.position}/${positions(g) - 1} · ${d.title}`;
  box.appendChild(title);
  for (const line of d.lines) {
    const p = document.createElement("div");
    p.textContent = line;
    p.className = line.includes(".grad +=") ? "update" : "rule";
    box.appendChild(p);
  }
  byId("play").textContent = playing ? "pause" : "play";
}

function go(p) {
  const last = positions(state.graph) - 1;
  state.position = Math.max(0, Math.min(last, p));
  if (state.position === last) state.backwardDone = true;
  renderStep();
}

function stopPlay() {
  clearInterval(playing);
  playing = null;
}

function wireStepper() {
  byId("step").addEventListener("click", () => {
    stopPlay();
    const last = positions(state.graph) - 1;
    go(state.position >= last ? 1 : state.position + 1);
  });
  byId("step-back").addEventListener("click", () => { stopPlay(); go(state.position - 1); });
  byId("all").addEventListener("click", () => { stopPlay(); go(Infinity); });
  byId("restart").addEventListener("click", () => { stopPlay(); go(0); });
  byId("play").addEventListener("click", () => {
    if (playing) { stopPlay(); renderStep(); return; }
    if (state.position >= positions(state.graph) - 1) go(0);
    playing = setInterval(() => {
      if (state.position >= positions(state.graph) - 1) { stopPlay(); renderStep(); return; }
      go(state.position + 1);
    }, PLAY_MS);
    renderStep();
  });
  for (const [id, fit] of [["zoom-fit", true], ["zoom-100", false]]) {
    byId(id).addEventListener("click", () => {
      view.setFit(fit);
      byId("zoom-fit").setAttribute("aria-pressed", String(fit));
      byId("zoom-100").setAttribute("aria-pressed", String(!fit));
    });
  }
  byId("pick-show").addEventListener("click", () => {
    state.layer = Number(byId("pick-layer").value);
    state.neuron = Number(byId("pick-neuron").value);
    state.nudgeLeaf = null;
    refresh();
  });
  byId("nudge-leaf").addEventListener("change", (e) => setNudgeLeaf(e.target.value));
  byId("what-if-reset").addEventListener("click", () => {
    whatIf.clear();
    byId("what-if-status").textContent = "";
    refresh();
  });
  byId("what-if-apply").addEventListener("click", applyWhatIf);
  byId("expression").addEventListener("input", (e) => {
    state.expression = e.target.value;
    state.preset = null;
    state.nudgeLeaf = null;
    buildLeafInputs();
    scheduleRefresh();
  });
}

// ---- what-if and apply to run ------------------------------------------------------------
/** The run's control token, if this page holds one (only its creator may change a run): from
 *  the playground's link (#token=..., then kept in session storage and dropped from the address,
 *  so a copied address is a watch link) or from this tab's own runs. */
function runToken() {
  return state.run ? heldRun(sessionStorage, state.run)?.token ?? null : null;
}

function adoptLinkedToken() {
  const linked = linkedRun(location.search, location.hash);
  if (!state.run || !linked.token) return;
  rememberRun(sessionStorage, state.run, { token: linked.token, own: false });  // the lab did not create it
  history.replaceState(null, "", withoutToken(location.href));
}

/** A refused "apply to run" in words for a learner: the server's text names headers. */
function applyRefusal(answer) {
  if (answer.status === 403 || answer.status === 401) {
    return "this page may only watch this run (only the page that started it, or its control "
      + "link, may change it). Your what-if is still shown here; the run is unchanged.";
  }
  if (answer.status === 404) return "the run is gone (the server no longer has it).";
  return answer.error;
}

async function applyWhatIf() {
  const weights = whatIf.weights();
  if (!weights) return;
  const answer = await applyToRun({ run: state.run, weights, headers: controlHeaders(runToken()) });
  const status = byId("what-if-status");
  if (answer.error) {
    status.textContent = `not applied: ${applyRefusal(answer)}`;
    showWhatIf();
    return;
  }
  whatIf.clear();
  status.textContent = `applied to the run: ${answer.changed.join(", ")} (the run continues from these values)`;
  await refresh();
}

/** What a lesson's tasks may test on this page (server/lessons.py TASK_FIELDS "graph"). */
function lessonState() {
  const g = state.graph;
  const sweep = nudge.sweep;
  const k = Number(byId("nudge-slider").value);
  return { graph: {
    preset: state.preset, output: g ? g.nodes[g.output].data : null, nodes: g ? g.nodes.length : 0,
    backward_done: state.backwardDone, nudge_leaf: sweep ? sweep.label : null,
    nudge_h: sweep ? sweep.h[k] : null, nudge_change: sweep ? sweep.delta[k] : null,
  } };
}

async function main() {
  buildPresets();
  window.__nnpLessonState = lessonState;
  wireStepper();
  window.__graph = { state, view, nudge, errors, ready: false,
    /** For tests and the bench: load an expression and report layout/draw timings. */
    async load(expression, values) {
      state.mode = "expression";
      state.preset = null;
      state.expression = expression;
      state.values = { ...values };
      state.nudgeLeaf = null;
      byId("expression").value = expression;
      buildLeafInputs();
      await refresh();
      return { ...view.stats };
    },
  };
  if (state.mode === "run") {
    adoptLinkedToken();
    await refresh();
  } else if (params.get("expression")) {
    state.expression = params.get("expression");
    byId("expression").value = state.expression;
    buildLeafInputs();
    await refresh();
  } else {
    await loadPreset(params.get("preset") ?? DEFAULT_PRESET, false);
  }
  window.__graph.ready = true;
}

// the lab shows once its first graph is laid out and drawn (or at once on an error, or after
// 5 s): the graph's box and the panels beside it take their sizes unseen (body.booting)
const started = main();
revealWhen(started.then(afterNextFrame), {
  onTimeout: () => showError("The graph is still loading: the server has not answered in 5 s."),
});
started.catch((err) => {
  console.error(err);
  showError(`The page could not start: ${err.message}`);
});
