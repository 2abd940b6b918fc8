"""The pages do not jump as they start: the top bar's controls and readouts and the panels are
built by the script and filled by the first frame, the panels get their "?" buttons from a
fetch, and until a frame is drawn with its readouts and the buttons are in they stay invisible
(body.booting, static/js/page_boot.js). Before, the playground's layout moved down by 20 px
(1280x800) and by 90 px with the settings above the panels (768x1024) while the page was in view:
a cumulative layout shift of 0.12 and 0.81; the neuron lab's 0.07 and 0.23 (its rows filled in
by its script), the comparison page's 0.07 and 0.47 (its top bar wrapping as the presets came,
its members' rows). If no frame comes, the panels show after 5 s."""

from __future__ import annotations

import contextlib

import pytest

from .conftest import VIEWPORT, _delete_own_runs, wait_ready

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

@contextlib.contextmanager
def fresh_page(browser, server_url, viewport, init_script):
    """A page of its own with `init_script` run before the page's scripts; its runs and context
    go when the test ends, passed or not. -> (page, errors)."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(init_script)
        yield page, errors
    finally:
        _delete_own_runs(context, server_url)
        context.close()


VISIBILITY = "getComputedStyle(document.querySelector('main.layout')).visibility"


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_the_page_does_not_shift_while_it_fills_in(chromium_browser, server_url, viewport):
    with fresh_page(chromium_browser, server_url, viewport, RECORD_SHIFTS) as (page, errors):
        page.goto(f"{server_url}/")
        wait_ready(page)
        # shown with its readouts and its panels' "?" buttons already in place
        assert page.get_by_test_id("run-summary").inner_text().startswith("step")
        assert page.locator(".panel .help-button").count() >= 6
        page.wait_for_timeout(1000)   # the second and later frames change nothing's height
        assert page.evaluate(VISIBILITY) == "visible"
        assert page.get_by_test_id("boot-note").is_hidden()
        shifts = page.evaluate("window.__shifts")
        assert sum(s["value"] for s in shifts) < 0.01, shifts
        assert not errors, errors


def test_without_a_first_frame_the_panels_show_after_five_seconds(chromium_browser, server_url):
    with fresh_page(chromium_browser, server_url, VIEWPORT, NO_SOCKET) as (page, errors):
        page.goto(f"{server_url}/")
        page.wait_for_function("document.querySelector('#controls').childElementCount > 0")
        assert page.evaluate(VISIBILITY) == "hidden"
        assert page.get_by_role("heading", name="nn-playground").is_visible()   # the brand stays in view
        assert page.get_by_test_id("boot-note").inner_text() == "Starting a run…"
        # the script's timer, 5 s after it started (the CSS alone would take 8 s from the first paint)
        page.wait_for_function("!document.body.classList.contains('booting')", timeout=10_000)
        assert page.evaluate(VISIBILITY) == "visible"
        assert page.get_by_test_id("boot-note").is_hidden()
        assert page.evaluate("window.__nnp?.stats?.framesIngested ?? 0") == 0
        # and it says why nothing is drawn yet
        assert "first frame" in page.get_by_test_id("notice").inner_text()
        assert not errors, errors


def test_without_the_script_the_panels_show_after_eight_seconds(chromium_browser, server_url):
    """The CSS reveals the panels by itself: a page whose script never runs is not left blank."""
    context = chromium_browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server_url}/")
        page.wait_for_timeout(1000)
        assert page.get_by_test_id("network-view").is_hidden()
        assert page.get_by_test_id("boot-note").is_visible()
        page.wait_for_timeout(8000)
        assert page.get_by_test_id("network-view").is_visible()
        assert page.get_by_test_id("boot-note").is_hidden()
    finally:
        context.close()


# what was on the page when it was shown (the moment body.booting went)
RECORD_REVEAL = RECORD_SHIFTS + """
new MutationObserver((_, obs) => {
  if (!document.body || document.body.classList.contains("booting")) return;
  obs.disconnect();
  window.__atReveal = {
    members: document.querySelectorAll("[data-testid=members] .member").length,
    sum: document.getElementById("sum-text")?.textContent ?? null,
    rows: document.querySelectorAll("[data-testid=input-rows] > *").length,
    typeset: document.querySelectorAll("main .math.typeset").length,
    graph: document.querySelectorAll("#graph-box svg *").length,
  };
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["class"] });
"""
SHOWN = "window.__atReveal !== undefined"


def assert_steady(page, errors, settle_ms: int = 1000) -> None:
    """After `settle_ms` more, the page has shifted less than 0.01 in all since its first paint
    (RECORD_SHIFTS) and logged no error."""
    page.wait_for_timeout(settle_ms)
    shifts = page.evaluate("window.__shifts")
    assert sum(s["value"] for s in shifts) < 0.01, shifts
    assert not errors, errors


def wait_lesson_panel_shown(page) -> None:
    page.get_by_test_id("lesson-panel").wait_for()
    page.wait_for_function("getComputedStyle(document.getElementById('lesson-panel')).visibility === 'visible'")


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_the_neuron_lab_does_not_shift_while_it_fills_in(chromium_browser, server_url, viewport):
    with fresh_page(chromium_browser, server_url, viewport, RECORD_REVEAL) as (page, errors):
        page.goto(f"{server_url}/neuron")
        page.wait_for_function(SHOWN)
        shown = page.evaluate("window.__atReveal")
        assert shown["rows"] >= 2 and shown["sum"], shown      # filled in before it was shown
        assert_steady(page, errors)


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_the_neuron_lab_with_a_lesson_does_not_shift_while_both_fill_in(chromium_browser, server_url,
                                                                      viewport):
    """The lesson's column is made room for before the lab is shown, and the panel shows once
    its formulas' fonts are in (they moved its text: 0.08 at 768x1024)."""
    with fresh_page(chromium_browser, server_url, viewport, RECORD_REVEAL) as (page, errors):
        page.goto(f"{server_url}/neuron#lesson=perceptron")
        page.wait_for_function(SHOWN)
        wait_lesson_panel_shown(page)
        assert_steady(page, errors)


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_the_comparison_page_does_not_shift_while_it_fills_in(chromium_browser, server_url, viewport):
    with fresh_page(chromium_browser, server_url, viewport, RECORD_REVEAL) as (page, errors):
        page.goto(f"{server_url}/compare")
        page.wait_for_function(SHOWN, timeout=20_000)
        assert page.evaluate("window.__atReveal.members") >= 2     # its members' rows are in
        assert page.evaluate("window.__nnpCompare.stats.frames") > 0
        assert_steady(page, errors, settle_ms=1500)   # later frames fill the charts, not the layout
        assert page.get_by_test_id("boot-note").is_hidden()


def test_a_comparison_without_a_first_frame_shows_after_five_seconds_and_says_why(
        chromium_browser, server_url):
    with fresh_page(chromium_browser, server_url, VIEWPORT, NO_SOCKET) as (page, errors):
        page.goto(f"{server_url}/compare")
        page.wait_for_function("document.querySelector('#preset').options.length > 0")
        assert page.evaluate("getComputedStyle(document.querySelector('main')).visibility") == "hidden"
        assert page.get_by_test_id("boot-note").inner_text() == "Starting a comparison…"
        page.wait_for_function("!document.body.classList.contains('booting')", timeout=10_000)
        assert page.get_by_test_id("members").is_visible()
        assert "first frame" in page.get_by_test_id("notice").inner_text()
        assert not errors, errors


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
@pytest.mark.parametrize("path", ["/graph", "/graph#lesson=chain-rule"], ids=["alone", "with-lesson"])
def test_the_backprop_lab_does_not_shift_while_it_fills_in(chromium_browser, server_url, viewport, path):
    """Its graph is laid out after the page's first paint, and a lesson's column came after a
    fetch and narrowed it: a shift of 0.68 at 1280x800 with the chain-rule lesson."""
    with fresh_page(chromium_browser, server_url, viewport, RECORD_REVEAL) as (page, errors):
        page.goto(f"{server_url}{path}")
        page.wait_for_function(SHOWN, timeout=20_000)
        assert page.evaluate("window.__atReveal.graph") > 0      # drawn before it was shown
        if "lesson" in path:
            wait_lesson_panel_shown(page)
        assert_steady(page, errors)


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET], ids=["1280x800", "768x1024"])
def test_a_lesson_page_shows_its_formulas_typeset_and_does_not_shift(chromium_browser, server_url,
                                                                   viewport):
    """Its formulas are typeset by the script and KaTeX's fonts came after: the text moved by a
    line (0.21 and 0.38)."""
    with fresh_page(chromium_browser, server_url, viewport, RECORD_REVEAL) as (page, errors):
        page.goto(f"{server_url}/lessons/perceptron")
        page.wait_for_function(SHOWN)
        assert page.evaluate("window.__atReveal.typeset") > 0
        assert_steady(page, errors)
