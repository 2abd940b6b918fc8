// Set a weight by hand: double-click (or double-tap) an edge or bias of the network diagram, type
// a value, Enter: PATCH /api/runs/{id}/params; the run continues from there (its optimizer
// state kept). The box shows the current value and gradient with 8 significant digits.

import { full } from "./trace_format.js";

/** The flat index of a parameter in the frame's weights: layers[l-1].offset + i (fan_in+1) + j. */
function flatIndex(header, p) {
  const { shape, offset } = header.layers[p.layer - 1];
  return offset + p.i * shape[1] + (p.kind === "bias" ? shape[1] - 1 : p.j);
}

export function createParamEditor({ canvas, networkView, box, snapshot, connection, notice }) {
  let target = null;
  const label = box.querySelector("[data-role=name]");
  const now = box.querySelector("[data-role=now]");
  const input = box.querySelector("input");
  const error = box.querySelector("[data-role=error]");

  function open(p, clientX, clientY) {
    const h = snapshot.header;
    if (!h) return;
    target = p;
    const idx = flatIndex(h, p);
    label.textContent = p.name;
    now.textContent = `now ${full(snapshot.weights?.[idx])}, \u2202L/\u2202 ${full(snapshot.gradients?.[idx])}`;
    input.value = String(snapshot.weights?.[idx] ?? 0);
    error.textContent = "";
    const host = box.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0 };
    box.style.left = `${Math.max(0, clientX - host.left + 8)}px`;
    box.style.top = `${Math.max(0, clientY - host.top + 8)}px`;
    box.hidden = false;
    input.focus();
    input.select();
  }

  async function submit() {
    const v = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(v)) {
      error.textContent = "type a finite number";
      return;
    }
    const r = await fetch(`/api/runs/${connection.runId}/params`, {
      method: "PATCH", headers: { "content-type": "application/json" },
      body: JSON.stringify({ [target.name]: v }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      error.textContent = body.detail?.message ?? (typeof body.detail === "string" ? body.detail : `HTTP ${r.status}`);
      return;
    }
    box.hidden = true;
    notice?.(`${target.name} = ${v}; training continues from there`);
  }

  canvas.addEventListener("dblclick", (e) => {
    const p = networkView.paramAt(e.clientX, e.clientY);
    if (p) open(p, e.clientX, e.clientY);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") submit();
    if (e.key === "Escape") box.hidden = true;
  });
  box.querySelector("[data-role=cancel]").addEventListener("click", () => { box.hidden = true; });
  box.querySelector("[data-role=ok]").addEventListener("click", submit);
  return { open, submit };
}
