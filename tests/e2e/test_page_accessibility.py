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
