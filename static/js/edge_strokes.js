// Which edges of the network diagram go into which stroke (pure; tests/js/edge_strokes.test.mjs).
// Each drawn edge's look is one of a few width/opacity levels per sign (its code), and dense
// bands are drawn as straight hairlines; the view strokes one path per code and shape. Grouping
// the shown edges by stroke in one pass (a counting sort) lets the view visit only the few hundred
// edges it draws, not every edge once per code.

/** Width/opacity levels per sign: code = sign * WIDTH_LEVELS + level (sign 0: negative). */
export const WIDTH_LEVELS = 8;
/** Codes 0 .. CODES-1, each as curves then as straight lines: bucket = 2 * code + straight. */
export const CODES = 2 * WIDTH_LEVELS;
const BUCKETS = 2 * CODES;

/**
 * An edge's look for value v on a scale (the value drawn at full width): its code, or -1 when
 * v is not finite. Gradients spread their small values out (|v|/scale to the power 0.6).
 */
export function edgeCode(v, scale, gradMode) {
  if (!Number.isFinite(v)) return -1;
  const m = Math.min(1, Math.abs(v) / scale);
  const level = Math.min(WIDTH_LEVELS - 1, Math.floor((gradMode ? m ** 0.6 : m) * WIDTH_LEVELS));
  return (v >= 0 ? WIDTH_LEVELS : 0) + level;
}

/** 1 for each edge of a band thinned to its strongest (drawn straight), 0 for the open bands'. */
export function straightMask(layout) {
  const straight = new Uint8Array(layout.edges.length);
  for (const p of layout.pairs) if (p.limit < p.count) straight.fill(1, p.start, p.start + p.count);
  return straight;
}

/**
 * The shown edges grouped by stroke, in drawing order. values: one number per edge; shown: a
 * mask (1 = drawn); straight: straightMask(layout). Bucket b = 2 * code + straight holds the
 * edges of that code and shape, so buckets in ascending order are the strokes in the order the
 * picture needs them (negative first, thin under thick, each code's curves before its lines);
 * within a bucket edges keep their index order.
 * Returns {order, starts, hash}: bucket b's edges are order[starts[b] .. starts[b + 1]); hash
 * changes (almost surely) when any shown edge's code changes. Pass the previous result as `into`
 * to reuse its buffers (it is overwritten).
 */
export function bucketEdges(values, shown, straight, scale, gradMode, into = null) {
  const n = values.length;
  const out = into && into.order.length >= n ? into
    : { order: new Int32Array(n), picked: new Int32Array(n), buckets: new Int8Array(n), starts: new Int32Array(BUCKETS + 1), hash: 0 };
  const { order, picked, buckets, starts } = out;
  starts.fill(0);
  let hash = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    if (!shown[k]) continue;
    const code = edgeCode(values[k], scale, gradMode);
    if (code < 0) continue;
    hash = (Math.imul(hash, 31) + k * 17 + code + 1) | 0;
    const b = 2 * code + (straight[k] ? 1 : 0);
    picked[count++] = k;
    buckets[k] = b;
    starts[b + 1] += 1;
  }
  for (let b = 0; b < BUCKETS; b++) starts[b + 1] += starts[b];
  // place each edge after the ones before it in its bucket (stable: index order kept)
  const next = Int32Array.from(starts.subarray(0, BUCKETS));
  for (let q = 0; q < count; q++) {
    const k = picked[q];
    order[next[buckets[k]]++] = k;
  }
  out.hash = hash;
  return out;
}
