// The neuron lab's arithmetic, pure: every number the /neuron page shows comes from here.
// One neuron with inputs x, weights w and bias b computes z = w . x + b and an output g(z):
// the perceptron's step(z) (1 when z > 0, else 0, as the engine's `step`), the sigmoid
// 1 / (1 + e^-z), tanh, ReLU. bias = -threshold: the perceptron fires when w . x > threshold.

export const MAX_INPUTS = 4;

/** Output functions by name; step(0) = 0 like the engine's step activation. */
export const OUTPUTS = {
  perceptron: (z) => (z > 0 ? 1 : 0),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: (z) => Math.tanh(z),
  relu: (z) => Math.max(0, z),
};

/** The threshold a bias stands for (and back): bias = -threshold. */
export function thresholdOf(bias) { return bias === 0 ? 0 : -bias; }
export function biasOf(threshold) { return threshold === 0 ? 0 : -threshold; }

/** z = sum_i w_i x_i + b, with the terms: {terms: [{w, x, product}], sum (w . x), bias, z}. */
export function weightedSum(w, x, b) {
  if (w.length !== x.length) throw new Error(`${w.length} weights for ${x.length} inputs`);
  const terms = w.map((wi, i) => ({ w: wi, x: x[i], product: wi * x[i] }));
  const sum = terms.reduce((s, t) => s + t.product, 0);
  return { terms, sum, bias: b, z: sum + b };
}

/** Every output function at z: {perceptron, sigmoid, tanh, relu}. */
export function outputs(z) {
  const out = {};
  for (const [name, f] of Object.entries(OUTPUTS)) out[name] = f(z);
  return out;
}

/** The neuron at one input: weightedSum plus every output. */
export function evaluate(w, x, b) {
  const s = weightedSum(w, x, b);
  return { ...s, outputs: outputs(s.z) };
}

/** Every binary input of n inputs, in counting order with x1 the most significant bit:
 *  n = 2 -> [0,0], [0,1], [1,0], [1,1]. */
export function binaryInputs(n) {
  const rows = [];
  for (let k = 0; k < 2 ** n; k++) {
    const x = [];
    for (let i = n - 1; i >= 0; i--) x.push((k >> i) & 1);
    rows.push(x);
  }
  return rows;
}

/** The truth table: for each binary input, {x, z, outputs}. */
export function truthTable(w, b) {
  return binaryInputs(w.length).map((x) => ({ x, ...evaluate(w, x, b) }));
}

/** The scale trick: c > 0 times every weight and the bias. step(c z) = step(z) for c > 0, so the
 *  perceptron never changes; sigmoid(c z) tends to step(z) as c grows (for z != 0). */
export function scaled(w, b, c) {
  if (!(c > 0)) throw new Error(`the scale must be > 0, got ${c}`);
  return { w: w.map((v) => v * c), b: b * c };
}

/** Compare two truth tables row by row: which perceptron outputs flipped, how far the sigmoid
 *  moved. {flipped: [row indices], maxSigmoidChange, sigmoidChanges: [per row]}. */
export function compareTables(before, after) {
  const flipped = [];
  const sigmoidChanges = before.map((row, k) => {
    if (row.outputs.perceptron !== after[k].outputs.perceptron) flipped.push(k);
    return after[k].outputs.sigmoid - row.outputs.sigmoid;
  });
  const maxSigmoidChange = sigmoidChanges.reduce((m, d) => Math.max(m, Math.abs(d)), 0);
  return { flipped, sigmoidChanges, maxSigmoidChange };
}

/** How far the sigmoid neuron is from the perceptron over a table: max |sigmoid - step|. */
export function distanceFromPerceptron(table) {
  return table.reduce((m, r) => Math.max(m, Math.abs(r.outputs.sigmoid - r.outputs.perceptron)), 0);
}

/** Output against one weight: weight index k swept over [lo, hi] in `count` points at input x,
 *  for the named outputs. {values: [w_k], series: {name: [output]}, jumps: [w_k where z = 0]}. */
export function sweepWeight(w, x, b, k, lo, hi, count, names = ["perceptron", "sigmoid"]) {
  const values = [];
  const series = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < count; i++) {
    const wk = lo + ((hi - lo) * i) / (count - 1);
    const ww = w.slice();
    ww[k] = wk;
    const z = weightedSum(ww, x, b).z;
    values.push(wk);
    for (const n of names) series[n].push(OUTPUTS[n](z));
  }
  // the perceptron flips where w_k x_k + rest = 0, i.e. w_k = -(z - w_k x_k) / x_k (if x_k != 0)
  const rest = weightedSum(w, x, b).z - w[k] * x[k];
  const jumps = x[k] !== 0 ? [-rest / x[k]].filter((v) => v >= lo && v <= hi) : [];
  return { values, series, jumps };
}

/** A number for reading: up to `digits` significant digits, no trailing zeros, a real minus. */
export function fmt(v, digits = 4) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  let s = Number(v.toPrecision(digits)).toString();
  if (s.includes("e")) s = v.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return s.replace("-", "\u2212");
}

/** The weighted sum written out term by term with the numbers:
 *  "2·1 + 6·0 + 2·1 + (−5) = −1" (products in parentheses when negative). */
export function sumText(s, digits = 4) {
  const paren = (v) => (v < 0 ? `(${fmt(v, digits)})` : fmt(v, digits));
  const terms = s.terms.map((t) => `${paren(t.w)}\u00b7${paren(t.x)}`);
  return `${[...terms, paren(s.bias)].join(" + ")} = ${fmt(s.z, digits)}`;
}

/** Presets by name. sweets: the course's example. Three binary factors (x1 calorie goal met,
 *  x2 favourite sweet present, x3 low calorie), weights 2, 6, 2, threshold 5: the output equals
 *  x2 whatever the other two say (2 + 2 = 4 < 5, while 6 alone > 5). */
export const PRESETS = {
  sweets: {
    title: "Eat the sweets?",
    labels: ["calorie goal met", "favourite sweet", "low calorie"],
    mode: "binary", w: [2, 6, 2], threshold: 5, x: [1, 1, 1], scale: 1,
  },
  and: { title: "AND", labels: ["x1", "x2"], mode: "binary", w: [1, 1], threshold: 1.5,
         x: [1, 1], scale: 1 },
  or: { title: "OR", labels: ["x1", "x2"], mode: "binary", w: [1, 1], threshold: 0.5,
        x: [0, 1], scale: 1 },
};

/** A neuron state: {labels, mode: "binary"|"real", x, w, threshold, scale}, checked and clamped.
 *  Bad or missing entries fall back to the defaults (2 inputs, weights 1, threshold 0.5). */
export function normalizeNeuron(s = {}) {
  const n = Math.max(1, Math.min(MAX_INPUTS, Math.round(Number(s.w?.length ?? 2)) || 2));
  const num = (v, d) => (Number.isFinite(Number(v)) ? Number(v) : d);
  const mode = s.mode === "real" ? "real" : "binary";
  const w = Array.from({ length: n }, (_, i) => num(s.w?.[i], 1));
  const x = Array.from({ length: n }, (_, i) => {
    const v = num(s.x?.[i], 0);
    return mode === "binary" ? (v > 0.5 ? 1 : 0) : v;
  });
  const labels = Array.from({ length: n }, (_, i) => String(s.labels?.[i] ?? `x${i + 1}`));
  const scale = num(s.scale, 1) > 0 ? num(s.scale, 1) : 1;
  return { title: s.title ?? "", labels, mode, x, w, threshold: num(s.threshold, 0.5), scale };
}
