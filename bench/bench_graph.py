"""Backprop lab benchmark: POST /api/graph on a 150-node graph, and the page's layout + draw.

    python bench/bench_graph.py [--url http://127.0.0.1:8000] [--repeats 200] [--json out.json]

Starts the server (unless --url is given) and headless Chromium (/usr/bin/chromium).

- server: median and p95 wall time of POST /api/graph for a 150-node expression (a small
  two-layer tanh network written out as assignments, nudge sweep included), beside two peers
  measured in the same run: the same work in process (engine/graph_lab.expression_graph, no
  HTTP) and GET /api/graph/presets (a trivial handler: the HTTP round trip alone);
- page: the time the page spends laying the graph out with dagre and drawing its SVG (its own
  performance.now() timings) for the 150-node graph, beside the 7-node chain preset as peer and
  a fixed 1e7-add JavaScript loop in the same page (how fast the machine is right now).

Targets (issue 9): POST <= 20 ms, layout + draw <= 50 ms. Exit status 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CHROMIUM = "/usr/bin/chromium"
TARGET_POST_MS = 20.0
TARGET_PAGE_MS = 50.0


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    import httpx
    for _ in range(300):
        try:
            if httpx.get(f"{url}/api/schema", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the server did not start")


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"median": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))]}


def bench_server(url: str, repeats: int) -> dict:
    import httpx
    from engine.graph_lab import expression_graph
    text, values = expression_150()
    body = {"expression": text, "values": values, "nudge": "x0"}
    with httpx.Client(base_url=url, timeout=10) as c:
        r = c.post("/api/graph", json=body)
        r.raise_for_status()
        nodes = len(r.json()["nodes"])
        for _ in range(20):
            c.post("/api/graph", json=body)
        post = timed(lambda: c.post("/api/graph", json=body).raise_for_status(), repeats)
        trivial = timed(lambda: c.get("/api/graph/presets").raise_for_status(), repeats)
    engine = timed(lambda: expression_graph(text, values, nudge="x0"), repeats)
    return {"nodes": nodes, "post": summary(post), "engine_in_process": summary(engine),
            "trivial_get": summary(trivial)}


def bench_page(url: str, repeats: int) -> dict:
    from playwright.sync_api import sync_playwright
    text, values = expression_150()
    chain = {"expression": "e = a*b; d = e + c; L = d*f", "values": {"a": 2, "b": -3, "c": 10, "f": -2}}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/graph?preset=chain")
        page.wait_for_function("window.__graph && window.__graph.ready")
        big, small, loop = [], [], []
        calibrate = "() => { const t = performance.now(); let s = 0; for (let i = 0; i < 1e7; i++) s += i; return performance.now() - t; }"
        for k in range(repeats + 3):
            s1 = page.evaluate("([e, v]) => window.__graph.load(e, v)", [text, values])
            s2 = page.evaluate("([e, v]) => window.__graph.load(e, v)", [chain["expression"], chain["values"]])
            t_loop = page.evaluate(calibrate)
            if k >= 3:  # warm-up
                big.append(s1["layoutMs"] + s1["drawMs"])
                small.append(s2["layoutMs"] + s2["drawMs"])
                loop.append(t_loop)
        nodes = s1["nodes"]
        b.close()
    return {"nodes": nodes, "layout_draw": summary(big), "chain_layout_draw": summary(small),
            "js_loop_1e7": summary(loop)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    ap.add_argument("--repeats", type=int, default=200)
    ap.add_argument("--page-repeats", type=int, default=15)
    ap.add_argument("--json")
    args = ap.parse_args()
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server()
    try:
        server = bench_server(url, args.repeats)
        page = bench_page(url, args.page_repeats)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=10)
    result = {"server": server, "page": page}
    s, pg = server, page
    print(f"POST /api/graph, {s['nodes']} nodes: median {s['post']['median']:.1f} ms "
          f"(p95 {s['post']['p95']:.1f}); in process {s['engine_in_process']['median']:.1f} ms; "
          f"trivial GET {s['trivial_get']['median']:.1f} ms  [target <= {TARGET_POST_MS:g} ms]")
    print(f"page layout + draw, {pg['nodes']} nodes: median {pg['layout_draw']['median']:.1f} ms "
          f"(p95 {pg['layout_draw']['p95']:.1f}); chain preset (7 nodes) "
          f"{pg['chain_layout_draw']['median']:.1f} ms; a 1e7-add JS loop "
          f"{pg['js_loop_1e7']['median']:.1f} ms (machine speed)  [target <= {TARGET_PAGE_MS:g} ms]")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    ok = s["post"]["median"] <= TARGET_POST_MS and pg["layout_draw"]["median"] <= TARGET_PAGE_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
