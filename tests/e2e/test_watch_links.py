"""Watch and control links on the page (static/js/run_access.js, access_view.js, connection.js):
/?run=ID watches an existing run read-only, /?run=ID&token=... controls it, the page's own run
keeps control across a reload, closing never deletes a run the page did not create (nor one that
trained), and the copy buttons give links that do what they say."""

from __future__ import annotations

import time

from .conftest import created, wait_ready

SHOTS_TABLET = {"width": 768, "height": 1024}
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def run_of(page) -> dict:
    return page.evaluate("""() => ({id: window.__nnp.connection.runId,
        control: window.__nnp.connection.canControl, own: window.__nnp.connection.own,
        step: window.__nnp.stats.lastHeader.metrics.step})""")


def wait_step(page, step: int) -> None:
    page.wait_for_function(f"window.__nnp.stats.lastHeader.metrics.step === {step}", timeout=15_000)


def gone(api, rid: str, timeout: float = 10.0) -> bool:
    """Wait (a bounded poll, not a timing assertion) until the run is gone; False if it stays."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.get(f"/api/runs/{rid}").status_code == 404:
            return True
        time.sleep(0.2)
    return False


def made_run(api, steps: int = 0, **config) -> str:
    return created(api, "runs", {"dataset": "spiral", "hidden": [6, 4], **config},
                   step={"steps": steps} if steps else None)["id"]


def test_a_watch_link_shows_that_run_read_only_and_closing_keeps_it(open_page, api, artifacts):
    rid = made_run(api, steps=321, learning_rate=0.3)
    created = []
    page = open_page(f"?run={rid}")
    page.on("request", lambda r: created.append(r.url) if r.method == "POST" else None)
    wait_step(page, 321)
    seen = run_of(page)
    assert seen == {"id": rid, "control": False, "own": False, "step": 321}     # no new run
    assert "step 321" in page.get_by_test_id("run-summary").inner_text().replace("\n", " ")
    # the controls show the run's configuration, and are off, with a note saying why
    cfg = page.evaluate("window.__nnp.state.config")
    assert cfg["dataset"] == "spiral" and cfg["hidden"] == [6, 4] and cfg["learning_rate"] == 0.3
    assert page.get_by_test_id("play").is_disabled()
    assert page.get_by_test_id("step").is_disabled()
    assert page.get_by_test_id("input-learning_rate").evaluate("(el) => el.disabled || el.closest('[inert]') !== null")
    assert page.get_by_test_id("run-actions").evaluate("(el) => el.inert")
    note = page.get_by_test_id("read-only-note")
    assert note.is_visible() and "read-only" in note.inner_text()
    assert page.get_by_test_id("copy-watch-link").is_visible()
    assert page.get_by_test_id("copy-control-link").is_hidden()
    # a shortcut sends nothing: the run stays where it is, and the page says why
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[data-testid=notice]').textContent.includes('watching')")
    assert page.evaluate("window.__nnp.connection.counters.messagesSent") == 1   # its subscription
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["step"] == 321
    page.screenshot(path=str(artifacts / "watch-link-read-only-1280x800.png"))
    page.goto("about:blank")            # pagehide: a run this page did not create stays
    assert not gone(api, rid, timeout=2.0)
    assert not [u for u in created if u.endswith("/api/runs")]
    tablet = open_page(f"?run={rid}", viewport=SHOTS_TABLET)
    assert run_of(tablet)["control"] is False
    tablet.screenshot(path=str(artifacts / "watch-link-read-only-768x1024.png"))
    tablet.close()
    assert api.get(f"/api/runs/{rid}").status_code == 200


def test_a_watcher_sees_the_frames_of_a_run_a_script_drives(open_page, api):
    rid = made_run(api)
    page = open_page(f"?run={rid}")
    wait_step(page, 0)
    api.post(f"/api/runs/{rid}/step", json={"steps": 40})       # the teacher's script
    wait_step(page, 40)
    api.patch(f"/api/runs/{rid}", json={"learning_rate": 0.1})
    page.wait_for_function("window.__nnp.state.config.learning_rate === 0.1", timeout=15_000)


def test_the_pages_own_run_keeps_control_across_a_reload(open_page, api, page_run):
    page = open_page("?dataset=xor")
    first = run_of(page)
    assert first["control"] is True and first["own"] is True
    page.get_by_test_id("step").click()
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step >= 1")
    trained = run_of(page)["step"]
    page.reload()
    wait_ready(page)
    again = run_of(page)
    assert again["id"] == first["id"] and again["control"] is True and again["own"] is True
    assert again["step"] == trained                       # the same run, not a new one
    assert page.get_by_test_id("read-only-note").is_hidden()
    page.get_by_test_id("step").click()
    page.wait_for_function(f"window.__nnp.stats.lastHeader.metrics.step > {trained}")
    page_run(page)   # and the token the page holds is the run's
    assert api.post(f"/api/runs/{first['id']}/step", json={"steps": 2}).status_code == 200
    # closing a run that trained leaves it (released: it expires soon, and the server saves it
    # then; tests/server/test_run_access.py)
    page.goto("about:blank")
    assert not gone(api, first["id"], timeout=2.0)


def test_closing_the_page_frees_its_own_run_only_if_it_never_trained(open_page, api):
    page = open_page("?dataset=circle")
    rid = run_of(page)["id"]
    page.goto("about:blank")
    assert gone(api, rid)


def test_copy_links_give_a_watch_link_and_a_control_link_that_work(open_page, api):
    owner = open_page("?dataset=gauss", permissions=CLIPBOARD)
    rid = run_of(owner)["id"]
    owner.get_by_test_id("copy-watch-link").click()
    owner.wait_for_function("window.__nnpCopied")
    watch = owner.evaluate("navigator.clipboard.readText()")
    assert watch == owner.evaluate("window.__nnpCopied") and watch.endswith(f"/?run={rid}")
    owner.get_by_test_id("copy-control-link").click()
    owner.wait_for_function("window.__nnpCopied.includes('token=')")
    control = owner.evaluate("navigator.clipboard.readText()")
    assert control.startswith(watch + "&token=")
    base = control.split("/?")[0]
    # the watch link watches
    watcher = open_page(watch.removeprefix(base + "/"))
    assert run_of(watcher) == {"id": rid, "control": False, "own": False, "step": 0}
    # the control link steers the same run, and takes the token out of the address bar
    steer = open_page(control.removeprefix(base + "/"))
    got = run_of(steer)
    assert got["id"] == rid and got["control"] is True and got["own"] is False
    assert "token=" not in steer.url and f"run={rid}" in steer.url
    assert steer.get_by_test_id("step").is_enabled()
    steer.get_by_test_id("step").click()
    wait_step(watcher, 1)                                    # the watcher sees it
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["step"] == 1
    # a page holding a control link did not create the run: closing it never deletes it
    api.post(f"/api/runs/{rid}/reset", headers={"X-Run-Token": control.split("token=")[1]})
    steer.goto("about:blank")
    assert not gone(api, rid, timeout=2.0)


def test_a_wrong_token_in_a_link_watches_read_only(open_page, api):
    rid = made_run(api, steps=5)
    page = open_page(f"?run={rid}&token=not-the-token")
    page.wait_for_function("window.__nnp.connection.canControl === false", timeout=15_000)
    assert page.get_by_test_id("play").is_disabled()
    assert "token" in page.get_by_test_id("notice").inner_text()


def test_a_link_to_a_missing_run_says_so_and_starts_a_new_one(open_page):
    page = open_page("?run=no-such-run")
    assert "Could not open run no-such-run" in page.get_by_test_id("notice").inner_text()
    got = run_of(page)
    assert got["id"] != "no-such-run" and got["control"] is True and got["own"] is True


def test_reloading_after_the_run_was_freed_starts_a_new_one_quietly(open_page, api):
    page = open_page("?dataset=xor")
    first = run_of(page)["id"]
    api.tokens.adopt(first, page.evaluate("window.__nnp.connection.token"))
    assert api.delete(f"/api/runs/{first}").status_code == 204      # gone, e.g. expired
    page.wait_for_function(f"window.__nnp.connection.runId !== {first!r}", timeout=15_000)
    second = run_of(page)["id"]
    page.get_by_test_id("step").click()       # trained: a reload comes back to it
    page.wait_for_function("window.__nnp.stats.lastHeader.metrics.step >= 1")
    page.reload()
    wait_ready(page)
    assert run_of(page)["id"] == second                                # came back to the new one


def test_a_watch_page_keeps_help_and_exports_usable_and_only_changes_off(open_page, api, artifacts):
    rid = made_run(api, steps=40)
    page = open_page(f"?run={rid}")
    wait_step(page, 40)
    assert run_of(page)["control"] is False
    # the "?" of the settings panel (inside the disabled controls) opens its note
    page.wait_for_selector("[data-testid=help-controls]")
    help_button = page.get_by_test_id("help-controls")
    assert help_button.is_enabled()
    help_button.click()
    assert page.locator("#help-controls").is_visible()
    assert help_button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    # Save & export opens; the exports and a PNG download; saving is off
    page.locator("[data-testid=store-panel] > summary").click()
    assert page.get_by_test_id("store-panel").evaluate("(el) => el.open")
    assert page.get_by_test_id("save-run").is_disabled()
    for fmt in ("json", "csv", "npz"):
        with page.expect_download() as download:
            page.get_by_test_id(f"export-{fmt}").click()
        assert download.value.suggested_filename.endswith(fmt), download.value.suggested_filename
    with page.expect_download() as download:
        page.get_by_test_id("png-loss").click()
    assert download.value.suggested_filename.endswith(".png")
    page.screenshot(path=str(artifacts / "watch-help-exports-1280x800.png"))
    # changes stay off: the learning rate, the layer buttons, play; the run did not move
    assert page.get_by_test_id("input-learning_rate").evaluate(
        "(el) => el.disabled || el.closest('[inert]') !== null")
    assert page.get_by_test_id("layer-0-plus").evaluate("(el) => el.disabled")
    assert page.get_by_test_id("play").is_disabled()
    live = page.evaluate("""() => [...document.querySelectorAll(
        '#run-actions, #headline-controls, #controls, #surface-tools, #diverged-actions')]
        .flatMap((c) => [...c.querySelectorAll('button, input, select, textarea, a, [tabindex]')])
        .filter((e) => !e.disabled && !e.closest('[inert]'))
        .map((e) => e.dataset.testid || e.className || e.tagName)""")
    reads = {"help-controls", "export-json", "export-csv", "export-npz"}
    assert {x for x in live if not x.startswith("png-") and x != "saved-item"} <= reads, live
    assert api.get(f"/api/runs/{rid}").json()["metrics"]["step"] == 40
    assert api.get("/api/saved", params={"run": rid}).json() == []
    tablet = open_page(f"?run={rid}", viewport=SHOTS_TABLET)
    tablet.locator("[data-testid=store-panel] > summary").click()
    tablet.get_by_test_id("store-panel").scroll_into_view_if_needed()
    tablet.screenshot(path=str(artifacts / "watch-help-exports-768x1024.png"))


def test_the_page_deletes_only_the_saved_runs_it_saved(open_page, api, page_run):
    other = made_run(api, steps=5)
    foreign = api.post(f"/api/runs/{other}/save").json()["saved_id"]    # not this browser's
    page = open_page("?dataset=xor")
    rid = page_run(page)
    api.post(f"/api/runs/{rid}/step", json={"steps": 7})
    page.locator("[data-testid=store-panel] > summary").click()
    page.get_by_test_id("save-run").click()
    page.wait_for_selector("[data-testid=saved-link]")
    [mine] = [s["saved_id"] for s in api.get("/api/saved", params={"run": rid}).json()]
    held = page.evaluate("JSON.parse(localStorage.getItem('nnp.savedTokens'))")
    assert list(held) == [mine] and held[mine] == page.evaluate("window.__nnp.connection.token")
    items = page.locator("[data-testid=saved-list] li")
    mine_item = items.filter(has=page.locator(f"a[href='/?saved={mine}']"))
    foreign_item = items.filter(has=page.locator(f"a[href='/?saved={foreign}']"))
    assert foreign_item.get_by_test_id("saved-delete").count() == 0       # no token, no button
    mine_item.get_by_test_id("saved-delete").click()
    page.wait_for_function("document.querySelector('[data-testid=save-status]').textContent.includes('Deleted')")
    assert api.get("/api/saved", params={"run": rid}).json() == []
    assert [s["saved_id"] for s in api.get("/api/saved", params={"run": other}).json()] == [foreign]
    assert page.evaluate("JSON.parse(localStorage.getItem('nnp.savedTokens'))") == {}
