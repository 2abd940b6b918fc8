// The backward pass, one exported step at a time. Pure: reads graph.steps (engine's sweep) and
// says which grads are known at a position and what the current step did, with the numbers.
import { fmt, nodeName } from "./format.js";

/** Positions: 0 forward values only; 1 the output's grad seeded to 1; 1 + j + 1 after step j. */
export function positions(graph) {
  return graph.steps.length + 2;
}

/** Map id -> grad known at position p (the real sweep's values as exported). */
export function gradsAt(graph, p) {
  const known = new Map();
  if (p >= 1) known.set(graph.output, 1);
  const upto = Math.min(graph.steps.length, p - 1);
  for (let j = 0; j < upto; j++) {
    for (const u of graph.steps[j].updates) known.set(u.child, u.grad);
  }
  return known;
}

/** The node whose turn it is at position p (null at 0), and the children it updated. */
export function activeAt(graph, p) {
  if (p <= 0) return { node: null, children: [] };
  if (p === 1) return { node: graph.output, children: [] };
  const step = graph.steps[Math.min(p - 2, graph.steps.length - 1)];
  return { node: step.node, children: step.updates.map((u) => u.child) };
}

/** What happened at position p, as lines of text with the numbers. */
export function describe(graph, p) {
  const byId = graph.nodes;
  const out = graph.nodes[graph.output];
  if (p <= 0) {
    return { title: "Forward pass", lines: ["every value is computed from its inputs, left to right; no grads yet"] };
  }
  if (p === 1) {
    return { title: `${nodeName(out)}.grad = 1`, lines: [`dL/dL = 1: the output's gradient with respect to itself starts the backward pass`] };
  }
  if (p - 2 >= graph.steps.length) {
    return { title: "Done", lines: ["every grad is filled in"] };
  }
  const step = graph.steps[p - 2];
  const node = byId[step.node];
  const name = nodeName(node);
  const lines = [`local rule: ${node.rule}`];
  for (const u of step.updates) {
    const child = nodeName(byId[u.child]);
    lines.push(`${child}.grad += ${fmt(u.local)} × ${fmt(step.upstream)} = ${fmt(u.product)}  →  ${child}.grad = ${fmt(u.grad)}`);
  }
  const what = node.label ? `${name} (${node.op})` : `the ${node.op} node`;
  return { title: `${what} passes its grad ${fmt(step.upstream)} back`, lines };
}
