// The group's curves: loss, accuracy, gradient norm and learning rate of every member in its
// colour, against the chosen clock (epochs, updates or examples seen); each live change is a
// tick with its new value on every chart of that member (loss, accuracy, gradient norm, rate).
// Redrawn at most ~10 times a second.

import { sizedCanvas } from "../canvas_size.js";
import { drawLineChart } from "../line_chart.js";
import { clockLabel, markLabel, memberSeries } from "./group_state.js";

const MIN_INTERVAL_MS = 100;

/** Ticks (with the new value) of every member's live changes on one chart; returns how many. */
function drawMarks(ctx, mapping, state, xKey, colors) {
  if (!mapping) return 0;
  let drawn = 0;
  const { X, plot } = mapping;
  ctx.save();
  ctx.font = "10px system-ui, sans-serif";
  ctx.textBaseline = "bottom";
  state.members.forEach((m, i) => {
    (m.marks ?? []).forEach((mark, k) => {
      const x = X(mark[xKey]);
      if (!(x >= plot.x - 1 && x <= plot.x + plot.w + 1)) return;
      ctx.strokeStyle = colors[i];
      ctx.fillStyle = colors[i];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, plot.y + plot.h);
      ctx.lineTo(Math.round(x) + 0.5, plot.y + plot.h - 10);
      ctx.stroke();
      const label = markLabel(mark);
      const w = ctx.measureText(label).width;
      const tx = Math.min(Math.max(x - w / 2, plot.x), plot.x + plot.w - w);
      const ty = plot.y + plot.h - 11 - ((i + k) % 3) * 11;   // staggered so labels do not overlap
      ctx.fillText(label, tx, ty);
      drawn += 1;
    });
  });
  ctx.restore();
  return drawn;
}

export function createCurvesView(canvases, colors) {
  const charts = Object.fromEntries(Object.entries(canvases).map(([k, c]) => [k, sizedCanvas(c)]));
  let lastKey = "";
  let lastTime = -Infinity;
  const view = { renders: 0, plottedAgainst: null, ticks: {} };

  view.render = function render(state, ui, now = performance.now()) {
    if (!state.header) return false;
    const key = `${state.stamp}|${ui.xKey}|${ui.logLoss}`;
    let resized = false;
    for (const c of Object.values(charts)) resized = c.changed() || resized;
    if (!resized && (key === lastKey || now - lastTime < MIN_INTERVAL_MS)) return false;
    lastKey = key;
    lastTime = now;
    const xKey = ui.xKey;
    const xLabel = clockLabel(xKey);
    const members = state.members.map((m, i) => i).filter((i) => state.members[i].info?.status !== "deleted");
    const lines = (yKey, dashed) => members.map((i) => {
      const { xs, ys } = memberSeries(state, i, xKey, yKey);
      return { xs, ys, color: colors[i], width: dashed ? 1.1 : 1.7, dash: dashed ? [4, 3] : [] };
    });
    const draw = (name, opts) => {
      const c = charts[name];
      c.clear();
      return drawLineChart(c.ctx, { x: 0, y: 0, w: c.width, h: c.height }, { xLabel, ...opts });
    };
    const regression = state.header.members.every((m) => m.task === "regression");
    const specs = {
      loss: { series: [...lines("test_loss", true), ...lines("train_loss", false)],
        log: ui.logLoss, yLabel: ui.logLoss ? "loss (log)" : "loss" },
      accuracy: { series: regression ? [] : [...lines("test_accuracy", true), ...lines("train_accuracy", false)],
        yMin: 0, yMax: 1, yLabel: "accuracy", empty: regression ? "accuracy: not defined for regression" : "no data yet" },
      gradnorm: { series: lines("gradient_norm", false), log: true, yLabel: "‖∇L‖" },
      lr: { series: lines("learning_rate", false), yLabel: "learning rate", yMin: 0 },
    };
    for (const [name, opts] of Object.entries(specs)) {
      view.ticks[name] = drawMarks(charts[name].ctx, draw(name, opts), state, xKey, colors);
    }
    view.renders += 1;
    view.plottedAgainst = xKey;
    return true;
  };
  return view;
}
