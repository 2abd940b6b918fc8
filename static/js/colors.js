// Colours shared by every picture, so a sign or a class means the same colour everywhere.
//
// Diverging scale (TensorFlow Playground's): orange = negative / class 0, near-white = 0,
// blue = positive / class 1. Heatmaps arrive as u8 (0..255); a 256-entry lookup table turns a
// whole grid into RGBA in one pass.

export const NEGATIVE = "#f59322";   // orange
export const POSITIVE = "#0877bd";   // blue
export const NEUTRAL = "#e8eaeb";
export const SELECTED = "#8e24aa";   // chosen loss-surface parameters
export const TEXT = "#333";
export const MUTED = "#888";
export const TRAIN = "#222";         // train loss line
export const TEST = "#e4572e";       // test loss line

/** Classes beyond two (blobs, spiral3): categorical colours; 0 and 1 keep orange and blue. */
export const CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728"];

/** One colour per layer for the diagnostics lines. */
export const LAYER_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
  "#a6761d", "#666666", "#1f78b4"];

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lerp(a, b, t) {
  return a + (b - a) * t;
}

const NEG_RGB = hexToRgb(NEGATIVE);
const POS_RGB = hexToRgb(POSITIVE);
const MID_RGB = [232, 234, 235];

/** RGB of a value in [-1, 1] on the diverging scale. */
export function divergingRgb(t) {
  t = Math.max(-1, Math.min(1, t));
  const end = t < 0 ? NEG_RGB : POS_RGB;
  const a = Math.abs(t);
  return [lerp(MID_RGB[0], end[0], a), lerp(MID_RGB[1], end[1], a), lerp(MID_RGB[2], end[2], a)];
}

export function divergingCss(t, alpha = 1) {
  const [r, g, b] = divergingRgb(t);
  return `rgba(${r | 0},${g | 0},${b | 0},${alpha})`;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function packRgba(r, g, b, a = 255) {
  return littleEndian
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** u8 -> packed RGBA: 0 is full orange, 127.5 neutral, 255 full blue (lightened a bit so points stay visible). */
export const DIVERGING_LUT = (() => {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = divergingRgb(((i / 255) * 2 - 1) * 0.85);
    lut[i] = packRgba(r | 0, g | 0, b | 0);
  }
  return lut;
})();

/** The same table with hard classes: below the middle orange, above it blue. */
export const DISCRETE_LUT = (() => {
  const lut = new Uint32Array(256);
  const [r0, g0, b0] = divergingRgb(-0.6);
  const [r1, g1, b1] = divergingRgb(0.6);
  for (let i = 0; i < 256; i++) lut[i] = i < 128 ? packRgba(r0 | 0, g0 | 0, b0 | 0) : packRgba(r1 | 0, g1 | 0, b1 | 0);
  return lut;
})();

/** Categorical table: class k with confidence c (both u8-coded by the caller) -> a tint. */
export function classRgba(k, confidence = 1) {
  const [r, g, b] = hexToRgb(CLASS_COLORS[k % CLASS_COLORS.length]);
  const t = 0.25 + 0.6 * confidence;
  return packRgba(lerp(245, r, t) | 0, lerp(245, g, t) | 0, lerp(245, b, t) | 0);
}

/**
 * Paint a u8 grid into an ImageData through a lookup table. grid: Uint8Array (w*h), row 0 is the
 * bottom of the picture (y grows upwards, as in the data), so rows are flipped.
 */
export function paintGrid(imageData, grid, lut, width, height, flipY = true) {
  const px = new Uint32Array(imageData.data.buffer);
  for (let r = 0; r < height; r++) {
    const src = r * width;
    const dst = (flipY ? height - 1 - r : r) * width;
    for (let c = 0; c < width; c++) px[dst + c] = lut[grid[src + c]];
  }
}

/** Format a number compactly for labels and tooltips. */
export function fmt(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}
