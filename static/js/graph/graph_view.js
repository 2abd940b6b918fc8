// Draws an exported graph as SVG: value boxes (name = data, grad) and op circles, laid out by
// layout.js. render(known, active) only rewrites the grad texts and highlights: it never
// recomputes a gradient, it shows the ones the engine exported.
import { fmt, nodeName } from "./format.js";
import { BOX_H, layoutGraph } from "./layout.js";

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

export function createGraphView(box, dagre, { onLeafClick } = {}) {
  let svg = null;
  let graph = null;
  let layout = null;
  let gradTexts = new Map();
  let groups = new Map();
  let fit = true;
  const stats = { layoutMs: 0, drawMs: 0, nodes: 0 };

  function setGraph(g) {
    graph = g;
    const t0 = performance.now();
    layout = layoutGraph(g, dagre);
    const t1 = performance.now();
    draw();
    stats.layoutMs = t1 - t0;
    stats.drawMs = performance.now() - t1;
    stats.nodes = g.nodes.length;
    return stats;
  }

  function draw() {
    box.textContent = "";
    gradTexts = new Map();
    groups = new Map();
    svg = el("svg", { viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
      role: "img", "aria-label": `computational graph with ${graph.nodes.length} values`,
      "data-testid": "graph-svg" });
    const defs = el("defs", {}, svg);
    const marker = el("marker", { id: "arrow", viewBox: "0 0 8 8", refX: "7", refY: "4",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L8,4 L0,8 z", fill: "#8a94a0" }, marker);
    const edgeLayer = el("g", { class: "edges" }, svg);
    for (const e of layout.edges) {
      const d = e.points.map((p, i) => `${i ? "L" : "M"}${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" ");
      el("path", { d, class: `edge ${e.kind}`, "data-from": e.from, "data-to": e.to,
        "marker-end": "url(#arrow)" }, edgeLayer);
    }
    const nodeLayer = el("g", { class: "nodes" }, svg);
    for (const o of layout.ops) {
      const g = el("g", { class: "op", "data-id": o.id, transform: `translate(${o.x},${o.y})` }, nodeLayer);
      el("circle", { r: o.r }, g);
      const t = el("text", { "text-anchor": "middle", dy: "0.35em" }, g);
      t.textContent = o.symbol;
      groups.set(`o${o.id}`, g);
    }
    for (const v of layout.values) {
      const n = graph.nodes[v.id];
      const g = el("g", { class: `value ${n.kind}`, "data-id": v.id,
        "data-testid": `node-${n.label || v.id}`, "data-label": n.label,
        transform: `translate(${v.x - v.w / 2},${v.y - v.h / 2})` }, nodeLayer);
      el("rect", { width: v.w, height: BOX_H, rx: 4 }, g);
      const t1 = el("text", { x: 7, y: 14, class: "data-line", "data-testid": "data" }, g);
      const name = el("tspan", { class: "name" }, t1);
      name.textContent = nodeName(n);
      const val = el("tspan", {}, t1);
      val.textContent = n.kind === "constant" ? "" : ` = ${fmt(n.data)}`;
      const t2 = el("text", { x: 7, y: 29, class: "grad-line", "data-testid": "grad" }, g);
      gradTexts.set(v.id, t2);
      if (!n.inputs.length && onLeafClick) {
        g.classList.add("clickable");
        g.addEventListener("click", () => onLeafClick(n));
      }
      groups.set(`v${v.id}`, g);
    }
    box.appendChild(svg);
    applyFit();
  }

  // "fit": the whole graph in the box, but never below MIN_SCALE (then it scrolls) nor above
  // MAX_SCALE; unchecked: 1:1.
  const MIN_SCALE = 0.8;
  const MAX_SCALE = 1.5;
  function applyFit() {
    if (!svg) return;
    const w = Math.ceil(layout.width);
    const h = Math.ceil(layout.height);
    let scale = 1;
    if (fit) {
      const cw = Math.max(100, box.clientWidth - 4);
      // a box whose height follows its content (tablets) fits by its max-height
      const cap = parseFloat(getComputedStyle(box).maxHeight);
      const ch = Math.max(100, (Number.isFinite(cap) ? cap : box.clientHeight) - 4);
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
      t.textContent = has ? `grad ${fmt(known.get(id))}` : "grad ?";
      t.classList.toggle("unknown", !has);
      t.setAttribute("data-known", has ? "1" : "0");
    }
    for (const g of groups.values()) g.classList.remove("active", "updated");
    if (active.node != null) {
      groups.get(`v${active.node}`)?.classList.add("active");
      groups.get(`o${active.node}`)?.classList.add("active");
      for (const c of active.children) groups.get(`v${c}`)?.classList.add("updated");
    }
    for (const p of svg.querySelectorAll("path.edge")) {
      const lit = active.node != null && Number(p.dataset.to) === active.node;
      p.classList.toggle("lit", lit);
    }
  }

  window.addEventListener("resize", applyFit);

  return {
    setGraph, render, stats,
    setFit(v) { fit = v; applyFit(); },
    get layout() { return layout; },
  };
}
