// The playground's hook into the backprop lab: click a training point on the output plot, then
// "backprop graph of point #i" opens /graph?run=ID&example=i in a new tab (the run stays with
// this page). The point under the pointer comes from the boundary view's pointAt(). The link
// carries the run's control token (if this page holds it) in its fragment.

export function attachGraphLink({ canvas, tools, view, snapshot, connection }) {
  const link = document.createElement("a");
  link.className = "graph-link";
  link.target = "_blank";
  link.dataset.testid = "graph-link";
  link.title = "the loss of one training example as a computational graph: click a training point first";
  let example = 0;
  let shown = null;  // the href last written: refresh() rewrites it only when it changes
  const update = () => {
    // the run's control token travels in the fragment (never sent to the server; the lab keeps
    // it in its session storage and drops it from the address): the lab may then apply a
    // what-if to the run; without it the lab only watches
    const token = connection.token;
    const run = connection.runId;
    // no run yet: no link to follow (an address with an empty run would open nothing)
    const href = run ? `/graph?run=${encodeURIComponent(run)}&example=${example}`
      + (token ? `#token=${encodeURIComponent(token)}` : "") : null;
    if (href === shown) return;
    shown = href;
    if (href) link.href = href; else link.removeAttribute("href");
    link.setAttribute("aria-disabled", href ? "false" : "true");
    link.textContent = `backprop graph of point #${example}`;
  };
  update();
  tools.appendChild(link);
  // the run (and its token) may arrive after the link is made: main.js calls refresh() on every
  // frame and access change (cheap: nothing is written unless the address changes); also when
  // the link is pointed at
  for (const event of ["click", "pointerenter", "focus"]) link.addEventListener(event, update);
  canvas.addEventListener("click", (e) => {
    const hit = view.pointAt?.(snapshot, e.clientX, e.clientY);
    if (hit && hit.example != null) { example = hit.example; update(); }
  });
  return { refresh: update, get href() { return shown; } };
}
