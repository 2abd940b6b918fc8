"""Watch and control links on /compare and /race (static/js/live_page.js: linkedFromAddress,
createLiveAccess; static/js/access_view.js): ?group=ID / ?race=ID shows that resource
read-only (controls off, a note), &token=... controls it, the copy buttons give those links,
and a page never deletes a group or race it did not create."""

from __future__ import annotations

from .conftest import canvas_colours, created

TABLET = {"width": 768, "height": 1024}
COMPARE_READY = ("window.__nnpCompare && window.__nnpCompare.ready && "
                 "!document.body.classList.contains('booting') && "
                 "window.__nnpCompare.state.members.length > 0 && "
                 "window.__nnpCompare.state.members.every(m => m.rows.length >= 3)")
GROUP = {"base": {"dataset": "xor", "hidden": [4], "n_samples": 80},
         "variants": [{"learning_rate": 0.01}, {"learning_rate": 0.3}],
         "labels": ["slow", "fast"]}
RACE = {"function": "himmelblau", "start": [1, 1],
        "racers": [{"optimizer": "sgd", "learning_rate": 0.01},
                   {"optimizer": "adam", "learning_rate": 0.1}]}
COMPARE_ATTACHED = ("window.__nnpCompare && window.__nnpCompare.ready && "
                    "!document.body.classList.contains('booting') && "
                    "window.__nnpCompare.group && window.__nnpCompare.group.control !== undefined")
RACE_ATTACHED = ("window.__nnpRace && window.__nnpRace.ready && window.__nnpRace.race && "
                 "window.__nnpRace.race.control !== undefined && window.__nnpRace.stats.draws > 0")


def made_group(api) -> dict:
    return created(api, "comparisons", GROUP, step={"epochs": 1})


def made_race(api) -> dict:
    return created(api, "races", RACE, step={"steps": 30})


def posts_to(page, path: str) -> list:
    made = []
    page.on("request", lambda r: made.append(r.url) if r.method == "POST" and r.url.endswith(path) else None)
    return made


def off(page, selector: str) -> bool:
    """The element is disabled or inside an inert subtree (not usable)."""
    return page.locator(selector).first.evaluate("(el) => el.disabled || el.closest('[inert]') !== null")


# ---------------------------------------------------------------------- /compare
def test_a_compare_watch_link_shows_the_group_read_only_and_closing_keeps_it(open_view, api,
                                                                             artifacts):
    owner = open_view("/compare?preset=batch_sizes", COMPARE_READY)     # plays at once
    gid = owner.evaluate("__nnpCompare.group.id")
    owner.get_by_test_id("play").click()                                # pause
    owner.wait_for_function("window.__nnpCompare.state.header.playing === false")
    rows = owner.evaluate("__nnpCompare.state.members.map(m => m.rows.length)")
    page = open_view(f"/compare?group={gid}", COMPARE_ATTACHED)
    created = posts_to(page, "/api/comparisons")
    seen = page.evaluate("({id: __nnpCompare.group.id, own: __nnpCompare.group.own,"
                         " control: __nnpCompare.group.control})")
    assert seen == {"id": gid, "own": False, "control": False}
    assert page.locator("[data-testid=members] .member").count() == 3
    # the history so far comes with the first frame: the watcher's curves start where the
    # owner's did
    page.wait_for_function("window.__nnpCompare.state.members.every(m => m.rows.length >= 3)")
    assert page.evaluate("__nnpCompare.state.members.map(m => m.rows.length)") == rows
    assert page.get_by_test_id("preset-select").input_value() == ""    # no preset: a linked group
    assert page.locator("[data-testid=member-1] input[data-field=batch_size]").input_value() == "10"
    for selector in ("[data-testid=play]", "[data-testid=step]", "[data-testid=preset-select]",
                     "input[name=clock][value=updates]",
                     "[data-testid=member-0] input[data-field=learning_rate]"):
        assert off(page, selector), selector
    assert not off(page, "#log-loss")                      # a view choice, not a change
    note = page.get_by_test_id("read-only-note")
    assert note.is_visible() and "comparison is read-only" in note.inner_text()
    assert page.get_by_test_id("copy-watch-link").is_visible()
    assert page.get_by_test_id("copy-control-link").is_hidden()
    page.keyboard.press("Space")                           # play is off: nothing is sent
    page.wait_for_timeout(300)
    assert api.get(f"/api/comparisons/{gid}").json()["playing"] is False
    page.get_by_test_id("copy-watch-link").click()
    assert page.evaluate("window.__nnpCopied").endswith(f"/compare?group={gid}")
    # the paused group sends no more frames: the curves are drawn all the same (after the
    # note moved the charts, too)
    page.wait_for_function("window.__nnpCompare.curves.renders > 0")
    assert len(canvas_colours(page, "loss-canvas")) >= 3, "no curves on the loss chart"
    page.screenshot(path=str(artifacts / "compare-watch-1280x800.png"))
    tablet = open_view(f"/compare?group={gid}", COMPARE_ATTACHED, viewport=TABLET)
    tablet.wait_for_function("window.__nnpCompare.stats.draws > 0")
    tablet.screenshot(path=str(artifacts / "compare-watch-768x1024.png"))
    tablet.close()
    page.goto("about:blank")                               # pagehide: not this page's group
    assert api.get(f"/api/comparisons/{gid}").status_code == 200
    assert created == []


def test_a_compare_control_link_controls_and_its_token_leaves_the_address(open_view, api):
    g = made_group(api)
    page = open_view(f"/compare?group={g['id']}&token={g['control_token']}", COMPARE_ATTACHED)
    assert page.evaluate("__nnpCompare.group.control") is True
    assert "token" not in page.url and f"group={g['id']}" in page.url
    assert page.get_by_test_id("read-only-note").is_hidden()
    page.get_by_test_id("play").click()
    page.wait_for_function("window.__nnpCompare.state.header.playing === true")
    page.get_by_test_id("copy-control-link").click()
    assert page.evaluate("window.__nnpCopied").endswith(
        f"/compare?group={g['id']}&token={g['control_token']}")
    page.goto("about:blank")
    assert api.get(f"/api/comparisons/{g['id']}").status_code == 200   # linked, not created


def test_a_compare_wrong_token_watches_and_an_unknown_group_starts_a_preset(open_view, api):
    g = made_group(api)
    page = open_view(f"/compare?group={g['id']}&token=nope", COMPARE_ATTACHED)
    assert page.evaluate("__nnpCompare.group.control") is False
    assert off(page, "[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('read-only')")
    gone = open_view("/compare?group=nosuchgroup", "window.__nnpCompare && window.__nnpCompare.ready")
    assert gone.evaluate("__nnpCompare.group.own") is True             # a preset of its own
    assert "group=" not in gone.url
    assert "No comparison nosuchgroup" in gone.get_by_test_id("notice").inner_text()


def test_an_own_group_offers_both_links(open_view, api):
    page = open_view("/compare?preset=batch_sizes", "window.__nnpCompare && window.__nnpCompare.ready "
                     "&& window.__nnpCompare.group.control === true")
    gid, token = page.evaluate("[__nnpCompare.group.id, __nnpCompare.group.token]")
    page.get_by_test_id("copy-watch-link").click()
    watch = page.evaluate("window.__nnpCopied")
    assert watch.endswith(f"/compare?group={gid}")
    page.get_by_test_id("copy-control-link").click()
    assert page.evaluate("window.__nnpCopied") == f"{watch}&token={token}"


# ---------------------------------------------------------------------- /race
def test_a_race_watch_link_shows_the_race_read_only_and_closing_keeps_it(open_view, api,
                                                                         artifacts):
    r = made_race(api)
    page = open_view(f"/race?race={r['id']}", RACE_ATTACHED)
    created = posts_to(page, "/api/races")
    seen = page.evaluate("({id: __nnpRace.race.id, own: __nnpRace.race.own,"
                         " control: __nnpRace.race.control, fn: __nnpRace.fn.name,"
                         " step: __nnpRace.state.frame.step})")
    assert seen == {"id": r["id"], "own": False, "control": False, "fn": "himmelblau", "step": 30}
    assert page.locator("[data-testid=racers] .racer").count() == 2
    for selector in ("[data-testid=play]", "[data-testid=step]", "[data-testid=restart]",
                     "[data-testid=add-racer]", "[data-testid=noise]", "[data-testid=speed]",
                     "[data-testid=racer-0] select", "[data-testid=race-click]"):
        assert off(page, selector), selector
    assert not off(page, "[data-testid=view3d]")          # a view choice, not a change
    note = page.get_by_test_id("read-only-note")
    assert note.is_visible() and "race is read-only" in note.inner_text()
    assert page.get_by_test_id("copy-control-link").is_hidden()
    page.get_by_test_id("copy-watch-link").click()
    assert page.evaluate("window.__nnpCopied").endswith(f"/race?race={r['id']}")
    # the owner steps it: the watcher sees it
    api.post(f"/api/races/{r['id']}/step", json={"steps": 20})
    page.wait_for_function("window.__nnpRace.state.frame.step === 50")
    page.screenshot(path=str(artifacts / "race-watch-1280x800.png"))
    tablet = open_view(f"/race?race={r['id']}", RACE_ATTACHED, viewport=TABLET)
    tablet.screenshot(path=str(artifacts / "race-watch-768x1024.png"))
    tablet.close()
    page.goto("about:blank")
    assert api.get(f"/api/races/{r['id']}").status_code == 200
    assert created == []


def test_a_race_control_link_controls(open_view, api):
    r = made_race(api)
    page = open_view(f"/race?race={r['id']}&token={r['control_token']}", RACE_ATTACHED)
    assert page.evaluate("__nnpRace.race.control") is True and "token" not in page.url
    page.get_by_test_id("step").click()                    # +10
    page.wait_for_function("window.__nnpRace.state.frame.step === 40")
    assert api.get(f"/api/races/{r['id']}").json()["step"] == 40
    page.goto("about:blank")
    assert api.get(f"/api/races/{r['id']}").status_code == 200
