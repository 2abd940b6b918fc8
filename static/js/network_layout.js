// Where the network diagram puts things (pure; tests/js/network_layout.test.mjs): one column per
// layer, each neuron a square, edges as cubic curves between squares, each bias a small square at
// its neuron's lower left; and what lies under a point.

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

/**
 * The diagram for layer sizes [inputs, hidden..., outputs] in a width x height box.
 * Returns {nodes: [[{x, y, s, layer, index}]], edges: [{layer, i, j, x0, y0, x1, y1, cx, name}],
 * biases: [{layer, i, x, y, b, name}], s, top}; squares are s x s at (x, y) (top left).
 */
export function computeLayout(sizes, width, height, margin = NETWORK_MARGIN) {
  const { top, bottom, left, right } = margin;
  const maxN = Math.max(...sizes);
  const room = Math.max(1, height - top - bottom);
  // squares of at least 5 px where they fit; a 64-neuron column in a short panel gets smaller
  // ones rather than overlapping ones
  const s = Math.min(34, Math.max(Math.min(5, room / maxN), Math.floor(room / (maxN * 1.3))));
  const gap = maxN > 1 ? Math.max(0, Math.min(s * 0.6, (room - maxN * s) / (maxN - 1))) : 0;
  const cols = sizes.length;
  const colGap = cols > 1 ? (width - left - right - s) / (cols - 1) : 0;
  const nodes = sizes.map((n, l) => {
    const colH = n * s + (n - 1) * gap;
    const y0 = top + (room - colH) / 2;
    const x = left + l * colGap;
    return Array.from({ length: n }, (_, i) => ({ x, y: y0 + i * (s + gap), s, layer: l, index: i }));
  });
  const edges = [];
  const biases = [];
  for (let l = 1; l < sizes.length; l++) {
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
      const b = Math.max(4, Math.round(s * 0.28));
      biases.push({ layer: l, i, x: to.x - b - 2, y: to.y + s - b, b, name: paramName(l, i) });
    }
  }
  return { nodes, edges, biases, s, top };
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
 * nodes, nodes over edges; an edge counts within `reach` pixels of its curve (larger for touch).
 */
export function hitTest(layout, x, y, reach = 5) {
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
  for (const e of layout.edges) {
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
