// Every picture can be saved as PNG: a button per panel (in "Save & export"). A panel's
// visible canvases are stacked into one image (static/js/picture_layout.js); a shown plotly
// plot (the 3-D surface) is saved through Plotly.toImage.

import { pictureName, stackPictures } from "./picture_layout.js";

function download(href, name) {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

const visible = (el) => !el.closest("[hidden]") && el.offsetWidth > 0 && el.offsetHeight > 0;

async function savePanel(panel, name, step) {
  const plot = [...panel.querySelectorAll(".js-plotly-plot")].find(visible);
  if (plot && window.Plotly) {
    const url = await window.Plotly.toImage(plot, { format: "png", width: plot.offsetWidth * 2, height: plot.offsetHeight * 2 });
    download(url, pictureName(name, step));
    return;
  }
  const canvases = [...panel.querySelectorAll("canvas")].filter(visible);
  const { width, height, places } = stackPictures(canvases.map((c) => ({ width: c.width, height: c.height })));
  if (!width) return;
  const out = document.createElement("canvas");
  out.width = width;
  out.height = height;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  canvases.forEach((c, i) => places[i] && ctx.drawImage(c, places[i].x, places[i].y));
  const blob = await new Promise((resolve) => out.toBlob(resolve, "image/png"));
  const url = URL.createObjectURL(blob);
  download(url, pictureName(name, step));
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One PNG button per picture (every `section.panel` of root), in `container`; `step()` gives
 * the run's step for the file names. (In the panels' own heads they would not fit at 1280 px:
 * the loss surface's tools already fill its head.) */
export function addPictureButtons(root, container, step = () => undefined) {
  const row = document.createElement("div");
  row.className = "store-row";
  const label = document.createElement("span");
  label.className = "store-label";
  label.textContent = "pictures (PNG)";
  row.append(label);
  for (const panel of root.querySelectorAll("section.panel")) {
    const name = (panel.dataset.testid ?? "picture").replace(/-view$/, "");
    const title = panel.querySelector("h2")?.textContent.trim() || name;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "store-button small";
    button.textContent = title.toLowerCase();
    button.title = `save the ${title.toLowerCase()} picture as a PNG file`;
    button.dataset.testid = `png-${name}`;
    button.addEventListener("click", () => savePanel(panel, name, step()).catch((err) => console.error(err)));
    row.append(button);
  }
  container.append(row);
  return row;
}
