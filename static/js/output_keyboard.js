// The output plot from the keyboard: the canvas takes the focus, the arrow keys move a cursor over
// the plot (Shift for finer steps), the cursor's input (and the training point under it, if any)
// is read out, and Enter traces it as a click would (trace_panel.js). The cursor is a DOM element
// over the canvas, so the output view draws nothing for it.

const STEPS = 24;   // a plain arrow press moves 1/STEPS of the canvas; with Shift a quarter of that

/**
 * canvas: the output canvas; cursor: an absolutely placed element in the canvas's box; live: an
 * aria-live element; boundaryView.pointAt(snapshot, clientX, clientY) -> {x, example?} | null;
 * onPick(hit): what Enter does with the point under the cursor.
 */
export function createOutputKeyboard({ canvas, cursor, live, boundaryView, snapshot, onPick }) {
  let at = null;          // {fx, fy}: the cursor as fractions of the canvas
  let pressing = false;

  function place() {
    const r = canvas.getBoundingClientRect();
    const x = at.fx * r.width;
    const y = at.fy * r.height;
    cursor.style.left = `${x}px`;
    cursor.style.top = `${y}px`;
    cursor.hidden = false;
    const hit = boundaryView.pointAt(snapshot, r.left + x, r.top + y);
    const text = !hit ? "outside the plot"
      : `x = (${hit.x.map((v) => v.toFixed(2)).join(", ")})${hit.example != null ? `, training point #${hit.example}` : ""}; Enter traces it`;
    cursor.dataset.x = hit ? JSON.stringify(hit.x) : "";
    if (live) live.textContent = text;
    return hit;
  }

  canvas.addEventListener("pointerdown", () => { pressing = true; }, true);
  window.addEventListener("pointerup", () => setTimeout(() => { pressing = false; }, 0), true);
  canvas.addEventListener("focus", () => {
    if (pressing) return;
    at ??= { fx: 0.5, fy: 0.5 };
    place();
  });
  canvas.addEventListener("blur", () => { cursor.hidden = true; });
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    at ??= { fx: 0.5, fy: 0.5 };
    const d = (e.shiftKey ? 0.25 : 1) / STEPS;
    const move = { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, -d], ArrowDown: [0, d] }[e.key];
    if (move) {
      e.preventDefault();
      at = { fx: Math.max(0, Math.min(1, at.fx + move[0])), fy: Math.max(0, Math.min(1, at.fy + move[1])) };
      place();
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      const hit = place();
      if (hit) onPick(hit);
    }
  });
  return { position: () => at };
}
