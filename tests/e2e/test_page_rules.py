"""The page builds itself from what the engine publishes (GET /api/schema, frame headers): the
full batch, the datasets and their thumbnails, which settings apply, which losses fit."""

from __future__ import annotations

from .conftest import settled_network_layout


def header(page) -> dict:
    return page.evaluate("window.__nnp.stats.lastHeader")


def test_full_batch_label_is_the_engines_training_set_size(open_page, api):
    # 0.25 * 50 = 12.5: Python's round gives 12 (JS Math.round would say 13)
    page = open_page("?n_samples=50&train_fraction=0.25")
    assert header(page)["n_train"] == 12
    slider = page.get_by_test_id("input-batch_size")
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.batch_size === 12")
    assert page.get_by_test_id("batch-size-value").inner_text() == "12 (full batch)"
    assert page.evaluate("window.__nnp.state.config.batch_size") == 12
    rid = page.evaluate("window.__nnp.connection.runId")
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["batch_size"] == 12


def test_first_edge_click_while_paused_redraws_the_network(open_page):
    page = open_page()
    settled_network_layout(page)
    assert header(page)["status"] == "paused"
    edge = page.evaluate("(() => { const e = window.__nnp.views.network.layout().edges[0];"
                         " return {name: e.name, x: (e.x0 + e.x1) / 2, y: (e.y0 + e.y1) / 2}; })()")
    page.wait_for_timeout(300)   # let any pending draw finish
    before = page.evaluate("window.__nnp.stats.renders.network ?? 0")
    page.get_by_test_id("network-canvas").click(position={"x": edge["x"], "y": edge["y"]})
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == edge["name"]
    page.wait_for_function(f"(window.__nnp.stats.renders.network ?? 0) > {before}", timeout=5_000)


def test_every_published_dataset_is_offered_with_its_thumbnail(open_page, api):
    datasets = api.get("/api/schema").json()["datasets"]
    page = open_page()
    for name, info in datasets.items():
        button = page.get_by_test_id(f"dataset-{name}")
        assert button.count() == 1, name
        assert button.locator("img").get_attribute("src") == info["thumbnail"]
        assert info["kind"] in button.get_attribute("title")
    page.wait_for_function("[...document.querySelectorAll('.datasets img')].every(i => i.complete && i.naturalWidth > 0)")


def test_settings_show_only_for_the_choices_they_apply_to(open_page, api):
    fields = {f["name"]: f for f in api.get("/api/schema").json()["fields"]}
    page = open_page()
    momentum = page.get_by_test_id("field-momentum")
    assert fields["momentum"]["applies_when"]["optimizer"] == ["momentum", "nesterov"]
    assert momentum.is_hidden()
    page.get_by_test_id("input-optimizer").select_option("nesterov")
    momentum.wait_for(state="visible")
    assert page.get_by_test_id("field-beta1").is_hidden()
    page.get_by_test_id("input-optimizer").select_option("adam")
    page.get_by_test_id("field-beta1").wait_for(state="visible")
    assert momentum.is_hidden()


def test_switching_dataset_kind_takes_the_losses_the_engine_lists(open_page, api):
    schema = api.get("/api/schema").json()
    datasets = schema["datasets"]
    page = open_page()
    page.get_by_test_id("dataset-house").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.config.dataset === 'house'")
    assert header(page)["config"]["loss"] == datasets["house"]["usual_loss"] == "mse"
    disabled = page.evaluate("[...document.querySelector('[data-testid=input-loss]').options]"
                             ".filter(o => o.disabled).map(o => o.value)")
    assert sorted(disabled) == sorted(set(schema["losses"]) - set(datasets["house"]["losses"]))
    page.get_by_test_id("dataset-blobs").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.config.dataset === 'blobs'")
    assert header(page)["config"]["loss"] == datasets["blobs"]["usual_loss"] == "cce"


def test_the_ring_dataset_added_in_python_only_is_offered_and_trains(open_page, api):
    import re
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    # the page's code and template never name it: it knows it from the schema alone
    for path in [*(repo / "static").rglob("*"), *(repo / "templates").rglob("*")]:
        if "vendor" in path.parts:   # third-party code
            continue
        if path.is_file() and path.suffix in (".js", ".mjs", ".html", ".css", ".json"):
            assert not re.search(r"\bring\b", path.read_text(errors="ignore")), path
    assert api.get("/api/schema").json()["datasets"]["ring"]["kind"] == "binary"
    page = open_page()
    page.get_by_test_id("dataset-ring").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.config.dataset === 'ring'")
    assert page.evaluate("window.__nnp.state.config.dataset") == "ring"
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 50")


def test_the_exact_surface_says_nothing_is_projected(open_page):
    page = open_page("?dataset=threshold&hidden=-&surface=exact&speed=5")
    page.get_by_test_id("play").click()
    page.wait_for_function("(() => { const l = window.__nnp.snapshot.landscape;"
                           " return l && l.meta.mode === 'exact'; })()", timeout=20_000)
    legend = page.locator("#surface-legend")
    page.wait_for_function("document.querySelector('#surface-legend').textContent.includes('Path')")
    text = legend.inner_text()
    assert "nothing is projected" in text and "projected onto" not in text
