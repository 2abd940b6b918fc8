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

export async function runGraph({ run, example, layer, neuron, nudge }) {
  const q = new URLSearchParams({ example: String(example) });
  if (layer != null && neuron != null) { q.set("layer", String(layer)); q.set("neuron", String(neuron)); }
  if (nudge) q.set("nudge", nudge);
  const r = await fetch(`/api/runs/${encodeURIComponent(run)}/graph?${q}`);
  return answer(r);
}
