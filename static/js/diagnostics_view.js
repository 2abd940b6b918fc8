// Diagnostics: the run's status (training, paused, diverged and why), its counters, and per-layer
// gradient norms over time (log scale: vanishing gradients sink, exploding ones climb), beside
// them the latest norms as bars against depth (every layer; a staircase is a vanishing gradient),
// and the fraction of saturated hidden units. The status changes at once; the counters and the charts
// at most ~10 times a second (digits that change 60 times a second cannot be read, and every
// change of the page's text costs a relayout and a repaint on the main thread).

import { sizedCanvas } from "./canvas_size.js";
import { LAYER_COLORS, MUTED, TEXT } from "./colors.js";
import { barLayout } from "./gradient_bars.js";
import { formatNumber as fmt } from "./format.js";
import { FONT } from "./layout_constants.js";
import { drawLineChart } from "./line_chart.js";
import { createRedrawThrottle } from "./redraw_throttle.js";

const MIN_INTERVAL_MS = 100;
// Hairlines: the gradient norms are dense and noisy (a band more than a line), and a stroke wider
// than one pixel costs several times as much to rasterize (~3 ms against ~0.5 ms per redraw).
const LINE_WIDTH = 1;
const STATUS_TEXT = { playing: "training", paused: "paused", diverged: "diverged" };

function column(rows, j) {
  const out = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i][j] ?? NaN;
  return out;
}

/** The diagnostics view; `requestRedraw` asks the wiring for an animation frame. */
export function createDiagnosticsView(els, { requestRedraw = () => {} } = {}) {
  const grad = sizedCanvas(els.gradCanvas);
  const sat = sizedCanvas(els.saturationCanvas);
  const bars = els.barsCanvas ? sizedCanvas(els.barsCanvas) : null;
  let shownBars = [];      // the last bar chart's layers and values (tests read it)
  const throttle = createRedrawThrottle(MIN_INTERVAL_MS);   // the charts: ~10 times a second
  let lastSummaryKey = "";
  let summaryValues = [];
  let lastStatus = "";
  const view = { renders: 0 };

  function layerName(l, n) {
    return l === n - 1 ? "out" : `L${l + 1}`;
  }

  function summary(h) {
    const m = h.metrics;
    const acc = m.train_accuracy == null ? null : `${(m.train_accuracy * 100).toFixed(1)}% / ${(m.test_accuracy * 100).toFixed(1)}%`;
    const items = [
      ["step", m.step.toLocaleString("en-US")],
      ["epoch", m.epoch.toLocaleString("en-US")],
      ["train loss", fmt(m.train_loss, 4)],
      ["test loss", fmt(m.test_loss, 4)],
      ...(acc ? [["accuracy train / test", acc]] : []),
      ["steps/s", fmt(h.steps_per_second ?? 0, 3)],
    ];
    const labels = items.map((i) => i[0]).join("|");
    if (labels !== lastSummaryKey) {
      // build the boxes once per set of labels; afterwards only their numbers change
      lastSummaryKey = labels;
      // readouts, not controls: the label first, in the same line as its number
      els.summary.innerHTML = items.map(([label]) => `<div class="metric" data-metric="${label}"><span>${label}</span> <b></b></div>`).join("");
      summaryValues = [...els.summary.querySelectorAll("b")];
    }
    items.forEach(([, value], i) => {
      if (summaryValues[i].textContent !== value) summaryValues[i].textContent = value;
    });
  }

  function status(h) {
    const s = h.status;
    const key = `${s}|${h.reason}`;
    if (key === lastStatus) return;
    lastStatus = key;
    els.status.textContent = STATUS_TEXT[s] ?? s;
    els.status.className = `status ${s}`;
    els.status.dataset.status = s;
    els.diverged.hidden = s !== "diverged";
    els.divergedReason.textContent = s === "diverged"
      ? `Training diverged: ${h.reason || "the loss is no longer finite"}.`
      : "";
  }

  function charts(snap) {
    const d = snap.diagnostics;
    const n = snap.header.layer_sizes.length - 1;
    grad.clear();
    const series = [];
    for (let l = 0; l < n; l++) {
      series.push({ xs: d.step, ys: column(d.gradNorms, l), color: LAYER_COLORS[l % LAYER_COLORS.length], label: layerName(l, n), width: LINE_WIDTH });
    }
    drawLineChart(grad.ctx, { x: 0, y: 0, w: grad.width, h: grad.height }, {
      series, log: true, yLabel: "gradient norm (log)", xLabel: "step",
    });
    sat.clear();
    const satSeries = [];
    for (let l = 0; l < n - 1; l++) {
      const ys = column(d.saturation, l);
      if (ys.every((v) => !Number.isFinite(v))) continue;
      satSeries.push({ xs: d.step, ys, color: LAYER_COLORS[l % LAYER_COLORS.length], label: layerName(l, n), width: LINE_WIDTH });
    }
    if (bars) drawBars(d, n);
    const act = snap.header.config.activation;
    drawLineChart(sat.ctx, { x: 0, y: 0, w: sat.width, h: sat.height }, {
      series: satSeries, yMin: 0, yMax: 1, yLabel: "saturated share",
      empty: n < 2 ? "no hidden layers" : `${act} does not saturate (only sigmoid and tanh do)`,
    });
  }

  /** The latest gradient norm of every layer as a bar, input side left, on a log axis. */
  function drawBars(d, n) {
    bars.clear();
    const ctx = bars.ctx;
    const last = d.gradNorms.length ? d.gradNorms[d.gradNorms.length - 1] : [];
    const values = Array.from({ length: n }, (_, l) => last[l] ?? NaN);
    const box = { x: 26, y: 14, w: Math.max(20, bars.width - 30), h: Math.max(20, bars.height - 14 - 26) };
    ctx.font = FONT.small;
    const lay = barLayout(values, box, (t) => ctx.measureText(t).width);
    ctx.fillStyle = TEXT;
    ctx.font = FONT.label;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText("by layer, now", 2, 0);
    shownBars = lay.bars.map((b) => ({ label: b.label, value: b.value, height: b.h }));
    els.barsCanvas.dataset.layers = String(lay.bars.length);
    if (!lay.bars.length) {
      ctx.fillStyle = MUTED;
      ctx.font = FONT.note;
      ctx.textAlign = "center";
      ctx.fillText(lay.empty, box.x + box.w / 2, box.y + box.h / 2);
      return;
    }
    // decade gridlines and their labels
    ctx.font = FONT.tick;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 1;
    const every = Math.max(1, Math.ceil((lay.decades.length * 12) / box.h));
    lay.decades.forEach((k, i) => {
      const y = Math.round(lay.Y(k)) + 0.5;
      ctx.strokeStyle = "#e3e3e3";
      ctx.beginPath();
      ctx.moveTo(box.x, y);
      ctx.lineTo(box.x + box.w, y);
      ctx.stroke();
      if (i % every === 0 || i === lay.decades.length - 1) {
        ctx.fillStyle = MUTED;
        ctx.fillText(k === 0 ? "1" : `1e${k}`, box.x - 2, y);
      }
    });
    for (const b of lay.bars) {
      ctx.fillStyle = LAYER_COLORS[b.layer % LAYER_COLORS.length];
      ctx.fillRect(b.x, b.y, b.w, b.h);
    }
    ctx.fillStyle = MUTED;
    ctx.font = FONT.small;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const b of lay.bars) if (b.labelShown) ctx.fillText(b.label, b.x + b.w / 2, box.y + box.h + 2);
    ctx.fillText("input side → output", box.x + box.w / 2, box.y + box.h + 13);
  }

  view.render = function render(snap, ui, now = performance.now()) {
    const h = snap.header;
    if (!h) return false;
    status(h);
    const key = `${snap.stamps.frame}|${snap.generation}`;
    const resized = Boolean(grad.changed() | sat.changed() | (bars ? bars.changed() : 0));
    if (!throttle.due(now, key, snap.stamps.frame, resized)) return false;
    summary(h);
    charts(snap);
    view.renders += 1;
    return true;
  };
  /** True while the latest frame waits for the throttle (the wiring keeps animating). */
  view.waiting = throttle.owed;
  /** The bars last drawn: [{label, value, height}] per layer, input side first. */
  view.bars = () => shownBars;
  return view;
}
