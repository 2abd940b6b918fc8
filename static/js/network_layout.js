// Where the network diagram puts things (pure; tests/js/network_layout.test.mjs): one column per
// layer, each neuron a square, edges as cubic curves between squares, each bias a small square at
// its neuron's lower left; column titles that never run together; which edges to draw when a
// band between two columns is too dense to read; and what lies under a point.

import { NETWORK_MARGIN } from "./layout_constants.js";

/** The name of parameter (layer l from 1, row i = target neuron, column j = source neuron). */
export function paramName(layer, i, j) {
  return j == null ? `b${layer}[${i}]` : `W${layer}[${i},${j}]`;
}

/** Index into the flat parameter vector (frame header's `layers`: offset and [rows, cols + 1]). */
export function paramIndex(header, layer, i, j) {
  const L = header.layers[layer - 1];
  const cols = L.shape[1];
  return L.offset + i * cols + (j == null ? cols - 1 : j);
}

/** Layer titles, longest first: "hidden 2 (64)", "h2 (64)", "h2". */
function labelForms(l, L, n) {
  const long = l === 0 ? "input" : l === L ? "output" : `hidden ${l}`;
  const short = l === 0 ? "in" : l === L ? "out" : `h${l}`;
  return [`${long} (${n})`, `${short} (${n})`, short];
}

/** About 5.6 px per character of FONT.label (tests, and before a canvas can measure). */
export const approxTextWidth = (text) => 5.6 * text.length;

/**
 * The column titles for columns centred at `xs` in a box `width` wide: the longest form that
 * fits every column (each title narrower than the column pitch), on one row or, when even the
 * shortest does not fit, on two alternating rows. Returns [{text, x, width, row}] with x the
 * title's centre, kept inside the box. No two titles of a row overlap (tests/js).
 */
export function layerLabels(sizes, xs, width, measure = approxTextWidth, pad = 6) {
  const L = sizes.length - 1;
  const forms = sizes.map((n, l) => labelForms(l, L, n));
  const pitch = xs.length > 1 ? xs[1] - xs[0] : width;
  const place = (k, rows) => forms.map((f, l) => {
    const text = f[k];
    const w = measure(text);
    const x = Math.max(w / 2, Math.min(width - w / 2, xs[l]));
    return { text, x, width: w, row: rows === 2 ? l % 2 : 0 };
  });
  const fits = (labels) => labels.every((a, i) => labels.every((b, j) => j <= i || a.row !== b.row
    || Math.abs(a.x - b.x) >= (a.width + b.width) / 2 + pad));
  for (const rows of [1, 2]) {
    for (let k = 0; k < 3; k++) {
      const labels = place(k, rows);
      if (fits(labels) || (rows === 2 && k === 2)) return labels;
    }
  }
  return place(2, 2);
}

/** Edges kept per pair of columns: all up to one per EDGE_AREA px² of the band between them. */
export const EDGE_AREA = 60;

/**
 * The diagram for layer sizes [inputs, hidden..., outputs] in a width x height box.
 * Returns {nodes: [[{x, y, s, layer, index}]], edges: [{layer, i, j, x0, y0, x1, y1, cx, name}],
 * biases: [{layer, i, x, y, b, name}], pairs: [{layer, start, count, limit}], labels, s, top};
 * squares are s x s at (x, y) (top left). Squares never overlap (in a column nor across
 * columns, biases included); edges of layer l are edges[start .. start + count) and at most
 * `limit` of them are drawn (the strongest: strongestEdges) when the band is too dense.
 */
export function computeLayout(sizes, width, height, margin = NETWORK_MARGIN, measure = approxTextWidth) {
  const first = placeNodes(sizes, width, height, margin);
  const xs = first.nodes.map((c) => c[0].x + first.s / 2);
  const labels = layerLabels(sizes, xs, width, measure);
  const twoRows = labels.some((q) => q.row === 1);
  const out = twoRows ? placeNodes(sizes, width, height, { ...margin, top: margin.top + LABEL_ROW }) : first;
  if (twoRows) labels.forEach((q, l) => { q.x = Math.max(q.width / 2, Math.min(width - q.width / 2, out.nodes[l][0].x + out.s / 2)); });
  out.labels = labels;
  return out;
}

const LABEL_ROW = 12;   // px of a second row of column titles

function placeNodes(sizes, width, height, { top, bottom, left, right }) {
  const maxN = Math.max(...sizes);
  const room = Math.max(1, height - top - bottom);
  const cols = sizes.length;
  const across = Math.max(1, width - left - right);
  // squares of at least 5 px where they fit; a 64-neuron column in a short panel gets smaller
  // ones rather than overlapping ones; and at most half the column pitch wide
  const sVert = Math.max(Math.min(5, room / maxN), Math.floor(room / (maxN * 1.3)));
  const sAcross = cols > 1 ? across / (2 * (cols - 1) + 1) : across;
  const s = Math.max(1, Math.min(34, sVert, sAcross));
  const gap = maxN > 1 ? Math.max(0, Math.min(s * 0.6, (room - maxN * s) / (maxN - 1))) : 0;
  const colGap = cols > 1 ? (across - s) / (cols - 1) : 0;
  const nodes = sizes.map((n, l) => {
    const colH = n * s + (n - 1) * gap;
    const y0 = top + (room - colH) / 2;
    const x = left + l * colGap;
    return Array.from({ length: n }, (_, i) => ({ x, y: y0 + i * (s + gap), s, layer: l, index: i }));
  });
  const edges = [];
  const biases = [];
  const pairs = [];
  // a bias square sits left of its neuron, in the gap to the previous column, never wider than
  // the neuron nor than that gap allows
  const b = Math.max(1, Math.min(s, Math.max(4, Math.round(s * 0.28)), colGap - s - 3));
  for (let l = 1; l < sizes.length; l++) {
    const start = edges.length;
    for (let i = 0; i < sizes[l]; i++) {
      const to = nodes[l][i];
      for (let j = 0; j < sizes[l - 1]; j++) {
        const from = nodes[l - 1][j];
        const x0 = from.x + s;
        const y0 = from.y + s / 2;
        const x1 = to.x;
        const y1 = to.y + s / 2;
        edges.push({ layer: l, i, j, x0, y0, x1, y1, cx: (x0 + x1) / 2, name: paramName(l, i, j) });
      }
      biases.push({ layer: l, i, x: to.x - b - 1.5, y: to.y + s - b, b, name: paramName(l, i) });
    }
    const count = edges.length - start;
    const band = Math.max(colGap - s, 1) * Math.max(sizes[l], sizes[l - 1]) * (s + gap);
    const limit = Math.min(count, Math.max(sizes[l], sizes[l - 1], Math.floor(band / EDGE_AREA)));
    pairs.push({ layer: l, start, count, limit });
  }
  return { nodes, edges, biases, pairs, s, top, colGap };
}

/**
 * Which edges to draw: of each pair of columns with more edges than its limit, the `limit`
 * largest by |value| (values: one number per edge of layout.edges, e.g. weights or gradients);
 * every edge of the other pairs. Returns a Uint8Array mask over layout.edges (1 = drawn) and
 * the number thinned out per pair ({layer, shown, count}).
 */
export function strongestEdges(layout, values) {
  const mask = new Uint8Array(layout.edges.length);
  const summary = [];
  for (const { layer, start, count, limit } of layout.pairs) {
    if (limit >= count) {
      mask.fill(1, start, start + count);
      summary.push({ layer, shown: count, count });
      continue;
    }
    if (scratch.length < 2 * count) scratch = new Float64Array(2 * count);
    const mags = scratch.subarray(0, count);
    for (let k = 0; k < count; k++) {
      const v = Math.abs(values[start + k]);
      mags[k] = Number.isFinite(v) ? v : -1;
    }
    const work = scratch.subarray(count, 2 * count);
    work.set(mags);
    const cut = kthSmallest(work, count - limit);   // the limit-th largest
    let shown = 0;
    for (let k = 0; k < count && shown < limit; k++) if (mags[k] > cut) { mask[start + k] = 1; shown += 1; }
    for (let k = 0; k < count && shown < limit; k++) if (mags[k] === cut) { mask[start + k] = 1; shown += 1; }
    summary.push({ layer, shown, count });
  }
  return { mask, summary };
}

let scratch = new Float64Array(0);   // strongestEdges' working space, reused (grown, never shrunk)

/** The k-th smallest (from 0) of a, as a sorted copy's a[k] would be, in O(n) on average
 *  (Wirth's selection; reorders a). */
export function kthSmallest(a, k) {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const x = a[k];
    let i = lo;
    let j = hi;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k];
}

/** The point at t in [0, 1] on an edge's curve (control points (cx, y0) and (cx, y1)). */
export function bezierPoint(e, t) {
  const u = 1 - t;
  const x = u * u * u * e.x0 + 3 * u * u * t * e.cx + 3 * u * t * t * e.cx + t * t * t * e.x1;
  const y = u * u * u * e.y0 + 3 * u * u * t * e.y0 + 3 * u * t * t * e.y1 + t * t * t * e.y1;
  return [x, y];
}

/**
 * What lies under (x, y): {kind: "bias" | "node" | "edge", ...that item} or null. Biases win over
 * nodes, nodes over edges; an edge counts within `reach` pixels of its curve (larger for touch);
 * `shown` (a mask from strongestEdges) leaves out the edges not drawn.
 */
export function hitTest(layout, x, y, reach = 5, shown = null) {
  if (!layout) return null;
  const pad = Math.max(2, reach - 3);
  for (const b of layout.biases) {
    if (x >= b.x - pad && x <= b.x + b.b + pad && y >= b.y - pad && y <= b.y + b.b + pad) return { kind: "bias", ...b };
  }
  for (const col of layout.nodes) {
    for (const n of col) {
      if (x >= n.x && x <= n.x + n.s && y >= n.y && y <= n.y + n.s) return { kind: "node", ...n };
    }
  }
  let best = null;
  let bestD = reach * reach;
  for (let k = 0; k < layout.edges.length; k++) {
    if (shown && !shown[k]) continue;   // only the edges drawn can be hit
    const e = layout.edges[k];
    if (x < Math.min(e.x0, e.x1) - reach || x > Math.max(e.x0, e.x1) + reach) continue;
    for (let k = 0; k <= 24; k++) {
      const [px, py] = bezierPoint(e, k / 24);
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = e;
      }
    }
  }
  return best ? { kind: "edge", ...best } : null;
}

/**
 * The keyboard's way around the diagram (sizes: [inputs, hidden..., outputs]). A focus is
 * {kind: "node", layer, index}, {kind: "edge", layer, i, j} (the weight from neuron j of layer-1
 * into neuron i of layer) or {kind: "bias", layer, i}. Keys: on a neuron ArrowUp/Down move within
 * its column, ArrowLeft/Right to the column before/after (same row, clamped), "e" to its first
 * incoming weight, "b" to its bias; on a weight ArrowUp/Down move to the weight from the
 * previous/next source neuron, ArrowLeft/Right to the previous/next target neuron; Escape (or "e"
 * / "b" again) goes back to the neuron. Returns the new focus, or null when the key does nothing.
 */
export function nextFocus(focus, key, sizes) {
  const L = sizes.length - 1;
  const clamp = (v, n) => Math.max(0, Math.min(n - 1, v));
  const f = focus ?? { kind: "node", layer: Math.min(1, L), index: 0 };
  if (!focus) return f;
  if (f.kind === "node") {
    switch (key) {
      case "ArrowUp": return { ...f, index: clamp(f.index - 1, sizes[f.layer]) };
      case "ArrowDown": return { ...f, index: clamp(f.index + 1, sizes[f.layer]) };
      case "ArrowLeft":
      case "ArrowRight": {
        const layer = clamp(f.layer + (key === "ArrowLeft" ? -1 : 1), sizes.length);
        return { kind: "node", layer, index: clamp(f.index, sizes[layer]) };
      }
      case "e": case "E": return f.layer > 0 ? { kind: "edge", layer: f.layer, i: f.index, j: 0 } : null;
      case "b": case "B": return f.layer > 0 ? { kind: "bias", layer: f.layer, i: f.index } : null;
      default: return null;
    }
  }
  const back = { kind: "node", layer: f.layer, index: f.i };
  if (key === "Escape" || (f.kind === "edge" && (key === "e" || key === "E")) || (f.kind === "bias" && (key === "b" || key === "B"))) return back;
  if (f.kind === "bias") {
    if (key === "ArrowUp" || key === "ArrowDown") return { ...f, i: clamp(f.i + (key === "ArrowUp" ? -1 : 1), sizes[f.layer]) };
    if (key === "e" || key === "E") return { kind: "edge", layer: f.layer, i: f.i, j: 0 };
    return null;
  }
  switch (key) {
    case "ArrowUp": return { ...f, j: clamp(f.j - 1, sizes[f.layer - 1]) };
    case "ArrowDown": return { ...f, j: clamp(f.j + 1, sizes[f.layer - 1]) };
    case "ArrowLeft": return { ...f, i: clamp(f.i - 1, sizes[f.layer]) };
    case "ArrowRight": return { ...f, i: clamp(f.i + 1, sizes[f.layer]) };
    case "b": case "B": return { kind: "bias", layer: f.layer, i: f.i };
    default: return null;
  }
}

/** The index into layout.edges of the edge named `name` ("W2[3,1]"), or -1 (a bias, unknown). */
export function edgeIndex(layout, name) {
  const m = /^W(\d+)\[(\d+),(\d+)\]$/.exec(name);
  if (!layout || !m) return -1;
  const [l, i, j] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const p = layout.pairs[l - 1];
  const fanIn = layout.nodes[l - 1]?.length ?? 0;
  if (!p || j >= fanIn || i * fanIn + j >= p.count) return -1;
  return p.start + i * fanIn + j;
}

/** The layout item of a focus: {kind, ...node | edge | bias} (as hitTest returns them) or null. */
export function focusItem(layout, focus) {
  if (!layout || !focus) return null;
  if (focus.kind === "node") {
    const n = layout.nodes[focus.layer]?.[focus.index];
    return n ? { kind: "node", ...n } : null;
  }
  if (focus.kind === "bias") {
    const b = layout.biases.find((q) => q.layer === focus.layer && q.i === focus.i);
    return b ? { kind: "bias", ...b } : null;
  }
  const p = layout.pairs[focus.layer - 1];
  const fanIn = layout.nodes[focus.layer - 1].length;
  const e = p ? layout.edges[p.start + focus.i * fanIn + focus.j] : null;
  return e ? { kind: "edge", ...e } : null;
}
