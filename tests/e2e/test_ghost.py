"""'Keep this run as a ghost' on the playground (static/js/ghost.js, ghost_buttons.js): the kept
curves (and, where the plane is shared, the path) stay faded through a reset until cleared."""

from __future__ import annotations

GHOST = "window.__nnp.ghost"
LOSS = "window.__nnp.views.loss"


def wait_metric(page, js_condition: str, timeout: float = 15_000) -> None:
    """Wait until js_condition holds for m = the latest header's metrics, h = the header."""
    page.wait_for_function(
        f"(() => {{ const h = window.__nnp.stats.lastHeader; const m = h.metrics; return {js_condition}; }})()",
        timeout=timeout)


def play_and_pause(page, steps: int) -> None:
    page.get_by_test_id("play").click()
    wait_metric(page, f"h.status === 'playing' && m.step > {steps}")
    page.get_by_test_id("play").click()
    wait_metric(page, "h.status === 'paused'")


def canvas_pixels(page, testid: str) -> str:
    return page.evaluate(f"document.querySelector('[data-testid={testid}]').toDataURL()")


def _train_then_keep(page, steps: int = 40, path_caught_up: bool = False) -> int:
    """Train, pause, keep. path_caught_up: first wait until the surface's path reaches the step
    the run paused at (a ghost keeps the path as shown; the surface follows the run ~150 ms
    behind, and further on a loaded machine)."""
    play_and_pause(page, steps)
    if path_caught_up:
        page.wait_for_function("window.__nnp.views.surface.pathLastStep === "
                               "window.__nnp.stats.lastHeader.metrics.step", timeout=30_000)
    page.get_by_test_id("ghost-keep").click()
    page.wait_for_function(f"{GHOST}.current && {LOSS}.ghostDrawn")
    return page.evaluate(f"{GHOST}.current.lastStep")


def _reset(page) -> None:
    generation = page.evaluate("window.__nnp.stats.lastHeader.generation")
    page.locator("body").click(position={"x": 5, "y": 795})
    page.keyboard.press("r")
    wait_metric(page, f"m.step === 0 && h.generation > {generation}")


def test_a_kept_ghost_survives_a_reset_and_clears(open_page, artifacts):
    page = open_page()
    assert page.get_by_test_id("ghost-clear").is_hidden()
    kept = _train_then_keep(page)
    assert kept > 40
    _reset(page)
    # the new run starts again at step 0; the ghost's curves are still there, faded
    page.wait_for_function(f"window.__nnp.snapshot.history.step.length <= 2 && {LOSS}.ghostDrawn")
    assert page.evaluate(f"{GHOST}.current.lastStep") == kept
    assert page.evaluate(f"{GHOST}.current.history.step.length") > 3
    # on this net the surface is one run's PCA plane: the ghost's path is not drawn, and the
    # legend says why
    page.wait_for_function("window.__nnp.views.surface.ghostPath !== null", timeout=20_000)
    assert "reason" in page.evaluate("window.__nnp.views.surface.ghostPath")
    assert "its own" in page.get_by_test_id("surface-view").inner_text()
    page.screenshot(path=str(artifacts / "ghost-1280x800.png"))
    with_ghost = canvas_pixels(page, "loss-canvas")
    page.get_by_test_id("ghost-clear").click()
    page.wait_for_function(f"{GHOST}.current === null && !{LOSS}.ghostDrawn")
    page.wait_for_timeout(200)
    assert canvas_pixels(page, "loss-canvas") != with_ghost
    assert page.get_by_test_id("ghost-clear").is_hidden()


def test_on_the_exact_surface_the_ghost_path_is_drawn_after_a_change(open_page, artifacts):
    page = open_page("?dataset=threshold&hidden=&learning_rate=0.3")
    page.wait_for_function("window.__nnp.stats.lastHeader.n_params === 2")
    kept = _train_then_keep(page, steps=20, path_caught_up=True)
    assert page.evaluate(f"{GHOST}.current.path.rows.length") > 3, f"the kept path of {kept} steps"
    _reset(page)
    # the exact surface is computed by the server's landscape worker: on a fresh install the
    # kernels compile in the background for ~30 s, so give it that long
    page.wait_for_function("(window.__nnp.views.surface.ghostPath?.points ?? 0) > 3", timeout=60_000)
    # the caption follows the drawing (a later frame on a loaded machine): wait for it, bounded
    page.wait_for_function("document.querySelector('[data-testid=surface-view]').innerText"
                           ".includes(\"the ghost's path\")", timeout=10_000)


def test_the_ghost_on_a_tablet(open_page, artifacts):
    page = open_page(viewport={"width": 768, "height": 1024})
    _train_then_keep(page, steps=30)
    _reset(page)
    page.wait_for_function(f"{LOSS}.ghostDrawn")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    page.screenshot(path=str(artifacts / "ghost-768x1024.png"), full_page=True)
