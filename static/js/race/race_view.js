// The race overlay, drawn over the plotly contour on every new frame: each racer's position,
// the direction of its negative gradient (thin) and of the step it actually took (thick: with
// momentum or Adam it is not along the gradient), the minima, the saddles and the start point.
// The paths, in each racer's colour, go on their own canvas beneath, drawn incrementally: a
// frame adds only its new segments, from the point before the last drawn (the last one may have
// been the live position, now replaced: its short old segment stays, a point on the true path);
// all are redrawn on a resize, a restart or a thinned path. A redraw costs the same after 10
// steps and after 10,000.

import { directionArrow, plotMapping } from "./race_state.js";

const ARROW_PX = 34;

function arrow(ctx, seg, color, width) {
  if (!seg) return;
  const [[x0, y0], [x1, y1]] = seg;
  const a = Math.atan2(y1 - y0, x1 - x0);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  const h = 4 + width * 1.5;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - h * Math.cos(a - 0.45), y1 - h * Math.sin(a - 0.45));
  ctx.lineTo(x1 - h * Math.cos(a + 0.45), y1 - h * Math.sin(a + 0.45));
  ctx.closePath();
  ctx.fill();
}

function star(ctx, x, y, r) {
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const rr = k % 2 ? r * 0.45 : r;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
}

/** ctx.save(), then clip to the plot box with round joins (the caller restores). */
function clipToPlot(ctx, box) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  ctx.lineJoin = "round";
}

/** A transparent canvas (it lies over the contour) kept at its CSS size x devicePixelRatio. */
function overlayCanvas(canvas) {
  const ctx = canvas.getContext("2d");
  const sized = { ctx, width: 0, height: 0 };
  sized.fit = (cssWidth, cssHeight) => {
    const rect = { width: cssWidth, height: cssHeight };
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (w !== sized.width || h !== sized.height || canvas.width !== Math.round(w * dpr)) {
      sized.width = w;
      sized.height = h;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  };
  return sized;
}

/** The paths canvas: keeps what it drew (points per racer) and adds only new segments. */
function createTrails(canvas, colors) {
  const sized = overlayCanvas(canvas);
  let key = "";
  let drawn = [];          // points of each racer's path already on the canvas
  let rewrites = [];       // state.rewrites when they were drawn
  let drawnState = null;   // the race state drawn (a new race is a new state)
  const trails = { segments: 0, fullRedraws: 0 };
  trails.render = function render(state, box, map) {
    const frame = state.frame;
    const next = `${box.canvasWidth}x${box.canvasHeight}|${box.x},${box.y},${box.w},${box.h}|` +
      `${map.key}|${state.generation}|${frame?.racers.length ?? 0}`;
    const rewritten = (state.rewrites ?? []).some((n, i) => n !== rewrites[i]);
    const { ctx } = sized;
    if (next !== key || rewritten || !frame || state !== drawnState) {
      drawnState = state;
      sized.fit(box.canvasWidth, box.canvasHeight);
      ctx.clearRect(0, 0, sized.width, sized.height);
      key = next;
      drawn = [];
      rewrites = [...(state.rewrites ?? [])];
      trails.fullRedraws += 1;
    }
    if (!frame) return;
    clipToPlot(ctx, box);
    ctx.lineCap = "round";
    ctx.lineWidth = 2;
    frame.racers.forEach((_, i) => {
      const path = state.paths[i] ?? [];
      const from = Math.max(0, (drawn[i] ?? 0) - 2);
      if (path.length - from < 2) {
        drawn[i] = Math.max(drawn[i] ?? 0, path.length);
        return;
      }
      ctx.strokeStyle = colors[i % colors.length];
      ctx.beginPath();
      let [px, py] = map.toPx(path[from]);
      ctx.moveTo(px, py);
      for (let k = from + 1; k < path.length; k++) {
        [px, py] = map.toPx(path[k]);
        ctx.lineTo(px, py);
      }
      ctx.stroke();
      trails.segments += path.length - 1 - from;
      drawn[i] = path.length;
    });
    ctx.restore();
  };
  return trails;
}

export function createRaceView(canvas, colors, trailsCanvas) {
  const sized = overlayCanvas(canvas);
  const trails = createTrails(trailsCanvas, colors);
  const view = { renders: 0, trails };
  /** box: the plot area {x, y, w, h} in CSS px within the canvas, and the canvas's CSS size
   * {canvasWidth, canvasHeight} (measured by the caller on resize); fn: {domain, minima, saddles}. */
  view.render = function render(state, fn, box) {
    sized.fit(box.canvasWidth, box.canvasHeight);
    const { ctx } = sized;
    ctx.clearRect(0, 0, sized.width, sized.height);
    if (!fn || !box) return false;
    const map = { ...plotMapping(box, fn.domain), key: `${fn.name}|${fn.domain}` };
    trails.render(state, box, map);
    clipToPlot(ctx, box);
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#222";
    ctx.lineWidth = 1;
    for (const m of fn.minima) star(ctx, ...map.toPx(m), 7);
    for (const s of fn.saddles) {
      const [x, y] = map.toPx(s);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5); ctx.moveTo(x + 5, y - 5); ctx.lineTo(x - 5, y + 5);
      ctx.stroke();
    }
    const frame = state.frame;
    if (frame) {
      const [sx, sy] = map.toPx(frame.start);
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(sx, sy, 6, 0, Math.PI * 2);
      ctx.stroke();
      frame.racers.forEach((r, i) => {
        const color = colors[i % colors.length];
        const p = map.toPx(r.position);
        const moving = Math.hypot(r.gradient[0], r.gradient[1]) > 1e-6 || Math.hypot(r.update[0], r.update[1]) > 1e-9;
        if (r.status === "ok" && moving) {   // at a minimum the directions mean nothing
          arrow(ctx, directionArrow(p, [-r.gradient[0], -r.gradient[1]], ARROW_PX), color, 1.2);
          arrow(ctx, directionArrow(p, r.update, ARROW_PX * 0.8), "#111", 2.6);
        }
        ctx.fillStyle = color;
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(p[0], p[1], 5, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      });
    }
    ctx.restore();
    view.renders += 1;
    return true;
  };
  return view;
}
