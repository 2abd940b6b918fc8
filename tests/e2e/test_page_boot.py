"""The page does not jump as it starts: the top bar's controls and readouts and the panels are
built by the script and filled by the first frame, the panels get their "?" buttons from a
fetch, and until a frame is drawn with its readouts and the buttons are in they stay invisible (body.booting, static/js/main.js). Before, the layout moved down by 20 px
(1280x800) and by 90 px with the settings above the panels (768x1024) while the page was in view:
a cumulative layout shift of 0.12 and 0.81. If no frame comes, the panels show after 5 s."""

from __future__ import annotations

import pytest

from .conftest import VIEWPORT, wait_ready

TABLET = {"width": 768, "height": 1024}

# the Layout Instability API's shifts of visible elements, from the first paint on
RECORD_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push({
    value: e.value,
    sources: e.sources.map((s) => `${s.node?.id || s.node?.className || s.node?.nodeName}: y ${s.previousRect.y} -> ${s.currentRect.y}`),
  });
}).observe({ type: "layout-shift", buffered: true });
"""

# a socket that never opens: the page gets no frame
NO_SOCKET = """
window.WebSocket = class {
  constructor() { this.readyState = 0; }
  send() {}
  close() {}
  addEventListener() {}
  removeEventListener() {}
};
"""

VISIBILITY = "getComputedStyle(document.querySelector('main.layout')).visibility"


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_the_page_does_not_shift_while_it_fills_in(chromium_browser, server_url, viewport):
    context = chromium_browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(RECORD_SHIFTS)
    page.goto(f"{server_url}/")
    wait_ready(page)
    # shown with its readouts and its panels' "?" buttons already in place
    assert page.get_by_test_id("run-summary").inner_text().startswith("step")
    assert page.locator(".panel .help-button").count() >= 6
    page.wait_for_timeout(1000)   # the second and later frames change nothing's height
    assert page.evaluate(VISIBILITY) == "visible"
    assert page.get_by_test_id("boot-note").is_hidden()
    shifts = page.evaluate("window.__shifts")
    total = sum(s["value"] for s in shifts)
    assert total < 0.01, shifts
    assert not errors, errors
    context.close()


def test_without_a_first_frame_the_panels_show_after_five_seconds(chromium_browser, server_url):
    context = chromium_browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(NO_SOCKET)
    page.goto(f"{server_url}/")
    page.wait_for_function("document.querySelector('#controls').childElementCount > 0")
    assert page.evaluate(VISIBILITY) == "hidden"
    assert page.get_by_role("heading", name="nn-playground").is_visible()   # the brand stays in view
    assert page.get_by_test_id("boot-note").inner_text() == "Starting a run…"
    page.wait_for_function(f"{VISIBILITY} === 'visible'", timeout=10_000)
    assert page.evaluate("document.body.classList.contains('booting')") is False
    assert page.get_by_test_id("boot-note").is_hidden()
    assert page.evaluate("window.__nnp?.stats?.framesIngested ?? 0") == 0
    assert not errors, errors
    context.close()
