// Heatmaps: the colour tables and the grid painting every picture shares (pure; tested in
// tests/js/heatmap.test.mjs).
//
// A frame's grids arrive as u8 codes over [lo, hi] (docs/protocol.md). A colour table is a
// Uint32Array of 256 packed RGBA pixels, one per code, so painting a grid is one table lookup per
// pixel into a Uint32Array view of an ImageData. The tables:
// - divergingTable({lo, hi, center, scale}): the value's signed distance from `center` in units
//   of `scale` on the orange-white-blue scale (0 at `center`); `discrete` snaps to two classes;
// - tintTable(hex): white to one colour (a class's probability);
// - sequentialTable(): viridis, for the loss surface (low = dark);
// - classTints(K): per class, 11 tints from unsure (pale) to sure.

import { CLASS_COLORS, divergingRgb, hexToRgb } from "./colors.js";

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** One opaque pixel as the Uint32 an ImageData's buffer holds on this machine. */
export function packRgb(r, g, b) {
  r |= 0;
  g |= 0;
  b |= 0;
  return littleEndian ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** [r, g, b] of a packed pixel (for tests and legends). */
export function unpackRgb(px) {
  return littleEndian ? [px & 255, (px >>> 8) & 255, (px >>> 16) & 255] : [px >>> 24, (px >>> 16) & 255, (px >>> 8) & 255];
}

/** How far towards full colour the heatmaps go (full colour would hide the data points on them). */
export const HEATMAP_GAIN = 0.85;

/**
 * The table of a u8 grid quantized over [lo, hi]: code q is the value lo + q (hi - lo) / 255,
 * coloured by (value - center) / scale on the diverging scale (clamped to [-1, 1], times `gain`).
 * `discrete`: only the sign counts (hard classes). scale defaults to max(|lo - c|, |hi - c|).
 */
export function divergingTable({ lo = 0, hi = 1, center = 0, scale, discrete = false, gain = HEATMAP_GAIN } = {}) {
  const s = scale ?? (Math.max(Math.abs(lo - center), Math.abs(hi - center)) || 1);
  const table = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const v = lo + (q * (hi - lo)) / 255;
    let t = (v - center) / s;
    if (discrete) t = t >= 0 ? 0.7 : -0.7;
    const [r, g, b] = divergingRgb(t * gain);
    table[q] = packRgb(r, g, b);
  }
  return table;
}

/** White-ish (250) at code 0 to `hex` at code 255. */
export function tintTable(hex) {
  const [R, G, B] = hexToRgb(hex);
  const table = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const t = q / 255;
    table[q] = packRgb(250 + (R - 250) * t, 250 + (G - 250) * t, 250 + (B - 250) * t);
  }
  return table;
}

// viridis, sampled at ten evenly spaced stops
const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];

/** [r, g, b] of t in [0, 1] on viridis (dark purple to yellow). */
export function viridis(t) {
  t = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(t));
  const f = t - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

let viridisCache = null;
/** Viridis as a 256-entry table (code 0 lowest). */
export function sequentialTable() {
  if (!viridisCache) {
    viridisCache = new Uint32Array(256);
    for (let q = 0; q < 256; q++) {
      const [r, g, b] = viridis(q / 255);
      viridisCache[q] = packRgb(r, g, b);
    }
  }
  return viridisCache;
}

/** Class k's colour with confidence c in [0, 1]: pale (unsure) to full. */
export function classRgba(k, confidence = 1) {
  const [r, g, b] = hexToRgb(CLASS_COLORS[k % CLASS_COLORS.length]);
  const t = 0.25 + 0.6 * confidence;
  return packRgb(245 + (r - 245) * t, 245 + (g - 245) * t, 245 + (b - 245) * t);
}

/** Per class, 11 tints for confidence 0, 0.1, ..., 1 (`discrete`: all the same middle tint). */
export function classTints(K, discrete = false) {
  const tints = [];
  for (let k = 0; k < K; k++) {
    const row = new Uint32Array(11);
    for (let c = 0; c <= 10; c++) row[c] = classRgba(k, discrete ? 0.55 : c / 10);
    tints.push(row);
  }
  return tints;
}

/**
 * Paint a (rows x cols) u8 grid through `table` into `px` (a Uint32Array of an image `stride`
 * pixels wide, by default the painted width) at column offset `x0`; `offset`: the grid's first
 * point in `bytes` (one grid of several stored one after another). Grid row 0 is the bottom of the picture (y grows upwards,
 * as in the data), so rows are flipped. `every`: take every n-th sample in both directions;
 * `channels`/`channel`: an interleaved grid's component (e.g. output unit k of K).
 */
export function paintGrid(px, bytes, table, { rows, cols, stride, x0 = 0, offset = 0, every = 1, channels = 1, channel = 0 }) {
  const outRows = Math.floor((rows - 1) / every) + 1;
  const outCols = Math.floor((cols - 1) / every) + 1;
  stride = stride ?? outCols;
  for (let r = 0; r < outRows; r++) {
    const dst = (outRows - 1 - r) * stride + x0;
    const src = offset + r * every * cols;
    for (let c = 0; c < outCols; c++) px[dst + c] = table[bytes[(src + c * every) * channels + channel]];
  }
  return { rows: outRows, cols: outCols };
}

/**
 * Paint float values (rows x cols, row 0 at the bottom) through `table`: [lo, hi] is spread over
 * the 256 codes (values outside are clamped); non-finite values get `missing`.
 */
export function paintValues(px, values, table, { rows, cols, lo, hi, missing = packRgb(170, 170, 170) }) {
  const span = hi > lo ? hi - lo : 1;
  for (let r = 0; r < rows; r++) {
    const dst = (rows - 1 - r) * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      px[dst + c] = Number.isFinite(v) ? table[Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)))] : missing;
    }
  }
}

/**
 * Several output units per grid point (K classes): the winning class, tinted by how far its
 * probability is above chance (1/K). bytes: (rows x cols x K) codes over [lo, hi].
 */
export function paintClasses(px, bytes, { rows, cols, K, lo, hi, discrete = false }) {
  const tints = classTints(K, discrete);
  const span = hi - lo || 1;
  for (let r = 0; r < rows; r++) {
    const dst = (rows - 1 - r) * cols;
    for (let c = 0; c < cols; c++) {
      const base = (r * cols + c) * K;
      let best = 0;
      let bv = bytes[base];
      for (let k = 1; k < K; k++) if (bytes[base + k] > bv) { bv = bytes[base + k]; best = k; }
      const p = Math.max(0, Math.min(1, (lo + (bv * span) / 255 - 1 / K) / (1 - 1 / K)));
      px[dst + c] = tints[best][Math.round(p * 10)];
    }
  }
}

/**
 * An offscreen canvas holding one grid image (browser only). ensure(w, h) sizes it and returns
 * the Uint32Array to paint; commit() puts the pixels on the canvas, which views then drawImage.
 */
export function createGridImage() {
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  let data = null;
  return {
    canvas,
    ensure(w, h) {
      if (!data || canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
        data = ctx.createImageData(w, h);
      }
      return new Uint32Array(data.data.buffer);
    },
    commit() {
      ctx.putImageData(data, 0, 0);
    },
  };
}
