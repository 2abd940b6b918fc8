// Colours shared by every picture, so a sign or a class means the same colour everywhere.
//
// Diverging scale (TensorFlow Playground's): orange = negative / class 0, near-white = 0,
// blue = positive / class 1. The colour tables that paint whole grids are in heatmap.js.

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
export const MID_RGB = [232, 234, 235];

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
