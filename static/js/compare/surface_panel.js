// The shared loss surface: GET /api/comparisons/{id}/landscape (the PCA plane of all members'
// paths together) as a plotly contour, every path in its member's colour; points far from the
// plane are drawn faint (their distance is in the note). Refreshed every few seconds while shown.

import { formatNumber as fmt } from "../format.js";

const REFRESH_MS = 2500;

export function createSurfacePanel(el, noteEl, colors) {
  let timer = null;
  let groupId = null;
  let busy = false;
  const view = { renders: 0, shown: false, lastError: null };

  async function refresh() {
    if (!view.shown || !groupId || busy || !window.Plotly) return;
    busy = true;
    const id = groupId;
    try {
      const r = await fetch(`/api/comparisons/${id}/landscape?resolution=31`);
      const body = await r.json();
      if (id !== groupId || !view.shown) return;
      if (!r.ok) {
        view.lastError = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        noteEl.textContent = view.lastError;
        window.Plotly.purge(el);
        return;
      }
      view.lastError = null;
      const maxD = body.max_distance || 0;
      const traces = [{ type: "contour", x: body.alpha, y: body.beta, z: body.loss, colorscale: "Viridis",
        showscale: false, ncontours: 20, line: { width: 0.5, color: "rgba(255,255,255,0.3)" }, hoverinfo: "skip" }];
      body.paths.forEach((p, k) => {
        const i = body.members[k];
        const near = p.distance.map((d) => (maxD > 0 ? 1 - 0.75 * Math.min(1, d / maxD) : 1));
        traces.push({ type: "scatter", mode: "lines+markers", x: p.alpha, y: p.beta,
          line: { color: colors[i], width: 2 }, marker: { size: 3, color: colors[i], opacity: near },
          hovertemplate: `member ${i + 1}<br>step %{customdata[0]}<br>loss %{customdata[1]:.4g}<br>off-plane %{customdata[2]:.3g}<extra></extra>`,
          customdata: p.steps.map((s, j) => [s, p.loss[j], p.distance[j]]) });
      });
      window.Plotly.react(el, traces, { margin: { l: 40, r: 8, t: 6, b: 30 }, showlegend: false,
        xaxis: { title: { text: "PC 1", standoff: 2 }, zeroline: false }, yaxis: { title: { text: "PC 2", standoff: 2 }, zeroline: false },
        font: { size: 10, family: "system-ui, sans-serif" } }, { displayModeBar: false, responsive: true });
      noteEl.textContent = `${body.note} (faint: far from the plane; largest distance ${fmt(maxD, 3)})`;
      view.renders += 1;
    } catch (err) {
      noteEl.textContent = String(err.message ?? err);
    } finally {
      busy = false;
    }
  }

  view.show = (on, id) => {
    view.shown = on;
    groupId = id;
    clearInterval(timer);
    if (on) {
      refresh();
      timer = setInterval(refresh, REFRESH_MS);
    } else if (window.Plotly) {
      window.Plotly.purge(el);
    }
  };
  view.setGroup = (id) => {
    groupId = id;
    if (view.shown) refresh();
  };
  return view;
}
