// The controls, built from the server's config schema (engine.config_schema()): one widget per
// field, chosen by its type, with its range, default and description taken from the schema.
// Controls write to the client state only; they re-read it when it changes (e.g. a link, or the
// server refusing a value). This file adds presentation only: labels and slider shapes (log
// scale for the learning rate, stops for the batch size). Which fields matter for which choices
// (`applies_when`), which losses fit a dataset, thumbnails and the training-set size come from
// the engine (the schema and each frame's header), never restated here.

import { checkNumber, twoSignificant } from "./control_values.js";
import { formatNumber as fmt } from "./format.js";
import { HEADLINE_FIELDS, buildHeadlineControls } from "./headline_controls.js";
import { compatibleLoss, fieldApplies } from "./state.js";

const GROUPS = [
  { id: "data", title: "Data", open: true },
  { id: "network", title: "Network", open: true },
  { id: "optimizer", title: "Optimizer", open: true },
  { id: "schedule", title: "Learning-rate schedule", open: false },
  { id: "regularization", title: "Regularization & clipping", open: false },
];

const LABELS = {
  dataset: "Dataset", noise: "Noise", n_samples: "Points", train_fraction: "Training share",
  n_classes: "Classes", standardize: "Standardize inputs", features: "Input features",
  hidden: "Hidden layers", activation: "Activation", loss: "Loss", init: "Initialization",
  seed: "Seed", learning_rate: "Learning rate", batch_size: "Batch size", optimizer: "Optimizer",
  momentum: "Momentum", beta1: "β₁", beta2: "β₂", rho: "ρ", epsilon: "ε",
  schedule: "Schedule", decay_rate: "Decay rate", decay_steps: "Decay steps",
  warmup_steps: "Warm-up steps", clipping: "Gradient clipping", clip_threshold: "Clip threshold",
  regularization: "Penalty", regularization_rate: "Penalty rate",
};

const CHOICE_LABELS = {
  x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin x₁", sin_x2: "sin x₂",
  leaky_relu: "leaky ReLU", relu: "ReLU", tanh: "tanh", sigmoid: "sigmoid", linear: "linear", step: "step",
  mse: "mean squared error", bce: "binary cross-entropy", cce: "categorical cross-entropy",
  sgd: "SGD", momentum: "momentum", nesterov: "Nesterov", adagrad: "AdaGrad", rmsprop: "RMSprop", adam: "Adam",
  none: "none", l1: "L1", l2: "L2", norm: "by global norm", value: "by value",
};

/** Slider steps for bounded numbers (the bounds themselves come from the schema). */
const SLIDER_STEP = { noise: 0.05, n_samples: 10, train_fraction: 0.05, n_classes: 1 };

const ICONS = {
  play: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M4 2.5v11l9.5-5.5z"/></svg>',
  pause: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 2.5h3.2v11H3.5zM9.3 2.5h3.2v11H9.3z"/></svg>',
  step: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M2.5 2.5v11l8-5.5zM11 2.5h2.5v11H11z"/></svg>',
  reset: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M8 2.2a5.8 5.8 0 1 0 5.6 7.3h-2.1A3.8 3.8 0 1 1 8 4.2c1 0 1.9.4 2.6 1.1L8.5 7.4H14V1.9l-2 2A5.8 5.8 0 0 0 8 2.2z"/></svg>',
};

const SPEEDS = [null, 1, 2, 5, 10, 30, 100, 300, 1000];

function humanName(name) {
  return LABELS[name] ?? name.replace(/_/g, " ");
}

function choiceLabel(v) {
  return CHOICE_LABELS[v] ?? String(v);
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && k !== "list") node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

const nice = twoSignificant;

function roundStep(x, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number((Math.round(x / step) * step).toFixed(digits));
}

/**
 * Build every control. `containers`: {settings, headline, actions, networkTools, outputTools,
 * lossTools, surfaceTools, activationTools, divergedActions}; `datasets`: the schema's
 * {name: {kind, input_dim, losses, usual_loss, thumbnail, description}}.
 */
export function buildControls(state, containers, datasets, losses = {}, landscape = {}) {
  const refreshers = [];       // (config, ui, run) => void: re-read the state into a widget
  const fieldNodes = new Map(); // name -> .field element (for relevance hiding)

  /** The training-set size the engine reports in each frame (n_train); null before the first. */
  function nTrain(config, run = state.run) {
    return run.nTrain ?? null;
  }
  function kindOf(dataset) {
    return datasets[dataset]?.kind;
  }

  // ---- one field's frame: label, live/reset tag, description
  // The name is a <label> of the field's one input or select; a group of buttons or boxes is a
  // role=group named by it. The description is the field's visible hint on hover and its
  // accessible description (aria-describedby), never the only name of anything.
  function fieldFrame(field, widget, valueText) {
    const tag = field.live
      ? el("span", { className: "tag live", title: "changes apply while training; the weights are kept" }, "live")
      : el("span", { className: "tag reset", title: "changing this rebuilds the data or the network: training restarts" }, "↺ resets");
    const labelId = `label-${field.name}`;
    const descId = `desc-${field.name}`;
    const controls = widget.matches?.("input, select") ? [widget] : [...widget.querySelectorAll("input:not([type=checkbox]), select")];
    const single = controls.length === 1 && !widget.querySelector("input[type=checkbox]") ? controls[0] : null;
    const name = single
      ? el("label", { id: labelId, htmlFor: single.id || (single.id = `field-input-${field.name}`) }, humanName(field.name))
      : el("span", { id: labelId }, humanName(field.name));
    if (!single) {
      widget.setAttribute("role", widget.getAttribute("role") ?? "group");
      widget.setAttribute("aria-labelledby", labelId);
    }
    const label = el("div", { className: "field-label" }, el("span", {}, name, " ", tag), valueText ?? null);
    const desc = el("span", { className: "visually-hidden", id: descId }, field.description);
    (single ?? widget).setAttribute("aria-describedby", [descId, (single ?? widget).getAttribute("aria-describedby")].filter(Boolean).join(" "));
    const node = el("div", { className: "field", title: field.description, dataset: { field: field.name, testid: `field-${field.name}` } },
      label, widget, desc);
    fieldNodes.set(field.name, node);
    return node;
  }

  function set(name, value) {
    const changes = { [name]: value };
    // keep the loss compatible with the dataset's task (the server would refuse it otherwise)
    if (name === "dataset") {
      const info = datasets[value];
      // another kind of task: its usual loss; the same kind: the loss kept if it fits
      const loss = kindOf(value) !== kindOf(state.config.dataset) && info
        ? info.usual_loss : compatibleLoss(info, state.config.loss);
      if (loss !== state.config.loss) changes.loss = loss;
    }
    // a single-layer loss (the perceptron: the server refuses hidden layers, they would get no
    // gradient) takes the hidden layers away
    if (name === "loss" && losses[value]?.single_layer && state.config.hidden.length) changes.hidden = [];
    state.setConfig(changes);
  }

  // ---- widgets by type ---------------------------------------------------------------
  function datasetPicker(field) {
    const grid = el("div", { className: "datasets", role: "group", "aria-label": "Dataset" });
    // "custom" (your own points) has its own panel: static/js/data_panel.js
    const buttons = field.choices.filter((name) => name !== "custom").map((name) => {
      const info = datasets[name];
      const b = el("button", {
        type: "button", title: `${name}${info ? ` (${info.kind}, ${info.input_dim}-D): ${info.description}` : ""}`,
        dataset: { value: name, testid: `dataset-${name}` },
      }, el("img", { src: info?.thumbnail ?? "", alt: "", width: 64, height: 64 }), name);
      b.addEventListener("click", () => set("dataset", name));
      grid.append(b);
      return b;
    });
    refreshers.push((c) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === c.dataset))));
    return fieldFrame(field, grid);
  }

  function select(field) {
    const s = el("select", { name: field.name, dataset: { testid: `input-${field.name}` } });
    for (const v of field.choices) s.append(el("option", { value: v }, choiceLabel(v)));
    s.addEventListener("change", () => set(field.name, s.value));
    const frame = fieldFrame(field, s);
    // losses that cannot train this network say why (the engine's reason, from the schema)
    const note = field.name === "loss"
      ? el("p", { className: "field-note", dataset: { testid: "loss-unavailable" }, hidden: true }) : null;
    if (note) frame.append(note);
    refreshers.push((c) => {
      if (field.name === "loss") {
        const info = datasets[c.dataset];
        const reasons = [];
        for (const o of s.options) {
          const singleLayer = losses[o.value]?.single_layer && c.hidden.length > 0;
          o.disabled = compatibleLoss(info, o.value) !== o.value || singleLayer;
          o.textContent = singleLayer ? `${choiceLabel(o.value)} (no hidden layers only)` : choiceLabel(o.value);
          if (singleLayer && compatibleLoss(info, o.value) === o.value) {
            reasons.push(`${choiceLabel(o.value)} trains one layer only: ${losses[o.value].single_layer_reason}; remove the hidden layers to use it.`);
          }
        }
        note.textContent = reasons.join(" ");
        note.hidden = reasons.length === 0;
      }
      s.value = c[field.name];
    });
    return frame;
  }

  function chips(field) {
    const box = el("div", { className: "chips" });
    const inputs = field.choices.map((v) => {
      const input = el("input", { type: "checkbox", value: v, dataset: { testid: `input-${field.name}-${v}` } });
      input.addEventListener("change", () => {
        const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
        if (chosen.length < (field.min_length ?? 0)) {
          input.checked = true;
          return;
        }
        set(field.name, chosen);
      });
      box.append(el("label", { title: v }, input, choiceLabel(v)));
      return input;
    });
    refreshers.push((c) => inputs.forEach((i) => { i.checked = c[field.name].includes(i.value); }));
    const node = fieldFrame(field, box);
    refreshers.push((c, ui, run) => {
      const dim = datasets[c.dataset]?.input_dim ?? run.inputDim;
      node.hidden = field.name === "features" && dim === 1;
    });
    return node;
  }

  function layerEditor(field) {
    const box = el("div", { className: "layers", dataset: { testid: "hidden-layers" } });
    const value = el("span", { className: "value" });
    function change(layers) {
      state.setConfig({ hidden: layers });
    }
    function render(hidden) {
      box.replaceChildren();
      hidden.forEach((n, i) => {
        const minus = el("button", { type: "button", title: "one neuron fewer", "aria-label": `layer ${i + 1}: one neuron fewer`, dataset: { testid: `layer-${i}-minus` } }, "−");
        const plus = el("button", { type: "button", title: "one neuron more", "aria-label": `layer ${i + 1}: one neuron more`, dataset: { testid: `layer-${i}-plus` } }, "+");
        minus.disabled = n <= field.item_minimum;
        plus.disabled = n >= field.item_maximum;
        minus.addEventListener("click", () => change(hidden.map((m, j) => (j === i ? m - 1 : m))));
        plus.addEventListener("click", () => change(hidden.map((m, j) => (j === i ? m + 1 : m))));
        const remove = el("button", { type: "button", title: "remove this layer", "aria-label": `remove layer ${i + 1}`, dataset: { testid: `layer-${i}-remove` } }, "×");
        remove.addEventListener("click", () => change(hidden.filter((_, j) => j !== i)));
        box.append(el("div", { className: "layer-row" },
          el("span", { className: "name" }, `layer ${i + 1}`), minus, el("span", { className: "count" }, String(n)), plus, remove));
      });
      const add = el("button", { type: "button", className: "add", title: "add a hidden layer", "aria-label": "add a hidden layer", dataset: { testid: "layer-add" } }, "+");
      add.disabled = field.max_length != null && hidden.length >= field.max_length;
      add.addEventListener("click", () => change([...hidden, hidden.length ? hidden[hidden.length - 1] : 4]));
      box.append(el("div", { className: "add-row" }, add, hidden.length ? "add a layer" : "no hidden layers: add one"));
      value.textContent = hidden.length ? hidden.join("–") : "none";
    }
    let last = "";
    refreshers.push((c) => {
      const key = JSON.stringify(c.hidden);
      if (key !== last) {
        last = key;
        render(c.hidden);
      }
    });
    return fieldFrame(field, box, value);
  }

  function checkbox(field) {
    const input = el("input", { type: "checkbox", dataset: { testid: `input-${field.name}` }, "aria-label": humanName(field.name) });
    input.addEventListener("change", () => set(field.name, input.checked));
    refreshers.push((c) => { input.checked = Boolean(c[field.name]); });
    return fieldFrame(field, el("div", { className: "inline" }, el("label", {}, input, "on")));
  }

  /** A number box that only sends values the schema accepts; a refused value says the allowed range. */
  function numberBox(field, { onValid } = {}) {
    const errorId = `error-${field.name}`;
    const input = el("input", {
      type: "text", inputMode: field.type === "int" ? "numeric" : "decimal", autocomplete: "off",
      dataset: { testid: `input-${field.name}` }, size: 8, "aria-describedby": errorId,
    });
    const error = el("div", { className: "field-error", id: errorId, role: "alert", dataset: { testid: `${field.name}-error` } });
    const clear = () => {
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      error.textContent = "";
    };
    input.addEventListener("change", () => {
      const r = checkNumber(field, input.value, humanName(field.name));
      if (!r.ok) {
        input.classList.add("invalid");
        input.setAttribute("aria-invalid", "true");
        error.textContent = r.message;
        return;
      }
      clear();
      (onValid ?? ((x) => set(field.name, x)))(r.value);
    });
    refreshers.push((c) => {
      if (document.activeElement !== input) {
        input.value = String(c[field.name]);
        clear();
      }
    });
    input.errorNode = error;
    return input;
  }

  function rangeText(field) {
    const lo = field.minimum ?? (field.exclusiveMinimum != null ? `> ${field.exclusiveMinimum}` : "−∞");
    const hi = field.maximum ?? "∞";
    return `${lo} … ${hi}`;
  }

  function slider(field) {
    const step = SLIDER_STEP[field.name] ?? (field.type === "int" ? 1 : (field.maximum - field.minimum) / 100);
    const input = el("input", {
      type: "range", min: field.minimum, max: field.maximum, step, dataset: { testid: `input-${field.name}` },
      "aria-label": humanName(field.name),
    });
    const value = el("span", { className: "value" });
    const show = (v) => (field.name === "train_fraction" ? `${Math.round(v * 100)}%` : fmt(v));
    input.addEventListener("input", () => { value.textContent = show(Number(input.value)); });
    input.addEventListener("change", () => set(field.name, field.type === "int" ? Math.round(Number(input.value)) : roundStep(Number(input.value), step)));
    refreshers.push((c) => {
      input.value = c[field.name];
      value.textContent = show(c[field.name]);
    });
    return fieldFrame(field, input, value);
  }

  function seed(field) {
    const box = numberBox(field);
    const dice = el("button", { type: "button", className: "mini", title: "new random seed", dataset: { testid: "new-seed" } }, "new");
    dice.addEventListener("click", () => set("seed", Math.floor(Math.random() * 100000)));
    const node = fieldFrame(field, el("div", { className: "inline" }, box, dice));
    node.append(box.errorNode);
    return node;
  }

  function widgetFor(field) {
    if (field.name === "dataset") return datasetPicker(field);
    if (field.name === "seed") return seed(field);
    switch (field.type) {
      case "choice": return select(field);
      case "multichoice": return chips(field);
      case "int_list": return layerEditor(field);
      case "bool": return checkbox(field);
      case "int":
      case "float":
        if (field.name in SLIDER_STEP && field.minimum != null && field.maximum != null) return slider(field);
        {
          const box = numberBox(field);
          const node = fieldFrame(field, box);
          node.append(box.errorNode);
          return node;
        }
      default:
        return null;
    }
  }

  // ---- the settings panel, group by group ---------------------------------------------
  const byGroup = new Map();
  for (const f of state.schema) {
    if (!byGroup.has(f.group)) byGroup.set(f.group, []);
    byGroup.get(f.group).push(f);
  }
  const known = GROUPS.map((g) => g.id);
  const groups = [...GROUPS, ...[...byGroup.keys()].filter((g) => !known.includes(g)).map((id) => ({ id, title: id, open: true }))];
  for (const g of groups) {
    const fields = byGroup.get(g.id);
    if (!fields) continue;
    const allLive = fields.every((f) => f.live);
    const noneLive = fields.every((f) => !f.live);
    const tag = allLive ? el("span", { className: "tag live" }, "live: no reset")
      : noneLive ? el("span", { className: "tag reset" }, "↺ changes reset") : null;
    const details = el("details", { open: g.open, dataset: { group: g.id } }, el("summary", {}, g.title, tag));
    for (const f of fields) {
      if (HEADLINE_FIELDS.includes(f.name)) continue;  // in the top bar
      const node = widgetFor(f);
      if (node) details.append(node);
    }
    containers.settings.append(details);
  }

  // ---- the headline controls (top bar): learning rate, batch size, optimizer ------------------
  refreshers.push(buildHeadlineControls(state, containers.headline, { nTrain }));

  // ---- run actions (top bar) -----------------------------------------------------------
  const reset = el("button", { type: "button", className: "round small", title: "reset (r): same seed, same start", dataset: { testid: "reset" }, "aria-label": "reset" });
  reset.innerHTML = ICONS.reset;
  const play = el("button", { type: "button", className: "round", title: "play / pause (space)", dataset: { testid: "play" }, "aria-label": "play" });
  play.innerHTML = ICONS.play;
  const step = el("button", { type: "button", className: "round small", title: "one step (s)", dataset: { testid: "step" }, "aria-label": "step" });
  step.innerHTML = ICONS.step;
  reset.addEventListener("click", () => state.command("reset"));
  play.addEventListener("click", () => state.command("toggle"));
  step.addEventListener("click", () => state.command("step", 1));
  const speed = el("select", { dataset: { testid: "speed" }, title: "training steps per animation frame" });
  for (const s of SPEEDS) speed.append(el("option", { value: s ?? "max" }, s == null ? "max" : `${s} / frame`));
  speed.addEventListener("change", () => state.setUi({ speed: speed.value === "max" ? null : Number(speed.value) }));
  containers.actions.append(reset, play, step, el("label", {}, el("span", { className: "visually-hidden" }, "speed"), speed));
  refreshers.push((c, ui, run) => {
    const playing = run.status === "playing";
    if (play.dataset.playing !== String(playing)) play.innerHTML = playing ? ICONS.pause : ICONS.play;
    play.setAttribute("aria-label", playing ? "pause" : "play");
    play.dataset.playing = String(playing);
    speed.value = ui.speed ?? "max";
    if (speed.value === "") {
      // a speed from a link that is not one of the stops: show it, in its place
      const option = el("option", { value: ui.speed }, `${ui.speed} / frame`);
      const after = [...speed.options].find((o) => o.value !== "max" && Number(o.value) > ui.speed);
      speed.insertBefore(option, after ?? null);
      speed.value = ui.speed;
    }
  });

  // ---- view options (panel tools) ------------------------------------------------------
  function toggle(container, key, text, testid, title) {
    const input = el("input", { type: "checkbox", dataset: { testid } });
    input.addEventListener("change", () => state.setUi({ [key]: input.checked }));
    refreshers.push((c, ui) => { input.checked = Boolean(ui[key]); });
    container.append(el("label", { title: title ?? "" }, input, text));
    return input;
  }
  function segmented(container, key, options, testid) {
    const box = el("div", { className: "segmented", role: "group", dataset: { testid } });
    const buttons = options.map(([value, text, title]) => {
      const b = el("button", { type: "button", title: title ?? "", dataset: { value, testid: `${testid}-${value}` } }, text);
      b.addEventListener("click", () => state.setUi({ [key]: value }));
      box.append(b);
      return b;
    });
    refreshers.push((c, ui) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === ui[key]))));
    container.append(box);
  }

  segmented(containers.networkTools, "edgeValues", [
    ["weights", "weights", "edge width ∝ |w|, colour = sign"],
    ["gradients", "gradients", "edge width ∝ |∂L/∂w| over the full training set; the largest stand out"],
  ], "edge-mode");
  // picking loss-surface axes by tap is a mode of its own (a tap elsewhere reads a value)
  const pick = el("button", {
    type: "button", className: "mode-button", dataset: { testid: "pick-axes" },
    title: "then tap (or click) two edges or biases: they become the loss surface's axes",
  }, "pick axes");
  pick.addEventListener("click", () => state.setUi({ pickAxes: !state.ui.pickAxes }));
  refreshers.push((c, ui) => pick.setAttribute("aria-pressed", String(Boolean(ui.pickAxes))));
  containers.networkTools.append(pick);
  toggle(containers.outputTools, "showTest", "test data", "show-test", "draw the test points (outlined in black)");
  toggle(containers.outputTools, "discretize", "discretize", "discretize", "show hard classes instead of probabilities");
  toggle(containers.lossTools, "logLoss", "log scale", "log-loss");

  const mode = el("select", { dataset: { testid: "surface-mode" }, "aria-label": "loss-surface slice", title: "which plane through parameter space to slice" });
  // the modes, what each means and when it applies are the engine's (rules.landscape)
  const MODE_LABELS = { auto: "auto", random: "random dirs", pca: "PCA of path", params: "two parameters", exact: "exact surface" };
  for (const [v, description] of Object.entries(landscape.modes ?? {})) {
    mode.append(el("option", { value: v, title: description }, MODE_LABELS[v] ?? v));
  }
  const needs = landscape.needs ?? {};
  /** Whether a landscape mode applies to this network and these picked parameters. */
  const modeApplies = (v, ui, run) => {
    const need = needs[v] ?? {};
    if (need.n_params != null && run.nParams != null && run.nParams !== need.n_params) return false;
    if (need.chosen_params != null && ui.surfaceParams.length !== need.chosen_params) return false;
    return true;
  };
  mode.addEventListener("change", () => state.setUi({ surfaceMode: mode.value }));
  const res = el("select", { dataset: { testid: "surface-resolution" }, "aria-label": "loss-surface grid points per axis", title: "grid points per axis" });
  for (const r of [11, 21, 31, 41]) res.append(el("option", { value: r }, `${r}×${r}`));
  res.addEventListener("change", () => state.setUi({ surfaceResolution: Number(res.value) }));
  containers.surfaceTools.append(mode, res);
  toggle(containers.surfaceTools, "surface3d", "3-D", "surface-3d");
  refreshers.push((c, ui, run) => {
    for (const o of mode.options) {
      // a mode that does not apply is not offered
      o.hidden = o.disabled = !modeApplies(o.value, ui, run);
      if (o.value === "params" && ui.surfaceParams.length === 2) {
        o.textContent = `${ui.surfaceParams[0]} × ${ui.surfaceParams[1]}`;
      }
    }
    mode.value = ui.surfaceMode;
    res.value = ui.surfaceResolution;
    if (res.value === "") res.append(el("option", { value: ui.surfaceResolution, selected: true }, `${ui.surfaceResolution}×${ui.surfaceResolution}`));
  });

  // the diverged state's way out: the engine's remedy for the likely cause (header.remedy:
  // better init, standardized inputs, a lower rate or clipping), applied with a reset
  const recover = el("button", { type: "button", dataset: { testid: "diverged-remedy" } }, "lower the learning rate and reset");
  recover.addEventListener("click", () => {
    const changes = state.run.remedyChanges ? JSON.parse(state.run.remedyChanges)
      : { learning_rate: nice(state.config.learning_rate / 10) };
    state.setConfig(changes, { reset: true });
  });
  refreshers.push((c, ui, run) => {
    recover.textContent = run.remedyLabel || "lower the learning rate and reset";
  });
  containers.divergedActions.append(recover);

  // ---- relevance and refresh -------------------------------------------------------------
  function refresh() {
    const { config, ui, run } = state;
    for (const fn of refreshers) fn(config, ui, run);
    for (const [name, node] of fieldNodes) node.hidden = !fieldApplies(state.fields.get(name), config);
    // a group whose every field is hidden (the optimizer's, for SGD) is hidden with them
    for (const details of containers.settings.querySelectorAll("details")) {
      const fields = [...details.querySelectorAll(".field")];
      details.hidden = fields.length > 0 && fields.every((f) => f.hidden);
    }
  }
  state.subscribe((change) => {
    if (change.kind === "config" || change.kind === "ui" || change.kind === "run") refresh();
  });
  refresh();
}
