// Your data: upload a CSV (drag and drop or a file picker) or draw points on the output plot
// (pick a class, click to add, shift-click to remove). Either way the points go to the server
// (POST /api/datasets), which stores them and answers an id; the run then rebuilds on
// {"dataset": "custom", "custom_dataset": id}, which the URL carries, so a link shares them.

import { CLASS_COLORS } from "./colors.js";
import { addPoint, kindOf, notReady, pointsFromDataset, removeNearest } from "./drawn_points.js";
import { compatibleLoss } from "./state.js";
import { el } from "./store_panel.js";

const UPLOAD_DELAY_MS = 250;      // clicks in quick succession make one upload
const PICK_RADIUS_PX = 9;         // shift-click removes the nearest point within this distance
const DRAW_CLASSES = 3;

export function createDataPanel({ container, state, snapshot, datasets, outputCanvas, boundaryView }) {
  let points = null;              // the drawn points, null until drawing starts
  let drawing = false;
  let drawClass = 1;
  let timer = null;

  const message = el("p", { className: "data-message", role: "status", dataset: { testid: "data-message" } });
  const input = el("input", { type: "file", accept: ".csv,text/csv,text/plain", className: "visually-hidden", dataset: { testid: "csv-input" } });
  const drop = el("label", { className: "drop-zone", dataset: { testid: "csv-drop" } },
    input, el("b", {}, "Drop a CSV file here"), " or ", el("u", {}, "choose one"),
    el("span", { className: "hint" }, "columns x1, x2 (optional), and label (class 0/1 or 0..9) or target (a number); at most 2,000 rows"));
  const toggle = el("button", { type: "button", className: "store-button", dataset: { testid: "draw-toggle" }, "aria-pressed": "false",
                                title: "draw your own points on the output plot" }, "Draw points");
  const classButtons = Array.from({ length: DRAW_CLASSES }, (_, k) => {
    const b = el("button", { type: "button", className: "class-button", dataset: { testid: `draw-class-${k}` }, "aria-pressed": "false",
                             title: `new points are class ${k}` },
      el("span", { className: "swatch" }), `class ${k}`);
    b.querySelector(".swatch").style.background = CLASS_COLORS[k];
    b.addEventListener("click", () => { drawClass = k; refresh(); });
    return b;
  });
  const clear = el("button", { type: "button", className: "store-button small", dataset: { testid: "draw-clear" }, title: "remove every drawn point" }, "clear");
  const drawTools = el("div", { className: "draw-tools", hidden: true },
    el("div", { className: "store-row" }, ...classButtons, clear),
    el("span", { className: "hint" }, "click the output plot to add a point, shift-click to remove one; the run rebuilds on the new points"));
  const links = el("div", { className: "data-links" });
  const details = el("details", { open: true, dataset: { group: "yourdata", testid: "data-panel", field: "custom_dataset" } },
    el("summary", {}, "Your data"), drop, el("div", { className: "store-row" }, toggle), drawTools, message, links);
  const after = container.querySelector('details[data-group="data"]');
  if (after) after.after(details);
  else container.append(details);

  function say(text, level = "info") {
    message.textContent = text;
    message.className = `data-message ${level}`;
  }

  /** Use a stored dataset: remember what it is (for the loss choices) and rebuild the run. */
  function useDataset(info) {
    datasets.custom = info;   // kind, input_dim, domain, losses, usual_loss: as the schema's sets
    const changes = { dataset: "custom", custom_dataset: info.id };
    const loss = compatibleLoss(info, state.config.loss);
    if (loss !== state.config.loss) changes.loss = loss;
    state.setConfig(changes, { reset: true });
    refresh();
  }

  async function post(body, contentType) {
    const r = await fetch("/api/datasets", { method: "POST", headers: { "content-type": contentType }, body });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) {
      const detail = typeof answer.detail === "string" ? answer.detail : JSON.stringify(answer.detail ?? `HTTP ${r.status}`);
      throw new Error(detail);
    }
    return answer;
  }

  async function upload(file) {
    if (!file) return;
    say(`Reading ${file.name}…`);
    try {
      const info = await post(await file.text(), "text/csv");
      say(`${file.name}: ${info.rows} points, ${info.kind}${info.kind === "regression" ? " (loss mse)" : ""}.`, "ok");
      points = null;
      useDataset(info);
    } catch (err) {
      say(`${file.name} was refused: ${err.message}`, "error");
    }
  }

  input.addEventListener("change", () => upload(input.files[0]).finally(() => { input.value = ""; }));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    upload(e.dataTransfer.files[0]);
  });

  // ---- drawing
  function sendPoints() {
    timer = null;
    const why = notReady(points);
    if (why) {
      say(`${points.length} points drawn: ${why}.`);
      return;
    }
    post(JSON.stringify({ points }), "application/json")
      .then((info) => {
        say(`${info.rows} drawn points (${info.kind}); the run was rebuilt on them.`, "ok");
        useDataset(info);
      })
      .catch((err) => say(`The points were refused: ${err.message}`, "error"));
  }

  function changed(next) {
    if (next === points) return;
    points = next;
    clearTimeout(timer);
    timer = setTimeout(sendPoints, UPLOAD_DELAY_MS);
    say(`${points.length} points drawn…`);
  }

  toggle.addEventListener("click", () => {
    drawing = !drawing;
    if (drawing && points === null) {
      points = pointsFromDataset(snapshot.dataset, snapshot.header?.task);
      if (snapshot.header?.task === "multiclass") drawClass = Math.min(drawClass, DRAW_CLASSES - 1);
      say(points.length ? `Drawing starts from the ${points.length} points of this dataset (those inside the square).`
        : "Click the output plot to add points.");
    }
    refresh();
  });
  clear.addEventListener("click", () => changed([]));

  // capture phase: while drawing, a click is a point, not a trace (trace_panel.js listens too)
  outputCanvas.addEventListener("click", (e) => {
    if (!drawing) return;
    e.stopImmediatePropagation();
    const at = boundaryView.drawPointAt(e.offsetX, e.offsetY);
    if (!at) {
      if (snapshot.header?.input_dim !== 2) say("Drawing needs the 2-D plot: pick a 2-D dataset first.", "warn");
      return;
    }
    changed(e.shiftKey ? removeNearest(points, at.x1, at.x2, PICK_RADIUS_PX * at.perPixel)
      : addPoint(points, at.x1, at.x2, drawClass));
  }, { capture: true });

  function refresh() {
    toggle.setAttribute("aria-pressed", String(drawing));
    toggle.textContent = drawing ? "Stop drawing" : "Draw points";
    drawTools.hidden = !drawing;
    outputCanvas.classList.toggle("drawing", drawing);
    classButtons.forEach((b, k) => b.setAttribute("aria-pressed", String(k === drawClass)));
    const id = state.config.dataset === "custom" ? state.config.custom_dataset : null;
    links.replaceChildren(...(id ? [
      el("a", { href: `/api/datasets/${encodeURIComponent(id)}/csv`, textContent: "download these points (CSV)", dataset: { testid: "dataset-csv" } }),
      el("span", { className: "hint" }, " · this page's link shares them"),
    ] : []));
  }

  // a link to a custom dataset: learn its kind so that the loss choices fit it
  async function learnLinked() {
    const id = state.config.dataset === "custom" ? state.config.custom_dataset : null;
    if (!id || datasets.custom?.id === id) return;
    const r = await fetch(`/api/datasets/${encodeURIComponent(id)}`).catch(() => null);
    if (r?.ok) {
      const info = await r.json();
      datasets.custom = info;
    }
  }
  state.subscribe((change) => { if (change.kind === "config") { refresh(); learnLinked(); } });
  learnLinked();
  refresh();
  return { element: details, get points() { return points; } };
}
