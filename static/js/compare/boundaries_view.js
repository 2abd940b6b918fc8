// Small multiples: every member's decision boundary (its output over the input plane) in a
// square framed in the member's colour, painted from the frame's u8 grid with the playground's
// colour tables.

import { formatNumber as fmt } from "../format.js";
import { classRgba, divergingTable, paintGrid } from "../heatmap.js";

export function createBoundariesView(container, colors) {
  let cells = [];
  let lastStamp = -1;
  const view = { renders: 0 };

  function build(state) {
    container.replaceChildren();
    cells = state.members.map((m, i) => {
      const box = document.createElement("div");
      box.className = "boundary";
      box.style.setProperty("--member", colors[i]);
      const canvas = document.createElement("canvas");
      canvas.dataset.testid = `boundary-${i}`;
      const label = document.createElement("span");
      box.append(canvas, label);
      container.append(box);
      return { canvas, label, ctx: canvas.getContext("2d"), image: null };
    });
  }

  view.render = function render(state) {
    if (!state.header || state.stamp === lastStamp) return false;
    lastStamp = state.stamp;
    if (cells.length !== state.members.length) build(state);
    state.members.forEach((m, i) => {
      const cell = cells[i];
      const info = m.info ?? {};
      const acc = info.metrics?.test_accuracy;
      cell.label.textContent = `${info.label ?? `member ${i + 1}`}${acc == null ? "" : ` · test ${fmt(acc * 100, 3)}%`}`;
      if (!m.quantized || !m.gridShape || m.gridShape.length !== 3) return;
      const [rows, cols, k] = m.gridShape;
      if (cell.canvas.width !== cols) {
        cell.canvas.width = cols;
        cell.canvas.height = rows;
        cell.image = cell.ctx.createImageData(cols, rows);
      }
      const bytes = m.quantized.bytes;
      if (k === 1) {
        const q = m.quantized;
        paintGrid(new Uint32Array(cell.image.data.buffer), bytes,
                  divergingTable({ lo: q.lo ?? 0, hi: q.hi ?? 1, center: 0.5, scale: 0.5 }), { rows, cols });
      } else {
        const px = new Uint32Array(cell.image.data.buffer);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            let best = 0;
            const base = (r * cols + c) * k;
            for (let j = 1; j < k; j++) if (bytes[base + j] > bytes[base + best]) best = j;
            px[(rows - 1 - r) * cols + c] = classRgba(best, bytes[base + best] / 255);
          }
        }
      }
      cell.ctx.putImageData(cell.image, 0, 0);
    });
    view.renders += 1;
    return true;
  };
  return view;
}
