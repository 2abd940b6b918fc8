// The trace panel: click a point of the output plot (or a training point) and one example's
// forward pass appears layer by layer as matrix strips, W · A[l-1] + b = Z -> g -> A, then, for a
// data point (which has a target), the backward pass: delta and dW = delta A[l-1]^T. Every number
// comes from POST /api/runs/{id}/trace; nothing is recomputed here. Cells show 3 digits, their
// tooltips 8; wide layers are elided (and the strips scroll). Hovering or clicking a row picks
// that neuron: its row is highlighted and its weighted sum is written out term by term.

import { elide, full, short, sumTerms } from "./trace_format.js";

const MAX_ROWS = 10;
const MAX_COLS = 8;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "className" || k === "textContent" || k === "title") node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

/** A matrix strip: label above, rows (elided) x columns (elided); a vector is one column. */
function strip(label, values, { role, layer, selected, column = true }) {
  const matrix = Array.isArray(values[0]) ? values : column ? values.map((v) => [v]) : [values];
  const rows = elide(matrix.length, MAX_ROWS);
  const cols = elide(matrix[0]?.length ?? 0, MAX_COLS);
  const body = rows.map((i) => el("tr", {
    className: i != null && i === selected && matrix.length > 1 ? "sel" : "",
    dataset: i == null ? {} : { row: String(i) },
  }, ...cols.map((j) => {
    if (i == null || j == null) return el("td", { className: "gap", textContent: "\u22ef" });
    const v = matrix[i][j];
    return el("td", { title: full(v), dataset: { v: String(v), i: String(i), j: String(j) },
                      textContent: short(v) });
  })));
  const shape = `${matrix.length}\u00d7${matrix[0]?.length ?? 0}`;
  return el("div", { className: "strip", dataset: { role, layer: String(layer) } },
    el("div", { className: "strip-label", title: shape }, label),
    el("table", { className: "mat" }, el("tbody", {}, ...body)));
}

const op = (text) => el("span", { className: "op", textContent: text });

export function createTracePanel({ panel, outputCanvas, boundaryView, snapshot, connection, state, notice }) {
  let last = null;       // {request, result, step}
  let selected = null;   // {layer (1-based), index}

  async function show(request) {
    const runId = connection.runId;
    if (!runId) return null;
    const r = await fetch(`/api/runs/${runId}/trace`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      notice?.(`trace: ${typeof body.detail === "string" ? body.detail : `HTTP ${r.status}`}`, "error");
      return null;
    }
    last = { request, result: body, step: snapshot.header?.metrics?.step ?? null };
    const [layer, index] = state.ui.neuron;
    if (!selected || selected.layer > body.layers.length) {
      selected = layer <= body.layers.length ? { layer, index } : { layer: 1, index: 0 };
    }
    render();
    return body;
  }

  function choose(layer, index) {
    selected = { layer, index };
    render();
  }

  function layerName(l, L) {
    if (l === L) return `output layer (${snapshot.header?.config?.loss ?? ""})`;
    return `hidden layer ${l} (${snapshot.header?.config?.activation ?? ""})`;
  }

  function render() {
    if (!last) return;
    const { result, request, step } = last;
    const L = result.layers.length;
    const target = result.target;
    const head = el("div", { className: "trace-head" },
      el("b", { textContent: "One example" }),
      el("span", { textContent: ` x = (${result.input.map(short).join(", ")})` }),
      target != null ? el("span", { textContent: ` · target ${short(target)}` }) : null,
      el("span", { textContent: ` · output ${result.output.map(short).join(", ")}` }),
      result.loss != null ? el("span", { title: full(result.loss), textContent: ` · loss ${short(result.loss)}` }) : null,
      el("span", { className: "muted", textContent: step != null ? ` · at step ${step}` : "" }),
      el("span", { className: "trace-actions" },
        el("button", { type: "button", dataset: { testid: "trace-refresh" }, textContent: "refresh" }),
        el("button", { type: "button", dataset: { testid: "trace-close" }, "aria-label": "close", textContent: "\u00d7" })));
    head.querySelector("[data-testid=trace-refresh]").onclick = () => show(request);
    head.querySelector("[data-testid=trace-close]").onclick = () => { panel.hidden = true; };

    const forward = result.layers.map((layer, k) => {
      const l = k + 1;
      const sel = selected.layer === l ? selected.index : null;
      const i = sel ?? 0;
      const strips = el("div", { className: "strips" },
        strip(`W[${l}]`, layer.W, { role: "W", layer: l, selected: sel }), op("\u00b7"),
        strip(`A[${l - 1}]`, layer.a_in, { role: "a_in", layer: l }), op("+"),
        strip(`b[${l}]`, layer.b, { role: "b", layer: l, selected: sel }), op("="),
        strip(`Z[${l}]`, layer.z, { role: "z", layer: l, selected: sel }), op(l === L ? "\u2192 out \u2192" : "\u2192 g \u2192"),
        strip(`A[${l}]`, layer.a, { role: "a", layer: l, selected: sel }));
      return el("div", { className: "trace-layer", dataset: { layer: String(l) } },
        el("div", { className: "layer-title", textContent: `layer ${l}: ${layerName(l, L)}` }),
        strips,
        el("p", { className: "sum", dataset: { testid: `trace-sum-${l}` },
                  textContent: `neuron ${i}: z = ${sumTerms(layer.W[i], layer.a_in, layer.b[i])}` }));
    });
    const backward = result.layers[0].delta == null
      ? [el("p", { className: "muted", textContent: "Click a training point (it has a target) for the backward pass." })]
      : result.layers.map((layer, k) => k).reverse().map((k) => {
        const layer = result.layers[k];
        const l = k + 1;
        const sel = selected.layer === l ? selected.index : null;
        return el("div", { className: "trace-layer", dataset: { layer: String(l) } },
          el("div", { className: "layer-title", textContent: l === L
            ? `layer ${l}: \u03b4 = \u2202loss/\u2202Z[${l}]`
            : `layer ${l}: \u03b4 = (W[${l + 1}]\u1d40 \u03b4[${l + 1}]) \u2299 g\u2032(Z[${l}])` }),
          el("div", { className: "strips" },
            strip(`\u03b4[${l}]`, layer.delta, { role: "delta", layer: l, selected: sel }), op("\u00b7"),
            strip(`A[${l - 1}]\u1d40`, layer.a_in, { role: "a_in_t", layer: l, column: false }), op("="),
            strip(`dW[${l}]`, layer.dW, { role: "dW", layer: l, selected: sel }), op(";"),
            strip(`db[${l}]`, layer.db, { role: "db", layer: l, selected: sel })));
      });
    const body = el("div", { className: "trace-body" },
      el("h3", { textContent: "Forward: Z = W A + b, A = g(Z)" }), ...forward,
      el("h3", { textContent: "Backward" }), ...backward);
    body.addEventListener("mouseover", (e) => pick(e, false));
    body.addEventListener("click", (e) => pick(e, true));
    panel.replaceChildren(head, body);
    panel.hidden = false;
  }

  function pick(e, sticky) {
    const td = e.target.closest("td[data-i]");
    const st = td?.closest(".strip");
    if (!td || !st || !["W", "b", "z", "a", "delta", "dW", "db"].includes(st.dataset.role)) return;
    const layer = Number(st.dataset.layer), index = Number(td.dataset.i);
    if (selected.layer === layer && selected.index === index) return;
    if (sticky || e.type === "mouseover") choose(layer, index);
  }

  outputCanvas.addEventListener("click", (e) => {
    const hit = boundaryView.pointAt(snapshot, e.clientX, e.clientY);
    if (!hit) return;
    show(hit.example != null ? { example: hit.example, split: "train" } : { x: hit.x });
  });
  outputCanvas.style.cursor = "crosshair";

  return { show, last: () => last?.result ?? null, choose };
}
