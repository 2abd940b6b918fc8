"""The playground's trace panel and weight editor in headless Chromium: clicking a point shows
Z = W A + b whose numbers match POST /trace; typing a weight value changes /params."""

from __future__ import annotations

import numpy as np

from .conftest import settled_network_layout

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
    settled_network_layout(page)
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


def node_center(page, layer: int, index: int) -> dict:
    settled_network_layout(page)
    return page.evaluate(f"""(() => {{ const n = window.__nnp.views.network.layout().nodes[{layer}][{index}];
        const r = document.querySelector('[data-testid=network-canvas]').getBoundingClientRect();
        return {{x: r.left + n.x + n.s / 2, y: r.top + n.y + n.s / 2}}; }})()""")


def short(v: float) -> str:
    """trace_format.js's short(): 3 significant digits, a real minus."""
    if v == 0:
        return "0"
    a = abs(v)
    s = f"{v:.2e}" if a >= 1e4 or a < 1e-3 else f"{float(f'{v:.3g}'):g}"
    return s.replace("-", "\u2212")


def test_hovering_a_neuron_writes_its_weighted_sum_term_by_term(open_page, api):
    page = open_page("?dataset=circle&hidden=3")
    rid = run_id(page)
    params = api.get(f"/api/runs/{rid}/params").json()
    at = node_center(page, 1, 1)
    page.mouse.move(at["x"], at["y"])
    tip = page.get_by_test_id("tooltip-sum")
    tip.wait_for()
    w, b = params[0]["W"][1], params[0]["b"][1]
    assert tip.inner_text() == f"z = ({short(w[0])})\u00b7x\u2081 + ({short(w[1])})\u00b7x\u2082 + ({short(b)})" \
        + "\nclick a point of the output for the sum with its numbers"
    # with a traced point: that example's numbers, adding up to its z
    found = page.evaluate(FIND_POINT, [True])
    page.mouse.click(found["x"], found["y"])
    page.wait_for_function("window.__nnp.trace.last() !== null")
    trace = page.evaluate("window.__nnp.trace.last()")
    page.mouse.move(at["x"] + 1, at["y"])
    page.wait_for_function("document.querySelector('[data-testid=tooltip-sum]')?.textContent.includes('traced')")
    text = tip.inner_text()
    layer = trace["layers"][0]
    terms = " + ".join(f"({short(wj)})({short(aj)})" for wj, aj in zip(layer["W"][1], layer["a_in"]))
    assert text.endswith(f"z = {terms} + ({short(layer['b'][1])}) = {short(layer['z'][1])}"), text


def test_double_clicking_an_edge_edits_it_and_picks_no_axis(open_page):
    page = open_page("?dataset=circle&hidden=3")
    first = anchor(page, "W1[0,0]")
    page.mouse.click(first["x"], first["y"])
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == "W1[0,0]"
    # a double-click on another edge: the editor opens, and no pair is completed
    other = anchor(page, "W2[0,2]")
    page.mouse.dblclick(other["x"], other["y"])
    page.get_by_test_id("param-editor").wait_for(state="visible")
    page.wait_for_timeout(700)   # past the wait of a click that would complete a pair
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == "W1[0,0]"
    page.get_by_test_id("param-input").press("Escape")
    # a double-click on a fresh edge leaves no half pick behind
    page.keyboard.press("Escape")
    page.evaluate("window.__nnp.state.setUi({pickAxes: true}); window.__nnp.state.setUi({pickAxes: false})")
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") is None
    page.mouse.dblclick(other["x"], other["y"])
    page.get_by_test_id("param-editor").wait_for(state="visible")
    page.wait_for_timeout(700)
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") is None
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []


def second_press(page, at: dict) -> None:
    """The second press of a double-click as the system delivers it: click count 2 (its click
    has detail 2 and a dblclick event follows)."""
    page.mouse.move(at["x"], at["y"])
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)


def test_a_double_click_slower_than_the_window_is_two_clicks_not_an_edit_and_a_pair(open_page, artifacts):
    """One window (network_view.js DOUBLE_CLICK_MS, 400 ms) decides what a double-click is: a
    second press the system still counts as a double-click (click count 2) but 450 ms later
    is a click of its own. It used to complete the pair and open the editor as well."""
    page = open_page("?dataset=circle&hidden=3")
    first = anchor(page, "W1[0,0]")
    other = anchor(page, "W2[0,2]")
    page.mouse.click(first["x"], first["y"])
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == "W1[0,0]"
    page.mouse.click(other["x"], other["y"])
    page.wait_for_timeout(450)                                   # the input: a slow double-click
    second_press(page, other)                                    # the system's second click (dblclick)
    page.wait_for_function("window.__nnp.state.ui.surfaceParams.length === 2")
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == ["W1[0,0]", "W2[0,2]"]
    assert page.get_by_test_id("param-editor").is_hidden()
    # and the same two presses within the window are a double-click: the editor, no pair
    page.keyboard.press("Escape")
    page.evaluate("window.__nnp.state.setUi({surfaceParams: [], surfaceMode: 'auto', pickAxes: true});"
                  " window.__nnp.state.setUi({pickAxes: false})")
    page.mouse.click(first["x"], first["y"])
    page.mouse.click(other["x"], other["y"])
    second_press(page, other)
    page.get_by_test_id("param-editor").wait_for(state="visible")
    assert "W2[0,2]" in page.get_by_test_id("param-editor").inner_text()
    page.screenshot(path=str(artifacts / "param-editor-double-click-1280x800.png"))
    page.wait_for_timeout(450)                                   # past the window: no late pair
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") == "W1[0,0]"


def test_the_weight_editor_by_touch_tap_reads_double_tap_edits(open_page, api):
    page = open_page("?dataset=circle&hidden=3", viewport={"width": 768, "height": 1024},
                     has_touch=True, is_mobile=True)
    page.get_by_test_id("network-canvas").scroll_into_view_if_needed()
    at = anchor(page, "W2[0,1]")
    page.touchscreen.tap(at["x"], at["y"])
    tip = page.get_by_test_id("network-tooltip")
    tip.wait_for(state="visible")
    assert "W2[0,1]" in tip.inner_text() and "value" in tip.inner_text()
    page.wait_for_timeout(600)   # a second tap after this is a new tap, not a double-tap
    # the documented gesture: a double-tap opens the editor
    page.touchscreen.tap(at["x"], at["y"])
    page.touchscreen.tap(at["x"], at["y"])
    editor = page.get_by_test_id("param-editor")
    editor.wait_for(state="visible")
    assert "W2[0,1]" in editor.inner_text()
    page.get_by_test_id("param-input").fill("1.25")
    editor.locator("[data-role=ok]").tap()
    editor.wait_for(state="hidden")
    assert api.get(f"/api/runs/{run_id(page)}/params").json()[1]["W"][0][1] == 1.25
    assert page.evaluate("window.__nnp.state.ui.surfaceParams") == []
    assert page.evaluate("window.__nnp.views.network.pendingAxis()") is None


def test_a_hand_edit_shows_as_a_dashed_jump_on_the_3d_surface_too(open_page, api, page_run, artifacts):
    page = open_page("?dataset=threshold&hidden=-&loss=perceptron&batch_size=1&learning_rate=0.1")
    rid = page_run(page)
    api.post(f"/api/runs/{rid}/step", json={"steps": 5})
    page.get_by_test_id("surface-3d").check()
    page.wait_for_function("(document.querySelector('[data-testid=surface-3d-plot]').data ?? [])[0]?.type === 'surface'",
                           timeout=20_000)
    api.patch(f"/api/runs/{rid}/params", json={"W1[0,0]": 3.0})
    api.post(f"/api/runs/{rid}/step", json={"steps": 5})
    page.get_by_test_id("step").click()  # a control message: a fresh frame and landscape
    page.wait_for_function(
        "(document.querySelector('[data-testid=surface-3d-plot]').data ?? []).some(t => t.name === 'hand edit')",
        timeout=20_000)
    jump = page.evaluate("document.querySelector('[data-testid=surface-3d-plot]').data.find(t => t.name === 'hand edit')")
    assert jump["line"]["dash"] == "dash"
    assert len([v for v in jump["x"] if v is not None]) == 2
    # the jump is the edit: it ends at the typed weight, and the descent line breaks there
    assert 3.0 in [v for v in jump["x"] + jump["y"] if v is not None]
    descent = page.evaluate("document.querySelector('[data-testid=surface-3d-plot]').data[1]")
    assert None in descent["x"]
    assert page.get_by_test_id("surface-plot").get_attribute("data-path-jumps") == "1"
    assert "dashed: hand edit" in page.get_by_test_id("surface-view").inner_text()
    page.get_by_test_id("surface-view").screenshot(path=str(artifacts / "surface-3d-jump.png"))


def test_a_neuron_hovered_after_training_moved_on_sums_with_the_current_weights(open_page, api,
                                                                               page_run):
    page = open_page("?dataset=circle&hidden=3,2")
    rid = page_run(page)
    found = page.evaluate(FIND_POINT, [True])
    page.mouse.click(found["x"], found["y"])          # traced at step 0
    page.wait_for_function("window.__nnp.trace.last() !== null")
    trace = page.evaluate("window.__nnp.trace.last()")
    assert api.post(f"/api/runs/{rid}/step", json={"steps": 300}).status_code == 200
    page.wait_for_function("window.__nnp.stats.lastHeader?.metrics?.step === 300")
    edge = anchor(page, "W2[0,0]")
    page.mouse.move(edge["x"], edge["y"])
    page.wait_for_function("document.querySelector('[data-testid=tooltip-value]')")
    edge_value = float(page.get_by_test_id("tooltip-value").inner_text().replace("\u2212", "-"))
    at = node_center(page, 2, 0)
    page.mouse.move(at["x"], at["y"])
    page.wait_for_function("document.querySelector('[data-testid=tooltip-sum]')?.textContent.includes('traced')")
    text = page.get_by_test_id("tooltip-sum").inner_text()
    assert "current weights" in text
    sum_text = text.split("z = ", 1)[1]
    first_weight = sum_text.split(")(", 1)[0].lstrip("(")
    assert first_weight == short(edge_value), text
    assert short(trace["layers"][1]["W"][0][0]) != short(edge_value)    # training moved it
    # the inputs are the traced example's, recomputed with the current first layer
    params = api.get(f"/api/runs/{rid}/params").json()
    g = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
         "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[api.get(f"/api/runs/{rid}").json()["config"]["activation"]]
    a1 = g(np.array(params[0]["W"]) @ np.array(trace["layers"][0]["a_in"]) + np.array(params[0]["b"]))
    w2, b2 = params[1]["W"][0], params[1]["b"][0]
    terms = " + ".join(f"({short(wj)})({short(aj)})" for wj, aj in zip(w2, a1))
    assert sum_text == f"{terms} + ({short(b2)}) = {short(float(np.dot(w2, a1) + b2))}", text
