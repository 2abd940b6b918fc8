// The playground's hook into the backprop lab: click a training point on the output plot, then
// "backprop graph of point #i" opens /graph?run=ID&example=i in a new tab (the run stays with
// this page). The point under the pointer comes from the boundary view's pointAt().

export function attachGraphLink({ canvas, tools, view, snapshot, connection }) {
  const link = document.createElement("a");
  link.className = "graph-link";
  link.target = "_blank";
  link.dataset.testid = "graph-link";
  link.title = "the loss of one training example as a computational graph: click a training point first";
  let example = 0;
  const update = () => {
    link.href = `/graph?run=${encodeURIComponent(connection.runId ?? "")}&example=${example}`;
    link.textContent = `backprop graph of point #${example}`;
  };
  update();
  tools.appendChild(link);
  link.addEventListener("click", update);
  canvas.addEventListener("click", (e) => {
    const hit = view.pointAt?.(snapshot, e.clientX, e.clientY);
    if (hit && hit.example != null) { example = hit.example; update(); }
  });
}
