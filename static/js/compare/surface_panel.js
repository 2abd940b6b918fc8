// The shared loss surface: GET /api/comparisons/{id}/landscape on the PCA plane of all members'
// paths together, or on two chosen parameters through the members' start (the average of their
// starts when they differ: the server's note says which), as a plotly contour,
// every path in its member's colour; points far from the plane are drawn faint (their distance is
// in the note). Refreshed every few seconds while shown. The parameter names come from the
// server's answer ("parameters"), never derived here.

import { formatNumber as fmt } from "../format.js";

const REFRESH_MS = 2500;
const DEFAULT_PARAMS = ["W1[0,0]", "b1[0]"];   // exist in every network

/** controls: {plane: <select> pca|params, paramA, paramB: <select>s} */
export function createSurfacePanel(el, noteEl, colors, controls = null) {
  let timer = null;
  let groupId = null;
  let busy = false;
  let names = [];
  const view = { renders: 0, shown: false, lastError: null, mode: "pca", params: DEFAULT_PARAMS.slice(), shownMode: null };

  function fillNames(list) {
    if (!controls || list.join() === names.join()) return;
    names = list;
    for (const [k, sel] of [[0, controls.paramA], [1, controls.paramB]]) {
      sel.replaceChildren(...names.map((n) => new Option(n, n)));
      if (!names.includes(view.params[k])) view.params[k] = names[k === 0 ? 0 : Math.min(2, names.length - 1)];
      sel.value = view.params[k];
    }
  }

  function query() {
    const q = new URLSearchParams({ resolution: "31", mode: view.mode });
    if (view.mode === "params") for (const p of view.params) q.append("params", p);
    return q.toString();
  }

  async function refresh() {
    if (!view.shown || !groupId || busy || !window.Plotly) return;
    busy = true;
    const id = groupId;
    try {
      const r = await fetch(`/api/comparisons/${id}/landscape?${query()}`);
      const body = await r.json();
      if (id !== groupId || !view.shown) return;
      if (!r.ok) {
        view.lastError = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        noteEl.textContent = view.lastError;
        window.Plotly.purge(el);
        return;
      }
      view.lastError = null;
      fillNames(body.parameters ?? []);
      const [la, lb] = body.labels ?? ["PC 1", "PC 2"];
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
        xaxis: { title: { text: la, standoff: 2 }, zeroline: false }, yaxis: { title: { text: lb, standoff: 2 }, zeroline: false },
        font: { size: 10, family: "system-ui, sans-serif" } }, { displayModeBar: false, responsive: true });
      noteEl.textContent = `${body.note} (faint: far from the plane; largest distance ${fmt(maxD, 3)})`;
      view.shownMode = body.mode;
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
  if (controls) {
    const changed = () => {
      view.mode = controls.plane.value;
      view.params = [controls.paramA.value || view.params[0], controls.paramB.value || view.params[1]];
      controls.paramA.disabled = controls.paramB.disabled = view.mode !== "params";
      refresh();
    };
    for (const c of [controls.plane, controls.paramA, controls.paramB]) c.addEventListener("change", changed);
    controls.paramA.disabled = controls.paramB.disabled = true;
  }
  view.setGroup = (id) => {
    groupId = id;
    if (view.shown) refresh();
  };
  return view;
}
