// Save and export: save the run (a permanent link, /?saved=ID), the list of saved runs, the
// run's export as JSON, CSV or NPZ, and the banner shown when the server no longer has the run
// but saved it (at a shutdown or when it expired). Talks to REST only; the run id comes from
// the connection. A save's answer carries the saved run's owner token (the run's): it is kept in
// `savedStorage` (localStorage) and the list offers "delete" for the saved runs it holds one for
// (DELETE /api/saved/{id} needs it). On a watching page the exports, pictures and the list stay
// usable (data-read: static/js/access_view.js); saving and deleting do not.

import { controlHeaders, forgetSaved, rememberSaved, savedToken } from "./run_access.js";

const REASON_TEXT = {
  shutdown: "This run was saved when the server stopped",
  expired: "This run was saved when it expired",
  user: "This run was saved",
};

/** An element: properties, data-* from `dataset`, attributes for names with a dash. */
export function el(tag, props = {}, ...children) {
  const { dataset = {}, ...rest } = props;
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(rest)) {
    if (k.includes("-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  Object.assign(node.dataset, dataset);
  node.append(...children.filter((c) => c != null));
  return node;
}

function describe(s) {
  const m = s.summary ?? {};
  const net = (m.hidden ?? []).join("-") || "no hidden layer";
  const when = new Date(s.saved_at * 1000).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  const why = s.reason === "user" ? "saved" : `saved at ${s.reason === "shutdown" ? "a server stop" : "expiry"}`;
  return `${m.dataset ?? "?"} · ${net} · ${m.optimizer ?? ""} · step ${s.step} · ${why} ${when}`;
}

export function createStorePanel({ container, connection, savedStorage = null, bannerHost = document.body }) {
  const runId = () => connection.runId;
  const status = el("p", { className: "store-status", role: "status", dataset: { testid: "save-status" } });
  const save = el("button", { type: "button", className: "store-button", dataset: { testid: "save-run" },
                              title: "keep this run: weights, optimizer state and history, to continue later" }, "Save run");
  const exports = ["json", "csv", "npz"].map((f) => {
    const b = el("button", { type: "button", className: "store-button small", dataset: { testid: `export-${f}` },
                             title: `configuration, weights and history as ${f.toUpperCase()}` }, f.toUpperCase());
    b.dataset.read = "";   // reads: usable while watching
    b.addEventListener("click", () => {
      if (!runId()) return;
      const a = el("a", { href: `/api/runs/${runId()}/export?format=${f}`, download: "" });
      document.body.append(a);
      a.click();
      a.remove();
    });
    return b;
  });
  const pictures = el("div", { className: "pictures", dataset: { read: "" } });  // PNG buttons (picture_export.js)
  const list = el("ul", { className: "saved-list", dataset: { testid: "saved-list" } });
  const listLinks = (s) => el("a", { href: `/?saved=${encodeURIComponent(s.saved_id)}`, textContent: describe(s),
                                     dataset: { testid: "saved-item", read: "" } });
  const details = el("details", { dataset: { group: "store", testid: "store-panel" } },
    el("summary", {}, "Save & export"),
    el("div", { className: "store-row" }, save, el("span", { className: "store-label" }, "export"), ...exports),
    status,
    pictures,
    el("div", { className: "store-label" }, "saved runs (newest first)"),
    list);
  container.append(details);

  async function refreshList() {
    const r = await fetch("/api/saved?limit=8").catch(() => null);
    const saved = r?.ok ? await r.json() : [];
    list.replaceChildren(...(saved.length ? saved.map((s) => el("li", {}, listLinks(s), deleteButton(s)))
      : [el("li", { className: "empty" }, "none yet")]));
  }

  /** "delete" for a saved run this browser holds the owner token of (else nothing). */
  function deleteButton(s) {
    const token = savedToken(savedStorage, s.saved_id);
    if (!token) return null;
    const b = el("button", { type: "button", className: "store-button small delete", dataset: { testid: "saved-delete" },
                             title: "delete this saved run (you saved it)", "aria-label": `delete the saved run: ${describe(s)}` }, "delete");
    b.addEventListener("click", async () => {
      const r = await fetch(`/api/saved/${encodeURIComponent(s.saved_id)}`,
        { method: "DELETE", headers: controlHeaders(token) }).catch(() => null);
      if (r && (r.ok || r.status === 404)) {
        forgetSaved(savedStorage, s.saved_id);
        status.className = "store-status";
        status.textContent = "Deleted the saved run.";
      } else {
        const body = await r?.json().catch(() => ({}));
        status.className = "store-status error";
        status.textContent = `Not deleted: ${body?.detail ?? (r ? `HTTP ${r.status}` : "no answer")}`;
      }
      refreshList();
    });
    return b;
  }

  save.addEventListener("click", async () => {
    if (!runId()) return;
    const r = await fetch(`/api/runs/${runId()}/save`, { method: "POST", headers: connection.controlHeaders() });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      status.textContent = `Not saved: ${body.detail ?? `HTTP ${r.status}`}`;
      status.className = "store-status error";
      return;
    }
    rememberSaved(savedStorage, body.saved_id, body.control_token);
    const link = `${location.origin}/?saved=${encodeURIComponent(body.saved_id)}`;
    status.className = "store-status";
    status.replaceChildren("Saved. Reopen it any time at ", el("a", { href: link, textContent: "this link", dataset: { testid: "saved-link" } }), ".");
    refreshList();
  });
  details.addEventListener("toggle", () => details.open && refreshList());

  // ---- the banner for a run the server no longer has
  const banner = el("div", { className: "saved-banner", role: "alert", hidden: true, dataset: { testid: "saved-banner" } });
  bannerHost.append(banner);   // the page's top bar: a row of its own, over nothing

  /** The server lost `id`: if it saved it, say so with a reopen link; resolves whether it did. */
  async function runLost(id) {
    if (!id) return false;
    const r = await fetch(`/api/saved?run=${encodeURIComponent(id)}&limit=1`).catch(() => null);
    const found = r?.ok ? (await r.json())[0] : null;
    if (!found) return false;
    const close = el("button", { type: "button", className: "close", "aria-label": "dismiss", textContent: "×" });
    close.addEventListener("click", () => { banner.hidden = true; });
    banner.replaceChildren(
      el("span", {}, `${REASON_TEXT[found.reason] ?? REASON_TEXT.user} (step ${found.step}): `),
      el("a", { href: `/?saved=${encodeURIComponent(found.saved_id)}`, textContent: "reopen", dataset: { testid: "saved-reopen" } }),
      el("span", { className: "muted" }, " · this page goes on with a new run of the same settings"),
      close);
    banner.hidden = false;
    return true;
  }

  return { runLost, refreshList, element: details, pictures };
}
