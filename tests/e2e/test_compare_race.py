"""/compare and /race in headless Chromium: a preset opens a group whose curves draw in distinct
colours; switching the clock re-plots; clicking a start point starts a race; screenshots."""

from __future__ import annotations

from .conftest import canvas_colours

COMPARE_READY = ("window.__nnpCompare && window.__nnpCompare.ready && "
                 "!document.body.classList.contains('booting') && "
                 "window.__nnpCompare.state.members.length > 0 && "
                 "window.__nnpCompare.state.members.every(m => m.rows.length >= 3)")
RACE_READY = "window.__nnpRace && window.__nnpRace.ready && window.__nnpRace.stats.draws > 0"
TABLET = {"width": 768, "height": 1024}


def _near(color, hex_color, tol=2):
    rgb = [int(hex_color[i:i + 2], 16) >> 4 for i in (1, 3, 5)]
    return all(abs(a - b) <= tol for a, b in zip(color, rgb))


def test_a_preset_opens_a_group_whose_curves_draw_in_distinct_colours(open_view, api, artifacts):
    page = open_view("/compare?preset=batch_sizes", COMPARE_READY)
    info = page.evaluate("({colors: window.__nnpCompare.colors, id: window.__nnpCompare.group.id,"
                         " members: window.__nnpCompare.group.members.map(m => m.id)})")
    group = api.get(f"/api/comparisons/{info['id']}").json()
    assert [m["config"]["batch_size"] for m in group["members"]] == [250, 10, 1]
    assert all(api.get(f"/api/runs/{m}").status_code == 200 for m in info["members"])
    # the state to look at: every member's curve has 20 rows, and the loss chart was drawn
    # since (a draw may be the boundaries' alone while the charts are throttled)
    page.wait_for_function("window.__nnpCompare.state.members.every(m => m.rows.length >= 20)")
    renders = page.evaluate("window.__nnpCompare.curves.renders")
    page.wait_for_function(f"window.__nnpCompare.curves.renders > {renders}")
    drawn = canvas_colours(page, "loss-canvas")
    colors = info["colors"][:3]
    found = [any(_near(c, hexc) for c in drawn) for hexc in colors]
    assert all(found), f"member colours {colors} not all on the loss chart: {found}"
    assert page.locator("[data-testid=members] .member").count() == 3
    page.screenshot(path=str(artifacts / "compare-1280x800.png"))


def test_switching_the_clock_replots(open_view, api):
    page = open_view("/compare?preset=batch_sizes", COMPARE_READY)
    page.wait_for_function("window.__nnpCompare.stats.draws > 2")
    before = page.evaluate("document.querySelector('[data-testid=loss-canvas]').toDataURL()")
    page.locator("input[name=clock][value=updates]").check()
    page.wait_for_function("window.__nnpCompare.state.header.clock === 'updates'")
    page.locator("[data-testid=play]").click()       # pause: the picture changes by the axis only
    page.wait_for_function("window.__nnpCompare.state.header.playing === false")
    page.wait_for_timeout(300)
    paused = page.evaluate("document.querySelector('[data-testid=loss-canvas]').toDataURL()")
    page.locator("input[name=clock][value=examples]").check()
    page.wait_for_function("window.__nnpCompare.ui.xKey === 'examples'")
    page.wait_for_timeout(300)
    after = page.evaluate("document.querySelector('[data-testid=loss-canvas]').toDataURL()")
    assert before != paused != after
    # examples seen keeps the fair clock at epochs
    page.wait_for_function("window.__nnpCompare.state.header.clock === 'epochs'")


def test_a_live_change_is_marked_on_every_chart_of_that_member(open_view):
    page = open_view("/compare?preset=learning_rates", COMPARE_READY)
    page.wait_for_function("window.__nnpCompare.stats.draws > 0")
    assert page.evaluate("Object.values(window.__nnpCompare.curves.ticks)") == [0, 0, 0, 0]
    lr = page.locator("[data-testid=member-1] input[data-field=learning_rate]")
    lr.fill("0.02")
    lr.dispatch_event("change")
    page.wait_for_function("window.__nnpCompare.state.members[1].marks.some("
                           "m => m.field === 'learning_rate' && m.value === 0.02)")
    # a tick with the new value on the loss, accuracy, gradient-norm and learning-rate charts
    page.wait_for_function("['loss', 'accuracy', 'gradnorm', 'lr'].every("
                           "k => window.__nnpCompare.curves.ticks[k] >= 1)")


def test_the_shared_loss_surface_draws_every_path(open_view, artifacts):
    page = open_view("/compare?preset=optimizers_xor", COMPARE_READY)
    page.wait_for_function("window.__nnpCompare.state.members.every(m => m.rows.length >= 5)")
    page.check("[data-testid=show-surface]")
    page.wait_for_function("window.__nnpCompare.surface.renders > 0", timeout=30_000)
    assert page.locator("[data-testid=boundaries]").is_hidden()
    traces = page.evaluate("document.querySelector('#shared-plot').data.length")
    assert traces == 1 + 3        # the contour and one path per member
    assert "explained variance" in page.locator("#shared-note").inner_text()
    page.screenshot(path=str(artifacts / "compare-surface-1280x800.png"))
    # two chosen parameters through the common start, the names from the server's answer
    page.select_option("[data-testid=surface-plane]", "params")
    page.wait_for_function("window.__nnpCompare.surface.shownMode === 'params'", timeout=30_000)
    names = page.evaluate("[...document.querySelectorAll('[data-testid=surface-param-b] option')].map(o => o.value)")
    assert "W2[0,1]" in names and len(names) == 9     # 2 -> 2 -> 1
    page.select_option("[data-testid=surface-param-b]", "W2[0,1]")
    page.wait_for_function("document.querySelector('#shared-plot').layout.yaxis.title.text === 'ΔW2[0,1]'",
                           timeout=30_000)
    note = page.locator("#shared-note").inner_text()
    assert "every other parameter at its starting value" in note and "away from the slice" in note
    assert page.evaluate("document.querySelector('#shared-plot').data.length") == 1 + 3
    page.screenshot(path=str(artifacts / "compare-surface-params-1280x800.png"))


def test_compare_on_a_tablet(open_view, artifacts):
    page = open_view("/compare?preset=schedules", COMPARE_READY, viewport=TABLET)
    page.wait_for_function("window.__nnpCompare.stats.draws > 2")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], "no sideways scroll"
    page.screenshot(path=str(artifacts / "compare-768x1024.png"), full_page=True)


def test_clicking_a_start_point_starts_a_race(open_view, api, artifacts):
    page = open_view("/race?function=himmelblau", RACE_READY)
    first = page.evaluate("window.__nnpRace.race.id")
    box = page.locator("[data-testid=race-click]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    page.wait_for_function(f"window.__nnpRace.race.id !== {first!r} && "
                           "window.__nnpRace.state.frame && window.__nnpRace.state.frame.step > 20")
    race_id = page.evaluate("window.__nnpRace.race.id")
    race = api.get(f"/api/races/{race_id}").json()
    x, y = race["start"]
    assert 0.5 < x < 4.5 and 0.5 < y < 4.5, race["start"]     # where the click was
    assert len(race["racers"]) == 4 and race["step"] > 20
    assert api.get(f"/api/races/{first}").status_code == 404     # the old race was deleted
    paths = canvas_colours(page, "race-trails")
    colors = page.evaluate("window.__nnpRace.colors").copy()[:4]
    assert sum(any(_near(c, h) for c in paths) for h in colors) >= 3
    # the paths are drawn incrementally: new segments only, not every path on every frame
    page.wait_for_function("window.__nnpRace.stats.draws > 60", timeout=30_000)
    trails = page.evaluate("({...window.__nnpRace.view.trails, draws: window.__nnpRace.stats.draws,"
                           " points: window.__nnpRace.state.paths.reduce((n, p) => n + p.length, 0)})")
    assert trails["fullRedraws"] < 10, trails
    assert trails["segments"] < 3 * trails["points"], trails
    page.screenshot(path=str(artifacts / "race-1280x800.png"))


def test_race_sliders_act_live(open_view, api):
    page = open_view("/race?function=bowl", RACE_READY)
    slider = page.locator("[data-testid=racer-0] input[data-field=learning_rate]")
    slider.fill("-1.5")           # log10: 0.032
    slider.dispatch_event("input")
    page.wait_for_function("window.__nnpRace.state.frame.racers[0].config.learning_rate === 0.032")
    race_id = page.evaluate("window.__nnpRace.race.id")
    assert api.get(f"/api/races/{race_id}").json()["racers"][0]["config"]["learning_rate"] == 0.032


def test_race_on_a_tablet(open_view, artifacts):
    page = open_view("/race?function=rastrigin", RACE_READY, viewport=TABLET)
    box = page.locator("[data-testid=race-click]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.wait_for_function("window.__nnpRace.state.frame && window.__nnpRace.state.frame.step > 10")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    page.screenshot(path=str(artifacts / "race-768x1024.png"), full_page=True)


def test_a_playing_comparison_does_not_move_its_charts_on_a_tablet(open_view):
    """Its members' numbers change length as they play ("loss 0.0731", "loss 7.31e-4"); they
    used to wrap onto a line of their own and back, moving every chart below by 14 px several
    times a second (a layout shift of 0.39 in 4 s on the schedules preset)."""
    page = open_view("/compare?preset=schedules", COMPARE_READY, viewport=TABLET)
    page.evaluate("""() => { window.__shifts = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__shifts.push(e.value); })
        .observe({ type: "layout-shift" }); }""")
    page.wait_for_timeout(4000)
    assert page.evaluate("window.__nnpCompare.state.header.playing")
    assert sum(page.evaluate("window.__shifts")) < 0.01
