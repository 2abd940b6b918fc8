"""Backprop lab benchmark: POST /api/graph on a 150-node graph, and the page's layout + draw.

    python bench/bench_graph.py [--repeats 200] [--page-repeats 15] [--before REF] [--json out.json]
    python bench/bench_graph.py --url http://127.0.0.1:8000      # against a running server

Starts the server (unless --url is given) and headless Chromium (/usr/bin/chromium).

- server: median and p95 wall time of POST /api/graph for a 150-node expression (a small
  two-layer tanh network written out as assignments, nudge sweep included), beside two peers
  measured in the same run: the same work in process (engine/graph_lab.expression_graph, no
  HTTP, no JSON) and GET /api/graph/presets (a trivial handler: the HTTP round trip alone);
- page: the time the page spends on a new 150-node graph: dagre's layout and the SVG (the
  page's own performance.now() timings) plus the browser's style and layout of it (forced right
  after, in the same task); the same for a value-only change (one leaf edited: same structure);
  beside the 7-node chain preset and a fixed 1e7-add JavaScript loop (how fast the machine is).

`--before REF` (a git commit, e.g. the main branch before a change) extracts that tree with
`git archive`, starts a second server from it, and measures both in the same run, alternating
request by request and page load by page load, so both see the same machine. Targets (issue 9):
POST <= 20 ms, a new 150-node graph laid out and drawn <= 50 ms. Exit status 1 when one is
missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from uvicorn_server import answering, free_port  # noqa: E402
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_POST_MS = 20.0
TARGET_PAGE_MS = 50.0
CHAIN = ("e = a*b; d = e + c; L = d*f", {"a": 2, "b": -3, "c": 10, "f": -2})

# window.__graph.load (static/js/graph/main.js) awaits the request and sets the graph; the
# browser's style and layout of the new SVG is forced right after, before any frame.
LOAD_AND_FORCE = """async ([e, v]) => {
  const s = await window.__graph.load(e, v);
  const t = performance.now();
  document.body.offsetHeight;
  document.querySelector('[data-testid=graph-svg]').getBBox();
  return {layoutMs: s.layoutMs, drawMs: s.drawMs, styleMs: performance.now() - t,
          nodes: s.nodes, relayout: s.relayout};
}"""
JS_LOOP = ("() => { const t = performance.now(); let s = 0; for (let i = 0; i < 1e7; i++) s += i; "
           "return performance.now() - t; }")


def expression_150() -> tuple[str, dict]:
    """z_j = sum_k w_jk x_k + b_j; a_j = tanh(z_j); L = (sum_j v_j a_j - y) ** 2."""
    lines, values = [], {"y": 0.5}
    n_in, n_hidden = 3, 10
    for k in range(n_in):
        values[f"x{k}"] = 0.3 * (k + 1)
    for j in range(n_hidden):
        terms = " + ".join(f"w{j}{k}*x{k}" for k in range(n_in))
        lines.append(f"z{j} = {terms} + b{j}")
        lines.append(f"a{j} = tanh(z{j})")
        values.update({f"w{j}{k}": 0.1 * (j - k) for k in range(n_in)})
        values[f"b{j}"] = 0.05 * j
        values[f"v{j}"] = 0.2 * (j - 2)
    lines.append("o = " + " + ".join(f"v{j}*a{j}" for j in range(n_hidden)))
    lines.append("L = (o - y) ** 2")
    return "\n".join(lines), values


def start_server(root: Path = REPO) -> tuple[subprocess.Popen, str]:
    """uvicorn on a free port with `root` as working directory (its code is imported)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=root)
    url = f"http://127.0.0.1:{port}"
    if answering(url, seconds=60):
        return proc, url
    proc.terminate()
    raise RuntimeError(f"the server in {root} did not start")


def extract(ref: str, into: Path) -> Path:
    """The tree of commit `ref` under `into` (git archive | tar)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"median": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))], "min": ms[0],
            "n": len(ms)}


def bench_server(urls: dict[str, str], repeats: int) -> dict:
    """POST /api/graph (150 nodes) on each server, alternating; plus the two peers."""
    import httpx
    from engine.graph_lab import expression_graph
    text, values = expression_150()
    body = {"expression": text, "values": values, "nudge": "x0"}
    clients = {name: httpx.Client(base_url=url, timeout=10) for name, url in urls.items()}
    post = {name: [] for name in urls}
    trivial = []
    try:
        nodes = len(clients["after"].post("/api/graph", json=body).json()["nodes"])
        for _ in range(20):
            for c in clients.values():
                c.post("/api/graph", json=body).raise_for_status()
        for _ in range(repeats):
            for name, c in clients.items():
                t0 = time.perf_counter()
                c.post("/api/graph", json=body).raise_for_status()
                post[name].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            clients["after"].get("/api/graph/presets").raise_for_status()
            trivial.append((time.perf_counter() - t0) * 1000)
    finally:
        for c in clients.values():
            c.close()
    engine = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        expression_graph(text, values, nudge="x0")
        engine.append((time.perf_counter() - t0) * 1000)
    return {"nodes": nodes, "post": {name: summary(ms) for name, ms in post.items()},
            "engine_in_process": summary(engine), "trivial_get": summary(trivial)}


def bench_page(urls: dict[str, str], repeats: int) -> dict:
    """A new 150-node graph, then the same graph with one leaf changed, then the chain preset,
    on one page per server, alternating."""
    from playwright.sync_api import sync_playwright
    text, values = expression_150()
    out = {name: {"new": [], "values_only": [], "chain": [], "relayouts_on_edit": 0}
           for name in urls}
    loop = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for name, url in urls.items():
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{url}/graph?preset=chain")
            page.wait_for_function("window.__graph && window.__graph.ready")
            pages[name] = page
        total = lambda s: s["layoutMs"] + s["drawMs"] + s["styleMs"]  # noqa: E731
        for k in range(repeats + 3):
            for name, page in pages.items():
                edited = dict(values, x0=values["x0"] + 0.01 * (k + 1))
                new = page.evaluate(LOAD_AND_FORCE, [text, values])
                edit = page.evaluate(LOAD_AND_FORCE, [text, edited])
                chain = page.evaluate(LOAD_AND_FORCE, list(CHAIN))
                if k >= 3:  # warm-up
                    out[name]["new"].append(total(new))
                    out[name]["values_only"].append(total(edit))
                    out[name]["chain"].append(total(chain))
                    out[name]["relayouts_on_edit"] += edit.get("relayout", True) is not False
                    out[name]["nodes"] = new["nodes"]
            loop.append(pages["after"].evaluate(JS_LOOP))
        browser.close()
    result = {name: {"nodes": r["nodes"], "new": summary(r["new"]),
                     "values_only": summary(r["values_only"]), "chain": summary(r["chain"]),
                     "relayouts_on_edit": r["relayouts_on_edit"], "repeats": repeats}
              for name, r in out.items()}
    result["js_loop_1e7"] = summary(loop[3:])
    return result


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def report(server: dict | None, page: dict | None) -> list[str]:
    lines = []
    for name, s in (server or {}).get("post", {}).items():
        lines.append(f"POST /api/graph, {server['nodes']} nodes [{name}]: median "
                     f"{s['median']:.1f} ms (p95 {s['p95']:.1f}, min {s['min']:.1f})")
    if server:
        lines.append(f"  peers: the same work in process {server['engine_in_process']['median']:.1f} "
                     f"ms; trivial GET {server['trivial_get']['median']:.1f} ms  "
                     f"[target <= {TARGET_POST_MS:g} ms]")
    for name, pg in (page or {}).items():
        if name == "js_loop_1e7":
            continue
        lines.append(f"page, a new {pg['nodes']}-node graph laid out and drawn [{name}]: median "
                     f"{pg['new']['median']:.1f} ms (p95 {pg['new']['p95']:.1f}, min "
                     f"{pg['new']['min']:.1f}); one leaf edited {pg['values_only']['median']:.1f} "
                     f"ms (re-laid out {pg['relayouts_on_edit']} of {pg['repeats']}); chain preset "
                     f"{pg['chain']['median']:.1f} ms")
    if page:
        lines.append(f"  peer: a 1e7-add JS loop {page['js_loop_1e7']['median']:.1f} ms (machine "
                     f"speed)  [target <= {TARGET_PAGE_MS:g} ms]")
    lines.append(f"load average {load_average()}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="measure a running server instead of starting one")
    ap.add_argument("--before", metavar="REF", help="also measure the tree of this git commit")
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--page-repeats", type=int, default=15)
    ap.add_argument("--only", choices=["server", "page"], help="measure one part only")
    ap.add_argument("--json")
    args = ap.parse_args()
    procs = []
    urls = {}
    with tempfile.TemporaryDirectory(prefix="bench-graph-before-") as tmp:
        try:
            if args.url:
                urls["after"] = args.url
            else:
                proc, urls["after"] = start_server()
                procs.append(proc)
            if args.before:
                proc, urls["before"] = start_server(extract(args.before, Path(tmp)))
                procs.append(proc)
                urls = {"before": urls["before"], "after": urls["after"]}
            server = bench_server(urls, args.repeats) if args.only != "page" else None
            page = bench_page(urls, args.page_repeats) if args.only != "server" else None
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
    print("\n".join(report(server, page)))
    if args.json:
        Path(args.json).write_text(json.dumps({"server": server, "page": page}, indent=2))
    ok = ((server is None or server["post"]["after"]["median"] <= TARGET_POST_MS)
          and (page is None or page["after"]["new"]["median"] <= TARGET_PAGE_MS))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
