"""With no room for another live surface, the page says so once (what is used, what to lower),
keeps its other views streaming, asks again after retry_after, and shows the surface once
another viewer's surface is given up. A server of its own whose one landscape thread holds
three surfaces (every surface counts a third of it), filled by three scripted viewers."""

from __future__ import annotations

import json
from contextlib import ExitStack

import httpx
from websockets.sync.client import connect

from .conftest import VIEWPORT, open_lenient_page

TIGHT = {"landscape_threads": 1, "landscape_admission_seconds": 1e-9,
         "landscape_refused_retry_seconds": 1.0}


def surface_viewer(base: str, stack: ExitStack):
    """A socket subscribed to a run's live surface (a scripted viewer of a run of its own)."""
    made = httpx.post(f"{base}/api/runs", json={"hidden": [3]}, headers={"origin": base}).json()
    ws = stack.enter_context(connect(
        f"{base.replace('http', 'ws')}/ws/runs/{made['id']}?token={made['control_token']}",
        origin=base))
    ws.send(json.dumps({"type": "subscribe", "views": ["landscape"],
                        "landscape": {"resolution": 5}}))
    while True:
        message = ws.recv(timeout=20)
        if isinstance(message, str) and json.loads(message).get("for") == "subscribe":
            assert json.loads(message)["type"] == "ack", message
            return ws


def surface_id(page):
    return page.evaluate("document.querySelector('[data-testid=surface-plot]').dataset.landscapeId ?? null")


def test_the_page_says_when_there_is_no_room_for_a_surface_and_gets_one_when_there_is(
        chromium_browser, own_server, artifacts):
    base = own_server("server-surface-admission.log", settings=TIGHT).url
    with ExitStack() as stack:
        sockets = [surface_viewer(base, stack) for _ in range(3)]
        for name, viewport in (("1280x800", VIEWPORT), ("768x1024", {"width": 768, "height": 1024})):
            context, page, errors = open_lenient_page(chromium_browser, f"{base}/?speed=5", viewport)
            page.wait_for_function("window.__nnp.connection.counters.lastError?.status === 503",
                                   timeout=20_000)
            notice = page.get_by_test_id("notice").text_content()
            assert "No live loss surface for now" in notice and "landscape threads are full" in notice
            page.get_by_test_id("play").click()   # the other views stream on
            page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 20", timeout=20_000)
            assert surface_id(page) is None
            panel = page.locator("#surface-legend")   # the panel itself says why it is empty
            assert "No loss surface yet: no room for another live surface" in panel.inner_text()
            assert "lower the resolution" in panel.inner_text() or "smaller network" in panel.inner_text()
            assert page.evaluate("document.querySelector('[data-testid=surface-plot]').dataset.surfaceStatus") == "refused"
            # asked again every second (retry_after 1 s), and not told again
            page.evaluate("""() => { window.__told = 0; new MutationObserver(() => {
                if (document.querySelector('[data-testid=notice]').textContent.includes('No live loss surface')) window.__told += 1;
              }).observe(document.querySelector('[data-testid=notice]'), {childList: true, characterData: true, subtree: true}); }""")
            asked = page.evaluate("window.__nnp.connection.counters.errors")
            page.wait_for_timeout(2_500)
            assert page.evaluate("window.__nnp.connection.counters.errors") >= asked + 2
            assert page.evaluate("window.__told") == 0
            page.screenshot(path=str(artifacts / f"page-surface-refused-{name}.png"))
            assert not errors, errors
            if name == "768x1024":
                sockets.pop().close()             # a scripted viewer leaves: a third is free
                page.wait_for_function(   # the next ask gets it
                    "Number(document.querySelector('[data-testid=surface-plot]').dataset.landscapeId) > 0",
                    timeout=30_000)
                page.screenshot(path=str(artifacts / f"page-surface-admitted-{name}.png"))
            context.close()
