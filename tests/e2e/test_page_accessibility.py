"""Accessibility of the playground in headless Chromium: axe-core (vendored under
tests/e2e/vendor/axe-core, used by the tests only) finds no violation of critical or serious
impact, and every control is reachable and operable with the keyboard.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_page import wait_metric

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")
# settings that show most of the panel's fields (optimizer, schedule, clipping, penalty, classes)
SHOW_ALL = "?optimizer=adam&schedule=step&clipping=norm&regularization=l2&dataset=blobs"


def axe_violations(page) -> list[dict]:
    page.evaluate("document.querySelectorAll('#controls details').forEach(d => d.open = true)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 8).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))""")


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 768, "height": 1024}])
@pytest.mark.parametrize("query", ["", SHOW_ALL])
def test_axe_finds_no_critical_or_serious_violation(open_page, viewport, query):
    # axe is injected by the test as an inline script, which the page's CSP rightly refuses
    page = open_page(query, viewport=viewport, bypass_csp=True)
    found = serious(axe_violations(page))
    assert not found, "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found)


def test_axe_on_a_diverged_run_with_its_notice(open_page):
    page = open_page("?dataset=plane&loss=mse&activation=tanh&learning_rate=3&speed=max",
                     bypass_csp=True)
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'diverged'", timeout=20_000)
    page.get_by_test_id("diverged").wait_for(state="visible")
    found = serious(axe_violations(page))
    assert not found, found


FOCUSABLE = """(() => [...document.querySelectorAll('button, select, input, summary, a[href], [tabindex]')]
  .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length
           && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[hidden]'))
  .map((e, i) => { e.dataset.a11yIndex = String(i); return i; }).length)()"""


def test_every_control_is_reachable_with_tab(open_page):
    page = open_page(SHOW_ALL)
    page.evaluate("document.querySelectorAll('#controls details').forEach(d => d.open = true)")
    count = page.evaluate(FOCUSABLE)
    assert count > 40
    seen = set()
    page.locator("body").focus()
    for _ in range(count + 20):
        page.keyboard.press("Tab")
        idx = page.evaluate("document.activeElement?.dataset?.a11yIndex ?? null")
        if idx is not None:
            seen.add(int(idx))
    missing = sorted(set(range(count)) - seen)
    names = page.evaluate("(ids) => ids.map(i => document.querySelector(`[data-a11y-index='${i}']`).outerHTML.slice(0, 120))", missing)
    assert not missing, "not reachable with Tab:\n" + "\n".join(names)


def test_feature_chips_and_checkboxes_toggle_with_the_keyboard(open_page):
    page = open_page()
    chip = page.get_by_test_id("input-features-x1_sq")
    chip.focus()
    assert page.evaluate("document.activeElement.dataset.testid") == "input-features-x1_sq"
    page.keyboard.press("Space")
    wait_metric(page, "h.config.features.includes('x1_sq')")
    box = page.get_by_test_id("input-standardize")
    box.focus()
    page.keyboard.press("Space")
    wait_metric(page, "h.config.standardize === true")


def test_every_form_field_has_a_name(open_page):
    page = open_page(SHOW_ALL)
    unnamed = page.evaluate("""(() => [...document.querySelectorAll('input, select')].filter(e => {
        const labelled = e.labels && e.labels.length && [...e.labels].some(l => l.textContent.trim());
        return !labelled && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby');
      }).map(e => e.outerHTML.slice(0, 100)))()""")
    assert not unnamed, unnamed


def test_the_network_diagram_is_operable_by_keyboard(open_page, api, page_run):
    page = open_page("?hidden=3,2")
    page.wait_for_function("window.__nnp.views.network.layout()")
    canvas = page.get_by_test_id("network-canvas")
    canvas.focus()
    live = page.get_by_test_id("network-live")
    focus = lambda: page.evaluate("window.__nnp.views.network.keyFocus()")  # noqa: E731
    assert focus() == {"kind": "node", "layer": 1, "index": 0}
    page.keyboard.press("ArrowDown")
    assert focus() == {"kind": "node", "layer": 1, "index": 1}
    assert "h1.1" in live.text_content() and "z = " in live.text_content()
    assert page.get_by_test_id("network-tooltip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("window.__nnp.state.ui.neuron") == [1, 1]
    page.keyboard.press("ArrowRight")
    assert focus() == {"kind": "node", "layer": 2, "index": 1}
    # into the neuron's weights: read, pick two as the loss-surface axes
    page.keyboard.press("e")
    assert "W2[1,0]" in live.text_content() and "value" in live.text_content()
    page.keyboard.press("a")
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == "W2[1,0]"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("a")
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == ["W2[1,0]", "W2[1,1]"]
    # Enter edits the weight; the value reaches the run and the focus comes back to the diagram
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("param-editor")
    editor.wait_for(state="visible")
    assert "W2[1,1]" in editor.inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "param-input"
    page.keyboard.press("Control+a")
    page.keyboard.type("0.625")
    page.keyboard.press("Enter")
    editor.wait_for(state="hidden")
    rid = page_run(page)
    assert api.get(f"/api/runs/{rid}/params").json()[1]["W"][1][1] == 0.625
    assert page.evaluate("document.activeElement.id") == "network-canvas"
    # the bias, and back to the neuron
    page.keyboard.press("b")
    assert "b2[1]" in live.text_content()
    page.keyboard.press("Escape")
    assert focus() == {"kind": "node", "layer": 2, "index": 1}
    # arrows did not scroll the page, and Space still plays
    page.keyboard.press("Space")
    wait_metric(page, "h.status === 'playing'")


def test_the_output_plot_is_operable_by_keyboard(open_page):
    page = open_page("?dataset=circle&hidden=3")
    canvas = page.get_by_test_id("output-canvas")
    canvas.focus()
    cursor = page.get_by_test_id("output-cursor")
    cursor.wait_for()
    live = page.get_by_test_id("output-live")
    start = page.evaluate("JSON.parse(document.querySelector('[data-testid=output-cursor]').dataset.x)")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert "x = (" in live.text_content()
    moved = page.evaluate("JSON.parse(document.querySelector('[data-testid=output-cursor]').dataset.x)")
    assert moved[0] > start[0] and moved[1] > start[1], (start, moved)
    page.keyboard.press("Enter")
    page.get_by_test_id("trace-panel").wait_for(state="visible")
    page.wait_for_function("window.__nnp.trace.last() !== null")
    traced = page.evaluate("window.__nnp.trace.last().input")
    if "training point" not in live.text_content():
        assert traced == pytest.approx(moved, abs=1e-9)
