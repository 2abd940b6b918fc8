// Number formatting for the backprop lab: short, exact where the numbers are round.

/** Up to `digits` significant digits; integers and short decimals as they are; exponent form
 *  for very small or large magnitudes. null/undefined/NaN -> "—". */
export function fmt(x, digits = 4) {
  if (x == null || Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) {
    const [m, e] = x.toExponential(Math.max(0, digits - 1)).split("e");
    return `${trimZeros(m)}e${e.replace("+", "")}`;
  }
  // toPrecision turns 12345 into "1.235e+4": whole numbers past `digits` digits stay whole
  if (a >= 10 ** digits) return String(Math.round(x));
  return trimZeros(x.toPrecision(digits));
}

/** The characters a value box keeps for one number: every number fits (fmtFit). */
export const NUMBER_CHARS = 9;

/** fmt(x, 4), or with fewer digits until it fits in `chars` characters ("-1.23e-10"), so that a
 *  box's width never depends on its numbers (editing a value never moves the layout). */
export function fmtFit(x, chars = NUMBER_CHARS) {
  let s = fmt(x, 4);
  for (let digits = 3; digits >= 1 && s.length > chars; digits--) s = fmt(x, digits);
  return s;
}

/** A leaf input's value while it is not being edited: 6 significant digits, in a form a number
 *  input accepts ("-0.379683", "1.5e-7"); the full value is shown while the input has focus. */
export const INPUT_DIGITS = 6;
export function fmtInput(x) {
  if (!Number.isFinite(x)) return String(x);
  return fmt(x, INPUT_DIGITS);
}

function trimZeros(s) {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** A leaf's or node's display name: its label, or its op, or its value for constants. */
export function nodeName(node) {
  if (node.label) return node.label;
  if (node.kind === "constant") return fmt(node.data);
  return `(${node.op})`;
}

/** The op as drawn in the small operation node. */
export function opSymbol(op) {
  if (op === "*") return "×";
  if (op.startsWith("**")) return `^${op.slice(2)}`;
  return op;
}
