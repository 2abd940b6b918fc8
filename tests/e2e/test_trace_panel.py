"""The playground's trace panel and weight editor in headless Chromium: clicking a point shows
Z = W A + b whose numbers match POST /trace; typing a weight value changes /params."""

from __future__ import annotations

import numpy as np

FIND_POINT = """([wantExample]) => {
  const nnp = window.__nnp, c = document.querySelector('[data-testid=output-canvas]');
  const r = c.getBoundingClientRect();
  for (let y = r.top + 2; y < r.bottom; y += 3) for (let x = r.left + 2; x < r.right; x += 3) {
    const hit = nnp.views.boundary.pointAt(nnp.snapshot, x, y);
    if (hit && (hit.example != null) === wantExample) return {x, y, hit};
  }
  return null;
}"""


def cells(page, layer: int, role: str) -> np.ndarray:
    """The full-precision numbers of one strip of the trace panel (rows x columns)."""
    rows = page.eval_on_selector_all(
        f"[data-testid=trace-panel] .strip[data-role={role}][data-layer='{layer}'] tr",
        "trs => trs.map(tr => [...tr.querySelectorAll('td[data-v]')].map(td => Number(td.dataset.v)))")
    return np.array([r for r in rows if r])


def run_id(page) -> str:
    return page.evaluate("window.__nnp.connection.runId")


def test_clicking_a_training_point_shows_the_forward_and_backward_pass_of_post_trace(
        open_page, api, artifacts):
    page = open_page("?dataset=circle&hidden=3,2")
    found = page.evaluate(FIND_POINT, [True])
    assert found is not None, "no training point found on the output plot"
    page.mouse.click(found["x"], found["y"])
    panel = page.get_by_test_id("trace-panel")
    panel.wait_for(state="visible")
    page.wait_for_function("window.__nnp.trace.last() !== null")
    expected = api.post(f"/api/runs/{run_id(page)}/trace",
                        json={"example": found["hit"]["example"], "split": "train"}).json()
    assert len(expected["layers"]) == 3
    for l, layer in enumerate(expected["layers"], start=1):
        W, a_in, b, z = (cells(page, l, r) for r in ("W", "a_in", "b", "z"))
        assert np.allclose(W, layer["W"], rtol=1e-12) and np.allclose(b[:, 0], layer["b"])
        assert np.allclose(a_in[:, 0], layer["a_in"]) and np.allclose(z[:, 0], layer["z"])
        assert np.allclose(W @ a_in[:, 0] + b[:, 0], z[:, 0], rtol=1e-9, atol=1e-12)  # Z = W A + b
        assert np.allclose(cells(page, l, "delta")[:, 0], layer["delta"])
        assert np.allclose(cells(page, l, "dW"), layer["dW"])
    # tooltips carry at least 6 significant digits
    title = page.locator("[data-testid=trace-panel] .strip[data-role=W] td[data-v]").first.get_attribute("title")
    assert len(title.replace("\u2212", "").replace(".", "").lstrip("0")) >= 6 or float(title.replace("\u2212", "-")) == 0
    # the selected neuron's row is highlighted and its sum written term by term
    page.locator("[data-testid=trace-panel] .strip[data-role=W][data-layer='1'] tr[data-row='2'] td").first.click()
    assert page.locator("[data-testid=trace-panel] .strip[data-role=W][data-layer='1'] tr.sel").get_attribute("data-row") == "2"
    assert page.get_by_test_id("trace-sum-1").inner_text().startswith("neuron 2: z = (")
    page.screenshot(path=str(artifacts / "trace-panel-1280x800.png"))
    page.set_viewport_size({"width": 768, "height": 1024})
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "trace-panel-768x1024.png"))


def test_clicking_an_empty_spot_traces_that_raw_input_forward_only(open_page, api):
    page = open_page("?dataset=xor&hidden=4")
    found = page.evaluate(FIND_POINT, [False])
    page.mouse.click(found["x"], found["y"])
    page.wait_for_function("window.__nnp.trace.last() !== null")
    shown = page.evaluate("window.__nnp.trace.last()")
    expected = api.post(f"/api/runs/{run_id(page)}/trace", json={"x": found["hit"]["x"]}).json()
    assert np.allclose(shown["layers"][1]["z"], expected["layers"][1]["z"])
    assert shown["layers"][0]["delta"] is None
    assert "Click a training point" in page.get_by_test_id("trace-panel").inner_text()


def test_wide_layers_are_elided_and_never_overflow(open_page):
    page = open_page("?dataset=circle&hidden=40")
    found = page.evaluate(FIND_POINT, [True])
    page.mouse.click(found["x"], found["y"])
    page.get_by_test_id("trace-panel").wait_for(state="visible")
    assert page.locator("[data-testid=trace-panel] .strip[data-role=W][data-layer='2'] td.gap").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.get_by_test_id("trace-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280


def anchor(page, name: str) -> dict:
    """Where the network view draws a parameter, once its layout has settled."""
    page.wait_for_function(f"window.__nnp.views.network.paramAnchor({name!r}) !== null")
    page.wait_for_timeout(300)
    return page.evaluate(f"window.__nnp.views.network.paramAnchor({name!r})")


def test_typing_a_weight_value_changes_params_and_training_continues(open_page, api, page_run,
                                                                    artifacts):
    page = open_page("?dataset=circle&hidden=3")
    at = anchor(page, "b1[1]")
    assert at is not None
    page.mouse.dblclick(at["x"], at["y"])
    editor = page.get_by_test_id("param-editor")
    editor.wait_for(state="visible")
    assert "b1[1]" in editor.inner_text()
    page.get_by_test_id("param-input").fill("-5")
    page.screenshot(path=str(artifacts / "param-editor-1280x800.png"))
    page.get_by_test_id("param-input").press("Enter")
    editor.wait_for(state="hidden")
    rid = page_run(page)
    assert api.get(f"/api/runs/{rid}/params").json()[0]["b"][1] == -5.0
    at = anchor(page, "W1[0,1]")
    page.mouse.dblclick(at["x"], at["y"])
    editor.wait_for(state="visible")
    page.get_by_test_id("param-input").fill("not a number")
    page.get_by_test_id("param-input").press("Enter")
    assert "finite number" in editor.inner_text()
    page.get_by_test_id("param-input").fill("0.75")
    page.get_by_test_id("param-input").press("Enter")
    editor.wait_for(state="hidden")
    assert api.get(f"/api/runs/{rid}/params").json()[0]["W"][0][1] == 0.75
    # the run continues from there
    api.post(f"/api/runs/{rid}/step", json={"steps": 5})
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["step"] == 5


def test_a_hand_edit_shows_as_a_dashed_jump_on_the_loss_surface(open_page, api, page_run, artifacts):
    page = open_page("?dataset=threshold&hidden=-&loss=perceptron&batch_size=1&learning_rate=0.1")
    rid = page_run(page)
    api.post(f"/api/runs/{rid}/step", json={"steps": 5})
    at = anchor(page, "W1[0,0]")
    page.mouse.dblclick(at["x"], at["y"])
    page.get_by_test_id("param-input").fill("3")
    page.get_by_test_id("param-input").press("Enter")
    page.get_by_test_id("param-editor").wait_for(state="hidden")
    api.post(f"/api/runs/{rid}/step", json={"steps": 5})
    page.get_by_test_id("step").click()  # a control message: a fresh frame and landscape
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=surface-plot]').dataset.pathJumps) >= 1",
        timeout=20_000)
    assert "dashed: hand edit" in page.get_by_test_id("surface-view").inner_text()
    page.get_by_test_id("surface-view").screenshot(path=str(artifacts / "surface-jump.png"))


def test_dragging_the_editors_slider_sets_the_weight(open_page, api):
    page = open_page("?dataset=circle&hidden=3")
    at = anchor(page, "W2[0,1]")
    page.mouse.dblclick(at["x"], at["y"])
    slider = page.get_by_test_id("param-slider")
    slider.wait_for(state="visible")
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] / 2 + k * box["width"] / 25, y)
    page.mouse.up()
    target = float(slider.input_value())
    rid = run_id(page)
    page.wait_for_function(f"""fetch('/api/runs/{rid}/params').then(r => r.json())
        .then(p => Math.abs(p[1].W[0][1] - {target}) < 1e-9)""", timeout=10_000)
    assert api.get(f"/api/runs/{rid}/params").json()[1]["W"][0][1] == target
