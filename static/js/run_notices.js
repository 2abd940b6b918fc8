// The run's notices: what the engine says about the run now, shown beside the loss curve.
// Every sentence and every decision comes from the frame header (the engine decides: the
// "unstable" warning and its reason in metrics, the standardize hint and clipping's effect in
// diagnostics); this module only words the clipping numbers and draws the list.

import { formatNumber as fmt, formatPercent } from "./format.js";

/**
 * The notices for a frame header, in display order: [{kind, level, text, action?}].
 * kind: "unstable" | "standardize" | "clipping"; level: "warn" | "info"; action: the config
 * change a button offers ({standardize: true} for the hint).
 */
export function runNotices(header) {
  const out = [];
  const m = header?.metrics;
  const d = header?.diagnostics;
  if (m?.warning === "unstable" && m.status !== "diverged") {
    out.push({ kind: "unstable", level: "warn", text: `Unstable: ${m.warning_reason}` });
  }
  if (d?.standardize_hint) {
    out.push({ kind: "standardize", level: "info", text: d.standardize_hint,
               action: { label: "Standardize inputs", changes: { standardize: true } } });
  }
  const c = d?.clipping;
  if (c && c.mode !== "none" && c.steps > 0) {
    const how = c.mode === "norm" ? `by global norm at ${fmt(c.threshold)}` : `by value at ±${fmt(c.threshold)}`;
    out.push({
      kind: "clipping", level: "info",
      text: `Clipping ${how}: ${formatPercent(c.share)} of ${c.steps} steps clipped; `
        + `last step's gradient norm ${fmt(c.pre_clip_norm)} before, ${fmt(c.post_clip_norm)} after.`,
    });
  }
  return out;
}

/** The view: one paragraph per notice under `el`, kept (only its text changes) while the
 * notice stays, so that a notice updated every frame is not rebuilt every frame. */
export function createRunNoticesView(el, state) {
  const view = { renders: 0 };
  const shown = new Map();   // kind -> {item, text, textNode}
  let lastKey = null;
  function item(n) {
    const p = document.createElement("p");
    p.className = `run-notice ${n.level}`;
    p.dataset.testid = `run-notice-${n.kind}`;
    const textNode = document.createTextNode("");
    p.append(textNode);
    if (n.action) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = n.action.label;
      b.dataset.testid = `run-notice-${n.kind}-action`;
      b.addEventListener("click", () => state.setConfig(n.action.changes));
      p.append(" ", b);
    }
    return { item: p, textNode };
  }
  view.render = function render(snap) {
    const notices = runNotices(snap.header);
    const key = notices.map((n) => `${n.kind}:${n.text}`).join("\n");
    if (key === lastKey) return false;
    lastKey = key;
    const kinds = new Set(notices.map((n) => n.kind));
    for (const [kind, entry] of shown) {
      if (!kinds.has(kind)) {
        entry.item.remove();
        shown.delete(kind);
      }
    }
    for (const n of notices) {
      let entry = shown.get(n.kind);
      if (!entry) shown.set(n.kind, (entry = item(n)));
      if (entry.textNode.data !== n.text) entry.textNode.data = n.text;
      el.append(entry.item);   // in display order (a no-op move when already there)
    }
    el.hidden = notices.length === 0;
    view.renders += 1;
    return true;
  };
  return view;
}
