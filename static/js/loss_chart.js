// Loss curves: train and test loss per step (linear or log scale), and accuracy below them.
// Redrawn at most ~10 times a second (a chart does not need 60 Hz to read as live).

import { sizedCanvas } from "./canvas_size.js";
import { TEST, TRAIN } from "./colors.js";
import { drawLineChart } from "./line_chart.js";

const MIN_INTERVAL_MS = 100;

/** The loss and accuracy charts; `requestRedraw` asks the wiring for an animation frame. */
export function createLossChart(lossCanvas, accuracyCanvas, { requestRedraw = () => {} } = {}) {
  const loss = sizedCanvas(lossCanvas);
  const acc = sizedCanvas(accuracyCanvas);
  let lastKey = "";
  let lastTime = -Infinity;
  let owed = false;        // newer data than drawn waits for the throttle
  const view = { renders: 0 };

  view.render = function render(snap, ui, now = performance.now()) {
    if (!snap.header) return false;
    const key = `${snap.stamps.history}|${ui.logLoss}`;
    const resized = loss.changed() | acc.changed();
    owed = key !== lastKey;
    if (!resized && (!owed || now - lastTime < MIN_INTERVAL_MS)) return false;
    lastKey = key;
    lastTime = now;
    owed = false;
    const h = snap.history;
    loss.clear();
    drawLineChart(loss.ctx, { x: 0, y: 0, w: loss.width, h: loss.height }, {
      series: [
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
        { xs: h.step, ys: h.testAccuracy, color: TEST, label: "test", width: 1.3 },
        { xs: h.step, ys: h.trainAccuracy, color: TRAIN, label: "train", width: 1.3 },
      ],
      yMin: 0,
      yMax: 1,
      yLabel: "accuracy",
      empty: regression ? "accuracy: not defined for regression" : "no data yet",
    });
    view.renders += 1;
    return true;
  };
  /** True while newer data waits for the throttle (the wiring keeps animating). */
  view.waiting = () => owed;
  return view;
}
