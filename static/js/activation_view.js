// The activation curve: the hidden activation g(z) and its derivative g'(z), with the chosen
// neuron's current pre-activations over the training set placed on the curve. Regions where the
// derivative (nearly) vanishes are shaded: points there pass almost no gradient backwards. This
// is where vanishing gradients become visible.

import { sizedCanvas } from "./canvas_size.js";
import { MUTED, NEGATIVE, POSITIVE, TEXT } from "./colors.js";
import { formatNumber as fmt, formatPercent, formatTicks } from "./format.js";
import { ACTIVATION_MARGIN, FONT, HISTOGRAM, TICK_GAP } from "./layout_constants.js";

const SATURATION_THRESHOLD = 0.1; // g'(z) < 0.1 max g' counts as saturated (engine/activations.py)
const LEAKY_SLOPE = 0.01;

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** g and g' of each function the server names (header.neuron_function). */
export const FUNCTIONS = {
  sigmoid: { g: sigmoid, d: (z) => sigmoid(z) * (1 - sigmoid(z)), peak: 0.25, saturates: true },
  tanh: { g: Math.tanh, d: (z) => 1 - Math.tanh(z) ** 2, peak: 1, saturates: true },
  relu: { g: (z) => Math.max(z, 0), d: (z) => (z > 0 ? 1 : 0), peak: 1, dead: true },
  leaky_relu: { g: (z) => (z > 0 ? z : LEAKY_SLOPE * z), d: (z) => (z > 0 ? 1 : LEAKY_SLOPE), peak: 1, dead: true },
  linear: { g: (z) => z, d: () => 1, peak: 1 },
  identity: { g: (z) => z, d: () => 1, peak: 1 },
  step: { g: (z) => (z > 0 ? 1 : 0), d: () => 0, peak: 1, flat: true },
};

/** The activation view; `requestRedraw` asks the wiring for an animation frame. */
export function createActivationView(canvas, legendEl, titleEl, { requestRedraw = () => {} } = {}) {
  const sized = sizedCanvas(canvas);
  let lastKey = "";
  let lastLegend = "";
  let lastTitle = "";
  const view = { renders: 0 };

  function flatZone(fn, z) {
    if (fn.flat) return true;
    if (fn.saturates) return fn.d(z) < SATURATION_THRESHOLD * fn.peak;
    if (fn.dead) return z <= 0;
    return false;
  }

  /** The plot's scales: z over ±zr (covering the points), y over g's range on it. */
  function scales(snap, fn) {
    const { width, height } = sized;
    const m = ACTIVATION_MARGIN;
    const box = { x: m.left, y: m.top, w: width - m.left - m.right, h: Math.max(30, height - m.top - m.bottom) };
    const hist = { x: box.x, y: box.y + box.h + HISTOGRAM.gap, w: box.w, h: HISTOGRAM.height };
    const z = snap.preactivations;
    const a = snap.activations;
    let zmax = 0;
    let finiteCount = 0;
    for (let i = 0; i < z.length; i++) {
      if (Number.isFinite(z[i])) {
        zmax = Math.max(zmax, Math.abs(z[i]));
        finiteCount += 1;
      }
    }
    const zr = Math.min(200, Math.max(5, zmax * 1.08));
    let yLo = 0;
    let yHi = 1;
    if (fn) {
      for (let k = 0; k <= 100; k++) {
        const v = fn.g(-zr + (2 * zr * k) / 100);
        yLo = Math.min(yLo, v);
        yHi = Math.max(yHi, v);
      }
    } else if (a) {
      for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) { yLo = Math.min(yLo, a[i]); yHi = Math.max(yHi, a[i]); }
    }
    const yPad = (yHi - yLo) * 0.06;
    yLo -= yPad;
    yHi += yPad;
    const X = (v) => box.x + ((v + zr) / (2 * zr)) * box.w;
    const Y = (v) => box.y + box.h - ((v - yLo) / (yHi - yLo)) * box.h;
    return { box, hist, zr, yLo, yHi, yPad, X, Y, finiteCount };
  }

  /** Shade where g' (nearly) vanishes, one rectangle per run of flat steps; count the points there. */
  function drawFlatZones(ctx, fn, z, sc) {
    if (!fn) return 0;
    const { box, zr, X } = sc;
    ctx.fillStyle = "rgba(198,40,40,0.10)";
    const steps = 240;
    const zAt = (k) => -zr + (2 * zr * k) / steps;
    let start = -1;
    for (let k = 0; k <= steps; k++) {
      const flat = k < steps && flatZone(fn, (zAt(k) + zAt(k + 1)) / 2);
      if (flat && start < 0) start = k;
      if (!flat && start >= 0) {
        ctx.fillRect(X(zAt(start)), box.y, X(zAt(k)) - X(zAt(start)), box.h);
        start = -1;
      }
    }
    let count = 0;
    for (let i = 0; i < z.length; i++) if (Number.isFinite(z[i]) && flatZone(fn, z[i])) count += 1;
    return count;
  }

  function drawAxes(ctx, sc) {
    const { box, zr, yLo, yHi, yPad, X, Y } = sc;
    ctx.strokeStyle = "#ccc";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(box.x, Y(0) + 0.5);
    ctx.lineTo(box.x + box.w, Y(0) + 0.5);
    ctx.moveTo(X(0) + 0.5, box.y);
    ctx.lineTo(X(0) + 0.5, box.y + box.h);
    ctx.stroke();
    ctx.strokeStyle = "#aaa";
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const zTicks = [-zr, -zr / 2, 0, zr / 2, zr];
    formatTicks(zTicks.map((v) => Number(fmt(v, 3)))).forEach((t, k) => ctx.fillText(t, X(zTicks[k]), box.y + box.h + 2));
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of [yLo + yPad, 0, yHi - yPad]) ctx.fillText(fmt(v, 2), box.x - TICK_GAP, Y(v));
    ctx.textAlign = "left";
    ctx.fillText("z", box.x + box.w - 8, Y(0) - 7);
  }

  /** g' (dashed) and g (solid), a sample every ~1.5 px (an even count, so that z = 0, where
   *  relu and step bend, is one of them). */
  function drawCurves(ctx, fn, sc) {
    if (!fn) return;
    const { box, zr, X, Y } = sc;
    const samples = 2 * Math.max(40, Math.round(box.w / 3));
    for (const [f, color, dash, width] of [[fn.d, POSITIVE, [5, 3], 1.6], [fn.g, TEXT, [], 2]]) {
      ctx.strokeStyle = color;
      ctx.setLineDash(dash);
      ctx.lineWidth = width;
      ctx.beginPath();
      for (let k = 0; k <= samples; k++) {
        const zz = -zr + (2 * zr * k) / samples;
        const y = Math.max(box.y - 2, Math.min(box.y + box.h + 2, Y(f(zz))));
        if (k) ctx.lineTo(X(zz), y);
        else ctx.moveTo(X(zz), y);
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  /** The training points at (z, g(z)). */
  function drawPoints(ctx, fn, z, a, sc) {
    const { X, Y } = sc;
    ctx.fillStyle = "rgba(245,147,34,0.45)";
    for (let i = 0; i < z.length; i++) {
      if (!Number.isFinite(z[i])) continue;
      const y = fn ? fn.g(z[i]) : a ? a[i] : 0;
      ctx.fillRect(X(z[i]) - 2, Y(y) - 2, 4, 4);
    }
  }

  /** The histogram of z under the plot, its caption on a row of its own below the bars. */
  function drawHistogram(ctx, z, sc) {
    const { hist, zr } = sc;
    const bins = 60;
    const counts = new Uint32Array(bins);
    for (let i = 0; i < z.length; i++) {
      if (!Number.isFinite(z[i])) continue;
      const b = Math.min(bins - 1, Math.max(0, Math.floor(((z[i] + zr) / (2 * zr)) * bins)));
      counts[b] += 1;
    }
    const cmax = Math.max(1, ...counts);
    ctx.fillStyle = NEGATIVE;
    for (let b = 0; b < bins; b++) {
      if (!counts[b]) continue;
      const hgt = (counts[b] / cmax) * hist.h;
      ctx.fillRect(hist.x + (b * hist.w) / bins, hist.y + hist.h - hgt, hist.w / bins - 0.5, hgt);
    }
    ctx.strokeStyle = "#ccc";
    ctx.beginPath();
    ctx.moveTo(hist.x, hist.y + hist.h + 0.5);
    ctx.lineTo(hist.x + hist.w, hist.y + hist.h + 0.5);
    ctx.stroke();
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText("histogram of z over the training points", hist.x + hist.w, hist.y + hist.h + 2);
    view.histogram = { ...hist, caption: { y: hist.y + hist.h + 2, h: HISTOGRAM.caption } };
  }

  function updateTexts(snap, name, fn, share) {
    const [layer, index] = snap.neuron ?? [1, 0];
    const L = snap.header.layer_sizes.length - 1;
    const who = layer === L ? `output ${index}` : `h${layer}.${index}`;
    const title = `${who} · ${name ?? "?"}`;
    if (title !== lastTitle) {
      lastTitle = title;
      titleEl.textContent = title;
    }
    const zone = fn?.saturates ? "saturated (g′ < 0.1·max g′)" : fn?.dead ? "z ≤ 0, where g′ " + (name === "relu" ? "= 0 (dead)" : "= 0.01") : fn?.flat ? "flat (g′ = 0 everywhere: nothing below learns)" : null;
    const html = `<b style="color:${TEXT}">—</b> g(z) <b style="color:${POSITIVE}">- -</b> g′(z) `
      + `<span class="swatch" style="background:${NEGATIVE}"></span>training points (z, g(z)) `
      + (zone ? `<br><span class="swatch" style="background:rgba(198,40,40,0.25)"></span>${zone}: <b data-testid="saturated-share">${formatPercent(share)}</b> of the points` : "")
      + (name === "softmax" ? "<br>softmax couples all outputs: points show each example's probability" : "");
    if (html !== lastLegend) {
      lastLegend = html;
      legendEl.innerHTML = html;
    }
  }

  function draw(snap) {
    const ctx = sized.ctx;
    sized.clear();
    const name = snap.neuronFunction;
    const fn = FUNCTIONS[name];
    const z = snap.preactivations;
    const sc = scales(snap, fn);
    const satCount = drawFlatZones(ctx, fn, z, sc);
    drawAxes(ctx, sc);
    drawCurves(ctx, fn, sc);
    drawPoints(ctx, fn, z, snap.activations, sc);
    drawHistogram(ctx, z, sc);
    updateTexts(snap, name, fn, sc.finiteCount ? satCount / sc.finiteCount : 0);
  }

  view.render = function render(snap) {
    if (!snap.header || !snap.preactivations) return false;
    const key = `${snap.stamps.activation}`;
    const resized = sized.changed();
    if (key === lastKey && !resized) return false;
    lastKey = key;
    draw(snap);
    view.renders += 1;
    return true;
  };
  return view;
}
