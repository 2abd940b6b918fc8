// The network diagram: one column per layer, each neuron a square carrying its own mini heatmap
// (what it computes over the input square), edges whose width is |w| and whose colour is the
// sign. The gradient toggle shows dL/dw instead, with the largest emphasised. Hover shows
// values; clicking two edges or biases picks the loss surface's axes; clicking a neuron picks the
// activation view's neuron. Drawn on a canvas; edges are batched into a few paths, kept in a
// layer of their own and stroked again only when their look changed.

import { sizedCanvas } from "./canvas_size.js";
import { CLASS_COLORS, MUTED, NEGATIVE, POSITIVE, SELECTED, TEXT, divergingRgb, hexToRgb } from "./colors.js";
import { formatChange, formatNumber as fmt, formatPercent, formatPrecise } from "./format.js";
import { createGridImage, divergingTable, packRgb, paintGrid, tintTable, unpackRgb } from "./heatmap.js";
import { FONT } from "./layout_constants.js";
import { currentInputs, sumFormula, sumTerms } from "./trace_format.js";
import { FUNCTIONS } from "./activation_view.js";
import { bezierPoint, computeLayout, edgeIndex, focusItem, hitTest, nextFocus, paramIndex, paramName, strongestEdges } from "./network_layout.js";
import { CODES, WIDTH_LEVELS, bucketEdges, straightMask } from "./edge_strokes.js";
import { BIAS_LEVELS, biasCode, biasShade, groupByCode } from "./fill_batches.js";

export { paramName };

const FEATURE_FUNCTIONS = {
  x1: (a) => a, x2: (a, b) => b, x1_sq: (a) => a * a, x2_sq: (a, b) => b * b,
  x1x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};
const FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1x2: "x₁x₂", sin_x1: "sin x₁", sin_x2: "sin x₂" };
const INPUT_RES = 24;
const NODE_GAIN = 0.9;
const TOUCH_REACH = 14;       // px around an edge a tap still finds it
const DOUBLE_CLICK_MS = 400; // two clicks on one item this close are a double-click (it edits); a click that completes an axis pair waits this long
const PICTURE_MIN = 12;      // px: smaller squares show one colour (the neuron's mean output), not a picture
const DENSE_EDGE_MS = 250;
// each bias shade's colour (fill_batches.js biasCode)
const BIAS_CSS = Array.from({ length: 2 * BIAS_LEVELS }, (_, c) => {
  const [r, g, b] = divergingRgb(biasShade(c));
  return `rgb(${r | 0},${g | 0},${b | 0})`;
});    // a dense band's edges are stroked again at most 4 times a second

/**
 * The network view. `state`: the client state (clicks write the view options); `requestRedraw`:
 * asks the wiring for an animation frame (e.g. after the first of two axis clicks, while paused);
 * `tracedExample`: the trace panel's latest POST /trace result or null (a hovered neuron's sum is
 * then written with that example's numbers); `live`: an aria-live element that reads out the
 * item the keyboard is on. Keyboard (the canvas takes the focus): arrows move between neurons
 * (network_layout.js nextFocus), E / B go to a neuron's weights / bias, Enter shows a neuron's
 * activation or opens the weight editor (a "param-edit" event on the canvas), A picks a weight
 * as a loss-surface axis, Escape goes back to the neuron.
 */
export function createNetworkView(canvas, tooltip, legendEl, state, { requestRedraw = () => {}, tracedExample = () => null, live = null } = {}) {
  const sized = sizedCanvas(canvas);
  const atlas = createGridImage();      // hidden neurons' images side by side
  const outAtlas = createGridImage();   // output units' images
  const inAtlas = createGridImage();    // input features' images (computed here)
  const edgeLayer = document.createElement("canvas"); // the edges, stroked again only when they look different
  const edgeCtx = edgeLayer.getContext("2d");
  let edgeKey = "";
  let inKey = "";
  let layout = null;      // {nodes: [[{x, y, s}]], edges: [...], biases: [...]}
  let layoutKey = "";
  let edgeIdx = null;     // each layout edge's index into the flat parameter vector
  let straight = null;    // per layout edge: 1 in a dense band (drawn straight); edge_strokes.js
  let edgeVals = null;    // per layout edge: the value drawn (weight or gradient), reused per frame
  let strokes = null;     // the shown edges grouped by stroke (bucketEdges; buffers reused)
  let shown = new Uint8Array(0);   // which edges the latest frame would draw (dense bands keep their strongest)
  let drawnMask = shown;           // which edges the edge layer shows (hit testing uses these)
  let hiddenNodes = [];            // the layout's hidden neurons in order (their grids' order)
  let biasIdx = null;              // each layout bias's index into the flat parameter vector
  let biasCodes = null;            // each bias's colour code this frame (fill_batches.js)
  let nodeFrames = null;           // Path2D: every framed neuron's frame
  let biasFrames = null;           // Path2D: every bias's frame
  let fills = null;                // groupByCode's buffers, reused
  let edgesPaintedAt = -Infinity;
  let edgesOwed = false;           // the edge layer is behind the latest frame (dense diagrams)
  let keyFocus = null;    // the item the keyboard is on: {kind: "node" | "edge" | "bias", ...}
  let hover = null;       // {kind, ...} under the pointer
  let pointer = null;     // {x, y}
  let pendingAxis = null; // first clicked parameter name, until the second click
  let lastKey = "";
  let legendKey = "";
  const view = { renders: 0, layout: () => layout };
  const pickPrompt = () => `${lastPointerType === "mouse" ? "click" : "tap"} a second edge or bias`;
  let lastPointerType = "mouse";   // of the last press: mouse clicks pick axes, taps read values
  let previousWeights = null;      // the frame before the latest (a tooltip shows the change)
  let latestWeights = null;

  // ---- node images --------------------------------------------------------------------
  function paintInputs(header) {
    const feats = header.input_dim === 2 ? header.config.features : ["x"];
    const key = `${feats.join()}|${JSON.stringify(header.domain)}`;
    if (key === inKey) return;
    inKey = key;
    const r = INPUT_RES;
    const W = r * feats.length;
    const px = inAtlas.ensure(W, r);
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
          const [R, G, B] = divergingRgb((vals[rr * r + c] / (m || 1)) * NODE_GAIN);
          px[(r - 1 - rr) * W + n * r + c] = packRgb(R, G, B);
        }
      }
    });
    inAtlas.commit();
  }

  function paintHidden(grids) {
    if (!grids || !grids.bytes || grids.shape.length !== 3) return false;
    const [N, r] = grids.shape;
    const px = atlas.ensure(N * r, r);
    const table = divergingTable({ lo: grids.lo, hi: grids.hi, center: 0, gain: NODE_GAIN });
    for (let n = 0; n < N; n++) {
      paintGrid(px, grids.bytes, table, { rows: r, cols: r, stride: N * r, x0: n * r, offset: n * r * r });
    }
    atlas.commit();
    return true;
  }

  function paintOutput(grid, task) {
    if (!grid || !grid.bytes || grid.shape.length !== 3) return false;
    const [R, , K] = grid.shape;
    // the node images need far less than R: take every `every`th sample
    const every = Math.max(1, Math.floor(R / 34));
    const r = Math.floor((R - 1) / every) + 1;
    const px = outAtlas.ensure(r * K, r);
    for (let k = 0; k < K; k++) {
      const table = K > 1 ? tintTable(CLASS_COLORS[k % CLASS_COLORS.length])
        : task === "regression" ? divergingTable({ lo: grid.lo, hi: grid.hi, center: 0, gain: NODE_GAIN })
          : divergingTable({ lo: grid.lo, hi: grid.hi, center: 0.5, scale: 0.5, gain: NODE_GAIN });
      paintGrid(px, grid.bytes, table, { rows: R, cols: R, every, stride: r * K, x0: k * r, channels: K, channel: k });
    }
    outAtlas.commit();
    return true;
  }

  /** Each hidden neuron's mean output over the input square as a colour code (squares too small
   *  for a picture are filled with it, by code: fill_batches.js), and each code's CSS colour. */
  function meanCodes(grid, table, count) {
    const { bytes } = grid;
    const per = bytes.length / count;   // samples per neuron
    const codes = new Int16Array(count);
    for (let n = 0; n < count; n++) {
      let sum = 0;
      for (let k = n * per, e = k + per; k < e; k++) sum += bytes[k];
      codes[n] = Math.round(sum / per);
    }
    const css = (code) => {
      const [r, g, b] = unpackRgb(table[code]);
      return `rgb(${r},${g},${b})`;
    };
    return { codes, css };
  }

  function flatColours(snap) {
    const h = snap.header;
    // one code per neuron as sent (hidden_means), else the mean of each picture's codes
    const hg = snap.hiddenMeans ?? snap.hiddenGrids;
    const og = snap.outputGrid;
    const hidden = hg && hg.bytes && (hg === snap.hiddenMeans || hg.shape.length === 3)
      ? meanCodes(hg, divergingTable({ lo: hg.lo, hi: hg.hi, center: 0, gain: NODE_GAIN }), hg.shape[0]) : null;
    let output = null;
    if (og && og.bytes && og.shape.length === 3) {
      const K = og.shape[2];
      output = Array.from({ length: K }, (_, k) => {
        const table = K > 1 ? tintTable(CLASS_COLORS[k % CLASS_COLORS.length])
          : h.task === "regression" ? divergingTable({ lo: og.lo, hi: og.hi, center: 0, gain: NODE_GAIN })
            : divergingTable({ lo: og.lo, hi: og.hi, center: 0.5, scale: 0.5, gain: NODE_GAIN });
        let sum = 0;
        for (let q = k; q < og.bytes.length; q += K) sum += og.bytes[q];
        const [r, g, b] = unpackRgb(table[Math.round(sum / (og.bytes.length / K))]);
        return `rgb(${r},${g},${b})`;
      });
    }
    return { hidden, output };
  }

  /** Squares of a few colours, one fill per colour: items[k] ({x, y, s} or {x, y, b}) has code
   *  codes[k] (< nCodes) drawn in css(code). */
  function fillByCode(ctx, items, codes, nCodes, css) {
    fills = groupByCode(codes, nCodes, fills);
    const { order, starts } = fills;
    for (let c = 0; c < nCodes; c++) {
      if (starts[c] === starts[c + 1]) continue;
      ctx.fillStyle = css(c);
      ctx.beginPath();
      for (let q = starts[c]; q < starts[c + 1]; q++) {
        const it = items[order[q]];
        const side = it.s ?? it.b;
        ctx.rect(it.x, it.y, side, side);
      }
      ctx.fill();
    }
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
  function paintEdges(values, gradMode, scale, chosen) {
    const { edges } = layout;
    // one pass over the shown edges: each one's stroke, and a hash of their looks
    strokes = values ? bucketEdges(values, shown, straight, scale, gradMode, strokes) : null;
    const hash = strokes ? strokes.hash : 0;
    const look = `${layoutKey}|${sized.dpr}|${gradMode}|${[...chosen].join()}`;
    const key = `${look}|${hash}`;
    if (key === edgeKey) return;
    // a dense diagram's edges change their look a little on every frame, and stroking them again
    // is most of the page's painting: they follow the weights DENSE_EDGE_MS behind at most
    const now = performance.now();
    const dense = layout.pairs.some((p) => p.limit < p.count);
    if (dense && edgeKey.startsWith(`${look}|`) && now - edgesPaintedAt < DENSE_EDGE_MS) {
      edgesOwed = true;
      return;
    }
    edgeKey = key;
    edgesPaintedAt = now;
    edgesOwed = false;
    drawnMask = shown;
    const ctx = edgeCtx;
    edgeLayer.width = Math.round(sized.width * sized.dpr);   // also clears it
    edgeLayer.height = Math.round(sized.height * sized.dpr);
    ctx.setTransform(sized.dpr, 0, 0, sized.dpr, 0, 0);
    ctx.lineCap = "round";
    // selected axes under everything (shown or not), in index order
    const picked = [...chosen].map((name) => edgeIndex(layout, name)).filter((k) => k >= 0).sort((a, b) => a - b);
    for (const k of picked) {
      const e = edges[k];
      ctx.strokeStyle = "rgba(142,36,170,0.45)";
      ctx.lineWidth = 9;
      ctx.beginPath();
      ctx.moveTo(e.x0, e.y0);
      ctx.bezierCurveTo(e.cx, e.y0, e.cx, e.y1, e.x1, e.y1);
      ctx.stroke();
    }
    if (strokes) strokeLevels(ctx, strokes, gradMode);
  }

  /** One path per sign and level, negative first, thin under thick (the buckets' order); dense
   *  bands with straight lines (a curve costs several times a line to stroke, and at that
   *  density looks the same). Visits only the edges drawn. */
  function strokeLevels(ctx, { order, starts }, gradMode) {
    const { edges, s } = layout;
    const maxW = Math.max(3, Math.min(8, s * 0.3));
    for (let code = 0; code < CODES; code++) {
      const c0 = starts[2 * code];        // curves: order[c0 .. l0), lines: order[l0 .. l1)
      const l0 = starts[2 * code + 1];
      const l1 = starts[2 * code + 2];
      if (c0 === l1) continue;
      const sign = code >= WIDTH_LEVELS ? 1 : 0;
      const level = code % WIDTH_LEVELS;
      const t = (level + 0.5) / WIDTH_LEVELS;
      const [r, g, b] = hexToRgb(sign ? POSITIVE : NEGATIVE);
      const alpha = gradMode ? 0.12 + 0.88 * t ** 1.5 : 0.3 + 0.6 * t;
      ctx.strokeStyle = `rgba(${r},${g},${b},${alpha})`;
      // the open bands: curves whose width is the value
      if (l0 > c0) {
        ctx.lineWidth = gradMode ? 0.4 + maxW * t ** 1.3 : 0.5 + maxW * t;
        ctx.beginPath();
        for (let q = c0; q < l0; q++) {
          const e = edges[order[q]];
          ctx.moveTo(e.x0, e.y0);
          ctx.bezierCurveTo(e.cx, e.y0, e.cx, e.y1, e.x1, e.y1);
        }
        ctx.stroke();
      }
      // dense bands: straight hairlines, the value in their opacity only (a wide stroke costs
      // several times a hairline to rasterize, and at that density widths cannot be told apart)
      if (l1 > l0) {
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (let q = l0; q < l1; q++) {
          const e = edges[order[q]];
          ctx.moveTo(e.x0, e.y0);
          ctx.lineTo(e.x1, e.y1);
        }
        ctx.stroke();
      }
    }
  }

  /** One neuron's picture: its image from the atlas, or its curve (1-D data), or a blank. */
  function drawNodeImage(ctx, snap, node, images) {
    const { x, y, s, layer: l } = node;
    const L = snap.header.layer_sizes.length - 1;
    if (l === 0) {
      ctx.drawImage(inAtlas.canvas, node.index * INPUT_RES, 0, INPUT_RES, INPUT_RES, x, y, s, s);
      return;
    }
    const g = l < L ? snap.hiddenGrids : snap.outputGrid;
    const flat = images.flat && l === L && images.flat.output?.[node.index];
    if (flat) {
      ctx.fillStyle = flat;
      ctx.fillRect(x, y, s, s);
    } else if (l < L && images.hidden) {
      const r = g.shape[1];
      ctx.drawImage(atlas.canvas, images.hiddenIndex * r, 0, r, r, x, y, s, s);
    } else if (l === L && images.output) {
      const r = outAtlas.canvas.height;
      ctx.drawImage(outAtlas.canvas, node.index * r, 0, r, r, x, y, s, s);
    } else if (l < L && g && g.shape.length === 2) {
      const r = g.shape[1];
      drawCurve(ctx, node, g.values, images.hiddenIndex * r, r, 1, Math.min(g.lo ?? -1, -1), Math.max(g.hi ?? 1, 1));
    } else if (l === L && g && g.shape.length === 2) {
      const [R, K] = g.shape;
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < R; k++) {
        lo = Math.min(lo, g.values[k * K + node.index]);
        hi = Math.max(hi, g.values[k * K + node.index]);
      }
      if (snap.header.task !== "regression") { lo = 0; hi = 1; }
      drawCurve(ctx, node, g.values, node.index, R, K, lo, hi);
    } else {
      ctx.fillStyle = "#eee";
      ctx.fillRect(x, y, s, s);
    }
  }

  /** Every neuron's square, framed; the activation view's neuron framed heavier. */
  function drawNodes(ctx, snap, ui) {
    const h = snap.header;
    paintInputs(h);
    // squares too small for a picture show one colour each, and no picture is painted
    const small = layout.s < PICTURE_MIN;
    // squares that grew past the size for pictures show the colours they have until pictures come
    const images = small || (!snap.hiddenGrids && snap.hiddenMeans) ? { flat: flatColours(snap), hiddenIndex: 0 }
      : { hidden: paintHidden(snap.hiddenGrids), output: paintOutput(snap.outputGrid, h.task), hiddenIndex: 0 };
    // the hidden squares' colour codes, filled by code below
    const flatHidden = images.flat?.hidden?.codes.length === hiddenNodes.length ? images.flat.hidden : null;
    ctx.imageSmoothingEnabled = true;
    const L = h.layer_sizes.length - 1;
    for (const column of layout.nodes) {
      for (const node of column) {
        const hidden = node.layer > 0 && node.layer < L;
        if (!(hidden && flatHidden)) drawNodeImage(ctx, snap, node, images);
        if (hidden) images.hiddenIndex += 1;
      }
    }
    if (flatHidden) fillByCode(ctx, hiddenNodes, flatHidden.codes, 256, flatHidden.css);
    // the frames in one stroke (tiny squares go unframed: their colour is the message)
    ctx.strokeStyle = "#9aa0a6";
    ctx.lineWidth = 1;
    ctx.stroke(nodeFrames);
    const sel = ui.neuron;
    const selected = sel && sel[0] > 0 ? layout.nodes[sel[0]]?.[sel[1]] : null;
    if (selected) {
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2.5;
      ctx.strokeRect(selected.x - 0.5, selected.y - 0.5, selected.s + 1, selected.s + 1);
    }
    const focused = keyFocus && keyFocus.kind === "node" && keyboardActive() ? layout.nodes[keyFocus.layer]?.[keyFocus.index] : null;
    if (focused) drawFocusOutline(ctx, focused.x, focused.y, focused.s, focused.s);
  }

  /** The keyboard's focus: a dark outline with a white halo around a box, readable on any colour. */
  function drawFocusOutline(ctx, x, y, w, h) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#fff";
    ctx.strokeRect(x - 3, y - 3, w + 6, h + 6);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#1a73e8";
    ctx.strokeRect(x - 3, y - 3, w + 6, h + 6);
  }

  /** The weight or bias the keyboard is on (a neuron's outline is drawn with the neurons). */
  function drawKeyFocus(ctx) {
    if (!keyFocus || !keyboardActive() || keyFocus.kind === "node") return;
    const item = focusItem(layout, keyFocus);
    if (!item) return;
    if (item.kind === "bias") {
      drawFocusOutline(ctx, item.x, item.y, item.b, item.b);
      return;
    }
    ctx.lineCap = "round";
    for (const [color, width] of [["#fff", 5], ["#1a73e8", 2.5]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(item.x0, item.y0);
      ctx.bezierCurveTo(item.cx, item.y0, item.cx, item.y1, item.x1, item.y1);
      ctx.stroke();
    }
  }

  /** Biases: a small square at each neuron's lower left, coloured by sign, shaded by |b| (one
   *  fill per shade, one stroke for the frames). */
  function drawBiases(ctx, h, values, scale, chosen) {
    if (!values) return;
    const { biases } = layout;
    for (let k = 0; k < biases.length; k++) biasCodes[k] = biasCode(values[biasIdx[k]], scale);
    fillByCode(ctx, biases, biasCodes, 2 * BIAS_LEVELS, (c) => BIAS_CSS[c]);
    ctx.strokeStyle = "#777";
    ctx.lineWidth = 0.75;
    ctx.stroke(biasFrames);
    ctx.strokeStyle = SELECTED;
    ctx.lineWidth = 2.5;
    for (const b of biases) if (chosen.has(b.name)) ctx.strokeRect(b.x - 0.5, b.y - 0.5, b.b + 1, b.b + 1);
  }

  /** Column titles, the input features' names, and the pending axis pick. */
  function drawLabels(ctx, h) {
    const { nodes, s } = layout;
    ctx.fillStyle = TEXT;
    ctx.font = FONT.label;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    // the titles' forms and rows come from the layout (never running together)
    for (const q of layout.labels) ctx.fillText(q.text, q.x, 3 + q.row * 12);
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
      ctx.fillText(`axis 1: ${pendingAxis}; ${pickPrompt()}`, 4, sized.height - 2);
    }
  }

  /** What a new layout's squares need every frame: the hidden squares in order, the biases'
   *  parameter indices, and the frames of both as one path each. */
  function layoutCaches(h) {
    hiddenNodes = layout.nodes.slice(1, -1).flat();
    biasIdx = Int32Array.from(layout.biases, (b) => paramIndex(h, b.layer, b.i));
    biasCodes = new Int16Array(layout.biases.length);
    nodeFrames = new Path2D();
    for (const column of layout.nodes) {
      for (const n of column) if (n.s >= 6) nodeFrames.rect(n.x - 0.5, n.y - 0.5, n.s + 1, n.s + 1);
    }
    biasFrames = new Path2D();
    for (const b of layout.biases) biasFrames.rect(b.x - 0.5, b.y - 0.5, b.b + 1, b.b + 1);
  }

  function draw(snap, ui) {
    const ctx = sized.ctx;
    const h = snap.header;
    const key = `${h.layer_sizes.join()}|${sized.width}x${sized.height}`;
    if (key !== layoutKey) {
      layoutKey = key;
      ctx.font = FONT.label;
      layout = computeLayout(h.layer_sizes, sized.width, sized.height, undefined, (t) => ctx.measureText(t).width);
      edgeIdx = Int32Array.from(layout.edges, (e) => paramIndex(h, e.layer, e.i, e.j));
      straight = straightMask(layout);
      edgeVals = new Float64Array(edgeIdx.length);
      strokes = null;
      layoutCaches(h);
      // frames carry what these squares can show: pictures, or one colour per neuron
      state.setUi({ hiddenDetail: layout.s < PICTURE_MIN ? "colours" : "pictures" });
    }
    sized.clear();
    const values = edgeValues(snap, ui);
    const gradMode = Boolean(ui.edgeValues === "gradients" && snap.gradients);
    // one value per edge; dense bands keep their strongest edges only (network_layout.js)
    let maxAbs = 0;
    if (values) {
      for (let k = 0; k < edgeIdx.length; k++) {
        const v = values[edgeIdx[k]];
        edgeVals[k] = v;
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
    }
    const thinned = values ? strongestEdges(layout, edgeVals) : { mask: new Uint8Array(layout.edges.length), summary: [] };
    shown = thinned.mask;
    // edge scale: weights show their size up to 1, beyond it relative to the largest;
    // gradients are always relative to the largest (they are tiny late in training)
    const scale = gradMode ? maxAbs || 1 : Math.max(1, maxAbs);
    const chosen = new Set(ui.surfaceParams);
    if (pendingAxis) chosen.add(pendingAxis);
    paintEdges(values ? edgeVals : null, gradMode, scale, chosen);
    ctx.drawImage(edgeLayer, 0, 0, sized.width, sized.height);
    drawNodes(ctx, snap, ui);
    drawBiases(ctx, h, values, scale, chosen);
    drawKeyFocus(ctx);
    drawLabels(ctx, h);
    updateTooltip(snap, ui);
    updateLegend(h, gradMode, maxAbs, thinned.summary);
  }

  function updateLegend(h, gradMode, maxAbs, summary) {
    const thin = summary.filter((p) => p.shown < p.count);
    const shownAll = summary.reduce((a, p) => a + p.shown, 0);
    const countAll = summary.reduce((a, p) => a + p.count, 0);
    const key = `${gradMode}|${fmt(maxAbs, 2)}|${thin.length}|${shownAll}|${layout.s < PICTURE_MIN}`;
    if (key === legendKey) return;
    legendKey = key;
    const sw = (c) => `<span class="swatch" style="background:${c}"></span>`;
    const thinText = thin.length
      ? ` Dense bands: the strongest ${shownAll.toLocaleString("en-US")} of ${countAll.toLocaleString("en-US")} edges.`
      : "";
    const squares = layout.s < PICTURE_MIN
      ? "Squares: each neuron's mean output (too small for pictures)"
      : "Squares: each neuron's output over the input square";
    legendEl.dataset.edgesShown = String(shownAll);
    legendEl.dataset.edgesTotal = String(countAll);
    legendEl.innerHTML = (gradMode
      ? `Edges: ∂L/∂w over the full training set; width and opacity ∝ |∂L/∂w| (largest = ${fmt(maxAbs, 2)}). ${sw(POSITIVE)}positive ${sw(NEGATIVE)}negative (the step goes the other way).`
      : `Edges: width ∝ |w| (largest |w| = ${fmt(maxAbs, 2)}). ${sw(POSITIVE)}positive ${sw(NEGATIVE)}negative. ${squares}; small square = bias.`)
      + thinText
      + " Click: a neuron's activation; two edges/biases: the loss-surface axes; double-click: set one.";
  }

  // ---- pointer: hover and click -----------------------------------------------------------
  function neuronName(h, layer, index) {
    const L = h.layer_sizes.length - 1;
    if (layer === 0) {
      const feats = h.input_dim === 2 ? h.config.features : ["x"];
      return FEATURE_LABELS[feats[index]] ?? feats[index];
    }
    return layer === L ? `output ${index}` : `h${layer}.${index}`;
  }

  /** How the learner picks axes with this pointer: mouse clicks pick; a tap picks only in "pick axes" mode. */
  function picksAxes(ui) {
    return lastPointerType === "mouse" || lastPointerType === "keyboard" || ui.pickAxes;
  }

  /** Neuron i of layer l's weighted sum term by term: with the traced example's numbers when
   *  the trace panel holds one, else with the current weights over its inputs' names. */
  function weightedSumHtml(snap, l, i) {
    const h = snap.header;
    const t = tracedExample();
    const tl = t?.layers?.[l - 1];
    const n = h.layer_sizes[l - 1];
    const w = new Array(n);
    for (let j = 0; j < n; j++) w[j] = snap.weights[paramIndex(h, l, i, j)];
    const features = t?.layers?.[0]?.a_in;
    const g = FUNCTIONS[h.config?.activation]?.g;
    if (tl && tl.W?.length === h.layer_sizes[l] && features?.length === h.layer_sizes[0] && (l === 1 || g)) {
      // the current weights, and the traced example's inputs recomputed with them: the trace
      // itself was taken at an earlier step (the trace panel says which)
      const param = (k, r, c) => snap.weights[paramIndex(h, k, r, c)];
      const a = currentInputs(features, l, h.layer_sizes, param, g);
      return `for the traced x = (${t.input.map((v) => fmt(v, 3)).join(", ")}), current weights:`
        + `<br>z = ${sumTerms(w, a, snap.weights[paramIndex(h, l, i)])}`;
    }
    const names = Array.from({ length: n }, (_, j) => neuronName(h, l - 1, j));
    return `z = ${sumFormula(w, names, snap.weights[paramIndex(h, l, i)])}`
      + "<br><i>click a point of the output for the sum with its numbers</i>";
  }

  function tooltipHtml(snap, ui) {
    const h = snap.header;
    if (hover.kind === "edge" || hover.kind === "bias") {
      const idx = paramIndex(h, hover.layer, hover.i, hover.kind === "edge" ? hover.j : null);
      const w = snap.weights?.[idx];
      const g = snap.gradients?.[idx];
      const before = previousWeights && previousWeights.length === snap.weights?.length ? previousWeights[idx] : null;
      const what = hover.kind === "edge"
        ? `${neuronName(h, hover.layer - 1, hover.j)} → ${neuronName(h, hover.layer, hover.i)}`
        : `bias of ${neuronName(h, hover.layer, hover.i)}`;
      const change = before != null ? ` <span class="change">(${formatChange(w - before)} since the last frame)</span>` : "";
      const hint = lastPointerType === "keyboard" ? "Enter: set it; A: loss-surface axis; Esc: back to the neuron"
        : picksAxes(ui) ? `${lastPointerType === "mouse" ? "click: loss-surface axis; double-click: set it" : "tap: loss-surface axis; double-tap: set it"}`
          : "to use it as a loss-surface axis: “pick axes”, then tap; double-tap: set it";
      return `<b>${hover.name}</b> ${what}<br>value <span data-testid="tooltip-value">${formatPrecise(w)}</span>${change}`
        + `<br>∂L/∂${hover.kind === "edge" ? "w" : "b"} ${formatPrecise(g)}<br><i>${hint}</i>`;
    }
    const L = h.layer_sizes.length - 1;
    if (hover.layer === 0) return `<b>input ${neuronName(h, 0, hover.index)}</b><br>the feature over the input square`;
    const sat = hover.layer < L ? h.diagnostics?.saturation?.[hover.layer - 1] : null;
    return `<b>${neuronName(h, hover.layer, hover.index)}</b><br>its output over the input square`
      + `<br><span data-testid="tooltip-sum">${weightedSumHtml(snap, hover.layer, hover.index)}</span>`
      + (sat != null ? `<br>layer saturation ${formatPercent(sat)}` : "")
      + `<br><i>${lastPointerType === "keyboard" ? "Enter: show its activation; E: its weights; B: its bias"
        : `${lastPointerType === "mouse" ? "click" : "tap"}: show its activation`}</i>`;
  }

  function updateTooltip(snap, ui) {
    if (!hover || !pointer || !snap.header) {
      if (!tooltip.hidden) tooltip.hidden = true;
      return;
    }
    tooltip.innerHTML = tooltipHtml(snap, ui);
    tooltip.hidden = false;
    const box = canvas.getBoundingClientRect();
    const tw = tooltip.offsetWidth;
    const left = pointer.x + 14 + tw > box.width ? pointer.x - tw - 10 : pointer.x + 14;
    tooltip.style.left = `${Math.max(0, left)}px`;
    tooltip.style.top = `${Math.max(0, pointer.y + 12)}px`;
  }

  function pointAt(e) {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  // hover (mouse) shows values; a touch or pen press shows them where the finger is (a larger
  // reach: a finger is wider than a cursor), and the tooltip stays until the next tap
  canvas.addEventListener("pointerdown", (e) => {
    lastPointerType = e.pointerType || "mouse";
    if (lastPointerType === "mouse") return;
    pointer = pointAt(e);
    hover = hitTest(layout, pointer.x, pointer.y, TOUCH_REACH, drawnMask);
    view.lastSnap && updateTooltip(view.lastSnap, state.ui);
  });
  canvas.addEventListener("pointermove", (e) => {
    if ((e.pointerType || "mouse") !== "mouse") return;
    lastPointerType = "mouse";
    pointer = pointAt(e);
    hover = hitTest(layout, pointer.x, pointer.y, 5, drawnMask);
    canvas.style.cursor = hover && (hover.layer > 0 || hover.kind !== "node") ? "pointer" : "default";
    view.lastSnap && updateTooltip(view.lastSnap, state.ui);
  });
  canvas.addEventListener("pointerleave", (e) => {
    if ((e.pointerType || "mouse") !== "mouse") return;
    hover = null;
    pointer = null;
    tooltip.hidden = true;
  });
  // A click on an edge or bias picks a loss-surface axis; a double-click on one opens the weight
  // editor (param_editor.js, through a "param-edit" event) and picks nothing: its first click's
  // pick is undone, and a click that would complete a pair waits DOUBLE_CLICK_MS to see whether
  // a second click follows. One window decides both: a second click on the same item within
  // DOUBLE_CLICK_MS is a double-click, a later one is a click of its own (whatever the system's
  // double-click time, so a slow double-click never both completes a pair and opens the editor).
  let lastClicked = null;   // the item of the last single click
  let lastClickAt = -Infinity;
  let undoPick = null;      // {pending}: what the last first-axis pick replaced
  let pairTimer = null;     // a pair waiting to be completed
  let pairPending = null;
  function completePair() {
    clearTimeout(pairTimer);
    pairTimer = null;
    const pair = pairPending;
    pairPending = null;
    if (!pair) return;
    pendingAxis = null;
    lastKey = "";
    state.setUi({ surfaceParams: pair, surfaceMode: "params", pickAxes: false });
  }
  canvas.addEventListener("click", (e) => {
    const p = pointAt(e);
    const hit = hitTest(layout, p.x, p.y, lastPointerType === "mouse" ? 5 : TOUCH_REACH, drawnMask);
    const name = hit ? (hit.name ?? `n${hit.layer}.${hit.index}`) : null;
    if (hit && name === lastClicked && e.timeStamp - lastClickAt <= DOUBLE_CLICK_MS) {
      // the second click of a double-click: the editor's gesture, not a pick
      lastClicked = null;
      if (pairTimer) { clearTimeout(pairTimer); pairTimer = null; pairPending = null; }
      if (undoPick) {
        pendingAxis = undoPick.pending;
        undoPick = null;
        lastKey = "";
        requestRedraw();
      }
      if (hit.kind === "edge" || hit.kind === "bias") {
        canvas.dispatchEvent(new CustomEvent("param-edit", { detail: { param: hit, clientX: e.clientX, clientY: e.clientY, pointer: true } }));
      }
      return;
    }
    if (pairTimer) completePair();   // a click elsewhere, or too late for a double-click: the waiting pair was meant
    undoPick = null;
    lastClicked = name;
    lastClickAt = e.timeStamp;
    if (!hit) return;
    if (hit.kind === "node") {
      if (hit.layer > 0) state.setUi({ neuron: [hit.layer, hit.index] });
      return;
    }
    if (!picksAxes(state.ui)) return;   // a tap on an edge reads its value (the tooltip), nothing more
    if (!pendingAxis || pendingAxis === hit.name) {
      undoPick = { pending: pendingAxis };
      pendingAxis = hit.name;
      lastKey = "";
      requestRedraw();
      return;
    }
    pairPending = [pendingAxis, hit.name];
    pairTimer = setTimeout(completePair, DOUBLE_CLICK_MS);
  });
  // ---- keyboard: the canvas takes the focus; arrows, E, B, Enter, A, Escape ------------------
  let pressing = false;     // a pointer press is under way (its focus is not the keyboard's)
  const keyboardActive = () => document.activeElement === canvas && lastPointerType === "keyboard";
  canvas.addEventListener("pointerdown", () => { pressing = true; }, true);
  window.addEventListener("pointerup", () => setTimeout(() => { pressing = false; }, 0), true);
  function anchorOf(item) {
    if (item.kind === "node") return { x: item.x + item.s / 2, y: item.y + item.s / 2 };
    if (item.kind === "bias") return { x: item.x + item.b / 2, y: item.y + item.b / 2 };
    const [x, y] = bezierPoint(item, 0.5);
    return { x, y };
  }
  function showFocus() {
    const item = focusItem(layout, keyFocus);
    if (!item) return;
    hover = item;
    pointer = anchorOf(item);
    if (view.lastSnap) updateTooltip(view.lastSnap, state.ui);
    if (live) live.textContent = tooltip.textContent;
    lastKey = "";
    requestRedraw();
  }
  function pickNow(item) {
    if (!pendingAxis || pendingAxis === item.name) {
      pendingAxis = item.name;
      lastKey = "";
      requestRedraw();
      if (live) live.textContent = `axis 1: ${item.name}; pick a second weight or bias with A`;
      return;
    }
    pairPending = [pendingAxis, item.name];
    completePair();
    if (live) live.textContent = `loss-surface axes: ${state.ui.surfaceParams.join(" and ")}`;
  }
  canvas.addEventListener("focus", () => {
    if (!layout || !view.lastSnap || pressing) return;
    lastPointerType = "keyboard";
    if (!focusItem(layout, keyFocus)) keyFocus = nextFocus(null, "", view.lastSnap.header.layer_sizes);
    showFocus();
  });
  canvas.addEventListener("blur", () => {
    if (lastPointerType === "keyboard") {
      hover = null;
      pointer = null;
      tooltip.hidden = true;
    }
    lastKey = "";
    requestRedraw();
  });
  canvas.addEventListener("keydown", (e) => {
    if (!layout || !view.lastSnap || e.ctrlKey || e.metaKey || e.altKey) return;
    lastPointerType = "keyboard";
    const item = focusItem(layout, keyFocus);
    if (e.key === "Enter" && item) {
      e.preventDefault();
      if (item.kind === "node") {
        if (item.layer > 0) state.setUi({ neuron: [item.layer, item.index] });
      } else {
        const r = canvas.getBoundingClientRect();
        const at = anchorOf(item);
        canvas.dispatchEvent(new CustomEvent("param-edit", { detail: { param: item, clientX: r.left + at.x, clientY: r.top + at.y } }));
      }
      return;
    }
    if ((e.key === "a" || e.key === "A") && item && item.kind !== "node") {
      e.preventDefault();
      pickNow(item);
      return;
    }
    const next = nextFocus(keyFocus, e.key, view.lastSnap.header.layer_sizes);
    if (!next) return;
    e.preventDefault();   // arrows move the focus, not the page
    keyFocus = next;
    showFocus();
  });

  state.subscribe((change) => {
    if (change.kind === "ui" && "pickAxes" in change.changes && !change.changes.pickAxes && pendingAxis) {
      pendingAxis = null;
      lastKey = "";
      requestRedraw();
    }
  });

  view.render = function render(snap, ui) {
    if (!snap.header || !snap.weights) return false;
    view.lastSnap = snap;
    if (snap.weights !== latestWeights) {
      previousWeights = latestWeights;
      latestWeights = snap.weights;
    }
    const key = `${snap.stamps.weights}|${snap.stamps.hidden}|${snap.stamps.output}|${ui.edgeValues}|${ui.surfaceParams.join()}|${ui.neuron.join()}`;
    const resized = sized.changed();
    const catchUp = edgesOwed && performance.now() - edgesPaintedAt >= DENSE_EDGE_MS;  // the edges' last look
    if (key === lastKey && !resized && !catchUp) return false;
    lastKey = key;
    draw(snap, ui);
    view.renders += 1;
    return true;
  };
  /** True while the edge layer is behind the latest frame (the wiring keeps animating). */
  view.waiting = () => edgesOwed;
  view.pendingAxis = () => pendingAxis;
  /** The item the keyboard is on ({kind, layer, index | i, j}) or null. */
  view.keyFocus = () => keyFocus;
  /** The edge or bias under a pointer (client coordinates): {kind, name, layer, i, j} or null. */
  view.paramAt = (clientX, clientY) => {
    const r = canvas.getBoundingClientRect();
    const hit = hitTest(layout, clientX - r.left, clientY - r.top, 5, drawnMask);
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
