// The small-change plot: the perceptron's and the sigmoid's output against one weight, at the
// current input (numbers from neuron_math.sweepWeight); the current weight as dots.

import { sizedCanvas } from "../canvas_size.js";
import { fmt } from "./neuron_math.js";

const COLORS = { perceptron: "#c2185b", sigmoid: "#0877bd" };
const PAD = { left: 34, right: 10, top: 8, bottom: 24 };

export function createSweepPlot(canvas) {
  const sized = sizedCanvas(canvas);

  /** Draw sweep {values, series, jumps} with the current weight `now` and outputs at it. */
  function render(sweep, now, outNow, label) {
    sized.changed();
    const { ctx, width, height } = sized;
    sized.clear();
    const lo = sweep.values[0], hi = sweep.values[sweep.values.length - 1];
    const X = (v) => PAD.left + ((v - lo) / (hi - lo)) * (width - PAD.left - PAD.right);
    const Y = (v) => PAD.top + (1 - v) * (height - PAD.top - PAD.bottom);
    ctx.strokeStyle = "#dcdfe3";
    ctx.lineWidth = 1;
    ctx.fillStyle = "#6b7280";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of [0, 0.5, 1]) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, Y(v));
      ctx.lineTo(width - PAD.right, Y(v));
      ctx.stroke();
      ctx.fillText(String(v), PAD.left - 4, Y(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const ticks = 5;
    for (let i = 0; i <= ticks; i++) {
      const v = lo + ((hi - lo) * i) / ticks;
      ctx.fillText(fmt(v, 3), X(v), height - PAD.bottom + 4);
    }
    ctx.textAlign = "right";
    ctx.fillText(label, width - PAD.right, height - PAD.bottom - 14);
    for (const j of sweep.jumps) {  // where the perceptron flips
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = "#c2185b";
      ctx.beginPath();
      ctx.moveTo(X(j), PAD.top);
      ctx.lineTo(X(j), height - PAD.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const name of ["perceptron", "sigmoid"]) {
      const ys = sweep.series[name];
      ctx.strokeStyle = COLORS[name];
      ctx.lineWidth = 2;
      ctx.beginPath();
      sweep.values.forEach((v, i) => {
        if (i === 0) ctx.moveTo(X(v), Y(ys[i]));
        else if (name === "perceptron" && ys[i] !== ys[i - 1]) {  // a step: vertical riser
          ctx.lineTo(X(v), Y(ys[i - 1]));
          ctx.lineTo(X(v), Y(ys[i]));
        } else ctx.lineTo(X(v), Y(ys[i]));
      });
      ctx.stroke();
      if (now >= lo && now <= hi) {
        ctx.fillStyle = COLORS[name];
        ctx.beginPath();
        ctx.arc(X(now), Y(outNow[name]), 4, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  return { render, sized };
}
