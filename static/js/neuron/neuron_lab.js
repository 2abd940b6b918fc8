// The /neuron page: one neuron's inputs, weights, bias/threshold and scale as controls; its
// weighted sum, outputs, truth table and the small-change plot as views. Every number shown is
// computed by neuron_math.js (pure, unit-tested); this module only wires the DOM to it.

import {
  MAX_INPUTS, PRESETS, biasOf, compareTables, distanceFromPerceptron, evaluate, fmt,
  normalizeNeuron, scaled, sumText, sweepWeight, truthTable,
} from "./neuron_math.js";
import { onCanvasResize } from "../canvas_size.js";
import { afterNextFrame, revealWhen } from "../page_boot.js";
import { createSweepPlot } from "./sweep_plot.js";

const W_RANGE = [-10, 10];
const X_RANGE = [-2, 2];
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && !k.startsWith("aria") && k !== "role") node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

const params = new URLSearchParams(location.search);
const presetName = params.get("preset");
let state = normalizeNeuron(PRESETS[presetName] ?? { w: [1, 1], threshold: 1.5, x: [1, 0] });
let preset = PRESETS[presetName] ? presetName : "";
let sweepK = preset === "sweets" ? 2 : 0;
let reference = null;   // the truth table when the current drag (or edit) began
const plot = createSweepPlot($("sweep-canvas"));

// ------------------------------------------------------------------ derived numbers
function effective() {
  return scaled(state.w, biasOf(state.threshold), state.scale);
}

// ------------------------------------------------------------------ controls
function setState(changes, { custom = true } = {}) {
  state = normalizeNeuron({ ...state, ...changes });
  if (custom && preset) {
    preset = "";
    $("preset").value = "";
    const q = new URLSearchParams(location.search);
    q.delete("preset");
    history.replaceState(null, "", q.toString() ? `?${q}` : location.pathname);
  }
  sweepK = Math.min(sweepK, state.w.length - 1);
}

function startChange() {
  const e = effective();
  reference = truthTable(e.w, e.b);
}

function buildControls() {
  const count = $("input-count");
  count.replaceChildren(...Array.from({ length: MAX_INPUTS }, (_, i) => el("button", {
    textContent: String(i + 1), "aria-pressed": String(state.w.length === i + 1),
    title: `${i + 1} input${i ? "s" : ""}`, dataset: { testid: `count-${i + 1}` },
    onclick: () => {
      const n = i + 1;
      const pad = (a, v) => Array.from({ length: n }, (_, k) => a[k] ?? v);
      setState({ w: pad(state.w, 1), x: pad(state.x, 0),
                 labels: pad(state.labels, null).map((l, k) => l ?? `x${k + 1}`) });
      reference = null;
      buildControls();
      render();
    },
  })));
  $("input-mode").replaceChildren(...["binary", "real"].map((m) => el("button", {
    textContent: m, "aria-pressed": String(state.mode === m), dataset: { testid: `mode-${m}` },
    onclick: () => { setState({ mode: m }); buildControls(); render(); },
  })));

  const rows = state.w.map((w, i) => {
    const xControl = state.mode === "binary"
      ? el("button", { className: "toggle", textContent: String(state.x[i]),
                       "aria-pressed": String(state.x[i] === 1),
                       "aria-label": `input ${i + 1}: ${state.labels[i]}`,
                       dataset: { testid: `x-toggle-${i}` },
                       onclick: () => {
                         const x = state.x.slice();
                         x[i] = 1 - x[i];
                         setState({ x });
                         buildControls();
                         render();
                       } })
      : el("input", { type: "range", min: X_RANGE[0], max: X_RANGE[1], step: 0.01, value: state.x[i],
                      "aria-label": `input ${i + 1}`, dataset: { testid: `x-slider-${i}` },
                      oninput: (ev) => {
                        const x = state.x.slice();
                        x[i] = Number(ev.target.value);
                        setState({ x });
                        render();
                      } });
    const slider = el("input", {
      type: "range", min: W_RANGE[0], max: W_RANGE[1], step: 0.01, value: w,
      "aria-label": `weight ${i + 1}`, dataset: { testid: `w-slider-${i}` },
      onpointerdown: () => { startChange(); sweepK = i; syncSweepSelect(); },
      onkeydown: () => { if (!reference) startChange(); },
      oninput: (ev) => setWeight(i, Number(ev.target.value), "slider"),
    });
    const number = el("input", {
      type: "number", min: W_RANGE[0], max: W_RANGE[1], step: 0.01, value: w,
      "aria-label": `weight ${i + 1} value`, dataset: { testid: `w-number-${i}` },
      onchange: (ev) => {
        const v = Number(ev.target.value);
        if (!Number.isFinite(v) || ev.target.value === "") { ev.target.classList.add("invalid"); return; }
        ev.target.classList.remove("invalid");
        startChange();
        setWeight(i, v, "number");
      },
    });
    return el("div", { className: "input-row", dataset: { testid: "input-row" } },
      el("div", { className: "in-name" }, el("b", { textContent: `x${i + 1}` }),
         el("span", { className: "muted", textContent: state.labels[i] !== `x${i + 1}` ? ` ${state.labels[i]}` : "" })),
      el("div", { className: "in-x" }, xControl,
         state.mode === "real" ? el("span", { className: "value", id: `x-value-${i}`, textContent: fmt(state.x[i], 3) }) : null),
      el("div", { className: "in-w" }, el("span", { className: "muted", textContent: `w${i + 1}` }),
         slider, number));
  });
  $("input-rows").replaceChildren(...rows);
  $("threshold").value = state.threshold;
  $("scale").value = Math.log10(state.scale);
  syncSweepSelect();
}

function syncSweepSelect() {
  const sel = $("sweep-weight");
  sel.replaceChildren(...state.w.map((_, i) => el("option", { value: String(i), textContent: `w${i + 1}` })));
  sel.value = String(sweepK);
}

function setWeight(i, v, from) {
  const w = state.w.slice();
  w[i] = v;
  setState({ w });
  sweepK = i;
  const row = $("input-rows").children[i];
  if (from !== "slider") row.querySelector("input[type=range]").value = v;
  if (from !== "number") row.querySelector("input[type=number]").value = v;
  syncSweepSelect();
  render();
}

$("threshold").addEventListener("pointerdown", startChange);
$("threshold").addEventListener("input", (ev) => { setState({ threshold: Number(ev.target.value) }); render(); });
$("scale").addEventListener("input", (ev) => {
  setState({ scale: 10 ** Number(ev.target.value) }, { custom: false });
  reference = null;
  render();
});
$("sweep-weight").addEventListener("change", (ev) => { sweepK = Number(ev.target.value); render(); });
$("preset").value = preset;
$("preset").addEventListener("change", (ev) => {
  const name = ev.target.value;
  if (PRESETS[name]) {
    state = normalizeNeuron(PRESETS[name]);
    preset = name;
    sweepK = name === "sweets" ? 2 : 0;
    history.replaceState(null, "", `?preset=${name}`);
  } else {
    preset = "";
    history.replaceState(null, "", location.pathname);
  }
  reference = null;
  buildControls();
  render();
});

// ------------------------------------------------------------------ views
function render() {
  const e = effective();
  const now = evaluate(e.w, state.x, e.b);
  const c = state.scale;
  $("sum-text").textContent = sumText(now, 4);
  for (const name of ["perceptron", "sigmoid", "tanh", "relu"]) {
    const node = $(`out-${name}`);
    node.textContent = name === "perceptron" ? String(now.outputs[name]) : fmt(now.outputs[name], 6);
    node.dataset.value = String(now.outputs[name]);
  }
  $("threshold-value").textContent = fmt(state.threshold, 4);
  $("bias-text").textContent = `bias b = \u2212threshold = ${fmt(biasOf(state.threshold), 4)}`
    + (c !== 1 ? `; times c: b = ${fmt(e.b, 4)}` : "");
  $("scale-value").textContent = fmt(c, 3);

  const table = truthTable(e.w, e.b);
  const base = truthTable(state.w, biasOf(state.threshold));
  const sameAsBase = table.every((r, k) => r.outputs.perceptron === base[k].outputs.perceptron);
  $("scale-text").textContent = `c = ${fmt(c, 3)}: perceptron ${sameAsBase ? "unchanged on every row" : "changed"}; `
    + `sigmoid within ${fmt(distanceFromPerceptron(table), 3)} of it (at c = 1: ${fmt(distanceFromPerceptron(base), 3)})`;
  renderTable(table);
  renderChange(e, table, now);
  renderPresetNote(table);
}

function renderTable(table) {
  const n = state.w.length;
  const cmp = reference && reference.length === table.length ? compareTables(reference, table) : null;
  const head = el("tr", {}, ...state.w.map((_, i) => el("th", { textContent: `x${i + 1}` })),
    el("th", { textContent: "z" }), el("th", { textContent: "perceptron" }),
    el("th", { textContent: "sigmoid" }));
  const current = state.mode === "binary" ? state.x.join("") : null;
  const rows = table.map((r, k) => {
    const flipped = cmp?.flipped.includes(k);
    const delta = cmp ? cmp.sigmoidChanges[k] : 0;
    return el("tr", {
      className: [r.x.join("") === current ? "current" : "", flipped ? "flipped" : ""].join(" ").trim(),
      dataset: { testid: "truth-row", x: r.x.join(",") },
    },
    ...r.x.map((v) => el("td", { textContent: String(v) })),
    el("td", { className: "num", textContent: fmt(r.z, 4), dataset: { value: String(r.z) } }),
    el("td", { className: "num out-p", textContent: String(r.outputs.perceptron),
               dataset: { col: "perceptron", value: String(r.outputs.perceptron) } }),
    el("td", { className: "num out-s", dataset: { col: "sigmoid", value: String(r.outputs.sigmoid) } },
       fmt(r.outputs.sigmoid, 4),
       cmp && delta !== 0 ? el("span", { className: "delta", textContent: ` (${delta > 0 ? "+" : ""}${fmt(delta, 2)})` }) : null));
  });
  $("truth-table").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  // what the perceptron computes, in words, when it copies one input
  const copies = state.w.map((_, i) => i).filter((i) => table.every((r) => r.outputs.perceptron === r.x[i]));
  const ones = table.filter((r) => r.outputs.perceptron === 1).length;
  $("table-summary").textContent = `${table.length} rows; perceptron fires on ${ones}`
    + (copies.length ? `; output = x${copies[0] + 1} on every row` : "");
  void n;
}

function renderChange(e, table, now) {
  const k = sweepK;
  const lo = W_RANGE[0] * state.scale, hi = W_RANGE[1] * state.scale;
  const sweep = sweepWeight(e.w, state.x, e.b, k, lo, hi, 401);
  plot.render(sweep, e.w[k], now.outputs, `w${k + 1}${state.scale !== 1 ? " \u00d7 c" : ""}`);
  const cmp = reference && reference.length === table.length ? compareTables(reference, table) : null;
  $("change-text").textContent = cmp
    ? `Since this change began: ${cmp.flipped.length} perceptron row(s) flipped `
      + `(${cmp.flipped.map((i) => table[i].x.join("")).join(", ") || "none"}), all at once; `
      + `the sigmoid moved by at most ${fmt(cmp.maxSigmoidChange, 3)}.`
    : "Drag a weight: the perceptron's rows flip all at once when the sum crosses the threshold, "
      + "the sigmoid's values move smoothly.";
  $("change-text").dataset.flipped = cmp ? String(cmp.flipped.length) : "";
}

function renderPresetNote(table) {
  const p = PRESETS[preset];
  if (preset === "sweets") {
    const copies = table.every((r) => r.outputs.perceptron === r.x[1]);
    $("preset-note").textContent = `${p.title} x1: ${p.labels[0]}, x2: ${p.labels[1]}, x3: ${p.labels[2]}. `
      + `Weights 2, 6, 2 and threshold 5: x1 and x3 together give 2 + 2 = 4, not over 5; x2 alone `
      + `gives 6. ${copies ? "So the output is x2, whatever the other two say." : "With these numbers the output is no longer just x2."}`;
  } else {
    $("preset-note").textContent = p ? p.title : "";
  }
}

revealWhen(afterNextFrame());   // filled in unseen below: the page appears once, in place
buildControls();
render();
onCanvasResize(render);   // a resized canvas is blank until drawn again (e.g. a lesson's column)
window.__neuronLab = { state: () => state };
// what a lesson's tasks read (server/lessons.py TASK_FIELDS["neuron"])
window.__nnpLessonState = () => ({
  neuron: { preset, inputs: state.x.length, scale: state.scale, bias: biasOf(state.threshold) },
});
