"""The backprop lab (/graph) in headless Chromium: the chain preset's numbers, stepping the
backward pass, nudging a leaf, editing a value, and a network example opened from the
playground's output plot. Screenshots at 1280x800 and 768x1024 land in test-artifacts/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from .conftest import wait_graph_ready, wait_ready, watch_errors

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from bench_graph import expression_150  # noqa: E402  (the benchmark's 150-value graph)

TABLET = {"width": 768, "height": 1024}


def forget_expected_422s(errors: list) -> None:
    """Chromium logs every 4xx fetch as a console error; the 422s these tests ask for are expected."""
    errors[:] = [e for e in errors if "status of 422" not in e]


def node_text(page, label: str, part: str) -> str:
    return page.get_by_test_id(f"node-{label}").get_by_test_id(part).text_content()


def test_chain_preset_shows_L_minus_8_and_df_4(open_graph_page, artifacts):
    page = open_graph_page("?preset=chain")
    assert node_text(page, "L", "data") == "L = -8"
    assert node_text(page, "f", "grad") == "grad 4"
    for label, grad in {"d": "-2", "c": "-2", "a": "6", "b": "-4", "e": "-2"}.items():
        assert node_text(page, label, "grad") == f"grad {grad}", label
    page.screenshot(path=str(artifacts / "graph-chain-1280x800.png"))


def test_stepping_fills_grads_in_reverse_topological_order(open_graph_page):
    page = open_graph_page("?preset=neuron")
    graph = page.evaluate("window.__graph.state.graph")
    page.get_by_test_id("restart").click()
    known = lambda: page.evaluate(  # noqa: E731
        "[...document.querySelectorAll('g.value')].filter(g => g.querySelector('[data-known=\"1\"]'))"
        ".map(g => Number(g.dataset.id))")
    assert known() == []
    assert "Forward pass" in page.get_by_test_id("explain").text_content()
    seen, active = [], []
    for _ in range(len(graph["steps"]) + 1):
        page.get_by_test_id("step").click()
        active.append(page.evaluate("Number(document.querySelector('g.value.active').dataset.id)"))
        for i in known():
            if i not in seen:
                seen.append(i)
    # the output first, then each node only after the node it flows into has passed its grad back
    assert seen[0] == graph["output"] and active[0] == graph["output"]
    assert active[1:] == sorted(active[1:], reverse=True)  # ids are topological: reverse order
    position = {i: k for k, i in enumerate(seen)}
    for a, b in graph["edges"]:
        assert position[b] < position[a], f"grad of {a} appeared before that of {b}"
    assert sorted(seen) == list(range(len(graph["nodes"])))
    text = page.get_by_test_id("explain").text_content()
    assert ".grad +=" in text and "×" in text
    page.get_by_test_id("step-back").click()
    assert len(known()) < len(graph["nodes"])
    page.get_by_test_id("all").click()
    assert len(known()) == len(graph["nodes"])


def test_nudging_f_by_one_changes_L_by_four(open_graph_page):
    page = open_graph_page("?preset=chain")
    page.get_by_test_id("nudge-leaf").select_option("f")
    page.wait_for_function("window.__graph.state.graph.nudge.label === 'f'")
    slider = page.get_by_test_id("nudge-slider")
    slider.evaluate("(s) => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    assert page.get_by_test_id("nudge-h").text_content() == "1"
    assert page.get_by_test_id("nudge-delta").text_content() == "4"
    assert page.get_by_test_id("nudge-gradh").text_content() == "4"
    assert page.get_by_test_id("nudge-grad").text_content() == "4"


def test_editing_a_leaf_recomputes_the_graph(open_graph_page):
    page = open_graph_page("?preset=chain")
    page.get_by_test_id("leaf-f").fill("-3")
    page.wait_for_function("document.querySelector('[data-testid=node-L] [data-testid=data]')"
                           ".textContent === 'L = -12'")
    assert node_text(page, "f", "grad") == "grad 4"
    assert node_text(page, "d", "grad") == "grad -3"


def test_a_bad_expression_shows_the_servers_message(open_graph_page):
    page = open_graph_page("?preset=chain")
    page.get_by_test_id("expression").fill("L = a * foo(b)")
    page.wait_for_function("!document.querySelector('[data-testid=error]').hidden")
    assert "'foo'" in page.get_by_test_id("error").text_content()
    assert node_text(page, "L", "data") == "L = -8"  # the last good graph stays
    forget_expected_422s(open_graph_page.errors)


@pytest.mark.parametrize("preset", ["chain", "neuron_exp", "reuse"])
def test_screenshots_of_the_presets(open_graph_page, artifacts, preset):
    for name, viewport in {"1280x800": None, "768x1024": TABLET}.items():
        page = open_graph_page(f"?preset={preset}", viewport=viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= (viewport or {"width": 1280})["width"], "sideways scroll"
        page.screenshot(path=str(artifacts / f"graph-{preset}-{name}.png"), full_page=True)


def test_network_graph_of_a_2_3_1_run_opens_from_a_clicked_point(open_page, open_graph_page, artifacts):
    page = open_page("?hidden=3")
    assert page.evaluate("window.__nnp.snapshot.header.layer_sizes") == [2, 3, 1]
    # a pixel over a training point, found through the view's own pointAt()
    target = page.evaluate("""() => {
        const s = window.__nnp.snapshot, view = window.__nnp.views.boundary;
        const r = document.querySelector('[data-testid=output-canvas]').getBoundingClientRect();
        for (let y = 8; y < r.height; y += 5) for (let x = 8; x < r.width; x += 5) {
            const hit = view.pointAt(s, r.left + x, r.top + y);
            if (hit && hit.example != null && hit.example > 0) return {i: hit.example, x, y};
        }
        return null;
    }""")
    assert target is not None
    page.get_by_test_id("output-canvas").click(position={"x": target["x"], "y": target["y"]})
    link = page.get_by_test_id("graph-link")
    href = link.get_attribute("href")
    assert re.search(r"example=(\d+)", href).group(1) == str(target["i"]), href
    with page.context.expect_page() as new:
        link.click()
    graph_page = new.value
    watch_errors(graph_page, open_graph_page.errors)
    wait_graph_ready(graph_page)
    graph = graph_page.evaluate("window.__graph.state.graph")
    assert graph["kind"] == "network" and graph["example"] == target["i"]
    labels = {n["label"] for n in graph["nodes"]}
    assert {"W1[0,1]", "b2[0]", "x1", "x2", "y", "L"} <= labels
    assert graph_page.get_by_test_id("node-W1[0,1]").is_visible()
    assert graph_page.get_by_test_id("check").text_content().startswith("✓")
    graph_page.screenshot(path=str(artifacts / "graph-network-1280x800.png"))


def test_too_large_network_shows_one_neuron_and_says_why(open_graph_page, api, artifacts):
    run = api.post("/api/runs", json={"hidden": [8, 8, 8]}).json()["id"]
    page = open_graph_page(f"?run={run}&example=3")
    graph = page.evaluate("window.__graph.state.graph")
    assert graph["kind"] == "neuron"
    note = page.get_by_test_id("source-note").text_content()
    assert "nodes" in note and "one neuron" in note
    page.screenshot(path=str(artifacts / "graph-neuron-1280x800.png"))
    page = open_graph_page(f"?run={run}&example=3", viewport=TABLET)
    page.screenshot(path=str(artifacts / "graph-neuron-768x1024.png"), full_page=True)
    forget_expected_422s(open_graph_page.errors)


def test_a_lesson_panel_beside_the_lab_sees_the_nudge(open_graph_page, artifacts):
    page = open_graph_page("?preset=chain#lesson=derivatives")
    page.wait_for_function("window.__nnpLesson !== undefined")
    slider = page.get_by_test_id("nudge-slider")
    slider.evaluate("(s) => { s.value = s.max; s.dispatchEvent(new Event('input')); }")
    state = page.evaluate("window.__nnpLessonState()")["graph"]
    assert state["nudge_leaf"] == "f" and state["nudge_h"] == 1 and state["nudge_change"] == 4
    assert state["preset"] == "chain" and state["backward_done"] is False
    page.get_by_test_id("all").click()
    assert page.evaluate("window.__nnpLessonState().graph.backward_done") is True
    page.screenshot(path=str(artifacts / "graph-lesson-1280x800.png"))


def test_editing_a_leaf_or_stepping_back_never_lays_the_graph_out_again(open_graph_page):
    page = open_graph_page("?preset=chain")
    layouts = page.evaluate("window.__graph.view.stats.layouts")
    where = lambda: page.get_by_test_id("node-a").get_attribute("transform")  # noqa: E731
    before = where()
    page.get_by_test_id("leaf-f").fill("-123.456789")
    page.wait_for_function("document.querySelector('[data-testid=node-L] [data-testid=data]')"
                           ".textContent === 'L = -493.8'")
    page.get_by_test_id("nudge-leaf").select_option("a")
    page.wait_for_function("window.__graph.state.graph.nudge.label === 'a'")
    page.get_by_test_id("step-back").click()
    page.get_by_test_id("step-back").click()
    assert page.evaluate("window.__graph.view.stats.layouts") == layouts
    assert page.evaluate("window.__graph.view.stats.relayout") is False
    assert where() == before
    page.get_by_test_id("expression").fill("e = a*b; d = e + c; L = d*f*f")  # a new structure
    page.wait_for_function(f"window.__graph.view.stats.layouts === {layouts + 1}")


def test_a_150_value_graph_is_drawn_readably(open_graph_page, artifacts):
    text, values = expression_150()
    for name, viewport in {"1280x800": None, "768x1024": TABLET}.items():
        page = open_graph_page("?preset=chain", viewport=viewport)
        stats = page.evaluate("([e, v]) => window.__graph.load(e, v)", [text, values])
        assert stats["nodes"] >= 140 and stats["relayout"] is True
        boxes = page.evaluate("window.__graph.view.layout.values")
        for a in boxes:
            for b in boxes:
                if a["id"] < b["id"]:
                    apart = (abs(a["x"] - b["x"]) >= (a["w"] + b["w"]) / 2
                             or abs(a["y"] - b["y"]) >= (a["h"] + b["h"]) / 2)
                    assert apart, f"boxes {a['id']} and {b['id']} overlap"
        # every label fits its box: the drawn text is no wider than the rectangle
        too_wide = page.evaluate("""[...document.querySelectorAll('g.value')].filter(g => {
            const w = Number(g.querySelector('rect').getAttribute('width'));
            return [...g.querySelectorAll('text')].some(t => t.getComputedTextLength() + 7 > w);
        }).map(g => g.dataset.label || g.dataset.id)""")
        assert too_wide == [], too_wide
        assert page.evaluate("document.documentElement.scrollWidth") <= (viewport or {"width": 1280})["width"]
        page.screenshot(path=str(artifacts / f"graph-150-{name}.png"))


def run_graph_page(open_graph_page, api, viewport=None):
    run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
    page = open_graph_page(f"?run={run}&example=3", viewport=viewport)
    return run, page


def test_network_leaves_are_a_what_if_that_leaves_the_run_alone(open_graph_page, api, artifacts):
    run, page = run_graph_page(open_graph_page, api)
    params = api.get(f"/api/runs/{run}/params").json()
    graph = page.evaluate("window.__graph.state.graph")
    loss = node_text(page, "L", "data")
    assert graph["what_if"] is None and page.get_by_test_id("what-if").is_hidden()
    assert page.get_by_test_id("leaf-x1").is_disabled() and page.get_by_test_id("leaf-y").is_disabled()
    layouts = page.evaluate("window.__graph.view.stats.layouts")
    page.get_by_test_id("leaf-W2[0,1]").fill("3")
    page.wait_for_function("window.__graph.state.graph.what_if && "
                           "window.__graph.state.graph.what_if['W2[0,1]'] === 3")
    assert node_text(page, "W2[0,1]", "data") == "W2[0,1] = 3"
    assert node_text(page, "L", "data") != loss
    assert "run is unchanged" in page.get_by_test_id("what-if-text").text_content()
    assert page.get_by_test_id("graph-legend").text_content().startswith("what-if")
    assert "what-if" in page.get_by_test_id("source-note").text_content()
    assert page.get_by_test_id("check").text_content().startswith("✓")  # at the changed weights
    assert page.evaluate("window.__graph.view.stats.layouts") == layouts
    assert api.get(f"/api/runs/{run}/params").json() == params  # the run itself is untouched
    assert page.get_by_test_id("what-if-apply").is_hidden()  # no token: this page only watches
    page.screenshot(path=str(artifacts / "graph-network-what-if-1280x800.png"))
    page.get_by_test_id("what-if-reset").click()
    page.wait_for_function("window.__graph.state.graph.what_if === null")
    assert node_text(page, "L", "data") == loss
    assert page.get_by_test_id("leaf-W2[0,1]").input_value() != "3"
    page = open_graph_page(f"?run={run}&example=3", viewport=TABLET)
    page.get_by_test_id("leaf-W1[0,0]").fill("-2")
    page.wait_for_function("window.__graph.state.graph.what_if !== null")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    page.screenshot(path=str(artifacts / "graph-network-what-if-768x1024.png"), full_page=True)


COURSE_NUMBERS = {
    "chain": {"L": ("data", "L = -8"), "f": ("grad", "grad 4"), "d": ("grad", "grad -2"),
              "c": ("grad", "grad -2"), "a": ("grad", "grad 6"), "b": ("grad", "grad -4")},
    "neuron": {"o": ("data", "o = 0.7071"), "x1": ("grad", "grad -1.5"), "w1": ("grad", "grad 1"),
               "x2": ("grad", "grad 0.5"), "w2": ("grad", "grad 0")},
    "neuron_exp": {"o": ("data", "o = 0.7071"), "x1": ("grad", "grad -1.5"), "w1": ("grad", "grad 1"),
                   "x2": ("grad", "grad 0.5"), "w2": ("grad", "grad 0")},
    "reuse": {"a": ("grad", "grad 2"), "b": ("data", "b = 6")},
}


@pytest.mark.parametrize("preset", list(COURSE_NUMBERS))
def test_each_preset_shows_the_course_numbers(open_graph_page, preset):
    page = open_graph_page(f"?preset={preset}")
    for label, (part, text) in COURSE_NUMBERS[preset].items():
        assert node_text(page, label, part) == text, (label, part)


def test_play_runs_the_backward_pass_to_the_end_and_pause_stops_it(open_graph_page):
    page = open_graph_page("?preset=neuron")
    last = page.evaluate("window.__graph.state.graph.steps.length + 1")
    page.get_by_test_id("restart").click()
    page.get_by_test_id("play").click()
    assert page.get_by_test_id("play").text_content() == "pause"
    page.wait_for_function("window.__graph.state.position >= 2")
    page.get_by_test_id("play").click()  # pause
    held = page.evaluate("window.__graph.state.position")
    assert page.get_by_test_id("play").text_content() == "play" and 2 <= held < last
    page.wait_for_timeout(1600)  # two play intervals: a paused pass does not move
    assert page.evaluate("window.__graph.state.position") == held
    page.get_by_test_id("play").click()
    page.wait_for_function(f"window.__graph.state.position === {last}", timeout=20_000)
    page.wait_for_function("document.querySelector('[data-testid=play]').textContent === 'play'")
    assert page.evaluate("document.querySelectorAll('[data-known=\"0\"]').length") == 0
    assert page.evaluate("window.__nnpLessonState().graph.backward_done") is True


def test_apply_to_run_sets_the_weights_only_with_the_runs_token(open_graph_page, api):
    created = api.post("/api/runs", json={"hidden": [3]}).json()
    run, token = created["id"], created["control_token"]
    page = open_graph_page(f"?run={run}&example=3#token={token}")
    assert "token" not in page.url  # kept in session storage, not in the address
    page.get_by_test_id("leaf-W2[0,1]").fill("3")
    page.wait_for_function("window.__graph.state.graph.what_if !== null")
    apply = page.get_by_test_id("what-if-apply")
    assert apply.is_visible()
    apply.click()
    page.wait_for_function("document.querySelector('[data-testid=what-if-status]').textContent"
                           ".startsWith('applied')")
    page.wait_for_function("window.__graph.state.graph.what_if === null")
    assert api.get(f"/api/runs/{run}/params").json()[1]["W"][0][1] == 3
    assert node_text(page, "W2[0,1]", "data") == "W2[0,1] = 3"
    assert page.get_by_test_id("what-if-text").text_content() == ""


def test_the_playground_link_gives_the_lab_the_runs_token(open_page, open_graph_page):
    page = open_page("?hidden=3")
    link = page.get_by_test_id("graph-link")
    link.hover()
    href = link.get_attribute("href")
    token = page.evaluate("window.__nnp.connection.token")
    assert token and href.startswith("/graph?run=") and href.endswith(f"#token={token}")
    lab = open_graph_page(href.removeprefix("/graph"))
    assert "token" not in lab.url
    lab.get_by_test_id("leaf-W1[0,0]").fill("1.5")
    lab.wait_for_function("window.__graph.state.graph.what_if !== null")
    assert lab.get_by_test_id("what-if-apply").is_visible()


# ---------------------------------------------------------------- the graph in its box
IN_VIEW = """(sel) => {
    const box = document.querySelector('[data-testid=graph-box]');
    const r = box.getBoundingClientRect();
    // the scroll container's visible rect: its client area, without its scrollbars
    const v = {left: r.left + box.clientLeft, top: r.top + box.clientTop};
    v.right = v.left + box.clientWidth; v.bottom = v.top + box.clientHeight;
    const g = window.__graph.state.graph;
    const node = sel ? document.querySelector(sel) : document.querySelector(`g.value[data-id="${g.output}"]`);
    const n = node.getBoundingClientRect();
    const inside = n.left >= v.left - 0.5 && n.right <= v.right + 0.5 && n.top >= v.top - 0.5 && n.bottom <= v.bottom + 0.5;
    // and the page shows that part of the box (the viewport clips too)
    const onScreen = n.left >= 0 && n.right <= innerWidth && n.top >= 0 && n.bottom <= innerHeight;
    return {inside, onScreen, node: [n.left, n.top, n.right, n.bottom], box: [v.left, v.top, v.right, v.bottom],
            label: node.dataset.label, scale: window.__graph.view.stats.scale};
}"""


def output_in_view(page, selector=None) -> dict:
    return page.evaluate(IN_VIEW, selector)


@pytest.mark.parametrize("viewport", [None, TABLET], ids=["1280x800", "768x1024"])
@pytest.mark.parametrize("source", ["chain", "neuron", "neuron_exp", "reuse", "network"])
def test_the_output_node_lies_inside_the_graph_box_at_both_sizes(open_graph_page, api, artifacts, source, viewport):
    if source == "network":
        run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
        page = open_graph_page(f"?run={run}&example=3", viewport=viewport)
        assert page.evaluate("window.__graph.state.graph.kind") == "network"
    else:
        page = open_graph_page(f"?preset={source}", viewport=viewport)
    seen = output_in_view(page)
    assert seen["inside"], seen          # not clipped by the scroll container
    page.get_by_test_id("graph-box").scroll_into_view_if_needed()
    assert output_in_view(page)["onScreen"], seen
    assert seen["scale"] >= 0.75 - 1e-9, seen  # 12 px text never below 9 px
    if source == "network":
        assert seen["label"] == "L"
    name = "1280x800" if viewport is None else "768x1024"
    page.screenshot(path=str(artifacts / f"graph-inview-{source}-{name}.png"))


def test_zoom_buttons_fit_and_full_size_keep_the_output_in_view(open_graph_page, api):
    run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
    page = open_graph_page(f"?run={run}&example=3")
    fitted = page.evaluate("window.__graph.view.stats.scale")
    page.get_by_test_id("zoom-100").click()
    assert page.evaluate("window.__graph.view.stats.scale") == 1
    assert page.get_by_test_id("zoom-100").get_attribute("aria-pressed") == "true"
    assert output_in_view(page)["inside"]
    page.get_by_test_id("zoom-fit").click()
    assert page.evaluate("window.__graph.view.stats.scale") == fitted
    assert output_in_view(page)["inside"]


def test_a_what_if_change_is_scrolled_into_view(open_graph_page, api, artifacts):
    run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
    page = open_graph_page(f"?run={run}&example=3")
    # scroll the graph to its left end: the W2 leaves are then out of view
    page.evaluate("document.querySelector('[data-testid=graph-box]').scrollLeft = 0")
    sel = '[data-testid="node-W2[0,1]"]'
    page.get_by_test_id("leaf-W2[0,1]").fill("2.5")
    page.wait_for_function("window.__graph.state.graph.what_if !== null")
    page.wait_for_function(f"document.querySelector('{sel}').classList.contains('changed')")
    seen = output_in_view(page, sel)
    assert seen["inside"], seen
    page.screenshot(path=str(artifacts / "graph-whatif-in-view-1280x800.png"))


# ---------------------------------------------------------------- captions, inputs, links
def test_the_nudge_caption_says_what_the_plot_shows(open_graph_page):
    page = open_graph_page("?preset=chain")
    caption = page.get_by_test_id("nudge-help")
    assert page.evaluate("window.__graph.nudge.sweep.label") == "f"
    assert caption.get_attribute("data-shows") == "round-off"
    assert "linear in f" in caption.text_content() and "bends away (truncation)" not in caption.text_content()
    page.get_by_test_id("preset-neuron").click()
    page.wait_for_function("document.querySelector('[data-testid=nudge-help]').dataset.shows === 'both'")
    assert "truncation" in caption.text_content()


def test_leaf_inputs_show_short_numbers_and_the_full_value_on_focus(open_graph_page, api):
    run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
    page = open_graph_page(f"?run={run}&example=3", viewport=TABLET)
    graph = page.evaluate("window.__graph.state.graph")
    full = next(n["data"] for n in graph["nodes"] if n["label"] == "W1[0,0]")
    leaf = page.get_by_test_id("leaf-W1[0,0]")
    shown = leaf.input_value()
    assert len(shown) <= 10 and float(shown) == pytest.approx(full, rel=1e-5), shown
    # the whole number fits the input at 768
    assert leaf.evaluate("e => e.scrollWidth <= e.clientWidth"), shown
    leaf.focus()
    assert float(leaf.input_value()) == full
    page.get_by_test_id("step").focus()
    assert leaf.input_value() == shown


def test_the_playground_link_names_the_run_from_the_first_frame(open_page):
    page = open_page("?hidden=3")  # returns once the first frame has arrived; nothing hovered
    run = page.evaluate("window.__nnp.connection.runId")
    href = page.get_by_test_id("graph-link").get_attribute("href")
    assert run and href.startswith(f"/graph?run={run}&example=0"), href


def test_a_wrong_token_on_apply_says_so_in_a_plain_sentence(open_graph_page, api):
    run = api.post("/api/runs", json={"hidden": [3]}).json()["id"]
    before = api.get(f"/api/runs/{run}/params").json()[1]["W"][0][1]
    page = open_graph_page(f"?run={run}&example=3#token=not-this-runs-token")
    page.get_by_test_id("leaf-W2[0,1]").fill("3")
    page.wait_for_function("window.__graph.state.graph.what_if !== null")
    page.get_by_test_id("what-if-apply").click()
    status = page.get_by_test_id("what-if-status")
    page.wait_for_function("document.querySelector('[data-testid=what-if-status]').textContent.startsWith('not applied')")
    text = status.text_content()
    assert "may only watch this run" in text and "the run is unchanged" in text, text
    for technical in ("X-Run-Token", "403", "token"):
        assert technical not in text, text
    assert api.get(f"/api/runs/{run}/params").json()[1]["W"][0][1] == before
    open_graph_page.errors[:] = [e for e in open_graph_page.errors if "status of 403" not in e]
