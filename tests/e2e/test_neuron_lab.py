"""The neuron lab (/neuron) in headless Chromium: the sweets preset, dragging a weight, the scale
trick, term-by-term sums; screenshots at 1280x800 and 768x1024."""

import pytest

from tests.e2e.conftest import VIEWPORT, canvas_colours


@pytest.fixture
def lab(chromium_browser, server_url):
    """lab(query="", viewport=VIEWPORT) -> a page on /neuron; console errors fail the test."""
    contexts, errors = [], []

    def opener(query: str = "", viewport: dict | None = None):
        context = chromium_browser.new_context(viewport=viewport or VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server_url}/neuron{query}")
        page.get_by_test_id("truth-row").first.wait_for()
        return page

    yield opener
    for c in contexts:
        c.close()
    assert not errors, errors


def rows(page) -> list[dict]:
    return page.eval_on_selector_all("[data-testid=truth-row]", """rs => rs.map(r => ({
        x: r.dataset.x.split(',').map(Number),
        p: Number(r.querySelector('[data-col=perceptron]').dataset.value),
        s: Number(r.querySelector('[data-col=sigmoid]').dataset.value),
        flipped: r.classList.contains('flipped')}))""")


def test_sweets_preset_outputs_x2_on_all_8_rows(lab, artifacts):
    page = lab("?preset=sweets")
    table = rows(page)
    assert len(table) == 8
    assert sorted(tuple(r["x"]) for r in table) == [(a, b, c) for a in (0, 1) for b in (0, 1)
                                                    for c in (0, 1)]
    for r in table:
        assert r["p"] == r["x"][1], r
    assert "output = x2 on every row" in page.get_by_test_id("table-summary").inner_text()
    # threshold 5 and bias -5 both shown; the sum written with the numbers of x = (1, 1, 1)
    assert page.get_by_test_id("threshold-value").inner_text() == "5"
    assert "\u22125" in page.get_by_test_id("bias-text").inner_text()
    assert page.get_by_test_id("sum-text").inner_text() == "2\u00b71 + 6\u00b71 + 2\u00b71 + (\u22125) = 5"
    assert page.get_by_test_id("out-perceptron").inner_text() == "1"
    # toggling x2 off: z = 2 + 2 - 5 = -1, the perceptron says 0
    page.get_by_test_id("x-toggle-1").click()
    assert page.get_by_test_id("sum-text").inner_text().endswith("= \u22121")
    assert page.get_by_test_id("out-perceptron").inner_text() == "0"
    for w, h in [(1280, 800), (768, 1024)]:
        p = lab("?preset=sweets", viewport={"width": w, "height": h})
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        p.screenshot(path=str(artifacts / f"neuron-lab-{w}x{h}.png"), full_page=True)


def test_dragging_a_weight_flips_perceptron_rows_while_sigmoid_moves_a_little(lab, artifacts):
    page = lab("?preset=sweets")
    slider = page.get_by_test_id("w-slider-2")  # w3 = 2: rows 101 and 111 ... only 101 can flip
    box = slider.bounding_box()
    start = rows(page)
    y = box["y"] + box["height"] / 2
    x_of = lambda w: box["x"] + 8 + (box["width"] - 16) * (w + 10) / 20  # thumb centre
    page.mouse.move(x_of(2), y)
    page.mouse.down()
    history, flipped_at = [], None
    for k in range(1, 41):  # drag w3 from 2 towards ~4 in small moves
        page.mouse.move(x_of(2 + k * 0.05), y)
        now = rows(page)
        w3 = float(page.get_by_test_id("w-number-2").input_value())
        history.append((w3, now))
        if flipped_at is None and any(r["flipped"] for r in now):
            flipped_at = len(history) - 1
    page.mouse.up()
    assert flipped_at is not None, "no perceptron row flipped while w3 went past 3"
    w_before, before = history[flipped_at - 1]
    w_after, after = history[flipped_at]
    assert w_before <= 3 < w_after
    changed = [i for i in range(8) if before[i]["p"] != after[i]["p"]]
    assert [after[i]["x"] for i in changed] == [[1, 0, 1]]   # one row flips, all at once
    assert after[changed[0]]["p"] == 1 and start[changed[0]]["p"] == 0
    # the sigmoid values moved, by small amounts, in that same move
    moves = [abs(after[i]["s"] - before[i]["s"]) for i in range(8)]
    assert max(moves) > 0 and max(moves) < 0.1
    text = page.get_by_test_id("change-text").inner_text()
    assert "1 perceptron row(s) flipped" in text
    page.get_by_test_id("truth-table").screenshot(path=str(artifacts / "neuron-lab-flipped.png"))


def test_the_scale_trick_keeps_the_perceptron_and_steepens_the_sigmoid(lab):
    page = lab("?preset=sweets")
    before = rows(page)
    page.get_by_test_id("scale").fill("1.5")  # c = 10^1.5
    after = rows(page)
    assert [r["p"] for r in after] == [r["p"] for r in before]
    for b, a in zip(before, after):
        assert abs(a["s"] - a["p"]) <= abs(b["s"] - b["p"]) + 1e-12
    assert max(abs(a["s"] - a["p"]) for a in after) < 1e-10 + 0.0001
    assert "unchanged on every row" in page.get_by_test_id("scale-text").inner_text()


def test_real_inputs_and_four_inputs_are_written_term_by_term(lab):
    page = lab()
    page.get_by_test_id("count-4").click()
    assert page.get_by_test_id("truth-row").count() == 16
    page.get_by_test_id("mode-real").click()
    page.get_by_test_id("x-slider-0").fill("0.5")
    page.get_by_test_id("w-number-0").fill("-3")
    page.get_by_test_id("w-number-0").press("Enter")
    text = page.get_by_test_id("sum-text").inner_text()
    assert text.startswith("(\u22123)\u00b70.5 + ")
    z = float(text.split("= ")[-1].replace("\u2212", "-"))
    s = float(page.get_by_test_id("out-sigmoid").get_attribute("data-value"))
    assert abs(s - 1 / (1 + 2.718281828459045 ** -z)) < 1e-3


def test_the_playground_links_to_the_lab(open_page):
    page = open_page()
    link = page.get_by_test_id("neuron-lab-link")
    assert link.get_attribute("href") == "/neuron"


def test_the_xor_link_trains_a_perceptron_that_never_gets_all_points(lab, api, page_run):
    page = lab()
    page.get_by_test_id("try-xor").click()
    page.wait_for_function("window.__nnp && window.__nnp.ready && window.__nnp.stats.lastHeader")
    h = page.evaluate("window.__nnp.stats.lastHeader")
    assert h["config"]["loss"] == "perceptron" and h["config"]["hidden"] == []
    assert h["config"]["dataset"] == "xor"
    rid = page_run(page)
    m = api.post(f"/api/runs/{rid}/step", json={"epochs": 20}).json()["metrics"]
    assert m["train_accuracy"] < 1.0


def test_the_perceptron_loss_is_chosen_in_the_playground_once_there_are_no_hidden_layers(open_page):
    # with hidden layers it is unavailable with the engine's reason (tests/e2e/test_page_notices.py)
    page = open_page("?dataset=gauss&hidden=-")
    page.get_by_test_id("input-loss").select_option("perceptron")
    page.wait_for_function("window.__nnp.stats.lastHeader.config.loss === 'perceptron'")
    h = page.evaluate("window.__nnp.stats.lastHeader")
    assert h["config"]["hidden"] == [] and h["layer_sizes"] == [2, 1]
    assert "refused" not in page.get_by_test_id("notice").inner_text()


def test_the_small_change_plot_is_drawn_beside_a_lesson(lab):
    """The lesson's column narrows the plot's canvas after its first draw; it used to stay blank
    (a resized canvas is cleared) while the lesson asked the reader to watch it."""
    page = lab("#lesson=perceptron")
    page.get_by_test_id("lesson-panel").wait_for()
    page.wait_for_function("!document.body.classList.contains('booting')")
    page.wait_for_timeout(300)
    drawn = canvas_colours(page, "sweep-canvas")
    sigmoid = [0x08 >> 4, 0x77 >> 4, 0xbd >> 4]   # its curve's #0877bd, quantized as canvas_colours does
    assert any(all(abs(a - b) <= 1 for a, b in zip(c, sigmoid)) for c in drawn), drawn
