// Many small rectangles of a few colours in a few fills (pure; tests/js/fill_batches.test.mjs).
// A 64-wide network has hundreds of neuron and bias squares; setting a colour and filling once
// per square is most of the network view's drawing. Grouping the squares by colour code (a
// counting sort) lets the view set each colour once and fill all its squares in one path.

/** Shades per sign of a bias square (code = sign * BIAS_LEVELS + level; sign 0: negative). */
export const BIAS_LEVELS = 32;

/**
 * A bias's colour code for value v on a scale (|v| >= scale is the darkest shade): the sign and
 * one of BIAS_LEVELS shades of |v| / scale. Not finite: the palest positive shade.
 */
export function biasCode(v, scale) {
  if (!Number.isFinite(v)) return BIAS_LEVELS;
  const m = Math.min(1, Math.abs(v) / scale);
  return (v >= 0 ? BIAS_LEVELS : 0) + Math.min(BIAS_LEVELS - 1, Math.floor(m * BIAS_LEVELS));
}

/** The signed shade t in [-1, 1] a bias code is drawn with (the view maps it onto its colours). */
export function biasShade(code) {
  const sign = code >= BIAS_LEVELS ? 1 : -1;
  const level = code % BIAS_LEVELS;
  return sign * (0.25 + 0.75 * ((level + 0.5) / BIAS_LEVELS));
}

/**
 * Items grouped by code: codes[k] in 0 .. nCodes - 1 for item k (negative: left out).
 * Returns {order, starts}: the items of code c are order[starts[c] .. starts[c + 1]), in index
 * order. Pass the previous result as `into` to reuse its buffers.
 */
export function groupByCode(codes, nCodes, into = null) {
  const n = codes.length;
  const out = into && into.order.length >= n && into.starts.length === nCodes + 1 ? into
    : { order: new Int32Array(n), starts: new Int32Array(nCodes + 1), next: new Int32Array(nCodes) };
  const { order, starts, next } = out;
  starts.fill(0);
  for (let k = 0; k < n; k++) if (codes[k] >= 0) starts[codes[k] + 1] += 1;
  for (let c = 0; c < nCodes; c++) starts[c + 1] += starts[c];
  next.set(starts.subarray(0, nCodes));
  for (let k = 0; k < n; k++) if (codes[k] >= 0) order[next[codes[k]]++] = k;
  return out;
}
