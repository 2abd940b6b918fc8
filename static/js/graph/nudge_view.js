// The nudge panel: a leaf, a step h on a log slider, L(x+h) - L(x) beside grad*h, the slope
// beside the backprop grad, and |slope - grad| against h on log-log axes. Numbers come from the
// server's nudge sweep (engine/graph_export.py nudge_sweep); this module only divides and draws.
import { fmt } from "./format.js";
import { curveCaption, curveShows, errorCurve, nudgeRows } from "./nudge.js";

export function createNudgeView(els) {
  let sweep = null;
  let rows = [];

  function setSweep(s) {
    sweep = s;
    rows = s ? nudgeRows(s) : [];
    if (rows.length) els.slider.max = String(rows.length - 1);
    if (els.caption) {
      const shows = s ? curveShows(rows, s.grad) : "none";
      els.caption.textContent = curveCaption(shows, s?.label ?? "");
      els.caption.dataset.shows = shows;
    }
    render();
  }

  function index() {
    return Math.min(rows.length - 1, Number(els.slider.value));
  }

  function render() {
    if (!sweep || !rows.length) {
      for (const k of ["delta", "gradh", "slope", "grad", "h"]) els[k].textContent = "—";
      drawPlot(null);
      return;
    }
    const r = rows[index()];
    els.h.textContent = fmt(r.h, 3);
    els.delta.textContent = r.delta == null ? "undefined" : fmt(r.delta, 10);
    els.gradh.textContent = fmt(r.gradH, 10);
    els.slope.textContent = r.slope == null ? "undefined" : fmt(r.slope, 10);
    els.grad.textContent = fmt(sweep.grad, 10);
    drawPlot(r);
  }

  // the canvas's size, kept by a ResizeObserver: reading clientWidth while drawing would force
  // a layout of the whole page each time a new graph arrives
  let size = null;
  new ResizeObserver(([entry]) => {
    const box = entry.contentBoxSize?.[0];
    size = box ? { w: box.inlineSize, h: box.blockSize } : null;
    render();
  }).observe(els.canvas);

  function drawPlot(current) {
    const c = els.canvas;
    const dpr = window.devicePixelRatio || 1;
    size ??= { w: c.clientWidth, h: c.clientHeight };
    const w = size.w || 240;
    const h = size.h || 150;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    const pts = errorCurve(rows);
    const m = { l: 38, r: 8, t: 8, b: 28 };
    const pw = w - m.l - m.r;
    const ph = h - m.t - m.b;
    ctx.font = "10.5px system-ui, sans-serif";
    ctx.fillStyle = "#6b7280";
    if (!pts.length) {
      ctx.fillText("pick a leaf", m.l + 8, m.t + 16);
      return;
    }
    const x0 = pts[0][0];
    const x1 = pts[pts.length - 1][0];
    let y0 = Math.floor(Math.min(...pts.map((p) => p[1])));
    let y1 = Math.ceil(Math.max(...pts.map((p) => p[1])));
    if (y1 - y0 < 2) { y0 -= 1; y1 += 1; }
    const X = (v) => m.l + ((v - x0) / (x1 - x0 || 1)) * pw;
    const Y = (v) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;
    ctx.strokeStyle = "#dcdfe3";
    ctx.lineWidth = 1;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const stepX = pw < 300 ? 5 : 2;
    for (let e = Math.ceil(x0 / stepX) * stepX; e <= x1; e += stepX) {
      ctx.beginPath(); ctx.moveTo(X(e), m.t); ctx.lineTo(X(e), m.t + ph); ctx.stroke();
      ctx.fillText(e === 0 ? "1" : `1e${e}`, X(e), m.t + ph + 3);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const stepY = Math.max(1, Math.ceil((y1 - y0) / 5));
    for (let e = y0; e <= y1; e += stepY) {
      ctx.beginPath(); ctx.moveTo(m.l, Y(e)); ctx.lineTo(m.l + pw, Y(e)); ctx.stroke();
      ctx.fillText(`1e${e}`, m.l - 3, Y(e));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText("h (log scale)", m.l + pw / 2 + 20, h - 1);
    ctx.strokeStyle = "#0877bd";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
    ctx.stroke();
    if (current && current.error != null) {
      ctx.fillStyle = "#f59322";
      ctx.beginPath();
      ctx.arc(X(Math.log10(current.h)), Y(Math.log10(Math.max(current.error, 1e-17))), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  els.slider.addEventListener("input", render);
  return { setSweep, render, get sweep() { return sweep; } };
}
