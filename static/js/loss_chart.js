// Loss curves: train and test loss per step (linear or log scale), and accuracy below them.
// A kept ghost (static/js/ghost.js: a previous run's curves) is drawn faded and dashed beneath.
// Redrawn at most ~10 times a second, with new frames (static/js/redraw_throttle.js): a chart
// does not need 60 Hz to read as live.

import { sizedCanvas } from "./canvas_size.js";
import { TEST, TRAIN } from "./colors.js";
import { drawLineChart } from "./line_chart.js";
import { createRedrawThrottle } from "./redraw_throttle.js";

const MIN_INTERVAL_MS = 100;
export const GHOST_TRAIN = "rgba(34, 34, 34, 0.32)";
export const GHOST_TEST = "rgba(228, 87, 46, 0.32)";
const GHOST_DASH = [5, 3];

/** The ghost's two series of one quantity (faded, dashed; one legend entry). */
function ghostSeries(ghost, trainKey, testKey) {
  if (!ghost) return [];
  const h = ghost.history;
  return [
    { xs: h.step, ys: h[testKey], color: GHOST_TEST, width: 1.3, dash: GHOST_DASH },
    { xs: h.step, ys: h[trainKey], color: GHOST_TRAIN, width: 1.3, dash: GHOST_DASH, label: "ghost" },
  ];
}

/** The loss and accuracy charts; `requestRedraw` asks the wiring for an animation frame;
 * `ghost` is the page's ghost holder (createGhost()), if it offers one. */
export function createLossChart(lossCanvas, accuracyCanvas, { requestRedraw = () => {}, ghost = null } = {}) {
  const loss = sizedCanvas(lossCanvas);
  const acc = sizedCanvas(accuracyCanvas);
  const throttle = createRedrawThrottle(MIN_INTERVAL_MS);
  const view = { renders: 0, ghostDrawn: false };

  view.render = function render(snap, ui, now = performance.now()) {
    if (!snap.header) return false;
    const key = `${snap.stamps.history}|${ui.logLoss}|${ghost?.stamp ?? 0}`;
    const resized = Boolean(loss.changed() | acc.changed());
    if (!throttle.due(now, key, snap.stamps.frame, resized)) return false;
    const h = snap.history;
    const g = ghost?.current ?? null;
    loss.clear();
    drawLineChart(loss.ctx, { x: 0, y: 0, w: loss.width, h: loss.height }, {
      series: [
        ...ghostSeries(g, "trainLoss", "testLoss"),
        { xs: h.step, ys: h.testLoss, color: TEST, label: "test", width: 1.5 },
        { xs: h.step, ys: h.trainLoss, color: TRAIN, label: "train", width: 1.5 },
      ],
      log: ui.logLoss,
      yLabel: ui.logLoss ? "loss (log)" : "loss",
      xLabel: "step",
    });
    acc.clear();
    const regression = snap.header.task === "regression";
    drawLineChart(acc.ctx, { x: 0, y: 0, w: acc.width, h: acc.height }, {
      series: regression ? [] : [
        ...ghostSeries(g, "trainAccuracy", "testAccuracy"),
        { xs: h.step, ys: h.testAccuracy, color: TEST, label: "test", width: 1.3 },
        { xs: h.step, ys: h.trainAccuracy, color: TRAIN, label: "train", width: 1.3 },
      ],
      yMin: 0,
      yMax: 1,
      yLabel: "accuracy",
      empty: regression ? "accuracy: not defined for regression" : "no data yet",
    });
    view.renders += 1;
    view.ghostDrawn = g != null;
    return true;
  };
  /** True while newer data waits for the throttle (the wiring keeps animating). */
  view.waiting = throttle.owed;
  return view;
}
