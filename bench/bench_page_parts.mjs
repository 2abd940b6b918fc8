// The page's pure parts against their peers, in one run (node bench/bench_page_parts.mjs):
// - contour lines: d3-contour (static/js/contours.js, what the page uses) against the
//   hand-written marching squares it replaced (kept here as the peer), on the loss surface's
//   grids (21x21 live, 41x41 the largest the page asks for), 12 levels;
// - ticks: d3-array's ticks against the hand-written niceTicks it replaced;
// - heatmap painting (hand-written, kept): a 100x100 u8 grid through heatmap.js's 256-entry
//   table against colouring each pixel with an interpolator call (what a colour-scale library
//   such as d3-scale-chromatic offers), into the same Uint32Array.
// Prints the median time per call (microseconds) of each and the ratio.

import { contourLines, evenLevels } from "../static/js/contours.js";
import { ticks } from "../static/vendor/d3-array/d3-array.mjs";
import { packRgb, paintGrid, sequentialTable, viridis } from "../static/js/heatmap.js";

/** The marching squares the page used before d3-contour (segments, not joined lines). */
function contourSegments(z, rows, cols, level, out) {
  for (let i = 0; i < rows - 1; i++) {
    for (let j = 0; j < cols - 1; j++) {
      const v00 = z[i * cols + j];
      const v01 = z[i * cols + j + 1];
      const v10 = z[(i + 1) * cols + j];
      const v11 = z[(i + 1) * cols + j + 1];
      if (!(Number.isFinite(v00) && Number.isFinite(v01) && Number.isFinite(v10) && Number.isFinite(v11))) continue;
      const pts = [];
      if ((v00 < level) !== (v01 < level)) pts.push([j + (level - v00) / (v01 - v00), i]);
      if ((v01 < level) !== (v11 < level)) pts.push([j + 1, i + (level - v01) / (v11 - v01)]);
      if ((v10 < level) !== (v11 < level)) pts.push([j + (level - v10) / (v11 - v10), i + 1]);
      if ((v00 < level) !== (v10 < level)) pts.push([j, i + (level - v00) / (v10 - v00)]);
      if (pts.length >= 2) out.push(pts[0], pts[1]);
      if (pts.length === 4) out.push(pts[2], pts[3]);
    }
  }
}

function oldNiceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function surface(n) {
  // a loss-like bowl with a tilted valley, as the landscape endpoint returns
  const z = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = (j / (n - 1)) * 2 - 1;
      const b = (i / (n - 1)) * 2 - 1;
      z[i * n + j] = 0.3 + (a + 0.4 * b) ** 2 + 0.2 * Math.sin(3 * b) ** 2 + 0.05 * a;
    }
  }
  return z;
}

function median(fn, reps) {
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)] * 1000;
}

const rows = [];
for (const n of [21, 41]) {
  const z = surface(n);
  const levels = evenLevels(0.3, 2.2, 12);
  const inner = 20;
  for (let w = 0; w < 50; w++) { contourLines(z, n, n, levels); contourSegments(z, n, n, levels[0], []); }
  const d3 = median(() => { for (let k = 0; k < inner; k++) contourLines(z, n, n, levels); }, 30) / inner;
  const old = median(() => { for (let k = 0; k < inner; k++) { const out = []; for (const l of levels) contourSegments(z, n, n, l, out); } }, 30) / inner;
  rows.push([`contour lines ${n}x${n}, 12 levels`, d3, old]);
}
{
  const inner = 2000;
  const d3 = median(() => { for (let k = 0; k < inner; k++) ticks(0.013 + k * 1e-6, 0.92, 4); }, 30) / inner;
  const old = median(() => { for (let k = 0; k < inner; k++) oldNiceTicks(0.013 + k * 1e-6, 0.92, 4); }, 30) / inner;
  rows.push(["ticks (one axis)", d3, old]);
}
{
  const R = 100;
  const bytes = Uint8Array.from({ length: R * R }, (_, k) => (k * 7) % 256);
  const px = new Uint32Array(R * R);
  const table = sequentialTable();
  const inner = 20;
  const lut = median(() => { for (let k = 0; k < inner; k++) paintGrid(px, bytes, table, { rows: R, cols: R }); }, 30) / inner;
  const perPixel = median(() => {
    for (let k = 0; k < inner; k++) {
      for (let i = 0; i < R * R; i++) { const [r, g, b] = viridis(bytes[i] / 255); px[i] = packRgb(r, g, b); }
    }
  }, 30) / inner;
  rows.push(["heatmap 100x100: interpolator per pixel (peer) vs table (ours)", perPixel, lut]);
}
console.log("| part | library (us) | hand-written peer (us) | library / peer |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, lib, peer] of rows) console.log(`| ${name} | ${lib.toFixed(1)} | ${peer.toFixed(1)} | ${(lib / peer).toFixed(2)}x |`);
