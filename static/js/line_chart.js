// A small canvas line chart (loss, accuracy, gradient norms): series over steps, linear or log y,
// nice ticks, a legend. Cheap enough to redraw on every animation frame for a few thousand points.

import { ticks } from "../vendor/d3-array/d3-array.mjs";
import { MUTED, TEXT } from "./colors.js";
import { formatNumber as fmt, formatTicks } from "./format.js";
import { CHART_MARGIN, FONT, LABEL_LINE } from "./layout_constants.js";

/** About `count` round tick values covering [lo, hi] (d3-array's ticks: 1, 2 or 5 x 10^k apart). */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  return ticks(lo, hi, count);
}

/**
 * Legend items in rows that fit `width`: items [{width}] (text width + swatch), `gap` between
 * them. Returns [{row, x}] per item (x from the left edge) and the number of rows.
 */
export function legendRows(widths, width, gap = 10) {
  const placed = [];
  let row = 0;
  let x = 0;
  for (const w of widths) {
    if (x > 0 && x + w > width) {
      row += 1;
      x = 0;
    }
    placed.push({ row, x });
    x += w + gap;
  }
  return { placed, rows: widths.length ? row + 1 : 0 };
}

/**
 * Which x ticks to label: [{x, width}] centred labels, kept left to right when they do not
 * overlap the previous kept one (with `gap`) and stay left of `stopAt` (the axis name's start).
 */
export function keptTicks(labels, stopAt, gap = 6) {
  const kept = [];
  let right = -Infinity;
  for (const [k, t] of labels.entries()) {
    const l = t.x - t.width / 2;
    const r = t.x + t.width / 2;
    if (l < right + gap || r > stopAt - gap) continue;
    kept.push(k);
    right = r;
  }
  return kept;
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
  ctx.save();
  ctx.font = FONT.tick;
  const legendHeight = drawLegend(ctx, series, box, opts.yLabel);
  const pad = { ...CHART_MARGIN, top: Math.max(CHART_MARGIN.top, legendHeight + 2) };

  let [xLo, xHi] = extent(series, "xs", false);
  let [yLo, yHi] = extent(series, "ys", log);
  if (opts.yMin != null) yLo = opts.yMin;
  if (opts.yMax != null) yHi = opts.yMax;
  const hasData = Number.isFinite(xLo) && Number.isFinite(yLo);
  if (!hasData) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.font = FONT.tick;
    ctx.fillText(opts.empty ?? "no data yet", box.x + box.w / 2, box.y + pad.top + (box.h - pad.top) / 2);
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

  // y ticks first: their widest label sets the left margin (a label is never cut at the edge)
  ctx.font = FONT.tick;
  const yTicks = log
    ? niceTicks(Math.floor(yLo), Math.ceil(yHi), 4).filter((t) => Number.isInteger(t) && t >= yLo - 1e-9 && t <= yHi + 1e-9)
    : niceTicks(yLo, yHi, 3);
  const yLabels = log ? yTicks.map((t) => fmt(10 ** t, 1)) : formatTicks(yTicks);
  const labelWidth = Math.max(0, ...yLabels.map((t) => ctx.measureText(t).width));
  pad.left = Math.max(pad.left, Math.ceil(labelWidth) + 8);
  const px = box.x + pad.left;
  const py = box.y + pad.top;
  const pw = Math.max(10, box.w - pad.left - pad.right);
  const ph = Math.max(10, box.h - pad.top - pad.bottom);
  const X = (v) => px + ((v - xLo) / (xHi - xLo)) * pw;
  const Y = (v) => py + ph - ((v - yLo) / (yHi - yLo)) * ph;

  // axes and ticks
  ctx.strokeStyle = "#e3e5e8";
  ctx.fillStyle = MUTED;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  yTicks.forEach((t, k) => {
    const yy = Math.round(Y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, yy);
    ctx.lineTo(px + pw, yy);
    ctx.stroke();
    ctx.fillText(yLabels[k], px - 4, yy);
  });
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xTicks = niceTicks(xLo, xHi, 4).filter((t) => X(t) >= px - 1 && X(t) <= px + pw + 1);
  const xLabels = formatTicks(xTicks).map((text, k) => ({ text, x: X(xTicks[k]), width: ctx.measureText(text).width }));
  const stopAt = opts.xLabel ? px + pw - ctx.measureText(opts.xLabel).width : box.x + box.w + 6;
  for (const k of keptTicks(xLabels, stopAt)) ctx.fillText(xLabels[k].text, xLabels[k].x, py + ph + 4);
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

/**
 * The chart's title (`label`) and one swatch per labelled series, in as many rows as the width
 * needs (every series is listed: a chart of 8 layers has 8 entries). Returns the height used.
 */
function drawLegend(ctx, series, box, label) {
  ctx.save();
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.font = FONT.label;
  const items = [];
  if (label) items.push({ label, title: true, width: ctx.measureText(label).width });
  for (const s of series) if (s.label) items.push({ s, label: s.label, width: 15 + ctx.measureText(s.label).width });
  const { placed, rows } = legendRows(items.map((i) => i.width), box.w - 8);
  items.forEach((item, k) => {
    const x = box.x + 4 + placed[k].x;
    const y = box.y + placed[k].row * LABEL_LINE;
    if (item.title) {
      ctx.fillStyle = TEXT;
      ctx.fillText(item.label, x, y);
      return;
    }
    ctx.strokeStyle = item.s.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(item.s.dash ?? []);
    ctx.beginPath();
    ctx.moveTo(x, y + 6);
    ctx.lineTo(x + 12, y + 6);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = TEXT;
    ctx.fillText(item.label, x + 15, y);
  });
  ctx.restore();
  return rows * LABEL_LINE;
}
