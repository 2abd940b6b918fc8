"""The connection notice says what the socket's state is: "Connection lost; reconnecting…" is up
while the server is away, and goes as soon as the page is connected again (after a restart
that offers the saved run in its banner too). Screenshots of both moments at 1280x800 and
768x1024 go to test-artifacts/."""

from __future__ import annotations

import httpx

from .conftest import VIEWPORT, open_lenient_page

TABLET = {"width": 768, "height": 1024}
LOST = "Connection lost; reconnecting…"


def notice(page) -> str:
    return page.get_by_test_id("notice").text_content()


def test_the_connection_notice_is_up_while_the_server_is_away_and_goes_when_it_is_back(
        chromium_browser, own_server, artifacts):
    server = own_server("server-restart-notice.log")
    for name, viewport in (("1280x800", VIEWPORT), ("768x1024", TABLET)):
        context, page, errors = open_lenient_page(chromium_browser, f"{server.url}/?speed=20", viewport)
        assert page.evaluate("window.__nnp.connection.status") == "open"
        assert LOST not in notice(page)
        page.get_by_test_id("play").click()
        page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 100", timeout=20_000)
        first = page.evaluate("window.__nnp.connection.runId")

        server.stop()                         # the run is saved ("shutdown") and the socket closes
        page.wait_for_function("window.__nnp.connection.status === 'reconnecting'", timeout=10_000)
        assert notice(page) == LOST
        page.screenshot(path=str(artifacts / f"page-connection-lost-{name}.png"))

        server.start()
        banner = page.get_by_test_id("saved-banner")
        banner.wait_for(state="visible", timeout=30_000)
        # connected again: a new run of the same settings is streaming
        page.wait_for_function(
            f"window.__nnp.connection.runId !== {first!r} && window.__nnp.connection.status === 'open'",
            timeout=20_000)
        # its first frame is on the page (the new run starts at step 0)
        page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step === 0")
        assert LOST not in notice(page), notice(page)
        assert "saved when the server stopped" in banner.inner_text()
        page.screenshot(path=str(artifacts / f"page-connection-back-{name}.png"))
        saved = httpx.get(f"{server.url}/api/saved", params={"run": first}).json()
        assert len(saved) == 1 and saved[0]["reason"] == "shutdown"
        assert not errors, errors
        context.close()
