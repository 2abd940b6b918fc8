// The network diagram: one column per layer, each neuron a square carrying its own mini heatmap
// (what it computes over the input square), edges whose width is |w| and whose colour is the
// sign. The gradient toggle shows dL/dw instead, with the largest emphasised. Hover shows
// values; clicking two edges or biases picks the loss surface's axes; clicking a neuron picks the
// activation view's neuron. Drawn on a canvas; edges are batched into a few paths, kept in a
// layer of their own and stroked again only when their look changed.

import { sizedCanvas } from "./canvas_size.js";
import { CLASS_COLORS, MUTED, NEGATIVE, POSITIVE, SELECTED, TEXT, divergingRgb, fmt, hexToRgb } from "./colors.js";

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function pack(r, g, b) {
  return littleEndian ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

const FEATURE_FUNCTIONS = {
  x1: (a) => a, x2: (a, b) => b, x1_sq: (a) => a * a, x2_sq: (a, b) => b * b,
  x1x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};
const FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin x₁", sin_x2: "sin x₂" };
const WIDTH_LEVELS = 8;
const INPUT_RES = 24;

/** The name of parameter (layer l from 1, row i = target neuron, column j = source neuron). */
export function paramName(layer, i, j) {
  return j == null ? `b${layer}[${i}]` : `W${layer}[${i},${j}]`;
}

/** LUT: value (from lo/hi-quantized byte) on the diverging scale around 0, scaled by max |v|. */
function signedLut(lo, hi) {
  const s = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const lut = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const v = lo + (q * (hi - lo)) / 255;
    const [r, g, b] = divergingRgb((v / s) * 0.9);
    lut[q] = pack(r | 0, g | 0, b | 0);
  }
  return lut;
}

function tintLut(hex) {
  const [R, G, B] = hexToRgb(hex);
  const lut = new Uint32Array(256);
  for (let q = 0; q < 256; q++) {
    const t = q / 255;
    lut[q] = pack((250 + (R - 250) * t) | 0, (250 + (G - 250) * t) | 0, (250 + (B - 250) * t) | 0);
  }
  return lut;
}

export function createNetworkView(canvas, tooltip, legendEl, state) {
  const sized = sizedCanvas(canvas);
  const atlas = document.createElement("canvas");   // hidden neurons' images side by side
  const atlasCtx = atlas.getContext("2d");
  let atlasData = null;
  const outAtlas = document.createElement("canvas"); // output units' images
  const outCtx = outAtlas.getContext("2d");
  let outData = null;
  const inAtlas = document.createElement("canvas");  // input features' images (computed here)
  const edgeLayer = document.createElement("canvas"); // the edges, stroked again only when they look different
  const edgeCtx = edgeLayer.getContext("2d");
  let edgeKey = "";
  let inKey = "";
  let layout = null;      // {nodes: [[{x, y, s}]], edges: [...], biases: [...]}
  let layoutKey = "";
  let hover = null;       // {kind, ...} under the pointer
  let pointer = null;     // {x, y}
  let pendingAxis = null; // first clicked parameter name, until the second click
  let lastKey = "";
  let legendKey = "";
  const view = { renders: 0, layout: () => layout };

  // ---- layout ---------------------------------------------------------------------------
  function computeLayout(sizes) {
    const { width, height } = sized;
    const top = 22;
    const bottom = 8;
    const left = 44;
    const right = 16;
    const maxN = Math.max(...sizes);
    const s = Math.max(5, Math.min(34, Math.floor((height - top - bottom) / (maxN * 1.3))));
    const gap = maxN > 1 ? Math.min(s * 0.6, (height - top - bottom - maxN * s) / (maxN - 1)) : 0;
    const cols = sizes.length;
    const colGap = cols > 1 ? (width - left - right - s) / (cols - 1) : 0;
    const nodes = sizes.map((n, l) => {
      const colH = n * s + (n - 1) * gap;
      const y0 = top + (height - top - bottom - colH) / 2;
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

  function paramIndex(header, layer, i, j) {
    const L = header.layers[layer - 1];
    const cols = L.shape[1];
    return L.offset + i * cols + (j == null ? cols - 1 : j);
  }

  // ---- node images --------------------------------------------------------------------
  function paintInputs(header) {
    const feats = header.input_dim === 2 ? header.config.features : ["x"];
    const key = `${feats.join()}|${JSON.stringify(header.domain)}`;
    if (key === inKey) return;
    inKey = key;
    const r = INPUT_RES;
    inAtlas.width = r * feats.length;
    inAtlas.height = r;
    const ctx = inAtlas.getContext("2d");
    const img = ctx.createImageData(inAtlas.width, r);
    const px = new Uint32Array(img.data.buffer);
    const [[a0, a1], [b0, b1]] = header.domain.length === 2 ? header.domain : [header.domain[0], [0, 1]];
    feats.forEach((f, n) => {
      const fn = FEATURE_FUNCTIONS[f] ?? ((a) => a);
      const vals = new Float32Array(r * r);
      let m = 0;
      for (let rr = 0; rr < r; rr++) {
        for (let c = 0; c < r; c++) {
          const a = a0 + ((a1 - a0) * c) / (r - 1);
          const b = b0 + ((b1 - b0) * rr) / (r - 1);
          const v = header.input_dim === 2 ? fn(a, b) : a - (a0 + a1) / 2;
          vals[rr * r + c] = v;
          m = Math.max(m, Math.abs(v));
        }
      }
      for (let rr = 0; rr < r; rr++) {
        for (let c = 0; c < r; c++) {
          const [R, G, B] = divergingRgb((vals[rr * r + c] / (m || 1)) * 0.9);
          px[(r - 1 - rr) * inAtlas.width + n * r + c] = pack(R | 0, G | 0, B | 0);
        }
      }
    });
    ctx.putImageData(img, 0, 0);
  }

  function paintHidden(grids) {
    if (!grids || !grids.bytes || grids.shape.length !== 3) return false;
    const [N, r] = grids.shape;
    if (atlas.width !== N * r || atlas.height !== r) {
      atlas.width = N * r;
      atlas.height = r;
      atlasData = atlasCtx.createImageData(N * r, r);
    }
    const px = new Uint32Array(atlasData.data.buffer);
    const lut = signedLut(grids.lo, grids.hi);
    const bytes = grids.bytes;
    const W = N * r;
    for (let n = 0; n < N; n++) {
      const base = n * r * r;
      for (let rr = 0; rr < r; rr++) {
        const dst = (r - 1 - rr) * W + n * r;
        const src = base + rr * r;
        for (let c = 0; c < r; c++) px[dst + c] = lut[bytes[src + c]];
      }
    }
    atlasCtx.putImageData(atlasData, 0, 0);
    return true;
  }

  function paintOutput(grid, task) {
    if (!grid || !grid.bytes || grid.shape.length !== 3) return false;
    const [R, , K] = grid.shape;
    // the node images need far less than R: take every `step`th sample
    const step = Math.max(1, Math.floor(R / 34));
    const r = Math.floor((R - 1) / step) + 1;
    if (outAtlas.width !== r * K || outAtlas.height !== r) {
      outAtlas.width = r * K;
      outAtlas.height = r;
      outData = outCtx.createImageData(r * K, r);
    }
    const px = new Uint32Array(outData.data.buffer);
    const W = r * K;
    for (let k = 0; k < K; k++) {
      const lut = K > 1 ? tintLut(CLASS_COLORS[k % CLASS_COLORS.length])
        : task === "regression" ? signedLut(grid.lo, grid.hi) : centeredLut(grid.lo, grid.hi);
      for (let rr = 0; rr < r; rr++) {
        for (let c = 0; c < r; c++) {
          px[(r - 1 - rr) * W + k * r + c] = lut[grid.bytes[((rr * step) * R + c * step) * K + k]];
        }
      }
    }
    outCtx.putImageData(outData, 0, 0);
    return true;
  }

  /** Probability-like output: 0.5 is neutral. */
  function centeredLut(lo, hi) {
    const lut = new Uint32Array(256);
    for (let q = 0; q < 256; q++) {
      const v = lo + (q * (hi - lo)) / 255;
      const [r, g, b] = divergingRgb((v - 0.5) * 2 * 0.9);
      lut[q] = pack(r | 0, g | 0, b | 0);
    }
    return lut;
  }

  function drawCurve(ctx, node, values, offset, count, stride, lo, hi) {
    ctx.fillStyle = "#fff";
    ctx.fillRect(node.x, node.y, node.s, node.s);
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 1;
    ctx.beginPath();
    const span = hi - lo || 1;
    for (let k = 0; k < count; k++) {
      const v = values[offset + k * stride];
      const x = node.x + (k / (count - 1)) * node.s;
      const y = node.y + node.s - ((v - lo) / span) * node.s;
      if (k) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
    }
    ctx.stroke();
  }

  // ---- drawing --------------------------------------------------------------------------
  function edgeValues(snap, ui) {
    const useGrad = ui.edgeValues === "gradients" && snap.gradients;
    return useGrad ? snap.gradients : snap.weights;
  }

  /**
   * Stroke the edges (and the chosen axes under them) into the edge layer. Each edge's look is
   * one of a few width/opacity levels per sign, so while training nudges the weights the
   * picture of the edges usually stays the same: it is only stroked again when a level, the
   * chosen axes, the mode or the layout changed.
   */
  function paintEdges(h, values, gradMode, scale, chosen) {
    const { edges, s } = layout;
    const levels = new Int8Array(edges.length).fill(-1);  // sign * WIDTH_LEVELS + level; -1: not drawn
    if (values) {
      edges.forEach((e, k) => {
        const v = values[paramIndex(h, e.layer, e.i, e.j)];
        if (!Number.isFinite(v)) return;
        const m = Math.min(1, Math.abs(v) / scale);
        const level = Math.min(WIDTH_LEVELS - 1, Math.floor((gradMode ? m ** 0.6 : m) * WIDTH_LEVELS));
        levels[k] = (v >= 0 ? WIDTH_LEVELS : 0) + level;
      });
    }
    const key = `${layoutKey}|${sized.dpr}|${gradMode}|${[...chosen].join()}|${levels.join()}`;
    if (key === edgeKey) return;
    edgeKey = key;
    const ctx = edgeCtx;
    edgeLayer.width = Math.round(sized.width * sized.dpr);   // also clears it
    edgeLayer.height = Math.round(sized.height * sized.dpr);
    ctx.setTransform(sized.dpr, 0, 0, sized.dpr, 0, 0);
    ctx.lineCap = "round";
    // selected axes under everything
    for (const e of edges) {
      if (!chosen.has(e.name)) continue;
      ctx.strokeStyle = "rgba(142,36,170,0.45)";
      ctx.lineWidth = 9;
      ctx.beginPath();
      ctx.moveTo(e.x0, e.y0);
      ctx.bezierCurveTo(e.cx, e.y0, e.cx, e.y1, e.x1, e.y1);
      ctx.stroke();
    }
    // one path per sign and level, negative first, thin under thick
    const maxW = Math.max(3, Math.min(8, s * 0.3));
    for (let code = 0; code < WIDTH_LEVELS * 2; code++) {
      if (!levels.includes(code)) continue;
      const sign = code >= WIDTH_LEVELS ? 1 : 0;
      const level = code % WIDTH_LEVELS;
      const t = (level + 0.5) / WIDTH_LEVELS;
      const [r, g, b] = hexToRgb(sign ? POSITIVE : NEGATIVE);
      const alpha = gradMode ? 0.12 + 0.88 * t ** 1.5 : 0.3 + 0.6 * t;
      ctx.strokeStyle = `rgba(${r},${g},${b},${alpha})`;
      ctx.lineWidth = gradMode ? 0.4 + maxW * t ** 1.3 : 0.5 + maxW * t;
      ctx.beginPath();
      edges.forEach((e, k) => {
        if (levels[k] !== code) return;
        ctx.moveTo(e.x0, e.y0);
        ctx.bezierCurveTo(e.cx, e.y0, e.cx, e.y1, e.x1, e.y1);
      });
      ctx.stroke();
    }
  }

  function draw(snap, ui) {
    const ctx = sized.ctx;
    const h = snap.header;
    const sizes = h.layer_sizes;
    const key = `${sizes.join()}|${sized.width}x${sized.height}`;
    if (key !== layoutKey) {
      layoutKey = key;
      layout = computeLayout(sizes);
    }
    const { nodes, edges, biases, s } = layout;
    sized.clear();
    const values = edgeValues(snap, ui);
    const gradMode = Boolean(ui.edgeValues === "gradients" && snap.gradients);

    // edge scale: weights show their size up to 1, beyond it relative to the largest;
    // gradients are always relative to the largest (they are tiny late in training)
    let maxAbs = 0;
    if (values) for (const e of edges) maxAbs = Math.max(maxAbs, Math.abs(values[paramIndex(h, e.layer, e.i, e.j)]));
    const scale = gradMode ? maxAbs || 1 : Math.max(1, maxAbs);
    const chosen = new Set(ui.surfaceParams);
    if (pendingAxis) chosen.add(pendingAxis);
    paintEdges(h, values, gradMode, scale, chosen);
    ctx.drawImage(edgeLayer, 0, 0, sized.width, sized.height);

    // node images
    paintInputs(h);
    const hiddenOk = paintHidden(snap.hiddenGrids);
    const outputOk = paintOutput(snap.outputGrid, h.task);
    ctx.imageSmoothingEnabled = true;
    const L = sizes.length - 1;
    let hiddenIndex = 0;
    const sel = ui.neuron;
    for (let l = 0; l <= L; l++) {
      for (const node of nodes[l]) {
        const { x, y } = node;
        if (l === 0) {
          ctx.drawImage(inAtlas, node.index * INPUT_RES, 0, INPUT_RES, INPUT_RES, x, y, s, s);
        } else if (l < L) {
          const g = snap.hiddenGrids;
          if (hiddenOk) {
            const r = g.shape[1];
            ctx.drawImage(atlas, hiddenIndex * r, 0, r, r, x, y, s, s);
          } else if (g && g.shape.length === 2) {
            const r = g.shape[1];
            const lo = g.lo ?? -1;
            const hi = g.hi ?? 1;
            drawCurve(ctx, node, g.values, hiddenIndex * r, r, 1, Math.min(lo, -1), Math.max(hi, 1));
          } else {
            ctx.fillStyle = "#eee";
            ctx.fillRect(x, y, s, s);
          }
          hiddenIndex += 1;
        } else {
          const g = snap.outputGrid;
          if (outputOk) {
            const r = outAtlas.height;
            ctx.drawImage(outAtlas, node.index * r, 0, r, r, x, y, s, s);
          } else if (g && g.shape.length === 2) {
            const [R, K] = g.shape;
            let lo = Infinity;
            let hi = -Infinity;
            for (let k = 0; k < R; k++) {
              lo = Math.min(lo, g.values[k * K + node.index]);
              hi = Math.max(hi, g.values[k * K + node.index]);
            }
            if (h.task !== "regression") { lo = 0; hi = 1; }
            drawCurve(ctx, node, g.values, node.index, R, K, lo, hi);
          } else {
            ctx.fillStyle = "#eee";
            ctx.fillRect(x, y, s, s);
          }
        }
        const selected = l > 0 && sel && sel[0] === l && sel[1] === node.index;
        ctx.strokeStyle = selected ? "#111" : "#9aa0a6";
        ctx.lineWidth = selected ? 2.5 : 1;
        ctx.strokeRect(x - 0.5, y - 0.5, s + 1, s + 1);
      }
    }
    // biases: a small square at each neuron's lower left, coloured by sign, sized by |b|
    if (values) {
      for (const b of biases) {
        const v = values[paramIndex(h, b.layer, b.i)];
        const m = Math.min(1, Math.abs(v) / scale);
        const [r, g, bb] = divergingRgb((v >= 0 ? 1 : -1) * (0.25 + 0.75 * m));
        ctx.fillStyle = `rgb(${r | 0},${g | 0},${bb | 0})`;
        ctx.fillRect(b.x, b.y, b.b, b.b);
        ctx.strokeStyle = chosen.has(b.name) ? SELECTED : "#777";
        ctx.lineWidth = chosen.has(b.name) ? 2.5 : 0.75;
        ctx.strokeRect(b.x - 0.5, b.y - 0.5, b.b + 1, b.b + 1);
      }
    }

    // labels
    ctx.fillStyle = TEXT;
    ctx.font = "10.5px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const colGap = L > 0 ? nodes[1][0].x - nodes[0][0].x : sized.width;
    const short = colGap < 84;
    for (let l = 0; l <= L; l++) {
      const x = nodes[l][0].x + s / 2;
      const text = l === 0 ? (short ? "in" : "input") : l === L ? (short ? "out" : "output") : short ? `h${l}` : `hidden ${l}`;
      ctx.fillText(`${text} (${sizes[l]})`, Math.max(26, Math.min(sized.width - 26, x)), 3);
    }
    if (s >= 10) {
      const feats = h.input_dim === 2 ? h.config.features : ["x"];
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillStyle = MUTED;
      nodes[0].forEach((node, i) => ctx.fillText(FEATURE_LABELS[feats[i]] ?? feats[i], node.x - 4, node.y + s / 2));
    }
    if (pendingAxis) {
      ctx.fillStyle = SELECTED;
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.fillText(`axis 1: ${pendingAxis}; click a second edge or bias`, 4, sized.height - 2);
    }
    updateTooltip(snap, ui);
    updateLegend(h, gradMode, maxAbs);
  }

  function updateLegend(h, gradMode, maxAbs) {
    const key = `${gradMode}|${fmt(maxAbs, 2)}`;
    if (key === legendKey) return;
    legendKey = key;
    const sw = (c) => `<span class="swatch" style="background:${c}"></span>`;
    legendEl.innerHTML = gradMode
      ? `Edges: ∂L/∂w over the full training set; width and opacity ∝ |∂L/∂w| (largest = ${fmt(maxAbs, 2)}). ${sw(POSITIVE)}positive ${sw(NEGATIVE)}negative (the step goes the other way).`
      : `Edges: width ∝ |w| (largest |w| = ${fmt(maxAbs, 2)}). ${sw(POSITIVE)}positive ${sw(NEGATIVE)}negative. Squares: each neuron's output over the input square; small square = bias.`
        + " Click a neuron for its activation; click two edges/biases for the loss-surface axes.";
  }

  // ---- pointer: hover and click -----------------------------------------------------------
  function bezierPoint(e, t) {
    const u = 1 - t;
    const x = u * u * u * e.x0 + 3 * u * u * t * e.cx + 3 * u * t * t * e.cx + t * t * t * e.x1;
    const y = u * u * u * e.y0 + 3 * u * u * t * e.y0 + 3 * u * t * t * e.y1 + t * t * t * e.y1;
    return [x, y];
  }

  function hitTest(x, y) {
    if (!layout) return null;
    for (const b of layout.biases) {
      if (x >= b.x - 2 && x <= b.x + b.b + 2 && y >= b.y - 2 && y <= b.y + b.b + 2) return { kind: "bias", ...b };
    }
    for (const col of layout.nodes) {
      for (const n of col) {
        if (x >= n.x && x <= n.x + n.s && y >= n.y && y <= n.y + n.s) return { kind: "node", ...n };
      }
    }
    let best = null;
    let bestD = 5 * 5;
    for (const e of layout.edges) {
      if (x < Math.min(e.x0, e.x1) - 4 || x > Math.max(e.x0, e.x1) + 4) continue;
      for (let k = 0; k <= 16; k++) {
        const [px, py] = bezierPoint(e, k / 16);
        const d = (px - x) ** 2 + (py - y) ** 2;
        if (d < bestD) {
          bestD = d;
          best = e;
        }
      }
    }
    return best ? { kind: "edge", ...best } : null;
  }

  function neuronName(h, layer, index) {
    const L = h.layer_sizes.length - 1;
    if (layer === 0) {
      const feats = h.input_dim === 2 ? h.config.features : ["x"];
      return FEATURE_LABELS[feats[index]] ?? feats[index];
    }
    return layer === L ? `output ${index}` : `h${layer}.${index}`;
  }

  function updateTooltip(snap, ui) {
    if (!hover || !pointer || !snap.header) {
      if (!tooltip.hidden) tooltip.hidden = true;
      return;
    }
    const h = snap.header;
    let html = "";
    if (hover.kind === "edge" || hover.kind === "bias") {
      const idx = paramIndex(h, hover.layer, hover.i, hover.kind === "edge" ? hover.j : null);
      const w = snap.weights?.[idx];
      const g = snap.gradients?.[idx];
      const what = hover.kind === "edge"
        ? `${neuronName(h, hover.layer - 1, hover.j)} → ${neuronName(h, hover.layer, hover.i)}`
        : `bias of ${neuronName(h, hover.layer, hover.i)}`;
      html = `<b>${hover.name}</b> ${what}<br>value ${fmt(w, 6)}<br>∂L/∂${hover.kind === "edge" ? "w" : "b"} ${fmt(g, 6)}<br><i>click: loss-surface axis; double-click: set it</i>`;
    } else if (hover.kind === "node") {
      const L = h.layer_sizes.length - 1;
      if (hover.layer === 0) {
        html = `<b>input ${neuronName(h, 0, hover.index)}</b><br>the feature over the input square`;
      } else {
        const sat = hover.layer < L ? h.diagnostics?.saturation?.[hover.layer - 1] : null;
        html = `<b>${neuronName(h, hover.layer, hover.index)}</b><br>its output over the input square`
          + (sat != null ? `<br>layer saturation ${(sat * 100).toFixed(0)}%` : "")
          + "<br><i>click: show its activation</i>";
      }
    }
    tooltip.innerHTML = html;
    tooltip.hidden = false;
    const box = canvas.getBoundingClientRect();
    const tw = tooltip.offsetWidth;
    const left = pointer.x + 14 + tw > box.width ? pointer.x - tw - 10 : pointer.x + 14;
    tooltip.style.left = `${Math.max(0, left)}px`;
    tooltip.style.top = `${Math.max(0, pointer.y + 12)}px`;
  }

  canvas.addEventListener("pointermove", (e) => {
    const r = canvas.getBoundingClientRect();
    pointer = { x: e.clientX - r.left, y: e.clientY - r.top };
    hover = hitTest(pointer.x, pointer.y);
    canvas.style.cursor = hover && hover.layer > 0 ? "pointer" : hover?.kind === "edge" || hover?.kind === "bias" ? "pointer" : "default";
    view.lastSnap && updateTooltip(view.lastSnap, state.ui);
  });
  canvas.addEventListener("pointerleave", () => {
    hover = null;
    pointer = null;
    tooltip.hidden = true;
  });
  canvas.addEventListener("click", (e) => {
    const r = canvas.getBoundingClientRect();
    const hit = hitTest(e.clientX - r.left, e.clientY - r.top);
    if (!hit) return;
    if (hit.kind === "node") {
      if (hit.layer > 0) state.setUi({ neuron: [hit.layer, hit.index] });
      return;
    }
    if (!pendingAxis || pendingAxis === hit.name) {
      pendingAxis = hit.name;
      lastKey = "";
      view.requestRedraw?.();
      return;
    }
    const pair = [pendingAxis, hit.name];
    pendingAxis = null;
    lastKey = "";
    state.setUi({ surfaceParams: pair, surfaceMode: "params" });
  });

  view.render = function render(snap, ui) {
    if (!snap.header || !snap.weights) return false;
    view.lastSnap = snap;
    const key = `${snap.stamps.weights}|${snap.stamps.hidden}|${snap.stamps.output}|${ui.edgeValues}|${ui.surfaceParams.join()}|${ui.neuron.join()}`;
    const resized = sized.changed();
    if (key === lastKey && !resized) return false;
    lastKey = key;
    draw(snap, ui);
    view.renders += 1;
    return true;
  };
  view.pendingAxis = () => pendingAxis;
  /** The edge or bias under a pointer (client coordinates): {kind, name, layer, i, j} or null. */
  view.paramAt = (clientX, clientY) => {
    const r = canvas.getBoundingClientRect();
    const hit = hitTest(clientX - r.left, clientY - r.top);
    return hit && (hit.kind === "edge" || hit.kind === "bias") ? hit : null;
  };
  /** Where a parameter is drawn, in client coordinates (edge midpoint, bias centre), or null. */
  view.paramAnchor = (name) => {
    const r = canvas.getBoundingClientRect();
    const b = layout?.biases.find((q) => q.name === name);
    if (b) return { x: r.left + b.x + b.b / 2, y: r.top + b.y + b.b / 2 };
    const e = layout?.edges.find((q) => q.name === name);
    if (!e) return null;
    const [x, y] = bezierPoint(e, 0.5);
    return { x: r.left + x, y: r.top + y };
  };
  return view;
}
