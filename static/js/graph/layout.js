// Layout of an exported graph (engine/graph_export.py) with dagre: one box per value and one
// small circle per operation, left to right. Pure: dagre is passed in, sizes are estimated from
// the text, so it runs under node --test.
//
// The layout depends on the graph's structure only (structureKey): a box is as wide as its
// name plus a fixed slot for each number (format.js fmtFit), so editing a leaf, nudging or
// stepping the backward pass never lays the graph out again (graph_view.js keeps it).
import { fmt, nodeName, NUMBER_CHARS, opSymbol } from "./format.js";
import { orderLayers } from "./layer_order.js";
import { rankLayers } from "./layer_rank.js";

export const BOX_H = 36;
export const OP_R = 13;
const CHAR_W = 7.2;   // px per character at the boxes' 12 px font
const PAD = 14;

/** The box width a value needs for "name = number" and "grad number", whatever its numbers. */
export function boxWidth(node) {
  const name = nodeName(node);
  const line1 = node.kind === "constant" ? name.length : name.length + 3 + NUMBER_CHARS;
  const line2 = 5 + NUMBER_CHARS;
  return Math.max(64, Math.ceil(Math.max(line1, line2 + 1) * CHAR_W) + PAD);
}

/** What the layout depends on: each node's label, op, kind, inputs (and a constant's value,
 *  which is its name). Two graphs with the same key have the same picture. */
export function structureKey(graph) {
  const parts = graph.nodes.map((n) => `${n.label}|${n.op}|${n.kind}|${n.inputs.join(",")}`
    + (n.kind === "constant" ? `|${fmt(n.data)}` : ""));
  return `${graph.output};${parts.join(";")}`;
}

/**
 * graph: {nodes, edges}. Returns {key, width, height, crossings, values: [{id, x, y, w, h}],
 * ops: [{id, x, y, r, symbol}] (id = the value the op computes), edges: [{from, to, kind,
 * points}]}: centres in px, edges as polylines (value -> op: from dagre; op -> value: a short
 * link).
 *
 * dagre sees one node per value: an operation's circle sits at the left end of its value's
 * node, so the layout has half the nodes. dagre positions the nodes; the ranks (columns) are
 * network simplex's (dagre's own, the least total edge length) up to `FAST_ABOVE` values and
 * layer_rank.js's above (dagre's `ranker` hook: a third of network simplex's time, a few more
 * long edges); the order inside each rank is layer_order.js's (the `customOrder` hook: as few
 * crossings as dagre's own ordering, at a tenth of its time).
 */
export const OP_GAP = 16;
export const FAST_ABOVE = 80;

export function layoutGraph(graph, dagre, { rankSep = 40, nodeSep = 12 } = {}) {
  const fast = graph.nodes.length > FAST_ABOVE;
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", ranksep: rankSep, nodesep: nodeSep, marginx: 8, marginy: 8,
    ranker: fast ? (layered) => { rankLayers(layered); } : "network-simplex" });
  g.setDefaultEdgeLabel(() => ({}));
  const widths = new Map();
  for (const n of graph.nodes) {
    const w = boxWidth(n);
    widths.set(n.id, w);
    g.setNode(`v${n.id}`, { width: n.inputs.length ? 2 * OP_R + OP_GAP + w : w, height: BOX_H });
  }
  for (const [from, to] of graph.edges) g.setEdge(`v${from}`, `v${to}`);
  let crossings = 0;
  dagre.layout(g, { customOrder: (layered) => { crossings = orderLayers(layered); } });
  const values = [];
  const ops = [];
  const edges = [];
  const opAt = new Map();
  for (const n of graph.nodes) {
    const d = g.node(`v${n.id}`);
    const w = widths.get(n.id);
    const left = d.x - d.width / 2;
    values.push({ id: n.id, x: left + d.width - w / 2, y: d.y, w, h: BOX_H });
    if (n.inputs.length) {
      const o = { id: n.id, x: left + OP_R, y: d.y, r: OP_R, symbol: opSymbol(n.op) };
      ops.push(o);
      opAt.set(n.id, o);
      edges.push({ from: n.id, to: n.id, kind: "result",
        points: [[o.x + OP_R, d.y], [left + d.width - w, d.y]] });
    }
  }
  for (const e of g.edges()) {
    const from = Number(e.v.slice(1));
    const to = Number(e.w.slice(1));
    const points = g.edge(e).points.map((p) => [p.x, p.y]);
    // end on the op circle, not on the node's bounding box
    const o = opAt.get(to);
    const prev = points.length > 1 ? points[points.length - 2] : points[0];
    const dx = o.x - prev[0];
    const dy = o.y - prev[1];
    const len = Math.hypot(dx, dy) || 1;
    points[points.length - 1] = [o.x - (dx / len) * OP_R, o.y - (dy / len) * OP_R];
    edges.push({ from, to, kind: "input", points });
  }
  const info = g.graph();
  return { key: structureKey(graph), width: info.width, height: info.height, crossings,
    values, ops, edges };
}
