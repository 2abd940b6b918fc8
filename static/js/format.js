// Number text for every label, tick and tooltip on the page (pure; tests/js/format.test.mjs).
//
// - formatNumber(x, digits): `digits` significant digits, plain between 1e-3 and 1e5, else
//   exponent form ("1e+258", "2.5e-7"), with trailing zeros dropped. The choice of form is made
//   on the rounded value (99999.7 at 3 digits is 1e+5, not "100000").
// - formatPrecise(x): what a tooltip shows of a weight or a loss (6 significant digits: enough to
//   see one step's change of a value that is not yet converged).
// - formatChange(d): a signed change ("+1.2e-6", "-0.0031", "0").
// - formatTicks(values): the shortest labels that keep each tick distinct and true to its value.

export const PRECISE_DIGITS = 6;

function trimZeros(mantissa) {
  return mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
}

/** `x` with `digits` significant digits (1..15); "–" for null/NaN, "∞"/"-∞" for infinities. */
export function formatNumber(x, digits = 3) {
  if (x == null || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  const d = Math.min(15, Math.max(1, Math.round(digits)));
  if (x === 0) return "0";
  const rounded = Number(x.toPrecision(d));
  const a = Math.abs(rounded);
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = rounded.toExponential(d - 1).split("e");
    return `${trimZeros(m)}e${e}`;
  }
  return String(rounded);
}

/** A value in a tooltip: six significant digits. */
export function formatPrecise(x) {
  return formatNumber(x, PRECISE_DIGITS);
}

/** A signed change: "+" for increases, "-" for decreases, "0" for none. */
export function formatChange(delta, digits = 3) {
  if (delta == null || Number.isNaN(delta)) return "–";
  if (delta === 0) return "0";
  const text = formatNumber(delta, digits);
  return delta > 0 ? `+${text}` : text;
}

/**
 * Labels for axis ticks: the fewest significant digits (at least 1, at most 12) at which every
 * label reads back as its tick (within a millionth of the spacing) and no two labels are equal.
 */
export function formatTicks(values) {
  if (!values.length) return [];
  let spacing = Infinity;
  for (let i = 1; i < values.length; i++) spacing = Math.min(spacing, Math.abs(values[i] - values[i - 1]));
  if (!Number.isFinite(spacing) || spacing === 0) spacing = Math.abs(values[0]) || 1;
  for (let d = 1; d <= 12; d++) {
    const labels = values.map((v) => formatNumber(v, d));
    const faithful = labels.every((t, i) => Math.abs(Number(t) - values[i]) <= spacing * 1e-6);
    if (faithful && new Set(labels).size === labels.length) return labels;
  }
  return values.map((v) => formatNumber(v, 12));
}

/** A share in [0, 1] as a percentage ("13%", "99.5%" when that digit matters). */
export function formatPercent(share, digits = 0) {
  if (share == null || Number.isNaN(share)) return "–";
  return `${(share * 100).toFixed(digits)}%`;
}
