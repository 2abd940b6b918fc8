"""The playground page end to end: a real server, headless Chromium, the behaviours a learner sees.

Screenshots of every view go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import settled_network_layout, wait_ready

VIEWS = ["network-view", "output-view", "loss-view", "surface-view", "activation-view",
         "diagnostics-view", "controls"]


def header(page) -> dict:
    """The latest frame header the page decoded."""
    return page.evaluate("window.__nnp.stats.lastHeader")


def run_id(page) -> str:
    return page.evaluate("window.__nnp.connection.runId")


def metric(page, name: str):
    return page.evaluate(f"window.__nnp.stats.lastHeader.metrics[{name!r}]")


def wait_metric(page, js_condition: str, timeout: float = 15_000) -> None:
    """Wait until js_condition holds for m = the latest header's metrics, h = the header."""
    page.wait_for_function(
        f"(() => {{ const h = window.__nnp.stats.lastHeader; const m = h.metrics; return {js_condition}; }})()",
        timeout=timeout)


def play(page) -> None:
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'playing'")


def pause(page) -> None:
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'paused'")


def renders(page, view: str) -> int:
    return page.evaluate(f"window.__nnp.stats.renders[{view!r}] ?? 0")


def canvas_pixels(page, testid: str) -> str:
    return page.evaluate(f"document.querySelector('[data-testid={testid}]').toDataURL()")


def shoot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"))


def test_page_loads_without_console_errors(open_page, artifacts):
    page = open_page()
    # every control the schema describes is on the page
    schema = page.evaluate("window.__nnp.state.schema.map(f => f.name)")
    for name in schema:
        assert page.locator(f"[data-field={name}]").count() == 1, name
    for testid in VIEWS:
        assert page.get_by_test_id(testid).is_visible(), testid
    page.wait_for_function("['network', 'boundary', 'activation', 'diagnostics', 'surface']"
                           ".every(v => (window.__nnp.stats.renders[v] ?? 0) > 0)", timeout=15_000)
    shoot(page, artifacts, "page-loaded")
    # open_page fails the test on any console error


def test_play_makes_the_loss_fall_and_the_views_redraw(open_page, artifacts):
    page = open_page("?learning_rate=0.1&speed=30")
    first_loss = metric(page, "train_loss")
    network_before = canvas_pixels(page, "network-canvas")
    output_before = canvas_pixels(page, "output-canvas")
    counts = {v: renders(page, v) for v in ("network", "boundary", "loss")}
    play(page)
    wait_metric(page, f"m.step > 300 && m.train_loss < {first_loss} * 0.8", timeout=30_000)
    page.wait_for_timeout(300)  # the throttled charts catch up
    assert renders(page, "network") > counts["network"] + 5
    assert renders(page, "boundary") > counts["boundary"] + 5
    assert renders(page, "loss") > counts["loss"]
    # the edges and the heatmaps really changed on screen
    assert canvas_pixels(page, "network-canvas") != network_before
    assert canvas_pixels(page, "output-canvas") != output_before
    # the page's own loss history falls too
    history = page.evaluate("window.__nnp.snapshot.history.trainLoss")
    assert len(history) > 10 and history[-1] < history[0] * 0.8
    for testid in VIEWS:
        page.get_by_test_id(testid).screenshot(path=str(artifacts / f"view-{testid}.png"))
    shoot(page, artifacts, "page-training")
    # gradients instead of weights
    page.get_by_test_id("edge-mode-gradients").click()
    page.wait_for_timeout(200)
    page.get_by_test_id("network-view").screenshot(path=str(artifacts / "view-network-gradients.png"))


def test_learning_rate_slider_changes_the_run_without_reset(open_page, api):
    page = open_page()
    rid = run_id(page)
    play(page)
    wait_metric(page, "m.step > 100")
    generation = header(page)["generation"]
    step_before = api.get(f"/api/runs/{rid}").json()["metrics"]["step"]
    slider = page.get_by_test_id("input-learning_rate")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    wanted = page.evaluate("window.__nnp.state.config.learning_rate")
    assert wanted > 0.03
    wait_metric(page, f"h.config.learning_rate === {wanted}")
    run = api.get(f"/api/runs/{rid}").json()
    assert run["config"]["learning_rate"] == pytest.approx(wanted)
    assert run["metrics"]["step"] >= step_before, "training restarted"
    assert header(page)["generation"] == generation, "the change reset the run"
    assert header(page)["status"] == "playing"
    wait_metric(page, f"m.step > {run['metrics']['step'] + 50} && m.learning_rate === {wanted}")

    # while paused: the change keeps the very same weights and step
    pause(page)
    params = api.get(f"/api/runs/{rid}/params").json()
    step = api.get(f"/api/runs/{rid}").json()["metrics"]["step"]
    slider.focus()
    page.keyboard.press("ArrowLeft")
    lowered = page.evaluate("window.__nnp.state.config.learning_rate")
    assert lowered < wanted
    wait_metric(page, f"h.config.learning_rate === {lowered}")
    assert api.get(f"/api/runs/{rid}/params").json() == params
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["step"] == step
    play(page)
    wait_metric(page, f"m.step > {step + 20}")
    assert header(page)["generation"] == generation


def test_batch_size_change_keeps_the_weights(open_page, api):
    page = open_page()
    rid = run_id(page)
    play(page)
    wait_metric(page, "m.step > 100")
    pause(page)
    generation = header(page)["generation"]
    params = api.get(f"/api/runs/{rid}/params").json()
    step = api.get(f"/api/runs/{rid}").json()["metrics"]["step"]
    slider = page.get_by_test_id("input-batch_size")
    slider.focus()
    page.keyboard.press("ArrowRight")
    wanted = page.evaluate("window.__nnp.state.config.batch_size")
    assert wanted == 20
    wait_metric(page, f"h.config.batch_size === {wanted} && m.batch_size === {wanted}")
    assert api.get(f"/api/runs/{rid}").json()["config"]["batch_size"] == wanted
    assert api.get(f"/api/runs/{rid}/params").json() == params
    assert header(page)["generation"] == generation
    # full batch: the last stop of the slider
    page.keyboard.press("End")
    n_train = page.evaluate("window.__nnp.snapshot.dataset.yTrain.length")
    wait_metric(page, f"m.batch_size === {n_train}")
    assert "full batch" in page.get_by_test_id("batch-size-value").inner_text()
    play(page)
    wait_metric(page, f"m.step > {step + 20}")
    assert header(page)["generation"] == generation


def test_loss_surface_draws_a_path_that_grows(open_page, artifacts):
    page = open_page("?speed=2")
    play(page)
    plot = page.get_by_test_id("surface-plot")
    page.wait_for_function("Number(document.querySelector('[data-testid=surface-plot]').dataset.pathLength) >= 3",
                           timeout=20_000)
    first = int(plot.get_attribute("data-path-length"))
    first_step = float(plot.get_attribute("data-path-last-step"))
    page.wait_for_function(
        f"(() => {{ const d = document.querySelector('[data-testid=surface-plot]').dataset;"
        f" return Number(d.pathLength) > {first} + 5 && Number(d.pathLastStep) > {first_step}; }})()",
        timeout=20_000)
    assert page.evaluate("window.__nnp.views.surface.pathLength") > first
    page.get_by_test_id("surface-view").screenshot(path=str(artifacts / "view-surface-path.png"))
    page.get_by_test_id("surface-3d").check()
    page.wait_for_function("(document.querySelector('[data-testid=surface-3d-plot]').data ?? [])[0]?.type === 'surface'")
    page.get_by_test_id("surface-view").screenshot(path=str(artifacts / "view-surface-3d.png"))


def test_clicking_two_edges_makes_them_the_surface_axes(open_page):
    page = open_page()
    settled_network_layout(page)
    edges = page.evaluate("window.__nnp.views.network.layout().edges.slice(0, 2)"
                          ".map(e => ({name: e.name, x: (e.x0 + e.x1) / 2, y: (e.y0 + e.y1) / 2}))")
    canvas = page.get_by_test_id("network-canvas")
    # hovering an edge shows its name, value and gradient
    canvas.hover(position={"x": edges[0]["x"], "y": edges[0]["y"]})
    tip = page.get_by_test_id("network-tooltip")
    tip.wait_for(state="visible")
    assert edges[0]["name"] in tip.inner_text() and "value" in tip.inner_text()
    for e in edges:
        canvas.click(position={"x": e["x"], "y": e["y"]})
    names = [e["name"] for e in edges]
    # the pair completes once no double-click follows (a double-click edits the weight instead)
    page.wait_for_function(f"JSON.stringify(window.__nnp.state.ui.surfaceParams) === {json.dumps(json.dumps(names, separators=(',', ':')))}")
    assert "axes=" in page.url
    page.wait_for_function(
        f"(() => {{ const l = window.__nnp.snapshot.landscape; return l && l.meta.mode === 'params'"
        f" && JSON.stringify(l.meta.labels).includes({names[0]!r}); }})()", timeout=15_000)


def test_diverging_setting_shows_diverged_and_reset_recovers(open_page, artifacts):
    page = open_page("?dataset=plane&loss=mse&activation=tanh&learning_rate=3&speed=max")
    assert page.get_by_test_id("diverged").is_hidden()
    page.get_by_test_id("play").click()  # it diverges within a few frames: maybe never seen playing
    wait_metric(page, "h.status === 'diverged'", timeout=20_000)
    box = page.get_by_test_id("diverged")
    box.wait_for(state="visible")
    assert "learning rate" in box.inner_text()
    assert page.get_by_test_id("status").inner_text() == "diverged"
    page.get_by_test_id("diagnostics-view").screenshot(path=str(artifacts / "view-diagnostics-diverged.png"))
    shoot(page, artifacts, "page-diverged")
    remedy = page.get_by_test_id("diverged-remedy")
    assert remedy.inner_text() == "lower the learning rate and reset"
    remedy.click()
    wait_metric(page, "h.status !== 'diverged' && m.step === 0 && h.config.learning_rate === 0.3")
    box.wait_for(state="hidden")   # drawn on the next animation frame after that frame
    assert "learning_rate=0.3" in page.url
    play(page)
    wait_metric(page, "m.step > 500", timeout=20_000)
    assert header(page)["status"] == "playing"
    assert math.isfinite(metric(page, "train_loss"))


def test_a_divergence_caused_by_the_initialization_offers_a_better_init_not_a_lower_rate(open_page):
    page = open_page("?hidden=64,64,64,64,64,64,64,64&activation=relu&init=uniform"
                     "&learning_rate=0.1&n_samples=100&speed=max")
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'diverged'", timeout=30_000)
    page.get_by_test_id("diverged").wait_for(state="visible")
    assert "initialization" in page.get_by_test_id("diverged").inner_text()
    remedy = page.get_by_test_id("diverged-remedy")
    assert remedy.inner_text() == "use 'he' init and reset"
    remedy.click()
    wait_metric(page, "h.status !== 'diverged' && m.step === 0 && h.config.init === 'he'")
    assert header(page)["config"]["learning_rate"] == 0.1      # the rate was not the cause
    play(page)
    wait_metric(page, "m.step > 50", timeout=30_000)
    assert header(page)["status"] == "playing" and math.isfinite(metric(page, "train_loss"))


def test_reloading_a_shared_url_restores_the_settings(open_page, api, server_url):
    query = "?dataset=xor&hidden=3,3&activation=relu&learning_rate=0.1&batch_size=20&noise=0.1&edges=gradients"
    page = open_page(query)
    run = api.get(f"/api/runs/{run_id(page)}").json()
    assert run["config"]["dataset"] == "xor"
    assert run["config"]["hidden"] == [3, 3]
    assert run["config"]["activation"] == "relu"
    assert run["config"]["learning_rate"] == 0.1
    assert run["config"]["batch_size"] == 20
    assert run["config"]["noise"] == 0.1
    assert page.get_by_test_id("dataset-xor").get_attribute("aria-pressed") == "true"
    assert page.get_by_test_id("input-activation").input_value() == "relu"
    assert page.get_by_test_id("edge-mode-gradients").get_attribute("aria-pressed") == "true"
    # change settings on the page: the URL follows
    # settings that rebuild the run are marked, and say so when used
    assert "resets" in page.get_by_test_id("field-dataset").inner_text()
    assert "live" in page.get_by_test_id("headline-controls").inner_text()  # learning rate, batch, optimizer
    page.get_by_test_id("dataset-spiral").click()
    page.get_by_test_id("layer-add").click()
    wait_metric(page, "h.config.dataset === 'spiral' && h.config.hidden.length === 3")
    assert "rebuilt" in page.get_by_test_id("notice").inner_text()
    shared = page.url
    q = parse_qs(urlparse(shared).query)
    assert q["dataset"] == ["spiral"] and q["hidden"] == ["3,3,3"]
    # a reload (or the link opened elsewhere) restores all of it, on a new run
    page.reload()
    wait_ready(page)
    run = api.get(f"/api/runs/{run_id(page)}").json()
    assert run["config"]["dataset"] == "spiral"
    assert run["config"]["hidden"] == [3, 3, 3]
    assert run["config"]["learning_rate"] == 0.1
    assert page.evaluate("window.__nnp.state.ui.edgeValues") == "gradients"
    assert page.get_by_test_id("dataset-spiral").get_attribute("aria-pressed") == "true"
    other = open_page(urlparse(shared).query and "?" + urlparse(shared).query)
    assert header(other)["config"]["dataset"] == "spiral"


def test_keyboard_space_plays_s_steps_r_resets(open_page):
    page = open_page()
    page.locator("body").click(position={"x": 5, "y": 795})
    page.keyboard.press("s")
    wait_metric(page, "m.step === 1")
    page.keyboard.press("Space")
    wait_metric(page, "h.status === 'playing' && m.step > 30")
    page.keyboard.press("Space")
    wait_metric(page, "h.status === 'paused'")
    generation = header(page)["generation"]
    page.keyboard.press("r")
    wait_metric(page, f"m.step === 0 && h.generation > {generation}")


@pytest.mark.parametrize("width, height", [(1024, 768), (768, 1024)])
def test_tablet_touch_plays_and_switches_dataset(open_page, artifacts, width, height):
    page = open_page(viewport={"width": width, "height": height}, has_touch=True, is_mobile=True)
    for testid in VIEWS:
        assert page.get_by_test_id(testid).bounding_box()["width"] > 200, testid
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    page.get_by_test_id("play").tap()
    wait_metric(page, "h.status === 'playing' && m.step > 50")
    page.get_by_test_id("dataset-xor").tap()
    wait_metric(page, "h.config.dataset === 'xor'")
    page.screenshot(path=str(artifacts / f"page-tablet-{width}x{height}.png"), full_page=True)


# ---- links with settings the server would refuse: the page fixes them up, never errors ------------

def assert_no_error_notice(page) -> None:
    """No refused message on the socket and no error shown in the page's notice."""
    counters = page.evaluate("window.__nnp.connection.counters")
    assert counters["errors"] == 0, counters["lastError"]
    notice = page.get_by_test_id("notice")
    assert "error" not in (notice.get_attribute("class") or ""), notice.inner_text()


def wait_landscape(page, timeout: float = 20_000) -> None:
    page.wait_for_function("window.__nnp.snapshot.landscape && (window.__nnp.stats.renders.surface ?? 0) > 0",
                           timeout=timeout)


@pytest.mark.parametrize("given, shown", [("20000", "10000"), ("0", "1"), ("-5", "1"), ("abc", "10")])
def test_a_speed_out_of_range_in_the_url_is_clamped(open_page, given, shown):
    page = open_page(f"?speed={given}")
    wait_landscape(page)
    assert_no_error_notice(page)
    assert page.evaluate("window.__nnp.state.ui.speed") == int(shown)
    speed = page.get_by_test_id("speed")
    assert speed.input_value() == shown
    assert shown in speed.locator("option:checked").inner_text()
    # the server took it: playing trains
    play(page)
    wait_metric(page, "m.step > 0")


@pytest.mark.parametrize("query, loss, fixed", [
    ("?dataset=plane&learning_rate=0.1&hidden=3", "mse", False),      # no loss given: the default bce does not fit
    ("?dataset=plane&loss=bce&learning_rate=0.1&hidden=3", "mse", True),
    ("?dataset=house&loss=cce&learning_rate=0.1&hidden=3", "mse", True),
    ("?dataset=blobs&loss=bce&learning_rate=0.1&hidden=3", "cce", True),
    ("?dataset=blobs&loss=mse&learning_rate=0.1&hidden=3", "mse", False),  # fits: kept
    ("?dataset=xor&loss=cce&learning_rate=0.1&hidden=3", "cce", False),    # fits: kept
])
def test_a_loss_that_does_not_fit_the_linked_dataset_is_fixed_not_the_whole_link(open_page, api, query, loss, fixed):
    page = open_page(query)
    dataset = parse_qs(urlparse(query).query)["dataset"][0]
    config = api.get(f"/api/runs/{run_id(page)}").json()["config"]
    assert config["dataset"] == dataset
    assert config["loss"] == loss
    assert config["learning_rate"] == 0.1 and config["hidden"] == [3]   # the rest of the link survives
    assert page.get_by_test_id("input-loss").input_value() == loss
    assert f"loss={loss}" in page.url or loss == "bce"
    notice = page.get_by_test_id("notice")
    assert "defaults" not in notice.inner_text() and "refused" not in notice.inner_text()
    assert_no_error_notice(page)
    if fixed:
        assert "loss" in notice.inner_text()


@pytest.mark.parametrize("axes", ["b1[0,1];W1[0,0]", "W1[0];W1[0,0]", "W0[0,0];W1[0,0]", "W9[0,0];W1[0,0]",
                                  "W1[0,99];W1[0,0]", "b1[99];W1[0,0]", "W1[0,0]", "x;y"])
def test_invalid_surface_axes_in_the_url_fall_back_to_auto(open_page, axes):
    page = open_page(f"?axes={axes}&surface=params")
    wait_landscape(page)
    assert_no_error_notice(page)
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []
    assert page.evaluate("window.__nnp.state.ui.surfaceMode") == "auto"
    assert page.get_by_test_id("surface-mode").input_value() == "auto"
    assert "axes=" not in page.url and "surface=" not in page.url


def test_valid_surface_axes_in_the_url_are_used(open_page):
    page = open_page("?axes=W2[0,1];b1[2]&surface=params")
    page.wait_for_function(
        "(() => { const l = window.__nnp.snapshot.landscape; return l && l.meta.mode === 'params'"
        " && JSON.stringify(l.meta.labels).includes('W2[0,1]'); })()", timeout=20_000)
    assert_no_error_notice(page)
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == ["W2[0,1]", "b1[2]"]


def test_the_speed_bound_is_the_servers(open_page):
    page = open_page("?speed=5000")
    # the hello message's limits are the bound (the server's is 10000: 5000 is kept)
    assert page.evaluate("window.__nnp.state.limits.maxSpeed") == 10_000
    assert page.get_by_test_id("speed").input_value() == "5000"
    # a server with a lower bound lowers a linked speed before it is sent
    page.evaluate("window.__nnp.state.setLimits({max_speed: 300})")
    assert page.evaluate("window.__nnp.state.ui.speed") == 300
    assert page.get_by_test_id("speed").input_value() == "300"
    assert "speed=300" in page.url
    play(page)
    wait_metric(page, "m.step > 0")
    assert_no_error_notice(page)
