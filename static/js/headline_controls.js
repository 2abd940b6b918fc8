// The headline controls in the top bar: learning rate (log slider plus a typed value, with the
// schedule's current rate beside it), batch size (1 = stochastic ... full batch) and the
// optimizer. All three are live: the run follows them while it trains. They write to the client
// state only and re-read it when it changes (a link, the server refusing a value).

import {
  LEARNING_RATE_LOG_RANGE, batchName, batchStops, checkNumber, learningRateAt, learningRatePosition,
} from "./control_values.js";
import { formatNumber } from "./format.js";

/** The fields shown here (the side panel leaves them out). */
export const HEADLINE_FIELDS = Object.freeze(["learning_rate", "batch_size", "optimizer"]);

const OPTIMIZER_LABELS = { sgd: "SGD", momentum: "momentum", nesterov: "Nesterov", adagrad: "AdaGrad", rmsprop: "RMSprop", adam: "Adam" };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("aria-") || k === "role" || !(k in node)) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

/**
 * Build the three controls into `container`. nTrain(config, run) gives the training-set size
 * (the frame's n_train; null before the first frame). Returns refresh(config, ui, run).
 */
export function buildHeadlineControls(state, container, { nTrain, onInvalid = () => {} }) {
  const field = (name) => state.fields.get(name);

  // ---- learning rate: log slider, typed value, effective (scheduled) rate
  const [lo, hi] = LEARNING_RATE_LOG_RANGE;
  const lrSlider = el("input", {
    type: "range", min: String(lo), max: String(hi), step: "0.05", id: "headline-lr-slider",
    dataset: { testid: "input-learning_rate" },
  });
  const lrBox = el("input", {
    type: "text", inputMode: "decimal", size: 6, id: "headline-lr-text", autocomplete: "off",
    "aria-label": "learning rate, typed", "aria-describedby": "headline-lr-error",
    dataset: { testid: "input-learning_rate-text" },
  });
  const lrError = el("span", { className: "field-error", id: "headline-lr-error", role: "alert", dataset: { testid: "learning_rate-error" } });
  const lrNow = el("output", {
    className: "effective", dataset: { testid: "effective-learning-rate" },
    title: "the rate the schedule applies at this step (the base rate times the schedule's factor)",
  });
  lrSlider.setAttribute("aria-label", "learning rate (log scale)");
  lrSlider.addEventListener("input", () => {
    const v = learningRateAt(Number(lrSlider.value));
    lrBox.value = String(v);
    lrSlider.setAttribute("aria-valuetext", String(v));
    clearError();
    state.setConfig({ learning_rate: v });  // live: the connection coalesces a moving slider
  });
  function clearError() {
    lrBox.classList.remove("invalid");
    lrBox.removeAttribute("aria-invalid");
    lrError.textContent = "";
  }
  lrBox.addEventListener("change", () => {
    const r = checkNumber(field("learning_rate"), lrBox.value, "Learning rate");
    if (!r.ok) {
      lrBox.classList.add("invalid");
      lrBox.setAttribute("aria-invalid", "true");
      lrError.textContent = r.message;
      onInvalid(r.message);
      return;
    }
    clearError();
    state.setConfig({ learning_rate: r.value });
  });
  const lrGroup = el("div", { className: "headline-control", role: "group", "aria-labelledby": "headline-lr-label", dataset: { field: "learning_rate" } },
    el("label", { htmlFor: "headline-lr-slider", id: "headline-lr-label" }, "learning rate"),
    lrSlider, lrBox, lrNow, lrError);

  // ---- batch size: stops from 1 to the full training set
  const batchSlider = el("input", {
    type: "range", min: "0", step: "1", id: "headline-batch-slider", dataset: { testid: "input-batch_size" },
  });
  const batchValue = el("output", { className: "value", htmlFor: "headline-batch-slider", dataset: { testid: "batch-size-value" } });
  let stops = [1];
  batchSlider.addEventListener("input", () => {
    const v = stops[Number(batchSlider.value)];
    const name = batchName(v, stops[stops.length - 1]);
    batchValue.textContent = name;
    batchSlider.setAttribute("aria-valuetext", name);
    state.setConfig({ batch_size: v });
  });
  const batchGroup = el("div", { className: "headline-control batch", dataset: { field: "batch_size" } },
    el("label", { htmlFor: "headline-batch-slider" }, "batch size"),
    batchSlider, batchValue);

  // ---- optimizer
  const opt = el("select", { id: "headline-optimizer", dataset: { testid: "input-optimizer" } });
  for (const v of field("optimizer").choices) opt.append(el("option", { value: v }, OPTIMIZER_LABELS[v] ?? v));
  opt.addEventListener("change", () => state.setConfig({ optimizer: opt.value }));
  const optGroup = el("div", { className: "headline-control", dataset: { field: "optimizer" } },
    el("label", { htmlFor: "headline-optimizer" }, "optimizer"), opt);

  const live = el("span", { className: "tag live", title: "changes apply while training; the weights are kept" }, "live");
  container.append(live, lrGroup, batchGroup, optGroup);

  return function refresh(config, ui, run) {
    if (document.activeElement !== lrSlider) lrSlider.value = String(learningRatePosition(config.learning_rate));
    lrSlider.setAttribute("aria-valuetext", String(config.learning_rate));
    if (document.activeElement !== lrBox) {
      lrBox.value = String(config.learning_rate);
      clearError();
    }
    const eff = run.effectiveLearningRate;
    const differs = eff != null && Math.abs(eff - config.learning_rate) > 1e-12 * config.learning_rate;
    lrNow.textContent = eff == null ? "" : differs ? `now ${formatNumber(eff, 3)}` : "constant";
    lrNow.classList.toggle("scheduled", differs);

    // the full batch is the training-set size the frame reports (n_train); before the first
    // frame of a run it is not known, and the batch size is shown as set
    const known = nTrain(config, run);
    const n = known ?? Math.max(config.batch_size, 2);
    stops = batchStops(n, config.batch_size);
    batchSlider.max = String(stops.length - 1);
    const size = Math.min(config.batch_size, n);
    batchSlider.value = String(Math.max(0, stops.findIndex((s) => s >= size)));
    const name = known == null ? String(config.batch_size) : batchName(size, n);
    batchValue.textContent = name;
    batchSlider.setAttribute("aria-valuetext", name);

    opt.value = config.optimizer;
  };
}
