"""The playground with the largest network (8 hidden layers of 64, 2,000 points, all 7 features):
pause takes effect while it trains flat out, the diagnostics show every layer, and the network
view stays readable (dense bands thinned, titles apart). Speed is in bench/bench_page_large.py.
"""

from __future__ import annotations

from .conftest import settled_network_layout
from .test_page import header, play, run_id, wait_metric

FEATURES = "x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2"
LARGE = f"?hidden={','.join(['64'] * 8)}&n_samples=2000&features={FEATURES}&speed=max"


def test_pause_on_a_large_run_playing_flat_out_stops_training(open_page, api):
    page = open_page(LARGE)
    assert header(page)["layer_sizes"] == [7] + [64] * 8 + [1]
    play(page)
    start = header(page)["metrics"]["step"]
    wait_metric(page, f"m.step > {start}", timeout=30_000)
    page.get_by_test_id("play").click()
    page.get_by_test_id("status").and_(page.locator("[data-status=paused]")).wait_for(timeout=30_000)
    rid = run_id(page)
    first = api.get(f"/api/runs/{rid}").json()
    assert first["status"] == "paused"
    # paused means paused: the server's step stands still and the page shows that step
    page.wait_for_function("window.__nnp.stats.lastHeader.status === 'paused'")
    again = api.get(f"/api/runs/{rid}").json()
    assert again["metrics"]["step"] == first["metrics"]["step"]
    wait_metric(page, f"m.step === {first['metrics']['step']}")
    assert page.get_by_test_id("play").get_attribute("aria-label") == "play"


def test_diagnostics_bars_show_every_layer_of_a_large_network(open_page):
    page = open_page(LARGE)
    page.get_by_test_id("step").click()
    page.wait_for_function("window.__nnp.views.diagnostics.bars().length > 0", timeout=30_000)
    bars = page.evaluate("window.__nnp.views.diagnostics.bars()")
    assert [b["label"] for b in bars] == [f"L{k}" for k in range(1, 9)] + ["out"]
    assert all(b["value"] > 0 and b["height"] > 0 for b in bars), bars
    assert page.get_by_test_id("gradbars-canvas").get_attribute("data-layers") == "9"


def test_the_network_view_of_a_large_network_thins_its_edges_and_keeps_titles_apart(open_page):
    page = open_page(LARGE)
    legend = page.locator("#network-legend")
    page.wait_for_function("document.querySelector('#network-legend').dataset.edgesShown")
    shown = int(legend.get_attribute("data-edges-shown"))
    total = int(legend.get_attribute("data-edges-total"))
    assert total == 7 * 64 + 7 * 64 * 64 + 64
    assert 0 < shown < total / 4
    assert "strongest" in legend.inner_text()
    labels = page.evaluate("window.__nnp.views.network.layout().labels")
    assert len(labels) == 10
    for a, b in zip(labels, labels[1:]):
        if a["row"] == b["row"]:
            assert b["x"] - b["width"] / 2 > a["x"] + a["width"] / 2
    # hovering a drawn edge reads it; the square under the pointer is a neuron
    settled_network_layout(page)
    node = page.evaluate("(() => { const n = window.__nnp.views.network.layout().nodes[3][10]; return {x: n.x + n.s / 2, y: n.y + n.s / 2}; })()")
    box = page.get_by_test_id("network-canvas").bounding_box()
    page.mouse.move(box["x"] + node["x"], box["y"] + node["y"])
    tip = page.get_by_test_id("network-tooltip")
    tip.wait_for()
    assert "h3.10" in tip.inner_text()


def test_a_small_network_keeps_every_edge(open_page):
    page = open_page("?hidden=4,4")
    legend = page.locator("#network-legend")
    page.wait_for_function("document.querySelector('#network-legend').dataset.edgesShown")
    assert legend.get_attribute("data-edges-shown") == legend.get_attribute("data-edges-total") == str(2 * 4 + 4 * 4 + 4)
    assert "strongest" not in legend.inner_text()


SQUARE_COLOURS = """(([layer, index]) => {
  const n = window.__nnp.views.network.layout().nodes[layer][index];
  const canvas = document.querySelector('[data-testid=network-canvas]');
  const k = canvas.width / canvas.getBoundingClientRect().width;
  const inset = Math.max(1, n.s * 0.2);
  const x = Math.round((n.x + inset) * k), y = Math.round((n.y + inset) * k);
  const w = Math.max(1, Math.round((n.s - 2 * inset) * k));
  const data = canvas.getContext('2d').getImageData(x, y, w, w).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
  return { colours: colours.size, size: n.s };
})"""


def test_squares_too_small_for_pictures_show_one_colour_and_the_legend_says_so(open_page):
    """Past a density the heatmaps give way to a per-neuron colour (the neuron's mean output):
    a large network's hidden squares are one colour each, a small one's are pictures."""
    big = open_page(LARGE)
    big.wait_for_function("document.querySelector('#network-legend').dataset.edgesShown")
    flat = big.evaluate(SQUARE_COLOURS, [3, 10])
    assert flat["size"] < 12 and flat["colours"] == 1, flat
    assert "mean output (too small for pictures)" in big.locator("#network-legend").inner_text()
    small = open_page("?hidden=4,4")
    small.wait_for_function("document.querySelector('#network-legend').dataset.edgesShown")
    picture = small.evaluate(SQUARE_COLOURS, [1, 0])
    assert picture["size"] >= 12 and picture["colours"] > 20, picture
    assert "output over the input square" in small.locator("#network-legend").inner_text()


FRAME_CARRIES = """(() => { const s = window.__nnp.snapshot;
  return { detail: window.__nnp.state.ui.hiddenDetail, means: s.hiddenMeans?.shape ?? null,
           grids: s.hiddenGrids?.shape ?? null }; })()"""


def test_frames_carry_one_colour_per_neuron_while_the_squares_cannot_show_pictures(open_page):
    """A large network's squares show one colour each, so its frames carry one byte per hidden
    neuron (hidden_means) instead of 512 pictures; the colours the page draws are those codes.
    A small network still gets its pictures."""
    big = open_page(LARGE)
    big.wait_for_function("window.__nnp.snapshot.hiddenMeans !== null", timeout=30_000)
    carried = big.evaluate(FRAME_CARRIES)
    assert carried == {"detail": "colours", "means": [512], "grids": None}, carried
    flat = big.evaluate(SQUARE_COLOURS, [3, 10])
    assert flat["size"] < 12 and flat["colours"] == 1, flat
    # the squares differ as the neurons' codes do: not one colour for every neuron
    codes = big.evaluate("Array.from(window.__nnp.snapshot.hiddenMeans.bytes)")
    assert len(set(codes)) > 1
    small = open_page("?hidden=4,4")
    small.wait_for_function("window.__nnp.snapshot.hiddenGrids !== null", timeout=30_000)
    carried = small.evaluate(FRAME_CARRIES)
    assert carried["detail"] == "pictures" and carried["means"] is None and carried["grids"][0] == 8, carried
