// Draws the loss functions' figure (loss_curves.js) on a canvas: left, loss against the
// predicted probability of the true class; right, the gradient with respect to the logit.
// An optional marker shows the current run's mean cross-entropy read as a probability.
import { lossCurves } from "./loss_curves.js";

const COLORS = { crossEntropy: "#0877bd", squaredError: "#c2410c" };
const FONT = "12px system-ui, sans-serif";

function plot(ctx, box, xs, series, yRange, title, marker) {
  const { x, y, w, h } = box;
  const [y0, y1] = yRange;
  const px = (v) => x + v * w;
  const py = (v) => y + h - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * h;
  ctx.strokeStyle = "#9ca3af";
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, w, h);
  if (y0 < 0 && y1 > 0) {
    ctx.beginPath();
    ctx.moveTo(x, py(0));
    ctx.lineTo(x + w, py(0));
    ctx.stroke();
  }
  for (const [name, ys] of Object.entries(series)) {
    ctx.strokeStyle = COLORS[name.replace(/Grad$|SigmoidGrad$/, "")] ?? "#333";
    ctx.lineWidth = 2;
    ctx.beginPath();
    xs.forEach((v, i) => (i ? ctx.lineTo(px(v), py(ys[i])) : ctx.moveTo(px(v), py(ys[i]))));
    ctx.stroke();
  }
  ctx.fillStyle = "#374151";
  ctx.font = FONT;
  ctx.textBaseline = "bottom";
  ctx.fillText(title, x, y - 4);
  ctx.textBaseline = "top";
  ctx.fillText("0", x, y + h + 3);
  ctx.textAlign = "right";
  ctx.fillText("1", x + w, y + h + 3);
  ctx.textAlign = "center";
  ctx.fillText("p (true class)", x + w / 2, y + h + 3);
  ctx.textAlign = "left";
  if (marker != null) {
    ctx.strokeStyle = "#111827";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px(marker), y);
    ctx.lineTo(px(marker), y + h);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/** Draw the figure; `marker` is a probability in (0, 1) or null. */
export function drawLossFigure(canvas, marker = null) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 560;
  const cssH = Math.round(cssW * 0.46);
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, cssW, cssH);
  const c = lossCurves();
  const gap = 28;
  const w = (cssW - gap * 3) / 2;
  const top = 22;
  const h = cssH - top - 40;
  plot(ctx, { x: gap, y: top, w, h }, c.p, { crossEntropy: c.crossEntropy, squaredError: c.squaredError },
       [0, 4], "loss L", marker);
  plot(ctx, { x: gap * 2 + w, y: top, w, h }, c.p,
       { crossEntropyGrad: c.crossEntropyGrad, squaredErrorSigmoidGrad: c.squaredErrorSigmoidGrad },
       [-1.05, 0.1], "gradient dL/dz", marker);
  // legend
  ctx.font = FONT;
  ctx.textBaseline = "middle";
  let lx = gap;
  const ly = cssH - 10;
  for (const [name, label] of [["crossEntropy", "cross-entropy (BCE, CCE)"], ["squaredError", "squared error behind a sigmoid"]]) {
    ctx.fillStyle = COLORS[name];
    ctx.fillRect(lx, ly - 2, 16, 4);
    ctx.fillStyle = "#374151";
    ctx.fillText(label, lx + 22, ly);
    lx += 22 + ctx.measureText(label).width + 24;
  }
}
