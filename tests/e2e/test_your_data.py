"""Your data, saved runs and exports on the page, end to end in headless Chromium: drawing
points rebuilds and retrains the run, CSV files upload (picker and drag and drop), every export
button and every picture's PNG downloads, a saved run reopens from its link, and a run live at a
graceful server stop is offered for reopening after the restart."""

from __future__ import annotations

import io
import json

import httpx
import numpy as np

from .conftest import VIEWPORT, open_lenient_page, wait_ready

TABLET = {"width": 768, "height": 1024}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def header(page) -> dict:
    return page.evaluate("window.__nnp.stats.lastHeader")


def dataset_size(page) -> int:
    return page.evaluate("(() => { const d = window.__nnp.snapshot.dataset; "
                         "return d ? d.yTrain.length + d.yTest.length : 0; })()")


def click_data_point(page, x1: float, x2: float, shift: bool = False) -> None:
    at = page.evaluate(f"window.__nnp.views.boundary.pixelOf({x1}, {x2})")
    page.get_by_test_id("output-canvas").click(position={"x": at["x"], "y": at["y"]},
                                               modifiers=["Shift"] if shift else [])


def assert_covers_no_control(page) -> None:
    """The saved-run banner sits in the top bar's flow: no box of the controls or readouts
    meets it, and it is in view."""
    banner = page.get_by_test_id("saved-banner").bounding_box()
    assert banner["y"] >= 0 and banner["y"] + banner["height"] <= page.viewport_size["height"]
    for testid in ("run-actions", "headline-controls", "run-summary", "share-links"):
        box = page.get_by_test_id(testid).bounding_box()
        apart = (box["x"] + box["width"] <= banner["x"] or banner["x"] + banner["width"] <= box["x"]
                 or box["y"] + box["height"] <= banner["y"] or banner["y"] + banner["height"] <= box["y"])
        assert apart, (testid, box, banner)


def test_drawing_points_rebuilds_and_retrains_the_run(open_page, api, artifacts):
    page = open_page("?speed=50&learning_rate=0.1")
    generation = header(page)["generation"]
    page.get_by_test_id("draw-toggle").click()
    page.get_by_test_id("draw-clear").click()
    for k, (x1, x2) in enumerate([(-4, -4), (-3, -4.5), (-4, -2.5), (-2.5, -3)]):
        page.get_by_test_id("draw-class-0").click()
        click_data_point(page, x1, x2)
    page.get_by_test_id("draw-class-1").click()
    for x1, x2 in [(4, 4), (3, 4.5), (4, 2.5), (2.5, 3)]:
        click_data_point(page, x1, x2)
    page.wait_for_function("window.__nnp.stats.lastHeader.config.dataset === 'custom' && "
                           "(() => { const d = window.__nnp.snapshot.dataset; "
                           "return d && d.yTrain.length + d.yTest.length === 8; })()",
                           timeout=15_000)
    h = header(page)
    assert h["generation"] > generation and h["metrics"]["step"] == 0   # rebuilt on the points
    assert "8 drawn points" in page.get_by_test_id("data-message").inner_text()
    rid = page.evaluate("window.__nnp.connection.runId")
    raw = api.get(f"/api/runs/{rid}/dataset").json()
    xs = np.vstack([raw["x_train"], raw["x_test"]])
    assert any(np.allclose(p, (3, 4.5), atol=0.1) for p in xs)        # the click's position
    page.get_by_test_id("output-view").screenshot(path=str(artifacts / "view-output-drawn.png"))
    page.screenshot(path=str(artifacts / "page-drawing-1280x800.png"))
    # the run trains on them: play until it separates the two groups
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 200 && "
                           "window.__nnp.stats.lastHeader.metrics.train_accuracy === 1",
                           timeout=30_000)
    # another point and a removal each rebuild the run again
    first_id = header(page)["config"]["custom_dataset"]
    click_data_point(page, 0, 5)
    page.wait_for_function("(() => { const d = window.__nnp.snapshot.dataset; "
                           "return d && d.yTrain.length + d.yTest.length === 9; })()", timeout=15_000)
    click_data_point(page, 0, 5, shift=True)
    page.wait_for_function("(() => { const d = window.__nnp.snapshot.dataset; "
                           "return d && d.yTrain.length + d.yTest.length === 8; })()", timeout=15_000)
    assert header(page)["config"]["custom_dataset"] == first_id    # the same points, the same id
    # the URL shares the drawn dataset
    assert f"custom_dataset={first_id}" in page.url and "dataset=custom" in page.url


def _ring_csv(n=200):
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, (n, 2))
    return "x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{int(a * a + b * b < 3)}\n" for a, b in x)


def test_csv_upload_by_picker_and_by_drop(open_page, artifacts):
    page = open_page("?speed=50")
    page.get_by_test_id("csv-input").set_input_files(
        files=[{"name": "ring.csv", "mimeType": "text/csv", "buffer": _ring_csv().encode()}])
    page.wait_for_function("window.__nnp.stats.lastHeader.config.dataset === 'custom'", timeout=15_000)
    assert "200 points, binary" in page.get_by_test_id("data-message").inner_text()
    page.wait_for_function("(() => { const d = window.__nnp.snapshot.dataset; "
                           "return d && d.yTrain.length + d.yTest.length === 200; })()", timeout=15_000)
    assert header(page)["domain"][0][0] > -4    # the plot frames the uploaded points
    # drag and drop a regression file: the loss follows (mse)
    text = "x1,target\n" + "".join(f"{i / 10},{(i / 10) ** 2}\n" for i in range(-20, 21))
    page.evaluate("""(text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], "curve.csv", { type: "text/csv" }));
        const zone = document.querySelector("[data-testid=csv-drop]");
        zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    }""", text)
    page.wait_for_function("window.__nnp.stats.lastHeader.task === 'regression'", timeout=15_000)
    assert header(page)["config"]["loss"] == "mse" and header(page)["input_dim"] == 1


def test_a_bad_file_is_refused_naming_row_and_column(chromium_browser, server_url, artifacts):
    # its own page: Chromium logs the 422 response as a console error, which open_page refuses
    context, page, errors = open_lenient_page(chromium_browser, f"{server_url}/")
    page.get_by_test_id("csv-input").set_input_files(files=[{
        "name": "bad.csv", "mimeType": "text/csv",
        "buffer": b"x1,x2,label\n1,2,0\n3,abc,1\n4,4,1\n5,5,0\n"}])
    page.wait_for_function("document.querySelector('[data-testid=data-message]')"
                           ".textContent.includes('refused')")
    text = page.get_by_test_id("data-message").inner_text()
    assert "bad.csv was refused: row 3, column x2: 'abc' is not a number" in text
    assert header(page)["config"]["dataset"] == "circle"     # the run is untouched
    for viewport, name in ((VIEWPORT, "1280x800"), (TABLET, "768x1024")):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        page.get_by_test_id("data-panel").screenshot(path=str(artifacts / f"view-data-panel-error-{name}.png"))
        page.screenshot(path=str(artifacts / f"page-your-data-{name}.png"))
    assert not errors, errors
    context.close()


def test_a_shared_link_opens_the_custom_dataset(open_page, api):
    info = api.post("/api/datasets", content=_ring_csv(), headers={"content-type": "text/csv"}).json()
    page = open_page(f"?dataset=custom&custom_dataset={info['id']}")
    h = header(page)
    assert h["config"]["custom_dataset"] == info["id"] and h["task"] == "binary"
    assert dataset_size(page) == 200


def test_export_buttons_download_json_csv_npz(open_page, api):
    page = open_page()
    page.get_by_test_id("step").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step === 1")
    rid = page.evaluate("window.__nnp.connection.runId")
    page.locator("[data-testid=store-panel] summary").click()
    bodies = {}
    for fmt in ("json", "csv", "npz"):
        with page.expect_download() as info:
            page.get_by_test_id(f"export-{fmt}").click()
        bodies[fmt] = open(info.value.path(), "rb").read()
        assert info.value.suggested_filename.endswith(f".{fmt}")
    params = api.get(f"/api/runs/{rid}/params").json()
    assert json.loads(bodies["json"])["params"] == params
    assert bodies["csv"].startswith(b"section,name,step,value")
    with np.load(io.BytesIO(bodies["npz"]), allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["W1"], np.array(params[0]["W"]))


def test_every_picture_saves_as_png(open_page, artifacts):
    page = open_page()
    page.locator("[data-testid=store-panel] summary").click()
    names = page.evaluate("[...document.querySelectorAll('[data-testid^=png-]')].map(b => b.dataset.testid)")
    assert set(names) >= {"png-network", "png-output", "png-loss", "png-surface", "png-activation",
                          "png-diagnostics"}
    for name in names:
        with page.expect_download() as info:
            page.get_by_test_id(name).click()
        data = open(info.value.path(), "rb").read()
        assert data.startswith(PNG_MAGIC) and len(data) > 2000, name
    # the 3-D surface is a plotly plot: saved through plotly
    page.get_by_test_id("surface-3d").check()
    page.wait_for_function("document.querySelector('[data-testid=surface-3d-plot] .main-svg') !== null",
                           timeout=15_000)
    with page.expect_download() as info:
        page.get_by_test_id("png-surface").click()
    assert open(info.value.path(), "rb").read().startswith(PNG_MAGIC)


def test_save_then_reopen_from_the_link_and_the_list(open_page, artifacts):
    page = open_page("?speed=20")
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 100", timeout=20_000)
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.status === 'paused'")
    step = header(page)["metrics"]["step"]
    first_run = page.evaluate("window.__nnp.connection.runId")
    page.locator("[data-testid=store-panel] summary").click()
    page.get_by_test_id("save-run").click()
    link = page.get_by_test_id("saved-link")
    link.wait_for()
    page.wait_for_function("document.querySelectorAll('[data-testid=saved-item]').length > 0")
    page.get_by_test_id("store-panel").screenshot(path=str(artifacts / "view-store-panel.png"))
    link.click()
    wait_ready(page)
    page.wait_for_function(f"window.__nnp.stats.lastHeader.metrics.step === {step}", timeout=15_000)
    assert page.evaluate("window.__nnp.connection.runId") != first_run
    assert "saved=" not in page.url       # the page's own URL is its settings again


def test_a_run_playing_at_a_server_stop_is_offered_for_reopening(chromium_browser, own_server,
                                                                 artifacts):
    server = own_server("server-restart.log")
    context, page, errors = open_lenient_page(chromium_browser, f"{server.url}/?speed=20")
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step > 100", timeout=20_000)
    run = page.evaluate("window.__nnp.connection.runId")
    server.stop()                                # the run is playing right now
    server.start()                               # the same store
    banner = page.get_by_test_id("saved-banner")
    banner.wait_for(state="visible", timeout=20_000)
    assert "This run was saved when the server stopped" in banner.inner_text()
    assert_covers_no_control(page)
    page.screenshot(path=str(artifacts / "page-saved-banner-1280x800.png"))
    page.set_viewport_size(TABLET)
    page.wait_for_timeout(200)
    assert_covers_no_control(page)
    page.screenshot(path=str(artifacts / "page-saved-banner-768x1024.png"))
    saved = httpx.get(f"{server.url}/api/saved", params={"run": run}).json()
    assert len(saved) == 1 and saved[0]["reason"] == "shutdown" and saved[0]["step"] > 100
    page.get_by_test_id("saved-reopen").click()
    wait_ready(page)
    page.wait_for_function(f"window.__nnp.stats.lastHeader.metrics.step === {saved[0]['step']}",
                           timeout=15_000)
    assert not errors, errors
    context.close()
