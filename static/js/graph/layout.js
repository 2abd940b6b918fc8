// Layout of an exported graph (engine/graph_export.py) with dagre: one box per value and one
// small circle per operation, left to right. Pure: dagre is passed in, sizes are estimated from
// the text, so it runs under node --test.
import { fmt, nodeName, opSymbol } from "./format.js";

export const BOX_H = 36;
export const OP_R = 13;
const CHAR_W = 7.2;   // px per character at the boxes' 12 px font
const PAD = 14;

/** The box width a value needs for its name, data and grad lines. */
export function boxWidth(node) {
  const line1 = `${nodeName(node)} = ${fmt(node.data)}`;
  const line2 = `grad ${fmt(node.grad)}`;
  return Math.max(64, Math.ceil(Math.max(line1.length, line2.length + 1) * CHAR_W) + PAD);
}

/**
 * graph: {nodes, edges}. Returns {width, height, values: [{id, x, y, w, h}], ops: [{id, x, y,
 * r, symbol}] (id = the value the op computes), edges: [{from, to, kind, points}]}: centres in
 * px, edges as polylines from dagre (value -> op -> value).
 */
export function layoutGraph(graph, dagre, { rankSep = 34, nodeSep = 12 } = {}) {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", ranksep: rankSep, nodesep: nodeSep, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    g.setNode(`v${n.id}`, { width: boxWidth(n), height: BOX_H });
    if (n.inputs.length) {
      g.setNode(`o${n.id}`, { width: 2 * OP_R, height: 2 * OP_R });
      g.setEdge(`o${n.id}`, `v${n.id}`);
    }
  }
  for (const [from, to] of graph.edges) g.setEdge(`v${from}`, `o${to}`);
  dagre.layout(g);
  const values = [];
  const ops = [];
  for (const n of graph.nodes) {
    const v = g.node(`v${n.id}`);
    values.push({ id: n.id, x: v.x, y: v.y, w: v.width, h: v.height });
    if (n.inputs.length) {
      const o = g.node(`o${n.id}`);
      ops.push({ id: n.id, x: o.x, y: o.y, r: OP_R, symbol: opSymbol(n.op) });
    }
  }
  const edges = g.edges().map((e) => ({
    from: Number(e.v.slice(1)), to: Number(e.w.slice(1)),
    kind: e.v[0] === "v" ? "input" : "result",
    points: g.edge(e).points.map((p) => [p.x, p.y]),
  }));
  const info = g.graph();
  return { width: info.width, height: info.height, values, ops, edges };
}
