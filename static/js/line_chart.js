// A small canvas line chart (loss, accuracy, gradient norms): series over steps, linear or log y,
// nice ticks, a legend. Cheap enough to redraw on every animation frame for a few thousand points.

import { fmt, MUTED, TEXT } from "./colors.js";

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function extent(seriesList, key, log) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of seriesList) {
    const v = s[key];
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x) || (log && x <= 0)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  return [lo, hi];
}

/**
 * Draw a chart into ctx within box {x, y, w, h} (CSS pixels).
 * opts: {series: [{xs, ys, color, width?, dash?, label}], log?: bool, yMin?, yMax?,
 *        yLabel?, xLabel?, empty?: text when there is nothing to draw}
 * Returns {X, Y, plot} (data -> pixels, the plot box) or null when there was nothing to draw.
 */
export function drawLineChart(ctx, box, opts) {
  const { series, log = false } = opts;
  const pad = { l: 44, r: 8, t: 14, b: 18 };
  const px = box.x + pad.l;
  const py = box.y + pad.t;
  const pw = Math.max(10, box.w - pad.l - pad.r);
  const ph = Math.max(10, box.h - pad.t - pad.b);
  ctx.save();
  ctx.font = "10px system-ui, sans-serif";

  let [xLo, xHi] = extent(series, "xs", false);
  let [yLo, yHi] = extent(series, "ys", log);
  if (opts.yMin != null) yLo = opts.yMin;
  if (opts.yMax != null) yHi = opts.yMax;
  const hasData = Number.isFinite(xLo) && Number.isFinite(yLo);
  if (!hasData) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.fillText(opts.empty ?? "no data yet", px + pw / 2, py + ph / 2);
    drawLegend(ctx, series, px, box.y);
    ctx.restore();
    return null;
  }
  if (xHi === xLo) xHi = xLo + 1;
  if (log) {
    yLo = Math.log10(yLo);
    yHi = Math.log10(yHi);
  }
  if (yHi - yLo < 1e-12) {
    const d = Math.abs(yHi) * 0.1 || 0.5;
    yLo -= d;
    yHi += d;
  } else {
    const m = (yHi - yLo) * 0.05;
    if (opts.yMin == null) yLo -= m;
    if (opts.yMax == null) yHi += m;
  }
  const X = (v) => px + ((v - xLo) / (xHi - xLo)) * pw;
  const Y = (v) => py + ph - ((v - yLo) / (yHi - yLo)) * ph;

  // axes and ticks
  ctx.strokeStyle = "#e3e5e8";
  ctx.fillStyle = MUTED;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const yTicks = log
    ? niceTicks(Math.floor(yLo), Math.ceil(yHi), 4).filter((t) => Number.isInteger(t) && t >= yLo - 1e-9 && t <= yHi + 1e-9)
    : niceTicks(yLo, yHi, 3);
  for (const t of yTicks) {
    const yy = Math.round(Y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, yy);
    ctx.lineTo(px + pw, yy);
    ctx.stroke();
    ctx.fillText(log ? fmt(10 ** t, 1) : fmt(t, Math.abs(t) >= 1e5 ? 2 : 3), px - 4, yy);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xLabelRoom = opts.xLabel ? ctx.measureText(opts.xLabel).width + 14 : 0;
  for (const t of niceTicks(xLo, xHi, 4)) {
    const xx = X(t);
    if (xx < px - 1 || xx > px + pw + 1 - xLabelRoom) continue;
    ctx.fillText(fmt(t, 3), xx, py + ph + 4);
  }
  ctx.strokeStyle = "#b8bec6";
  ctx.beginPath();
  ctx.moveTo(px + 0.5, py);
  ctx.lineTo(px + 0.5, py + ph + 0.5);
  ctx.lineTo(px + pw, py + ph + 0.5);
  ctx.stroke();
  if (opts.xLabel) {
    ctx.textAlign = "right";
    ctx.fillText(opts.xLabel, px + pw, py + ph + 4);
  }

  // lines (non-finite points break the line)
  ctx.save();
  ctx.beginPath();
  ctx.rect(px, py - 2, pw, ph + 4);
  ctx.clip();
  const columnsPerPx = ctx.getTransform().a || 1;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width ?? 1.5;
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    traceSeries(ctx, s.xs, s.ys, X, Y, log, columnsPerPx);
    ctx.stroke();
    const { xs, ys } = s;
    if (xs.length === 1 && Number.isFinite(ys[0])) {
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(X(xs[0]), Y(log ? Math.log10(ys[0]) : ys[0]), 2, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  ctx.restore();
  drawLegend(ctx, series, px, box.y, opts.yLabel);
  ctx.restore();
  // the mapping, for callers that draw on top (marks): data -> CSS pixels, and the plot box
  return { X, Y: (v) => Y(log ? Math.log10(v) : v), plot: { x: px, y: py, w: pw, h: ph } };
}

/**
 * Add a series to the current path; non-finite values (and values <= 0 on a log scale) break
 * the line. Within one pixel column only the first, lowest, highest and last points are kept
 * (M4 aggregation): the line covers the same pixels, and a history of thousands of points
 * costs no more to stroke than the chart is wide.
 */
function traceSeries(ctx, xs, ys, X, Y, log, columnsPerPx) {
  let pen = false;       // the line goes on from the previous column
  let column = NaN;
  let first = -1;        // indices of the column's first, lowest, highest and last points
  let low = -1;
  let high = -1;
  let last = -1;
  let lowX = 0;
  let lowY = 0;
  let highX = 0;
  let highY = 0;
  let lastX = 0;
  let lastY = 0;
  const extreme = (i, x, y) => {
    if (i !== first && i !== last) ctx.lineTo(x, y);
  };
  const finish = () => {
    if (last < 0) return;
    // the extremes in the order they came (y grows downwards: "low" is the smaller y)
    if (low < high) {
      extreme(low, lowX, lowY);
      extreme(high, highX, highY);
    } else {
      extreme(high, highX, highY);
      extreme(low, lowX, lowY);
    }
    if (last !== first) ctx.lineTo(lastX, lastY);
    last = -1;
  };
  for (let i = 0; i < xs.length; i++) {
    let v = ys[i];
    if (!Number.isFinite(v) || (log && v <= 0)) {
      finish();
      pen = false;
      column = NaN;
      continue;
    }
    if (log) v = Math.log10(v);
    const x = X(xs[i]);
    const y = Y(v);
    const c = Math.floor(x * columnsPerPx);
    if (c !== column) {
      finish();
      column = c;
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
      first = low = high = last = i;
      lowX = highX = lastX = x;
      lowY = highY = lastY = y;
      continue;
    }
    if (y < lowY) { low = i; lowX = x; lowY = y; }
    if (y > highY) { high = i; highX = x; highY = y; }
    last = i;
    lastX = x;
    lastY = y;
  }
  finish();
}

function drawLegend(ctx, series, x, y, label) {
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.font = "10.5px system-ui, sans-serif";
  let cx = x;
  if (label) {
    ctx.fillStyle = TEXT;
    ctx.fillText(label, cx, y);
    cx += ctx.measureText(label).width + 10;
  }
  for (const s of series) {
    if (!s.label) continue;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(cx, y + 6);
    ctx.lineTo(cx + 12, y + 6);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = TEXT;
    ctx.fillText(s.label, cx + 15, y);
    cx += 15 + ctx.measureText(s.label).width + 10;
  }
}
