// Set a weight by hand: double-click (or double-tap) an edge or bias of the network diagram (its
// "param-edit" event, static/js/network_view.js), type
// a value and Enter, or drag the slider: PATCH /api/runs/{id}/params; the run continues from
// there (its optimizer state kept). From the keyboard: Enter on a weight or bias of the diagram
// (its "param-edit" event); Enter sets, Escape cancels, and the focus returns to the diagram. While dragging, one request is in flight at a time. The box shows the current value and gradient with 8 significant digits.

import { full } from "./trace_format.js";

/** The flat index of a parameter in the frame's weights: layers[l-1].offset + i (fan_in+1) + j. */
function flatIndex(header, p) {
  const { shape, offset } = header.layers[p.layer - 1];
  return offset + p.i * shape[1] + (p.kind === "bias" ? shape[1] - 1 : p.j);
}

export function createParamEditor({ canvas, box, snapshot, connection, notice }) {
  let target = null;
  let returnFocus = null;   // where the keyboard was before the editor opened (it goes back there)

  function close() {
    box.hidden = true;
    const back = returnFocus;
    returnFocus = null;
    back?.focus();
  }
  const label = box.querySelector("[data-role=name]");
  const now = box.querySelector("[data-role=now]");
  const input = box.querySelector("input[type=text]");
  const slider = box.querySelector("input[type=range]");
  let inFlight = false, queued = null;
  const error = box.querySelector("[data-role=error]");

  function open(p, clientX, clientY) {
    const h = snapshot.header;
    if (!h) return;
    target = p;
    const idx = flatIndex(h, p);
    label.textContent = p.name;
    now.textContent = `now ${full(snapshot.weights?.[idx])}; gradient ${full(snapshot.gradients?.[idx])}`;
    const v0 = snapshot.weights?.[idx] ?? 0;
    input.value = String(v0);
    const reach = 2 * Math.max(1, Math.abs(v0));   // the slider spans v0 +- 2 max(1, |v0|)
    slider.min = String(v0 - reach);
    slider.max = String(v0 + reach);
    slider.value = String(v0);
    error.textContent = "";
    const host = box.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0 };
    box.hidden = false;
    // above the pointer (the network's hover tooltip sits below it), kept on screen
    const w = box.offsetWidth, hgt = box.offsetHeight;
    const left = Math.min(window.innerWidth - w - 4, Math.max(4, clientX - host.left - w / 2));
    const above = clientY - host.top - hgt - 14;
    box.style.left = `${left}px`;
    box.style.top = `${above >= 4 ? above : clientY - host.top + 40}px`;
    input.focus();
    input.select();
  }

  async function patch(v) {
    const r = await fetch(`/api/runs/${connection.runId}/params`, {
      method: "PATCH", headers: connection.controlHeaders({ "content-type": "application/json" }),
      body: JSON.stringify({ [target.name]: v }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      error.textContent = body.detail?.message ?? (typeof body.detail === "string" ? body.detail : `HTTP ${r.status}`);
      return false;
    }
    error.textContent = "";
    return true;
  }

  async function submit() {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v)) {
      error.textContent = "type a finite number";
      return;
    }
    if (!(await patch(v))) return;
    close();
    notice?.(`${target.name} = ${v}; training continues from there`);
  }

  async function drag(v) {
    input.value = String(v);
    if (inFlight) { queued = v; return; }
    inFlight = true;
    await patch(v);
    inFlight = false;
    if (queued != null) { const next = queued; queued = null; drag(next); }
  }

  // the network view decides what a double-click (or double-tap) is, and so does the keyboard
  // (Enter on a weight or bias): both send "param-edit". The browser's own dblclick is not
  // listened to: its timing is the system's, not the view's (network_view.js DOUBLE_CLICK_MS).
  canvas.addEventListener("param-edit", (e) => {
    returnFocus = e.detail.pointer ? null : canvas;
    open(e.detail.param, e.detail.clientX, e.detail.clientY);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") submit();
    if (e.key === "Escape") close();
  });
  slider.addEventListener("input", () => drag(Number(slider.value)));
  box.querySelector("[data-role=cancel]").addEventListener("click", close);
  box.querySelector("[data-role=ok]").addEventListener("click", submit);
  return { open, submit };
}
