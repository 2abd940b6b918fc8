// The backprop lab's requests (server/routes_graph.py). Errors come back as {error, detail}.

async function answer(r) {
  const body = await r.json().catch(() => null);
  if (r.ok) return { graph: body };
  const first = Array.isArray(body?.detail) ? body.detail[0] : null;
  const message = first?.msg ?? (typeof body?.detail === "string" ? body.detail : `HTTP ${r.status}`);
  return { error: message, detail: first, status: r.status };
}

export async function expressionGraph({ expression, values, nudge }) {
  const r = await fetch("/api/graph", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ expression, values, nudge: nudge || null }),
  });
  return answer(r);
}

/** A run's example graph; `weights` ({name: value} or null) draws it as a what-if (the run is
 *  not changed). */
export async function runGraph({ run, example, layer, neuron, nudge, weights }) {
  const q = new URLSearchParams({ example: String(example) });
  if (layer != null && neuron != null) { q.set("layer", String(layer)); q.set("neuron", String(neuron)); }
  if (nudge) q.set("nudge", nudge);
  if (weights) q.set("what_if", JSON.stringify(weights));
  const r = await fetch(`/api/runs/${encodeURIComponent(run)}/graph?${q}`);
  return answer(r);
}

/** Set the run's parameters for real (PATCH /api/runs/{id}/params); `headers` carry the
 *  run's control token. Answers {changed} or {error}. */
export async function applyToRun({ run, weights, headers = {} }) {
  const r = await fetch(`/api/runs/${encodeURIComponent(run)}/params`, {
    method: "PATCH", headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(weights),
  });
  const body = await r.json().catch(() => null);
  if (r.ok) return { changed: body?.changed ?? [] };
  const d = body?.detail;
  const message = typeof d === "string" ? d : d?.message ?? (Array.isArray(d) ? d[0]?.msg : null);
  return { error: message ?? `HTTP ${r.status}`, status: r.status };
}
