// Draws an exported graph as SVG: value boxes (name = data, grad) and op circles, laid out by
// layout.js. render(known, active) only rewrites the grad texts and highlights: it never
// recomputes a gradient, it shows the ones the engine exported.
//
// setGraph(g) lays out and draws only when the structure changed (layout.js structureKey); a
// graph with new numbers on the same structure (a leaf edited, another leaf nudged, the run's
// weights moved) rewrites the numbers in place. Every edge is one subpath of a single <path>
// and every arrowhead of another, so a 150-value graph is about 900 elements, not 1,400.
import { fmtFit, nodeName } from "./format.js";
import { BOX_H, layoutGraph, structureKey } from "./layout.js";

const SVG = "http://www.w3.org/2000/svg";
const ARROW = 7;  // arrowhead length, px

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

const num = (x) => x.toFixed(1);

/** SVG path data of the polylines, and of a filled arrowhead at the end of each. */
export function edgePaths(edges) {
  let lines = "";
  let heads = "";
  for (const e of edges) {
    const p = e.points;
    lines += `M${num(p[0][0])},${num(p[0][1])}`;
    for (let i = 1; i < p.length; i++) lines += `L${num(p[i][0])},${num(p[i][1])}`;
    const [x1, y1] = p[p.length - 1];
    const [x0, y0] = p[p.length - 2] ?? p[0];
    const len = Math.hypot(x1 - x0, y1 - y0) || 1;
    const ux = (x1 - x0) / len;
    const uy = (y1 - y0) / len;
    const bx = x1 - ux * ARROW;
    const by = y1 - uy * ARROW;
    heads += `M${num(x1)},${num(y1)}L${num(bx - uy * ARROW * 0.45)},${num(by + ux * ARROW * 0.45)}`
      + `L${num(bx + uy * ARROW * 0.45)},${num(by - ux * ARROW * 0.45)}Z`;
  }
  return { lines, heads };
}

export function createGraphView(box, dagre, { onLeafClick } = {}) {
  let svg = null;
  let graph = null;
  let layout = null;
  let gradTexts = new Map();
  let dataTexts = new Map();
  let groups = new Map();
  let lit = null;
  let litKey = null;
  let fit = true;
  const stats = { layoutMs: 0, drawMs: 0, nodes: 0, relayout: false, layouts: 0 };

  function setGraph(g) {
    const t0 = performance.now();
    graph = g;
    const same = layout && svg && layout.key === structureKey(g);
    if (same) {
      const t1 = performance.now();
      writeNumbers();
      stats.layoutMs = t1 - t0;
      stats.drawMs = performance.now() - t1;
    } else {
      layout = layoutGraph(g, dagre);
      stats.layouts += 1;
      const t1 = performance.now();
      draw();
      stats.layoutMs = t1 - t0;
      stats.drawMs = performance.now() - t1;
    }
    stats.relayout = !same;
    stats.nodes = g.nodes.length;
    return stats;
  }

  function writeNumbers() {
    for (const n of graph.nodes) {
      const t = dataTexts.get(n.id);
      if (t) t.data = n.kind === "constant" ? "" : ` = ${fmtFit(n.data)}`;
    }
    litKey = null;
  }

  function draw() {
    // the box's size before it changes: reading it after inserting the SVG would force the
    // browser to lay out the new SVG here, and again after the grads are written
    const room = roomOf();
    box.textContent = "";
    gradTexts = new Map();
    dataTexts = new Map();
    groups = new Map();
    litKey = null;
    svg = el("svg", { viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
      role: "img", "aria-label": `computational graph with ${graph.nodes.length} values`,
      "data-testid": "graph-svg" });
    const all = edgePaths(layout.edges);
    el("path", { d: all.lines, class: "edge" }, svg);
    el("path", { d: all.heads, class: "arrow" }, svg);
    lit = { lines: el("path", { d: "", class: "edge lit" }, svg),
      heads: el("path", { d: "", class: "arrow lit" }, svg) };
    const nodeLayer = el("g", { class: "nodes" }, svg);
    for (const o of layout.ops) {
      const c = el("circle", { class: "op", "data-id": o.id, cx: o.x, cy: o.y, r: o.r }, nodeLayer);
      const t = el("text", { class: "op-symbol", x: o.x, y: o.y, "text-anchor": "middle", dy: "0.35em" }, nodeLayer);
      t.textContent = o.symbol;
      groups.set(`o${o.id}`, c);
    }
    for (const v of layout.values) {
      const n = graph.nodes[v.id];
      const g = el("g", { class: `value ${n.kind}`, "data-id": v.id,
        "data-testid": `node-${n.label || v.id}`, "data-label": n.label,
        transform: `translate(${num(v.x - v.w / 2)},${num(v.y - v.h / 2)})` }, nodeLayer);
      el("rect", { width: v.w, height: BOX_H, rx: 4 }, g);
      const t1 = el("text", { x: 7, y: 14, class: "data-line", "data-testid": "data" }, g);
      const name = el("tspan", { class: "name" }, t1);
      name.textContent = nodeName(n);
      const value = document.createTextNode(n.kind === "constant" ? "" : ` = ${fmtFit(n.data)}`);
      t1.appendChild(value);
      dataTexts.set(v.id, value);
      const t2 = el("text", { x: 7, y: 29, class: "grad-line", "data-testid": "grad" }, g);
      gradTexts.set(v.id, t2);
      if (!n.inputs.length && onLeafClick) {
        g.classList.add("clickable");
        g.addEventListener("click", () => onLeafClick(graph.nodes[v.id]));
      }
      groups.set(`v${v.id}`, g);
    }
    applyFit(room);
    box.appendChild(svg);
    reveal(graph.output);  // a graph wider than the box scrolls with its output in view
  }

  /** Scroll the box (not the page) the least that brings value `id`'s box into view, a margin
   *  around it; the output is at the right end, so a wide graph opens at its right edge. */
  function reveal(id, margin = 10) {
    const v = layout?.values.find((u) => u.id === id);
    if (!v) return;
    const s = stats.scale ?? 1;
    const left = (v.x - v.w / 2) * s - margin;
    const right = (v.x + v.w / 2) * s + margin;
    const top = (v.y - v.h / 2) * s - margin;
    const bottom = (v.y + v.h / 2) * s + margin;
    const w = box.clientWidth;
    const h = box.clientHeight;
    if (right > box.scrollLeft + w) box.scrollLeft = right - w;
    if (left < box.scrollLeft) box.scrollLeft = Math.max(0, left);
    if (bottom > box.scrollTop + h) box.scrollTop = bottom - h;
    if (top < box.scrollTop) box.scrollTop = Math.max(0, top);
  }

  // "fit": the whole graph in the box, but never below MIN_SCALE (then it scrolls, the output
  // in view) nor above MAX_SCALE; "100%": 1:1. MIN_SCALE keeps the 12 px text at 9 px.
  const MIN_SCALE = 0.75;
  const MAX_SCALE = 1.5;
  function roomOf() {
    const cw = Math.max(100, box.clientWidth - 4);
    // a box whose height follows its content (tablets) fits by its max-height
    const cap = parseFloat(getComputedStyle(box).maxHeight);
    const ch = Math.max(100, (Number.isFinite(cap) ? cap : box.clientHeight) - 4);
    return { cw, ch };
  }

  function applyFit(room = null) {
    if (!svg) return;
    const w = Math.ceil(layout.width);
    const h = Math.ceil(layout.height);
    let scale = 1;
    if (fit) {
      const { cw, ch } = room ?? roomOf();
      scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, cw / w, ch / h));
    }
    svg.setAttribute("width", String(Math.round(w * scale)));
    svg.setAttribute("height", String(Math.round(h * scale)));
    stats.scale = scale;
  }

  /** known: Map id -> grad; active: {node, children}. */
  function render(known, active) {
    if (!graph) return;
    for (const [id, t] of gradTexts) {
      const has = known.has(id);
      const text = has ? `grad ${fmtFit(known.get(id))}` : "grad ?";
      if (t.textContent !== text) t.textContent = text;
      const flag = has ? "1" : "0";
      if (t.getAttribute("data-known") !== flag) {
        t.setAttribute("data-known", flag);
        t.classList.toggle("unknown", !has);
      }
    }
    for (const g of groups.values()) g.classList.remove("active", "updated");
    if (active.node != null) {
      groups.get(`v${active.node}`)?.classList.add("active");
      groups.get(`o${active.node}`)?.classList.add("active");
      for (const c of active.children) groups.get(`v${c}`)?.classList.add("updated");
    }
    // the edges into the active node, drawn again on top in the highlight colour
    const key = active.node ?? "";
    if (key !== litKey) {
      litKey = key;
      const into = active.node == null ? [] : layout.edges.filter((e) => e.to === active.node);
      const p = edgePaths(into);
      lit.lines.setAttribute("d", p.lines);
      lit.heads.setAttribute("d", p.heads);
      lit.lines.dataset.to = String(key);
    }
  }

  /** Outline the value boxes whose labels are in `labels` (a what-if's changed weights); a box
   *  newly changed is scrolled into view, so the learner sees the change they just made. */
  let changed = new Set();
  function markChanged(labels) {
    let fresh = null;
    for (const [key, g] of groups) {
      if (key[0] !== "v") continue;
      const on = labels.has(g.dataset.label);
      g.classList.toggle("changed", on);
      if (on && !changed.has(g.dataset.label) && fresh == null) fresh = Number(g.dataset.id);
    }
    changed = new Set(labels);
    if (fresh != null) reveal(fresh);
  }

  window.addEventListener("resize", () => applyFit());

  return {
    setGraph, render, markChanged, stats, reveal,
    setFit(v) { fit = v; applyFit(); reveal(graph?.output); },
    get fit() { return fit; },
    get layout() { return layout; },
  };
}
