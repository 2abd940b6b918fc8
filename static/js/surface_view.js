// The loss surface: a slice of the training loss through the current parameters (exact for a
// two-parameter model; otherwise two pinned parameters, random or PCA directions), drawn as a
// filled contour on a canvas, or with the 3-D toggle as a plotly surface. On the contour: the
// descent path projected onto the slice (points far from the plane fade: the path is not on the
// plane, and the picture says so), the full-batch and minibatch negative gradients at the current
// point, and the optimizer's last step.
//
// Why a canvas for the contour: Plotly.react of a 21x21 contour took ~110 ms per update on the
// reference machine, far over a 10 ms frame budget, and the surface refreshes several times a
// second while training. The canvas contour (heatmap + marching squares) takes about 1 ms.
// The 3-D view keeps plotly and refreshes at most once a second.

import { sizedCanvas } from "./canvas_size.js";
import { MUTED, TEXT } from "./colors.js";
import { contourLines, evenLevels } from "./contours.js";
import { formatNumber as fmt, formatPrecise } from "./format.js";
import { ghostPathOn } from "./ghost.js";
import { createGridImage, paintValues, sequentialTable, viridis } from "./heatmap.js";
import { FONT, FONT_FAMILY, SURFACE_MARGIN, TICK_GAP } from "./layout_constants.js";

const PLOTLY_3D_INTERVAL_MS = 1000;
const CONTOUR_LEVELS = 12;
const CLIP_QUANTILE = 0.95;      // colours span min .. this quantile; higher values saturate
const PLOT_FONT = { family: FONT_FAMILY, size: 10, color: "#444" };
const ARROWS = [
  ["full_batch", "#111111", "full-batch −∇L"],
  ["minibatch", "#d62728", "minibatch −∇L"],
  ["update", "#8e24aa", "optimizer step"],
];

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * The loss-surface view. els: {host, canvas, plot3d, tooltip, legend}; `requestRedraw` asks the
 * wiring for an animation frame.
 */
export function createSurfaceView(els, { requestRedraw = () => {}, ghost = null } = {}) {
  const { canvas, plot3d, tooltip, legend, host } = els;
  const sized = sizedCanvas(canvas);
  const image = createGridImage();
  const contourCache = { key: null, levels: [] };
  const colorbar = document.createElement("canvas");  // viridis, high at the top
  colorbar.width = 1;
  colorbar.height = 128;
  {
    const c = colorbar.getContext("2d");
    const bar = c.createImageData(1, 128);
    for (let k = 0; k < 128; k++) {
      const [r, g, b] = viridis(1 - k / 127);
      bar.data.set([r, g, b, 255], k * 4);
    }
    c.putImageData(bar, 0, 0);
  }
  let lastKey = "";
  let last3d = -Infinity;
  let deferred3d = false;
  let showing3d = false;
  let geometry = null;     // what the last drawing mapped where (for hover)
  const view = { renders: 0, pathLength: 0, pathLastStep: null, landscapeId: null, mode: null,
    ghostPath: null };       // {points} drawn, or {reason} not, of a kept ghost (static/js/ghost.js)

  // ---- the 2-D contour on the canvas ---------------------------------------------------------
  // drawContour runs the named steps below in order: the plot's geometry, the heatmap, the contour
  // lines, the projected path, the arrows at the current point, the axes and the colour bar.

  function drawContour(snap) {
    const L = snap.landscape;
    const ctx = sized.ctx;
    sized.clear();
    const g = contourGeometry(L);
    if (!g) {
      noFiniteLoss(ctx);
      return { note: L.meta.note ?? "", path: { n: 0, hidden: 0, maxDist: 0 }, arrowsNote: [] };
    }
    drawHeatmap(ctx, L, g);
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.box.x, g.box.y, g.box.w, g.box.h);
    ctx.clip();                               // lines, path and arrows stay inside the plot
    drawContourLines(ctx, snap, g);
    drawGhostPath(ctx, snap, g);
    const path = projectPath(L, g);
    drawPath(ctx, L.meta, path, g);
    const arrowsNote = drawArrows(ctx, L.meta, g);
    ctx.restore();
    drawAxes(ctx, L.meta, g);
    drawColorbar(ctx, L.meta, g);
    geometry = { ...g, pts: path.points };
    return { path, arrowsNote };
  }

  // a kept ghost's path, faded and dashed, where its coordinates mean the same (ghost.js)
  function drawGhostPath(ctx, snap, g) {
    view.ghostPath = null;
    if (!ghost?.current) return;
    const on = ghostPathOn(ghost.current, snap.landscape, snap.header?.layer_sizes);
    view.ghostPath = on.rows ? { points: on.rows.length } : { reason: on.reason };
    if (!on.rows) return;
    ctx.save();
    ctx.strokeStyle = "rgba(255,255,255,0.55)";
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    on.rows.forEach(([, a, b], i) => (i ? ctx.lineTo(g.X(a), g.Y(b)) : ctx.moveTo(g.X(a), g.Y(b))));
    ctx.stroke();
    ctx.restore();
  }

  function noFiniteLoss(ctx) {
    ctx.fillStyle = MUTED;
    ctx.font = FONT.note;
    ctx.textAlign = "center";
    ctx.fillText("no finite loss on this slice", sized.width / 2, sized.height / 2);
    geometry = null;
  }

  /** Where everything goes: the colour range (min .. a high quantile), the plot box and the maps
   *  from (alpha, beta) and grid units to pixels; null when the slice has no finite loss. */
  function contourGeometry(L) {
    const [rows, cols] = L.shape;
    const { alpha, beta } = L;
    const z = L.loss;
    const finite = Array.from(z).filter(Number.isFinite).sort((a, b) => a - b);
    if (!finite.length || !alpha.every(Number.isFinite) || !beta.every(Number.isFinite)) return null;
    const lo = finite[0];
    const top = quantile(finite, CLIP_QUANTILE);
    const hi = top > lo ? top : lo + 1e-12;
    // grid nodes sit at pixel centres: the picture spans half a cell beyond the outer nodes
    const da = cols > 1 ? (alpha[cols - 1] - alpha[0]) / (cols - 1) : 1;
    const db = rows > 1 ? (beta[rows - 1] - beta[0]) / (rows - 1) : 1;
    const aLo = alpha[0] - da / 2;
    const aHi = alpha[cols - 1] + da / 2;
    const bLo = beta[0] - db / 2;
    const bHi = beta[rows - 1] + db / 2;
    const m = SURFACE_MARGIN;
    const { width, height } = sized;
    const box = { x: m.left, y: m.top, w: Math.max(40, width - m.left - m.right), h: Math.max(40, height - m.top - m.bottom) };
    const X = (a) => box.x + ((a - aLo) / (aHi - aLo)) * box.w;
    const Y = (b) => box.y + box.h - ((b - bLo) / (bHi - bLo)) * box.h;
    const gx = (j) => X(alpha[0] + j * da);  // grid units -> pixels
    const gy = (i) => Y(beta[0] + i * db);
    return { box, aLo, aHi, bLo, bHi, alpha, beta, rows, cols, z, da, db, lo, hi, clipped: top < finite[finite.length - 1], X, Y, gx, gy };
  }

  function drawHeatmap(ctx, L, g) {
    paintValues(image.ensure(g.cols, g.rows), g.z, sequentialTable(), { rows: g.rows, cols: g.cols, lo: g.lo, hi: g.hi });
    image.commit();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image.canvas, g.box.x, g.box.y, g.box.w, g.box.h);
  }

  /** Contour lines (d3-contour): they depend on the grid only, so computed once per landscape. */
  function drawContourLines(ctx, snap, g) {
    ctx.strokeStyle = "rgba(255,255,255,0.45)";
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    if (contourCache.key !== snap.stamps.landscape) {
      contourCache.key = snap.stamps.landscape;
      contourCache.levels = contourLines(g.z, g.rows, g.cols, evenLevels(g.lo, g.hi, CONTOUR_LEVELS));
    }
    for (const { lines } of contourCache.levels) {
      for (const line of lines) {
        line.forEach(([gxv, gyv], k) => (k ? ctx.lineTo(g.gx(gxv), g.gy(gyv)) : ctx.moveTo(g.gx(gxv), g.gy(gyv))));
      }
    }
    ctx.stroke();
  }

  /** The path's points on the slice (columns step, alpha, beta, loss, distance); points far
   *  outside the view are counted, not drawn. */
  function projectPath(L, g) {
    const center = L.meta.center ?? [0, 0];
    const [cx, cy] = center.every((v) => v != null && Number.isFinite(v)) ? center : [0, 0];
    const spanA = g.aHi - g.aLo;
    const spanB = g.bHi - g.bLo;
    const path = { n: 0, hidden: 0, maxDist: 0, points: [] };
    if (!L.path) return path;
    const k = L.pathShape[0];
    const p = L.path;
    for (let i = 0; i < k; i++) {
      const pa = p[i * 5 + 1];
      const pb = p[i * 5 + 2];
      const d = p[i * 5 + 4];
      if (Number.isFinite(d)) path.maxDist = Math.max(path.maxDist, d);
      const shown = Number.isFinite(pa) && Number.isFinite(pb) && Math.abs(pa - cx) < 20 * spanA && Math.abs(pb - cy) < 20 * spanB;
      if (!shown) {
        path.hidden += 1;
        continue;
      }
      path.points.push({ step: p[i * 5], a: pa, b: pb, loss: p[i * 5 + 3], dist: d, x: g.X(pa), y: g.Y(pb), row: i });
    }
    path.n = k;
    return path;
  }

  /** The path: a white line (dashed orange into a row of meta.path_jumps: a hand edit), points
   *  fading with their distance from the plane, the start circled. */
  function drawPath(ctx, meta, path, g) {
    const pts = path.points;
    if (!pts.length) return;
    const scale = Math.max(g.aHi - g.aLo, g.bHi - g.bLo) || 1;
    const jumps = new Set(meta.path_jumps ?? []);
    path.jumps = pts.filter((q, i) => i && jumps.has(q.row)).length;
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach((q, i) => (i && !jumps.has(q.row) ? ctx.lineTo(q.x, q.y) : ctx.moveTo(q.x, q.y)));
    ctx.stroke();
    if (path.jumps) {
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = "#ffb300";
      ctx.beginPath();
      pts.forEach((q, i) => {
        if (i && jumps.has(q.row)) { ctx.moveTo(pts[i - 1].x, pts[i - 1].y); ctx.lineTo(q.x, q.y); }
      });
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.lineWidth = 0.8;
    // the fade as globalAlpha: hundreds of points, and no colour string to build and parse each
    ctx.fillStyle = "rgb(255,255,255)";
    ctx.strokeStyle = "rgb(20,20,20)";
    for (const q of pts) {
      ctx.globalAlpha = Number.isFinite(q.dist) ? Math.max(0.15, 1 / (1 + (4 * q.dist) / scale)) : 0.15;
      ctx.beginPath();
      ctx.arc(q.x, q.y, 2.6, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    ctx.arc(pts[0].x, pts[0].y, 6, 0, Math.PI * 2);
    ctx.stroke();
  }

  /** The full-batch and minibatch -gradients (one scale) and the optimizer's last step at the
   *  current point, and the star there. Returns notes on rescaled arrows. */
  function drawArrows(ctx, meta, g) {
    const arrowsNote = [];
    const center = meta.center ?? [0, 0];
    if (!center.every((v) => v != null && Number.isFinite(v))) return arrowsNote;
    const [cx, cy] = center;
    const { box, X, Y } = g;
    const spanA = g.aHi - g.aLo;
    const spanB = g.bHi - g.bLo;
    const arrows = meta.arrows ?? {};
    const screen = ([a, b]) => Math.hypot((a / spanA) * box.w, (b / spanB) * box.h);
    const grads = ["full_batch", "minibatch"].map((k) => arrows[k]).filter((v) => v && v.every(Number.isFinite));
    const gmax = Math.max(1e-300, ...grads.map(screen));
    const target = 0.22 * Math.min(box.w, box.h);
    for (const [key, color] of ARROWS) {
      const v = arrows[key];
      if (!v || !v.every(Number.isFinite)) continue;
      const len = screen(v);
      if (!(len > 1e-9) || !Number.isFinite(len)) continue;
      let s = key === "update" ? 1 : target / gmax;
      if (key === "update" && (len < 8 || len > 0.6 * Math.min(box.w, box.h))) {
        s = (len < 8 ? 0.12 * Math.min(box.w, box.h) : 0.35 * Math.min(box.w, box.h)) / len;
        arrowsNote.push(`step drawn ×${fmt(s, 2)}`);
      }
      const x0 = X(cx);
      const y0 = Y(cy);
      const x1 = X(cx + v[0] * s);
      const y1 = Y(cy + v[1] * s);
      if (!Number.isFinite(x1) || !Number.isFinite(y1) || Math.hypot(x1 - x0, y1 - y0) < 2) continue;
      drawArrow(ctx, x0, y0, x1, y1, color);
    }
    star(ctx, X(cx), Y(cy), 7);
    return arrowsNote;
  }

  /** The frame, three ticks per axis and the axes' names. */
  function drawAxes(ctx, meta, g) {
    const { box, alpha, beta, rows, cols, X, Y } = g;
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const a of [alpha[0], (alpha[0] + alpha[cols - 1]) / 2, alpha[cols - 1]]) ctx.fillText(fmt(a, 3), X(a), box.y + box.h + TICK_GAP);
    const [la, lb] = meta.labels ?? ["α", "β"];
    ctx.fillStyle = TEXT;
    ctx.fillText(la, box.x + box.w / 2, box.y + box.h + 16);
    ctx.fillStyle = MUTED;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const b of [beta[0], (beta[0] + beta[rows - 1]) / 2, beta[rows - 1]]) ctx.fillText(fmt(b, 3), box.x - TICK_GAP, Y(b));
    ctx.save();
    ctx.translate(10, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillStyle = TEXT;
    ctx.fillText(lb, 0, 0);
    ctx.restore();
  }

  /** The colour bar right of the plot: its range (≥ when the top is clipped) and name. */
  function drawColorbar(ctx, meta, g) {
    const { box } = g;
    const cb = { x: box.x + box.w + 8, y: box.y, w: 9, h: box.h };
    ctx.drawImage(colorbar, cb.x, cb.y, cb.w, cb.h);
    ctx.fillStyle = MUTED;
    ctx.font = FONT.tick;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`${g.clipped ? "≥" : ""}${fmt(g.hi, 2)}`, cb.x + cb.w + 2, cb.y);
    ctx.textBaseline = "bottom";
    ctx.fillText(fmt(g.lo, 2), cb.x + cb.w + 2, cb.y + cb.h);
    ctx.save();
    ctx.translate(cb.x + cb.w + 14, cb.y + cb.h / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(meta.log_scale ? "log₁₀ loss" : "loss", 0, 0);
    ctx.restore();
  }

  function drawArrow(ctx, x0, y0, x1, y1, color) {
    const ang = Math.atan2(y1 - y0, x1 - x0);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1 - 6 * Math.cos(ang), y1 - 6 * Math.sin(ang));
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 9 * Math.cos(ang - 0.4), y1 - 9 * Math.sin(ang - 0.4));
    ctx.lineTo(x1 - 9 * Math.cos(ang + 0.4), y1 - 9 * Math.sin(ang + 0.4));
    ctx.closePath();
    ctx.fill();
  }

  function star(ctx, x, y, r) {
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const rr = k % 2 ? r * 0.45 : r;
      const ang = -Math.PI / 2 + (k * Math.PI) / 5;
      const px = x + rr * Math.cos(ang);
      const py = y + rr * Math.sin(ang);
      if (k) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
    }
    ctx.closePath();
    ctx.fillStyle = "#ffeb3b";
    ctx.fill();
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  // ---- the 3-D surface (plotly) ---------------------------------------------------------------
  function rows2d(flat, shape) {
    const [r, c] = shape;
    const out = new Array(r);
    for (let i = 0; i < r; i++) out[i] = Array.from(flat.subarray(i * c, (i + 1) * c), (v) => (Number.isFinite(v) ? v : null));
    return out;
  }

  function draw3d(snap) {
    const P = window.Plotly;
    const L = snap.landscape;
    const meta = L.meta;
    const [la, lb] = meta.labels ?? ["α", "β"];
    // the path breaks at a hand edit of the parameters (meta.path_jumps: rows reached by a jump,
    // not a descent), and the jumps are drawn dashed in their own colour, as on the contour
    const path = { a: [], b: [], loss: [], text: [], maxDist: 0, jumps: 0 };
    const jumpLine = { a: [], b: [], loss: [] };
    const jumps = new Set(meta.path_jumps ?? []);
    if (L.path) {
      let prev = null;
      for (let i = 0; i < L.pathShape[0]; i++) {
        const p = L.path.subarray(i * 5, i * 5 + 5);
        if (Number.isFinite(p[4])) path.maxDist = Math.max(path.maxDist, p[4]);
        if (![p[1], p[2], p[3]].every(Number.isFinite)) continue;
        if (jumps.has(i) && prev) {
          path.jumps += 1;
          jumpLine.a.push(prev[1], p[1], null);
          jumpLine.b.push(prev[2], p[2], null);
          jumpLine.loss.push(prev[3], p[3], null);
          path.a.push(null);   // a gap in the descent line
          path.b.push(null);
          path.loss.push(null);
          path.text.push("");
        }
        path.a.push(p[1]);
        path.b.push(p[2]);
        path.loss.push(p[3]);
        path.text.push(`step ${p[0]}<br>loss ${fmt(p[3])}<br>distance from the plane ${fmt(p[4])}`);
        prev = p;
      }
    }
    const data = [
      { type: "surface", x: Array.from(L.alpha), y: Array.from(L.beta), z: rows2d(L.loss, L.shape), colorscale: "Viridis", showscale: false,
        hovertemplate: `${la} %{x:.3g}<br>${lb} %{y:.3g}<br>loss %{z:.4g}<extra></extra>` },
      { type: "scatter3d", mode: "lines+markers", x: path.a, y: path.b, z: path.loss, text: path.text, hoverinfo: "text",
        connectgaps: false, line: { color: "#fff", width: 4 }, marker: { size: 2.5, color: "#fff" } },
    ];
    if (path.jumps) {
      data.push({ type: "scatter3d", mode: "lines", name: "hand edit", x: jumpLine.a, y: jumpLine.b, z: jumpLine.loss,
        connectgaps: false, hoverinfo: "name", line: { color: "#ffb300", width: 5, dash: "dash" } });
    }
    const layout = {
      margin: { l: 0, r: 0, t: 0, b: 0 }, font: PLOT_FONT, showlegend: false, uirevision: "surface3d",
      paper_bgcolor: "rgba(0,0,0,0)",
      scene: { xaxis: { title: { text: la } }, yaxis: { title: { text: lb } }, zaxis: { title: { text: meta.log_scale ? "log₁₀ loss" : "loss" } },
        camera: { eye: { x: 1.5, y: -1.5, z: 1.0 } } },
    };
    P.react(plot3d, data, layout, { displayModeBar: false, responsive: true });
    return path;
  }

  function show3d(on) {
    if (on === showing3d) return;
    showing3d = on;
    plot3d.hidden = !on;
    canvas.hidden = on;
    tooltip.hidden = true;
    if (!on && window.Plotly) window.Plotly.purge(plot3d);
  }

  new ResizeObserver(() => {
    if (showing3d && window.Plotly && plot3d.data) window.Plotly.Plots.resize(plot3d);
  }).observe(host);

  // ---- values on the contour -----------------------------------------------------------------
  // the mouse reads values by hovering; a touch or pen by pressing (the tooltip stays until the next tap)
  function showValueAt(e) {
    const g = geometry;
    if (!g) return;
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const { box } = g;
    if (x < box.x || x > box.x + box.w || y < box.y || y > box.y + box.h) {
      tooltip.hidden = true;
      return;
    }
    let near = null;
    let best = 64;
    for (const q of g.pts) {
      const d = (q.x - x) ** 2 + (q.y - y) ** 2;
      if (d < best) {
        best = d;
        near = q;
      }
    }
    const a = g.aLo + ((x - box.x) / box.w) * (g.aHi - g.aLo);
    const b = g.bLo + ((box.y + box.h - y) / box.h) * (g.bHi - g.bLo);
    const j = Math.round((a - g.alpha[0]) / g.da);
    const i = Math.round((b - g.beta[0]) / g.db);
    const v = i >= 0 && i < g.rows && j >= 0 && j < g.cols ? g.z[i * g.cols + j] : NaN;
    tooltip.innerHTML = near
      ? `<b>path, step ${near.step}</b><br>loss ${formatPrecise(near.loss)}<br>distance from the plane ${fmt(near.dist, 3)}`
      : `α ${formatPrecise(a)}, β ${formatPrecise(b)}<br>loss ≈ ${formatPrecise(v)}`;
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(x + 12, r.width - tooltip.offsetWidth - 2)}px`;
    tooltip.style.top = `${y + 12}px`;
  }
  canvas.addEventListener("pointermove", (e) => { if ((e.pointerType || "mouse") === "mouse") showValueAt(e); });
  canvas.addEventListener("pointerdown", (e) => { if ((e.pointerType || "mouse") !== "mouse") showValueAt(e); });
  canvas.addEventListener("pointerleave", (e) => { if ((e.pointerType || "mouse") === "mouse") tooltip.hidden = true; });

  // ---- legend ---------------------------------------------------------------------------------
  let legendKey = "";
  function updateLegend(meta, path, arrowsNote, is3d) {
    const [la, lb] = meta.labels ?? ["α", "β"];
    const modeText = {
      exact: "Exact: the model has just two parameters",
      params: `Two parameters, ${la} and ${lb}, moved; all others fixed`,
      random: "Random filter-normalized directions through the current point",
      pca: "The plane of the path's two main (PCA) directions",
    }[meta.mode] ?? meta.mode;
    const ev = meta.explained_variance && meta.explained_variance.every((v) => v != null)
      ? ` (they explain ${meta.explained_variance.map((v) => `${(v * 100).toFixed(0)}%`).join(" + ")} of it)` : "";
    // exact: the plane is the whole parameter space, the path the recorded (w, b) themselves
    const pathText = (meta.mode === "exact"
      ? `Path: ${path.n} recorded (${la}, ${lb}) points, on the surface itself: nothing is projected`
      : `Path: ${path.n} points projected onto the slice; faded points lie off it (up to ${fmt(path.maxDist, 2)} away)`)
      + `${path.hidden ? `; ${path.hidden} outside the view` : ""}`
      + `${path.jumps ? `; <span style="color:#b37d00" title="${path.jumps} hand edit(s) of the weights: a jump, not a descent">dashed: hand edit</span>` : ""}.`;
    const arrows = is3d ? " 3-D view: refreshed once a second." : ` ★ now; ○ start. Arrows: <b style="color:#111">full-batch −∇L</b>, <b style="color:#d62728">minibatch −∇L</b> (same scale), <b style="color:#8e24aa">last step</b>${arrowsNote.length ? ` (${arrowsNote.join(", ")})` : ""}.`;
    const g = view.ghostPath;
    const ghostText = !g || is3d ? "" : g.points ? " Dashed faded line: the ghost's path." : ` <span class="muted">Ghost: ${g.reason.replace(/^the ghost's path is/, "its path is")}.</span>`;
    const html = `<span title="${(meta.note ?? "").replace(/"/g, "&quot;")}">${modeText}${ev}.</span> ${pathText}${arrows}${ghostText}`;
    if (html !== legendKey) {
      legendKey = html;
      legend.innerHTML = html;
    }
  }

  /** Without a surface: why, when the server said (no room for it, or it failed). */
  function showWhyNone(header) {
    const why = header?.landscape_refused ?? header?.landscape_error ?? "";
    const text = why ? `No loss surface yet: ${why.replace(/^landscape: /, "").replace(/; subscribe again after [^;]*$/, ".")}` : "";
    if (legend.textContent !== text) legend.textContent = text;
    host.dataset.surfaceStatus = header?.landscape_refused ? "refused" : why ? "failed" : "waiting";
  }

  view.render = function render(snap, ui, now = performance.now()) {
    const L = snap.landscape;
    if (!L) {
      showWhyNone(snap.header);
      legendKey = "";   // the next surface's legend replaces the note, whatever it says
      return false;
    }
    host.dataset.surfaceStatus = "shown";
    const key = `${snap.stamps.landscape}|${snap.stamps.path}|${ui.surface3d}|${ghost?.stamp ?? 0}`;
    const resized = sized.changed();
    const want3d = ui.surface3d && Boolean(window.Plotly);
    if (key === lastKey && !resized && !(want3d && deferred3d)) return false;
    show3d(want3d);
    let summary;
    if (want3d) {
      if (now - last3d < PLOTLY_3D_INTERVAL_MS) {
        deferred3d = true;
        return false;
      }
      deferred3d = false;
      last3d = now;
      const p = draw3d(snap);
      const drawn = p.a.filter((v) => v != null).length;
      summary = { path: { n: L.pathShape?.[0] ?? 0, hidden: (L.pathShape?.[0] ?? 0) - drawn, maxDist: p.maxDist, jumps: p.jumps }, arrowsNote: [] };
    } else {
      summary = drawContour(snap);
    }
    lastKey = key;
    const k = L.pathShape?.[0] ?? 0;
    view.pathLength = k;
    view.pathLastStep = k ? L.path[(k - 1) * 5] : null;
    view.landscapeId = L.id;
    view.mode = L.meta.mode;
    host.dataset.pathLength = String(view.pathLength);
    host.dataset.pathLastStep = String(view.pathLastStep);
    host.dataset.landscapeId = String(L.id);
    host.dataset.mode = L.meta.mode ?? "";
    host.dataset.pathJumps = String(summary.path.jumps ?? 0);
    updateLegend(L.meta, summary.path, summary.arrowsNote, want3d);
    view.renders += 1;
    return true;
  };
  /** True while a 3-D refresh waits for its throttle (the wiring keeps animating). */
  view.waiting = () => deferred3d;
  return view;
}
