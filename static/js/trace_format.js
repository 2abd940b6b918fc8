// Pure helpers of the trace panel: which rows/columns of a matrix strip to show when a layer is
// wide, numbers at a glance and in full, and a neuron's weighted sum written term by term.

/** The indices 0..n-1 to show when at most `max` fit: all of them, or the first max-2, a gap
 *  (null) and the last one. elide(5, 8) = [0,1,2,3,4]; elide(20, 6) = [0,1,2,3,null,19]. */
export function elide(n, max) {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const head = Math.max(1, max - 2);
  return [...Array.from({ length: head }, (_, i) => i), null, n - 1];
}

/** A cell's text: 3 significant digits, a real minus; non-finite values as they are. */
export function short(v) {
  if (v == null) return "\u2013";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  const s = a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
  return s.replace("-", "\u2212");
}

/** A tooltip's text: at least 6 significant digits (enough to see one step's change). */
export function full(v, digits = 8) {
  if (v == null) return "\u2013";
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits))).replace("-", "\u2212");
}

/** Neuron i's weighted sum from its weight row w, inputs a and bias b, written out: at most
 *  `maxTerms` products (then "+ …"), e.g. "(0.5)(1) + (−2)(0.25) + (0.1) = 0.1". */
export function sumTerms(w, a, b, maxTerms = 6) {
  const idx = elide(w.length, maxTerms + 1);
  const parts = idx.map((j) => (j == null ? "\u2026" : `(${short(w[j])})(${short(a[j])})`));
  const z = w.reduce((s, wj, j) => s + wj * a[j], 0) + b;
  return `${[...parts, `(${short(b)})`].join(" + ")} = ${short(z)}`;
}

/** Neuron i's weighted sum from its weight row w over inputs named `names` and bias b, written
 *  with the weights' numbers: at most `maxTerms` products (then "…"), e.g.
 *  "(0.5)·x₁ + (−2)·x₂ + (0.1)". */
export function sumFormula(w, names, b, maxTerms = 6) {
  const idx = elide(w.length, maxTerms + 1);
  const parts = idx.map((j) => (j == null ? "\u2026" : `(${short(w[j])})\u00b7${names[j]}`));
  return [...parts, `(${short(b)})`].join(" + ");
}

/** A traced example's input A[l-1] to layer l, recomputed with the current parameters: its
 *  features A[0] forward through layers 1..l-1, A[k] = g(W_k A[k-1] + b_k). `param(k, i, j)`
 *  reads the current W_k[i][j] (j = null: the bias b_k[i]); `sizes` are the layer sizes. */
export function currentInputs(features, l, sizes, param, g) {
  let a = features;
  for (let k = 1; k < l; k++) {
    const next = new Array(sizes[k]);
    for (let i = 0; i < sizes[k]; i++) {
      let z = param(k, i, null);
      for (let j = 0; j < a.length; j++) z += param(k, i, j) * a[j];
      next[i] = g(z);
    }
    a = next;
  }
  return a;
}

/** The matrix product check of one layer: max |W a + b - z| (0 up to rounding). */
export function affineResidual(W, a, b, z) {
  let worst = 0;
  W.forEach((row, i) => {
    const zi = row.reduce((s, wij, j) => s + wij * a[j], 0) + b[i];
    worst = Math.max(worst, Math.abs(zi - z[i]));
  });
  return worst;
}
