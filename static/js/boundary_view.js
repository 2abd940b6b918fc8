// The output picture. 2-D data: the model's output over the input square as a heatmap (from the
// frame's u8 output grid, painted through a lookup table), with the train points (white rim) and
// optionally the test points (black rim). 1-D data: the fitted curve over the data. Regression
// also gets "predicted against target" for the training points.

import { sizedCanvas } from "./canvas_size.js";
import { CLASS_COLORS, MUTED, NEGATIVE, POSITIVE, TEXT, divergingCss } from "./colors.js";
import { formatNumber as fmt } from "./format.js";
import { createGridImage, divergingTable, paintClasses, paintGrid } from "./heatmap.js";
import { CURVE_MARGIN, FONT, OUTPUT_MARGIN, TICK_GAP } from "./layout_constants.js";

/** Bilinear interpolation of an (R, R) grid (row = x2, col = x1) at a raw point. */
function sampleGrid(values, R, K, k, domain, x1, x2) {
  const [[a0, a1], [b0, b1]] = domain;
  const fx = Math.min(R - 1, Math.max(0, ((x1 - a0) / (a1 - a0)) * (R - 1)));
  const fy = Math.min(R - 1, Math.max(0, ((x2 - b0) / (b1 - b0)) * (R - 1)));
  const c0 = Math.floor(fx);
  const r0 = Math.floor(fy);
  const c1 = Math.min(R - 1, c0 + 1);
  const r1 = Math.min(R - 1, r0 + 1);
  const tx = fx - c0;
  const ty = fy - r0;
  const at = (r, c) => values[(r * R + c) * K + k];
  return (1 - ty) * ((1 - tx) * at(r0, c0) + tx * at(r0, c1)) + ty * ((1 - tx) * at(r1, c0) + tx * at(r1, c1));
}

/** Linear interpolation of a curve sampled at linspace(lo, hi, R). */
function sampleCurve(values, R, K, k, [lo, hi], x) {
  const f = Math.min(R - 1, Math.max(0, ((x - lo) / (hi - lo)) * (R - 1)));
  const i = Math.floor(f);
  const j = Math.min(R - 1, i + 1);
  const t = f - i;
  return (1 - t) * values[i * K + k] + t * values[j * K + k];
}

/**
 * The output view. `requestRedraw` (from the wiring) asks for an animation frame; the view
 * redraws from the state on its own otherwise.
 */
export function createBoundaryView(canvas, legendEl, { requestRedraw = () => {} } = {}) {
  const sized = sizedCanvas(canvas);
  const image = createGridImage();
  const points = document.createElement("canvas");
  let pointsKey = "";
  let lastKey = "";
  let legendKey = "";
  const view = { renders: 0, drawnKey: "" };

  function plotBox() {
    const { width, height } = sized;
    const m = OUTPUT_MARGIN;
    const side = Math.max(40, Math.min(width - m.left, height - m.top - m.bottom));
    return { x: Math.round((width - side) / 2 + m.left / 3), y: m.top, w: side, h: side };
  }

  function targetScale(snap) {
    const d = snap.dataset;
    let m = 0;
    if (d) {
      for (const arr of [d.yTrain, d.yTest]) for (let i = 0; i < arr.length; i++) m = Math.max(m, Math.abs(arr[i]));
    }
    const g = snap.outputGrid;
    if (g && g.lo != null) m = Math.max(m, Math.abs(g.lo), Math.abs(g.hi));
    return m || 1;
  }

  function classColor(label) {
    return CLASS_COLORS[label % CLASS_COLORS.length];
  }

  // ---- 2-D: heatmap + points ---------------------------------------------------------------
  /** The output grid as an image: the decision (or value) per point of the input square. */
  function paintHeatmap(snap, ui) {
    const h = snap.header;
    const g = snap.outputGrid;
    const [R, , K] = g.shape;
    const px = image.ensure(R, R);
    if (K === 1) {
      // probability (bce) or value (mse on a binary set): 0.5 is the boundary; regression: 0
      const table = h.task === "regression"
        ? divergingTable({ lo: g.lo, hi: g.hi, center: 0, scale: targetScale(snap), discrete: ui.discretize })
        : divergingTable({ lo: g.lo, hi: g.hi, center: 0.5, scale: 0.5, discrete: ui.discretize });
      paintGrid(px, g.bytes, table, { rows: R, cols: R });
    } else {
      // several output units: the winning class, tinted by how sure the model is
      paintClasses(px, g.bytes, { rows: R, cols: R, K, lo: g.lo, hi: g.hi, discrete: ui.discretize });
    }
    image.commit();
  }

  function drawPoints2d(snap, ui, box) {
    const d = snap.dataset;
    const h = snap.header;
    const key = `${snap.stamps.dataset}|${ui.showTest}|${box.w}|${sized.dpr}|${h.task}`;
    if (key !== pointsKey) {
      pointsKey = key;
      points.width = Math.round(box.w * sized.dpr);
      points.height = Math.round(box.h * sized.dpr);
      const pc = points.getContext("2d");
      pc.setTransform(sized.dpr, 0, 0, sized.dpr, 0, 0);
      pc.clearRect(0, 0, box.w, box.h);
      if (d && d.d === 2) {
        const [[a0, a1], [b0, b1]] = h.domain;
        const scale = targetScale(snap);
        const r = d.xTrain.length / 2 > 600 ? 2.2 : 3;
        const draw = (xs, ys, rim) => {
          pc.strokeStyle = rim;
          pc.lineWidth = 1;
          for (let i = 0; i < ys.length; i++) {
            const x = ((xs[2 * i] - a0) / (a1 - a0)) * box.w;
            const y = box.h - ((xs[2 * i + 1] - b0) / (b1 - b0)) * box.h;
            pc.fillStyle = h.task === "regression" ? divergingCss(ys[i] / scale) : classColor(ys[i] | 0);
            pc.beginPath();
            pc.arc(x, y, r, 0, Math.PI * 2);
            pc.fill();
            pc.stroke();
          }
        };
        draw(d.xTrain, d.yTrain, "#fff");
        if (ui.showTest) draw(d.xTest, d.yTest, "#111");
      }
    }
    sized.ctx.drawImage(points, box.x, box.y, box.w, box.h);
  }

  function axes2d(ctx, box, domain) {
    ctx.strokeStyle = "#aaa";
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    const [[a0, a1], [b0, b1]] = domain;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of [a0, (a0 + a1) / 2, a1]) ctx.fillText(fmt(v, 2), box.x + ((v - a0) / (a1 - a0)) * box.w, box.y + box.h + TICK_GAP);
    ctx.fillText("x₁", box.x + box.w * 0.75, box.y + box.h + TICK_GAP);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of [b0, (b0 + b1) / 2, b1]) ctx.fillText(fmt(v, 2), box.x - TICK_GAP, box.y + box.h - ((v - b0) / (b1 - b0)) * box.h);
    ctx.fillText("x₂", box.x - TICK_GAP, box.y + box.h * 0.25);
  }

  // ---- regression: predicted against target (training points) ----------------------------
  function predictedVsTarget(ctx, snap, box) {
    const d = snap.dataset;
    const g = snap.outputGrid;
    const h = snap.header;
    if (!d || !g) return;
    const n = d.yTrain.length;
    const pred = new Float32Array(n);
    if (h.input_dim === 2) {
      const [R, , K] = g.shape;
      for (let i = 0; i < n; i++) pred[i] = sampleGrid(g.values, R, K, 0, h.domain, d.xTrain[2 * i], d.xTrain[2 * i + 1]);
    } else {
      const [R, K] = g.shape;
      for (let i = 0; i < n; i++) pred[i] = sampleCurve(g.values, R, K, 0, h.domain[0], d.xTrain[i]);
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, d.yTrain[i]);
      hi = Math.max(hi, d.yTrain[i]);
    }
    const m = (hi - lo) * 0.1 || 1;
    lo -= m;
    hi += m;
    ctx.fillStyle = "rgba(255,255,255,0.93)";
    ctx.fillRect(box.x, box.y, box.w, box.h);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
    const X = (v) => box.x + ((v - lo) / (hi - lo)) * box.w;
    const Y = (v) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h;
    ctx.strokeStyle = "#bbb";
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(X(lo), Y(lo));
    ctx.lineTo(X(hi), Y(hi));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "rgba(8,119,189,0.55)";
    for (let i = 0; i < n; i++) {
      const y = Math.max(box.y, Math.min(box.y + box.h, Y(pred[i])));
      ctx.fillRect(X(d.yTrain[i]) - 1.2, y - 1.2, 2.4, 2.4);
    }
    ctx.fillStyle = TEXT;
    ctx.font = FONT.small;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText("predicted vs target", box.x + 3, box.y + 2);
  }

  // ---- 1-D: curve over the data ------------------------------------------------------------
  function curveBox() {
    const { width, height } = sized;
    const cm = CURVE_MARGIN;
    return { x: cm.left, y: cm.top, w: width - cm.left - cm.right, h: height - cm.top - cm.bottom };
  }

  /** The curve's value range: the targets' (regression, 8% margin) or [0, 1] with margin. */
  function curveRange(snap, ui) {
    const d = snap.dataset;
    let yLo = Infinity;
    let yHi = -Infinity;
    if (snap.header.task === "regression" && d) {
      for (const arr of [d.yTrain, ui.showTest ? d.yTest : []]) {
        for (const v of arr) {
          if (Number.isFinite(v)) {
            yLo = Math.min(yLo, v);
            yHi = Math.max(yHi, v);
          }
        }
      }
    }
    if (!(yHi > yLo)) {
      yLo = 0;
      yHi = 1;
    }
    const margin = (yHi - yLo) * 0.08;
    return { yLo: yLo - margin, yHi: yHi + margin, margin };
  }

  /** Pixel maps of the curve plot: X(input), Y(value), and the grid's i-th input. */
  function curveScales(snap, box, range) {
    const [lo, hi] = snap.header.domain[0];
    const R = snap.outputGrid.shape[0];
    const X = (v) => box.x + ((v - lo) / (hi - lo)) * box.w;
    const Y = (v) => box.y + box.h - ((v - range.yLo) / (range.yHi - range.yLo)) * box.h;
    const gridX = (i) => lo + ((hi - lo) * i) / (R - 1);
    return { lo, hi, X, Y, gridX };
  }

  /** The output at grid point i (the class-1 column of a classifier). */
  function curveValue(g, i) {
    const K = g.shape[1];
    return g.values[i * K + (K > 1 ? 1 : 0)];
  }

  /** A classifier's decision as the background: p > 0.5 blue, otherwise orange. */
  function curveDecisionBands(ctx, snap, ui, box, sc) {
    const g = snap.outputGrid;
    const R = g.shape[0];
    for (let i = 0; i < R - 1; i++) {
      const p = curveValue(g, i);
      ctx.fillStyle = divergingCss(ui.discretize ? (p > 0.5 ? 0.35 : -0.35) : (p - 0.5) * 0.7);
      const x0 = sc.X(sc.gridX(i));
      const x1 = sc.X(sc.gridX(i + 1));
      ctx.fillRect(x0, box.y, x1 - x0 + 0.5, box.h);
    }
  }

  /** Frame and three ticks per axis. */
  function curveAxes(ctx, box, sc, range) {
    ctx.strokeStyle = "#aaa";
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of [sc.lo, (sc.lo + sc.hi) / 2, sc.hi]) ctx.fillText(fmt(v, 3), sc.X(v), box.y + box.h + TICK_GAP);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const { yLo, yHi, margin } = range;
    for (const v of [yLo + margin, (yLo + yHi) / 2, yHi - margin]) ctx.fillText(fmt(v, 3), box.x - TICK_GAP, sc.Y(v));
  }

  /** The training points (white rims) and, if shown, the test points (black rims). */
  function curvePoints(ctx, snap, ui, sc) {
    const d = snap.dataset;
    if (!d) return;
    const regression = snap.header.task === "regression";
    const draw = (xs, ys, rim) => {
      ctx.strokeStyle = rim;
      for (let i = 0; i < ys.length; i++) {
        ctx.fillStyle = regression ? POSITIVE : classColor(ys[i] | 0);
        ctx.beginPath();
        ctx.arc(sc.X(xs[i]), sc.Y(ys[i]), 2.6, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      }
    };
    draw(d.xTrain, d.yTrain, "#fff");
    if (ui.showTest) draw(d.xTest, d.yTest, "#111");
  }

  /** The model's output over the input range, clipped to the plot. */
  function curveLine(ctx, snap, box, sc) {
    const g = snap.outputGrid;
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < g.shape[0]; i++) {
      const x = sc.X(sc.gridX(i));
      const y = Math.max(box.y, Math.min(box.y + box.h, sc.Y(curveValue(g, i))));
      if (i) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
    }
    ctx.stroke();
    ctx.lineWidth = 1;
  }

  /** 1-D data: decision bands, axes, points, the output curve, and for regression the
   * predicted-vs-target inset. */
  function drawCurve(ctx, snap, ui) {
    const box = curveBox();
    const range = curveRange(snap, ui);
    const sc = curveScales(snap, box, range);
    const regression = snap.header.task === "regression";
    if (!regression) curveDecisionBands(ctx, snap, ui, box, sc);
    curveAxes(ctx, box, sc, range);
    curvePoints(ctx, snap, ui, sc);
    curveLine(ctx, snap, box, sc);
    if (regression) {
      const s = Math.min(box.w, box.h) * 0.38;
      predictedVsTarget(ctx, snap, { x: box.x + box.w - s - 4, y: box.y + box.h - s - 4, w: s, h: s });
    }
  }

  function legend(snap) {
    const h = snap.header;
    const g = snap.outputGrid;
    const key = `${h.task}|${h.input_dim}|${g?.shape?.join("x")}|${h.config.loss}`;
    if (key === legendKey) return;
    legendKey = key;
    const rim = "<span class='swatch' style='background:#fff;border:1px solid #999'></span>train <span class='swatch' style='background:#fff;border:1px solid #111'></span>test";
    if (h.task === "regression") {
      legendEl.innerHTML = `<div class="colorbar"><span>low</span><span class="bar" style="background:linear-gradient(90deg, ${NEGATIVE}, #e8eaeb, ${POSITIVE})"></span><span>high prediction / target</span></div>`
        + `<div>${h.input_dim === 1 ? "curve: the model's prediction; " : ""}inset: predicted vs target (train points). Rims: ${rim}</div>`;
    } else if (g && (g.shape.length === 3 ? g.shape[2] : g.shape[1]) > 1) {
      const k = g.shape.length === 3 ? g.shape[2] : g.shape[1];
      const classes = Array.from({ length: k }, (_, i) => `<span class="swatch" style="background:${CLASS_COLORS[i]}"></span>class ${i}`).join("");
      legendEl.innerHTML = `<div>${classes}</div><div>background: the predicted class, paler where unsure. Rims: ${rim}</div>`;
    } else {
      legendEl.innerHTML = `<div class="colorbar"><span>class 0</span><span class="bar" style="background:linear-gradient(90deg, ${NEGATIVE}, #e8eaeb, ${POSITIVE})"></span><span>class 1</span></div>`
        + `<div>${h.input_dim === 1 ? "curve: " : "background: "}the model's ${h.config.loss === "mse" ? "output" : "probability of class 1"}; 0.5 is the boundary. Rims: ${rim}</div>`;
    }
  }

  /** The input under a pointer (client coordinates), for the trace panel: {x: raw input} and,
   *  within 6 px of a training point, {example: its index}; null outside the plot. */
  view.pointAt = function pointAt(snap, clientX, clientY) {
    const h = snap.header;
    if (!h) return null;
    const r = canvas.getBoundingClientRect();
    const px = clientX - r.left, py = clientY - r.top;
    const xs = snap.dataset?.xTrain;
    const two = h.input_dim === 2 && snap.outputGrid?.shape.length === 3;
    const box = two ? plotBox() : curveBox();
    if (px < box.x || px > box.x + box.w || py < box.y || py > box.y + box.h) return null;
    const [a0, a1] = h.domain[0];
    const x1 = a0 + ((px - box.x) / box.w) * (a1 - a0);
    let x = [x1];
    let best = null, bestD = 36;
    if (two) {
      const [b0, b1] = h.domain[1];
      x = [x1, b0 + ((box.y + box.h - py) / box.h) * (b1 - b0)];
      for (let i = 0; xs && i < xs.length / 2; i++) {
        const dx = box.x + ((xs[2 * i] - a0) / (a1 - a0)) * box.w - px;
        const dy = box.y + box.h - ((xs[2 * i + 1] - h.domain[1][0]) / (h.domain[1][1] - h.domain[1][0])) * box.h - py;
        if (dx * dx + dy * dy < bestD) { bestD = dx * dx + dy * dy; best = i; }
      }
    } else {
      for (let i = 0; xs && i < xs.length; i++) {
        const dx = box.x + ((xs[i] - a0) / (a1 - a0)) * box.w - px;
        if (dx * dx < bestD / 4) { bestD = 4 * dx * dx; best = i; }
      }
    }
    return best == null ? { x } : { x, example: best };
  };

  /** The data point under canvas position (px, py) in CSS pixels, {x1, x2, perPixel} (data
   * units per pixel), or null outside the 2-D plot (the drawing tool, data_panel.js). */
  view.drawPointAt = function drawPointAt(px, py) {
    const h = view.header;
    if (!h || h.input_dim !== 2) return null;
    const box = plotBox();
    if (px < box.x || px > box.x + box.w || py < box.y || py > box.y + box.h) return null;
    const [[a0, a1], [b0, b1]] = h.domain;
    return { x1: a0 + ((px - box.x) / box.w) * (a1 - a0), x2: b0 + ((box.y + box.h - py) / box.h) * (b1 - b0),
             perPixel: (a1 - a0) / box.w };
  };

  /** The canvas position (CSS pixels) of data point (x1, x2) on the 2-D plot, or null. */
  view.pixelOf = function pixelOf(x1, x2) {
    const h = view.header;
    if (!h || h.input_dim !== 2) return null;
    const box = plotBox();
    const [[a0, a1], [b0, b1]] = h.domain;
    return { x: box.x + ((x1 - a0) / (a1 - a0)) * box.w, y: box.y + box.h - ((x2 - b0) / (b1 - b0)) * box.h };
  };

  view.render = function render(snap, ui) {
    if (!snap.header || !snap.outputGrid) return false;
    view.header = snap.header;
    const key = `${snap.stamps.output}|${snap.stamps.dataset}|${ui.showTest}|${ui.discretize}`;
    const resized = sized.changed();
    if (key === lastKey && !resized) return false;
    lastKey = key;
    const ctx = sized.ctx;
    sized.clear();
    const h = snap.header;
    if (h.input_dim === 2 && snap.outputGrid.shape.length === 3) {
      const box = plotBox();
      paintHeatmap(snap, ui);
      ctx.imageSmoothingEnabled = !ui.discretize;
      ctx.drawImage(image.canvas, box.x, box.y, box.w, box.h);
      drawPoints2d(snap, ui, box);
      axes2d(ctx, box, h.domain);
      if (h.task === "regression") {
        const s = Math.round(box.w * 0.36);
        predictedVsTarget(ctx, snap, { x: box.x + box.w - s - 3, y: box.y + box.h - s - 3, w: s, h: s });
      }
    } else {
      drawCurve(ctx, snap, ui);
    }
    legend(snap);
    view.renders += 1;
    return true;
  };

  return view;
}

