// Ranking for dagre's `ranker` hook: which column (rank) each value goes in.
//
// dagre's network simplex finds the ranks with the least total edge length, at two thirds of the
// layout's time on a 150-value graph; its tight-tree ranker is cheap but leaves long edges (every
// long edge becomes a chain of dummy nodes that the rest of the layout pays for). This is the
// cheap middle: the longest path from the sources, then each node moves, within what its edges
// allow, to the side where it has more edge weight (a leaf next to the operation that uses it, a
// sum next to its inputs), until nothing moves. Each move shortens the total weighted edge
// length, so it ends; it is network simplex's objective, optimized one node at a time. Pure.

/**
 * Set `g.node(v).rank` for every node of dagre's (simplified, acyclic) graph `g`, honouring each
 * edge's `minlen`. Returns the total weighted edge length.
 */
export function rankLayers(g, { passes = 12 } = {}) {
  const nodes = g.nodes();
  const rank = new Map();
  // longest path from the sources, in topological order (Kahn)
  const indeg = new Map(nodes.map((v) => [v, (g.inEdges(v) || []).length]));
  const queue = nodes.filter((v) => indeg.get(v) === 0);
  for (const v of queue) rank.set(v, 0);
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k];
    for (const e of g.outEdges(v) || []) {
      const r = rank.get(v) + g.edge(e).minlen;
      if (!(rank.get(e.w) >= r)) rank.set(e.w, r);
      indeg.set(e.w, indeg.get(e.w) - 1);
      if (indeg.get(e.w) === 0) queue.push(e.w);
    }
  }
  // move each node to the side where it has more edge weight, as far as its edges allow
  const order = queue;
  for (let pass = 0; pass < passes; pass++) {
    let moved = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k];
      let wIn = 0;
      let wOut = 0;
      let lo = -Infinity;
      let hi = Infinity;
      for (const e of g.inEdges(v) || []) {
        const label = g.edge(e);
        wIn += label.weight;
        lo = Math.max(lo, rank.get(e.v) + label.minlen);
      }
      for (const e of g.outEdges(v) || []) {
        const label = g.edge(e);
        wOut += label.weight;
        hi = Math.min(hi, rank.get(e.w) - label.minlen);
      }
      const r = rank.get(v);
      const target = wOut > wIn && Number.isFinite(hi) ? hi : wIn > wOut && Number.isFinite(lo) ? lo : r;
      if (target !== r) {
        rank.set(v, target);
        moved = true;
      }
    }
    if (!moved) break;
  }
  let length = 0;
  for (const e of g.edges()) length += g.edge(e).weight * (rank.get(e.w) - rank.get(e.v));
  for (const v of nodes) g.node(v).rank = rank.get(v);
  return length;
}
