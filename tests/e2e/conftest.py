"""Browser tests: a real uvicorn on a free port and headless Chromium (Playwright, the system's
/usr/bin/chromium; `playwright install` is never needed).

Fixtures: `server_url` (one server for the session), `chromium_browser` (one Chromium per test module),
`open_page(query="")` (a fresh page on the playground, ready and receiving frames; its console
errors fail the test), `api` and `page_run(page)` (REST with the page's control token), `artifacts` (test-artifacts/ at the repo root, for screenshots),
`own_server(log_name, settings=None)` (a server of the test's own, to stop and start again).
Helpers: `open_lenient_page(browser, url)` (a page whose console errors are allowed),
`created(api, collection, body, step)` (a run, group or race made and stepped over REST),
`canvas_colours(page, testid)` (the colours drawn on a canvas).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("NNP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}

from playwright import sync_api  # noqa: E402  (a test dependency: pip install -e '.[test]')



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, data_dir: str, log, settings: dict | None = None) -> subprocess.Popen:
    """A server of its own on `port` with its store in `data_dir` (tests that stop and restart
    it); `settings`: Settings fields that differ from the defaults (e.g. tight limits)."""
    env = dict(os.environ, NN_PLAYGROUND_DATA_DIR=data_dir)
    app = ["server.app:app"]
    if settings:   # uvicorn's app factory: create_app with these Settings
        env["NNP_TEST_SETTINGS"] = json.dumps(settings)
        app = ["tests.e2e.settings_app:create", "--factory"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port",
         str(port), "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
         "--log-level", "warning"], cwd=ARTIFACTS.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120   # generous: a loaded machine imports slowly
    while True:
        assert proc.poll() is None, "the server exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/schema", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    """A graceful stop (SIGTERM): the server saves the runs that trained, then exits."""
    proc.send_signal(signal.SIGTERM)      # a graceful shutdown, as systemd or Ctrl-C would
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


class OwnServer:
    """A server of one test's own (start_server) on `port` with its store in `data_dir` (and
    `settings`, if given), that the test stops (gracefully) and starts again on the same port and
    store; `url` is its address."""

    def __init__(self, port: int, data_dir: str, log, settings: dict | None = None):
        self.port, self.data_dir, self.log, self.settings = port, data_dir, log, settings
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start_server(self.port, self.data_dir, self.log, settings=self.settings)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        stop_server(proc)


@pytest.fixture
def own_server(tmp_path, artifacts):
    """own_server(log_name, settings=None) -> a started OwnServer on a free port, its store in a
    fresh folder, its output in test-artifacts/<log_name>, with those Settings fields (see
    start_server); stopped after the test if it is running."""
    made = []

    def make(log_name: str, settings: dict | None = None) -> OwnServer:
        server = OwnServer(free_port(), str(tmp_path / f"store{len(made)}"),
                           (artifacts / log_name).open("w"), settings)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        try:
            if server.proc is not None:
                server.stop()
        finally:
            server.log.close()


def open_lenient_page(browser, url: str, viewport: dict | None = None):
    """A page of its own on `url`, once ready and receiving frames, whose console errors are
    allowed (the browser logs a refused upload or a lost socket as one); its uncaught exceptions
    are collected. -> (context, page, errors): the caller asserts `not errors` and closes it."""
    context = browser.new_context(viewport=viewport or VIEWPORT)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    wait_ready(page)
    return context, page, errors


@pytest.fixture(scope="session")
def unused_port():
    """A function returning a free loopback port (for servers and browsers the tests start)."""
    return free_port


def worker_suffix() -> str:
    """"-gw0", "-gw1", ... in a pytest-xdist worker, "" in a plain run: the session server of
    each worker writes a log of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"-{worker}" if worker else ""


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """One server per session (per xdist worker), its store in a fresh temporary folder (never
    the user's data directory), its output in test-artifacts/server[-gwN].log."""
    port = free_port()
    log = (ARTIFACTS / f"server{worker_suffix()}.log")
    ARTIFACTS.mkdir(exist_ok=True)
    out = log.open("w")
    env = dict(os.environ, NN_PLAYGROUND_DATA_DIR=str(tmp_path_factory.mktemp("session-server-data")))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:app", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--log-level", "warning"],
        cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120   # generous: two workers share the cores, imports are slow
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/api/schema", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise RuntimeError(f"the server did not answer within 120 s; see {log}")
        time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    out.close()


@pytest.fixture(scope="module")
def chromium_browser():
    """Module-scoped: Playwright's sync API runs an event loop in this thread while it is open,
    which would stop later (non-browser) tests from calling asyncio.run()."""
    if not Path(CHROMIUM).exists():  # fail (never skip), and only the browser tests
        pytest.fail(f"no Chromium at {CHROMIUM}: `bash scripts/test.sh` installs it from "
                    "Debian's packages (or set NNP_CHROMIUM to another Chromium)", pytrace=False)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def api(server_url, with_tokens):
    """An httpx client on the server that carries the control tokens it is given
    (tests/conftest.py: runs it creates, and pages' runs adopted with `page_run`)."""
    with with_tokens(httpx.Client(base_url=server_url, timeout=10)) as client:
        yield client


@pytest.fixture
def page_run(api):
    """page_run(page) -> the id of the page's run; `api` controls it from then on (the page's
    control token, as a script that was given the control link would)."""
    def adopt(page) -> str:
        rid, token = page.evaluate("[window.__nnp.connection.runId, window.__nnp.connection.token]")
        api.tokens.adopt(rid, token)
        return rid
    return adopt


@pytest.fixture
def open_page(chromium_browser, server_url):
    """open_page(query="", viewport=VIEWPORT, **context_options) -> a page on the playground that has received its
    first frame. Console errors and uncaught exceptions of every page opened fail the test."""
    contexts, errors = [], []

    def opener(query: str = "", viewport: dict | None = None, **context_options):
        context = chromium_browser.new_context(viewport=viewport or VIEWPORT, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.goto(f"{server_url}/{query}")
        wait_ready(page)
        return page

    yield opener
    for c in contexts:
        _delete_own_runs(c, server_url)
        c.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def _delete_own_runs(context, server_url: str) -> None:
    """The runs a test's pages made go when the test ends: the session's server admits runs by
    cost (two max-size runs fill it), and a closed page's trained run would stay until it expires."""
    for page in context.pages:
        try:
            rid, token = page.evaluate("[window.__nnp?.connection?.runId, window.__nnp?.connection?.token]")
        except Exception:   # noqa: BLE001 - a page that navigated away or crashed: nothing to do
            continue
        if rid and token:
            httpx.delete(f"{server_url}/api/runs/{rid}", headers={"X-Run-Token": token}, timeout=10)


def wait_ready(page, timeout: float = 15_000) -> None:
    page.wait_for_function("window.__nnp && window.__nnp.ready && window.__nnp.stats.framesIngested > 0"
                           " && !document.body.classList.contains('booting')",
                           timeout=timeout)


@pytest.fixture
def open_view(chromium_browser, server_url):
    """open_view(path, ready_js, viewport=VIEWPORT) -> a page on another view of the app (e.g.
    /compare, /race) once `ready_js` is true. Console errors fail the test, as in open_page."""
    contexts, errors = [], []

    def opener(path: str, ready_js: str, viewport: dict | None = None, timeout: float = 20_000):
        context = chromium_browser.new_context(viewport=viewport or VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.goto(f"{server_url}{path}")
        page.wait_for_function(ready_js, timeout=timeout)
        return page

    yield opener
    for c in contexts:
        _delete_own_runs(c, server_url)
        c.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


@pytest.fixture
def open_graph_page(chromium_browser, server_url):
    """open_graph_page(query="", viewport=VIEWPORT) -> a page on the backprop lab (/graph) with
    its graph and nudge sweep loaded. Console errors of every page opened fail the test."""
    contexts, errors = [], []

    def opener(query: str = "", viewport: dict | None = None, context=None):
        if context is None:
            context = chromium_browser.new_context(viewport=viewport or VIEWPORT)
            contexts.append(context)
        page = context.new_page()
        watch_errors(page, errors)
        page.goto(f"{server_url}/graph{query}")
        wait_graph_ready(page)
        return page

    opener.errors = errors
    yield opener
    for c in contexts:
        _delete_own_runs(c, server_url)
        c.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def settled_network_layout(page, quiet_ms: int = 400, timeout: float = 10_000) -> None:
    """Wait until the network diagram has a layout that has stayed the same (and its canvas in
    the same place) for `quiet_ms`: a test that reads an edge's or neuron's position and then
    points at it must not read a layout the canvas's next resize replaces (CI failed once:
    the hover at W1[0,0]'s midpoint found W1[1,0])."""
    page.wait_for_function("""(quiet) => {
        const L = window.__nnp?.views?.network?.layout();
        const r = document.querySelector('[data-testid=network-canvas]')?.getBoundingClientRect();
        if (!L || !r) return false;
        const key = `${r.left},${r.top},${r.width},${r.height}`;
        const w = window.__settledLayout ??= {};
        const now = performance.now();
        if (w.layout !== L || w.key !== key) Object.assign(w, {layout: L, key, since: now});
        return now - w.since >= quiet;
    }""", arg=quiet_ms, polling=50, timeout=timeout)


def watch_errors(page, errors: list) -> None:
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))


def wait_graph_ready(page, timeout: float = 20_000) -> None:
    page.wait_for_function("window.__graph && window.__graph.ready && window.__graph.state.graph"
                           " && window.__graph.state.graph.nudge", timeout=timeout)


def created(api, collection: str, body: dict, step: dict | None = None) -> dict:
    """POST /api/<collection> (runs, comparisons, races) with `body`, asserting 201, then, if
    `step` is given, POST it to the new resource's /step, asserting 200. -> the creation's
    answer (its id and control_token)."""
    r = api.post(f"/api/{collection}", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    if step is not None:
        r = api.post(f"/api/{collection}/{made['id']}/step", json=step)
        assert r.status_code == 200, r.text
    return made


def canvas_colours(page, testid: str) -> list[list[int]]:
    """The distinct opaque non-grey colours drawn on a canvas (quantized to 16 levels, each
    covering more than 30 pixels)."""
    return page.evaluate("""(testid) => {
        const c = document.querySelector(`[data-testid=${testid}]`);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Map();
        for (let i = 0; i < d.length; i += 4) {
          const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
          if (Math.max(r, g, b) - Math.min(r, g, b) < 40) continue;   // greys: axes, text
          const key = [r >> 4, g >> 4, b >> 4].join(',');
          seen.set(key, (seen.get(key) || 0) + 1);
        }
        return [...seen.entries()].filter(([, n]) => n > 30).map(([k]) => k.split(',').map(Number));
    }""", testid)
