"""The playground's controls in a real headless Chromium: the headline controls in the top bar,
keyboard shortcuts after a dropdown, touch (values by tap, axes only in "pick axes" mode), the
notice overlay, invalid inputs with their allowed range, readouts that are not controls.
"""

from __future__ import annotations

import pytest

from .conftest import settled_network_layout
from .test_page import header, wait_metric

TABLET = {"width": 768, "height": 1024}
HEADLINE = ["input-learning_rate", "input-learning_rate-text", "effective-learning-rate",
            "input-batch_size", "batch-size-value", "input-optimizer"]


def box(page, testid: str) -> dict:
    b = page.get_by_test_id(testid).bounding_box()
    assert b is not None, f"{testid} is not rendered"
    return b


def assert_in_view(page, testid: str, viewport: dict) -> None:
    b = box(page, testid)
    assert b["y"] >= 0 and b["y"] + b["height"] <= viewport["height"], f"{testid} outside the view: {b}"
    assert b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"], f"{testid} outside the view: {b}"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, TABLET])
def test_headline_controls_sit_in_the_top_bar_and_stay_in_reach(open_page, artifacts, viewport):
    page = open_page(viewport=viewport, has_touch=viewport is TABLET)
    topbar = box(page, "topbar")
    for testid in HEADLINE:
        b = box(page, testid)
        assert topbar["y"] <= b["y"] and b["y"] + b["height"] <= topbar["y"] + topbar["height"], testid
        assert_in_view(page, testid, viewport)
    # at 1280x800 the top bar is the headline row plus the readouts: the panels keep their room
    if viewport["width"] == 1280:
        assert topbar["height"] <= 80, topbar
        assert page.evaluate("document.documentElement.scrollHeight") <= viewport["height"] + 1
    # scrolled down (the tablet's page is taller than the screen), the controls are still there
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_function("window.scrollY > 0 || document.documentElement.scrollHeight <= innerHeight")
    for testid in HEADLINE:
        assert_in_view(page, testid, viewport)
    page.screenshot(path=str(artifacts / f"headline-{viewport['width']}x{viewport['height']}.png"))


def test_headline_controls_steer_the_run_live(open_page, api):
    page = open_page()
    rid = page.evaluate("window.__nnp.connection.runId")
    generation = header(page)["generation"]
    text = page.get_by_test_id("input-learning_rate-text")
    text.fill("0.25")
    text.press("Enter")
    wait_metric(page, "h.config.learning_rate === 0.25")
    # the slider followed the typed value (log scale: log10(0.25))
    assert float(page.get_by_test_id("input-learning_rate").input_value()) == pytest.approx(-0.6, abs=0.03)
    page.get_by_test_id("input-optimizer").select_option("adam")
    wait_metric(page, "h.config.optimizer === 'adam'")
    page.get_by_test_id("input-batch_size").focus()
    page.keyboard.press("Home")
    wait_metric(page, "h.config.batch_size === 1")
    assert page.get_by_test_id("batch-size-value").inner_text() == "1 (stochastic)"
    run = api.get(f"/api/runs/{rid}").json()
    assert (run["config"]["learning_rate"], run["config"]["optimizer"], run["config"]["batch_size"]) == (0.25, "adam", 1)
    assert header(page)["generation"] == generation, "a headline change rebuilt the run"


def test_the_effective_learning_rate_shows_beside_the_base_one(open_page):
    page = open_page("?schedule=exponential&decay_rate=0.5&decay_steps=40&speed=30")
    page.get_by_test_id("play").click()
    wait_metric(page, "m.step > 200")
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'paused'")
    m = header(page)["metrics"]
    lr_now = header(page).get("effective_learning_rate", m["learning_rate"])
    assert lr_now < 0.03 * 0.5 ** 4
    shown = page.get_by_test_id("effective-learning-rate")
    page.wait_for_function("document.querySelector('[data-testid=effective-learning-rate]').textContent.startsWith('now ')")
    assert float(shown.inner_text().removeprefix("now ")) == pytest.approx(lr_now, rel=5e-3)
    assert page.get_by_test_id("input-learning_rate-text").input_value() == "0.03", "the base rate stays"


def test_a_constant_learning_rate_says_so(open_page):
    page = open_page()
    page.wait_for_function("document.querySelector('[data-testid=effective-learning-rate]').textContent !== ''")
    assert page.get_by_test_id("effective-learning-rate").inner_text() == "constant"


@pytest.mark.parametrize("typed", ["1000", "-1", "abc", "0"])
def test_a_refused_learning_rate_says_the_allowed_range(open_page, typed):
    page = open_page()
    text = page.get_by_test_id("input-learning_rate-text")
    text.fill(typed)
    text.press("Enter")
    error = page.get_by_test_id("learning_rate-error")
    error.wait_for(state="visible")
    assert error.inner_text() == "Learning rate: a number more than 0 and at most 100"
    assert text.get_attribute("aria-invalid") == "true"
    assert page.evaluate("window.__nnp.state.config.learning_rate") == 0.03
    text.fill("0.1")
    text.press("Enter")
    wait_metric(page, "h.config.learning_rate === 0.1")
    assert not error.is_visible()


def test_a_refused_panel_number_says_the_allowed_range(open_page):
    page = open_page()
    seed = page.get_by_test_id("input-seed")
    seed.fill("1.5")
    seed.press("Enter")
    error = page.get_by_test_id("seed-error")
    error.wait_for(state="visible")
    assert "a whole number at least 0 and at most 2147483647" in error.inner_text()


def test_readouts_are_readouts_not_controls(open_page):
    page = open_page()
    summary = page.get_by_test_id("run-summary")
    assert "read-only" in summary.get_attribute("aria-label")
    assert summary.locator("input, select, button").count() == 0
    labels = summary.locator(".metric > span").all_inner_texts()
    assert "step" in labels and "train loss" in labels
    # the learning rate and batch size are controls now, not look-alike numbers
    assert "learning rate" not in labels and "batch" not in labels


def test_shortcuts_work_after_picking_from_a_dropdown_with_the_mouse(open_page):
    page = open_page()
    generation = header(page)["generation"]
    optimizer = page.get_by_test_id("input-optimizer")
    optimizer.click()
    optimizer.select_option("adam")
    page.keyboard.press("Escape")
    wait_metric(page, "h.config.optimizer === 'adam'")
    # `s` steps (it is not type-ahead: Adam does not become SGD), Space plays
    page.keyboard.press("s")
    wait_metric(page, "m.step === 1")
    assert page.evaluate("window.__nnp.state.config.optimizer") == "adam"
    page.keyboard.press("Space")
    wait_metric(page, "h.status === 'playing'")
    page.keyboard.press("Space")
    wait_metric(page, "h.status === 'paused'")
    # the same after a select in the side panel: relu stays relu (no type-ahead to "step")
    activation = page.locator("#controls select[name=activation]")
    activation.click()
    activation.select_option("relu")
    page.keyboard.press("Escape")
    wait_metric(page, "h.config.activation === 'relu'")
    generation = header(page)["generation"]
    step = header(page)["metrics"]["step"]
    page.keyboard.press("s")
    wait_metric(page, f"m.step === {step + 1}")
    assert page.evaluate("window.__nnp.state.config.activation") == "relu"
    assert header(page)["generation"] == generation
    page.keyboard.press("r")
    wait_metric(page, f"h.generation > {generation} && m.step === 0")
    assert page.evaluate("window.__nnp.state.config.activation") == "relu"


def test_a_select_reached_with_tab_keeps_its_keys(open_page):
    page = open_page()
    page.get_by_test_id("input-optimizer").focus()
    page.keyboard.press("Space")   # opens/uses the select, not the run
    page.keyboard.press("Escape")
    assert header(page)["status"] == "paused"
    assert page.evaluate("window.__nnp.stats.lastHeader.metrics.step") == 0


def test_the_notice_floats_over_the_page(open_page):
    page = open_page()
    layout_top = page.locator("main.layout").bounding_box()["y"]
    page.locator("#controls select[name=activation]").select_option("sigmoid")
    notice = page.get_by_test_id("notice")
    page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('rebuilt')")
    assert notice.is_visible()
    assert page.locator("main.layout").bounding_box()["y"] == layout_top, "the notice pushed the layout down"
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=notice]')).position") == "absolute"


def edge_midpoints(page, count=2):
    settled_network_layout(page)
    return page.evaluate(
        "(() => { const L = window.__nnp.views.network.layout(); return L.edges.slice(0, %d).map(e => {"
        " const t = 0.5, u = 0.5; const x = u*u*u*e.x0 + 3*u*u*t*e.cx + 3*u*t*t*e.cx + t*t*t*e.x1;"
        " const y = u*u*u*e.y0 + 3*u*u*t*e.y0 + 3*u*t*t*e.y1 + t*t*t*e.y1; return {name: e.name, layer: e.layer, i: e.i, j: e.j, x, y}; }); })()" % count)


def test_tapping_an_edge_reads_its_value_and_picks_no_axis(open_page):
    page = open_page(viewport=TABLET, has_touch=True, is_mobile=True)
    edges = edge_midpoints(page)
    canvas = page.get_by_test_id("network-canvas")
    canvas.scroll_into_view_if_needed()
    canvas.tap(position={"x": edges[0]["x"], "y": edges[0]["y"]})
    tip = page.get_by_test_id("network-tooltip")
    tip.wait_for(state="visible")
    assert edges[0]["name"] in tip.inner_text()
    value = page.get_by_test_id("tooltip-value").inner_text()
    weights = page.evaluate("window.__nnp.snapshot.weights")
    layer = header(page)["layers"][edges[0]["layer"] - 1]
    idx = layer["offset"] + edges[0]["i"] * layer["shape"][1] + edges[0]["j"]
    assert float(value) == pytest.approx(weights[idx], rel=1e-5)
    assert len(value.replace("-", "").replace(".", "").lstrip("0")) >= 5 or "e" in value  # 6 significant digits
    canvas.tap(position={"x": edges[1]["x"], "y": edges[1]["y"]})
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") is None


def test_pick_axes_mode_makes_two_taps_the_surface_axes(open_page):
    page = open_page(viewport=TABLET, has_touch=True, is_mobile=True)
    edges = edge_midpoints(page)
    page.get_by_test_id("pick-axes").tap()
    assert page.get_by_test_id("pick-axes").get_attribute("aria-pressed") == "true"
    canvas = page.get_by_test_id("network-canvas")
    for e in edges:
        canvas.tap(position={"x": e["x"], "y": e["y"]})
    # the pair completes once no second tap (the editor's double-tap) follows
    page.wait_for_function("window.__nnp.state.ui.surfaceParams.length === 2")
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == [e["name"] for e in edges]
    assert page.get_by_test_id("pick-axes").get_attribute("aria-pressed") == "false", "the mode ends after two"


def test_tapping_the_loss_surface_reads_the_loss_there(open_page):
    page = open_page(viewport=TABLET, has_touch=True, is_mobile=True)
    page.wait_for_function("window.__nnp.views.surface.renders > 0", timeout=20_000)
    canvas = page.get_by_test_id("surface-canvas")
    canvas.scroll_into_view_if_needed()
    b = canvas.bounding_box()
    canvas.tap(position={"x": b["width"] * 0.45, "y": b["height"] * 0.4})
    tip = page.locator("#surface-tooltip")
    tip.wait_for(state="visible")
    assert "loss" in tip.inner_text()
