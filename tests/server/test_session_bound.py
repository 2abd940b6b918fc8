"""Runs, races and comparison groups bounded per browser session (server/session_bound.py): the
page's cookie names the session; past max_runs_per_session live runs (max_races_per_session
races, max_comparisons_per_session groups) the next is a 429 naming the bound."""

from __future__ import annotations

BROWSER = {"origin": "http://localhost", "sec-fetch-site": "same-origin"}
SMALL = {"hidden": [2], "n_samples": 40}


def test_every_page_sets_a_session_cookie_once(client):
    first = client.get("/")
    cookie = first.headers.get("set-cookie", "")
    assert cookie.startswith("nnp_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "set-cookie" not in client.get("/").headers          # the client now sends it
    assert "set-cookie" not in client.get("/api/schema").headers  # only HTML pages set it


def test_one_browser_session_may_hold_only_its_bound_of_runs(make_client):
    c = make_client(max_runs_per_session=2, max_runs=10)
    c.get("/")                                             # the page: the session cookie
    made = [c.post("/api/runs", json=SMALL, headers=BROWSER) for _ in range(2)]
    assert [r.status_code for r in made] == [201, 201]
    r = c.post("/api/runs", json=SMALL, headers=BROWSER)
    assert r.status_code == 429
    assert "at most 2" in r.json()["detail"] and "max_runs_per_session" in r.json()["detail"]
    assert int(r.headers["retry-after"]) > 0
    # another browser session (another cookie) and a script are not held back by it
    other = c.post("/api/runs", json=SMALL, headers=BROWSER, cookies={"nnp_session": "another"})
    assert other.status_code == 201
    c.cookies.clear()
    assert c.post("/api/runs", json=SMALL).status_code == 201
    # a new browser session (a new cookie from the page) has its own bound
    c.get("/")
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 201
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 201
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 429
    # and a deleted run frees its place
    ours = [r for r in c.app.state.registry.runs.values()
            if getattr(r, "session", None) == c.cookies.get("nnp_session")]
    assert len(ours) == 2
    assert c.delete(f"/api/runs/{ours[0].id}",
                    headers={"X-Run-Token": ours[0].control_token}).status_code == 204
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 201


def test_browser_requests_without_the_cookie_share_one_bound(make_client):
    c = make_client(max_runs_per_session=1)
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 201
    assert c.post("/api/runs", json=SMALL, headers=BROWSER).status_code == 429


def test_reopening_saved_runs_and_comparison_members_count_too(make_client):
    c = make_client(max_runs_per_session=3)
    c.get("/")
    run = c.post("/api/runs", json=SMALL, headers=BROWSER).json()
    c.post(f"/api/runs/{run['id']}/step", json={"steps": 2})
    saved = c.post(f"/api/runs/{run['id']}/save").json()["saved_id"]
    assert c.post(f"/api/saved/{saved}/open", headers=BROWSER).status_code == 201
    group = {"base": SMALL, "variants": [{"learning_rate": 0.01}, {"learning_rate": 0.1}]}
    r = c.post("/api/comparisons", json=group, headers=BROWSER)
    assert r.status_code == 429 and "this needs 2" in r.json()["detail"]
    assert c.post(f"/api/saved/{saved}/open", headers=BROWSER).status_code == 201
    assert c.post(f"/api/saved/{saved}/open", headers=BROWSER).status_code == 429


def test_the_bounds_are_published(client):
    limits = client.get("/api/schema").json()["limits"]
    # a quarter of each registry (max_runs 64, max_races 32, max_comparisons 8)
    assert (limits["max_runs_per_session"], limits["max_races_per_session"],
            limits["max_comparisons_per_session"]) == (16, 8, 2)


RACE = {"function": "bowl", "racers": [{}]}
GROUP = {"base": SMALL, "variants": [{"learning_rate": 0.01}, {"learning_rate": 0.1}]}


def _mine(registry, session):
    return [item for item in registry.items.values() if getattr(item, "session", None) == session]


def test_one_browser_session_may_hold_only_its_share_of_races(make_client):
    c = make_client(max_races=8)                           # a quarter of it: 2 per session
    assert c.get("/api/schema").json()["limits"]["max_races_per_session"] == 2
    c.get("/")
    assert [c.post("/api/races", json=RACE, headers=BROWSER).status_code
            for _ in range(2)] == [201, 201]
    r = c.post("/api/races", json=RACE, headers=BROWSER)
    assert r.status_code == 429
    detail = r.json()["detail"]
    assert "already has 2 races and may have at most 2 (max_races_per_session)" in detail
    assert "DELETE /api/races/{id}" in detail
    assert int(r.headers["retry-after"]) > 0
    mine = c.cookies.get("nnp_session")
    # another session and a script still create (the registry has room)
    c.cookies.clear()
    assert c.post("/api/races", json=RACE).status_code == 201
    c.cookies.set("nnp_session", "another")
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 201
    c.cookies.set("nnp_session", mine)
    races = c.app.state.races
    assert (len(_mine(races, mine)), len(_mine(races, "another")), len(_mine(races, None))) == (2, 1, 1)
    # deleting one of ours frees its place
    assert c.delete(f"/api/races/{_mine(races, mine)[0].id}").status_code == 204
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 201
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 429
    assert len(_mine(races, mine)) == 2


def test_an_expired_race_frees_its_place(make_client):
    c = make_client(max_races_per_session=1)
    c.get("/")
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 201
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 429
    (race,) = _mine(c.app.state.races, c.cookies.get("nnp_session"))
    race.last_active -= c.app.state.settings.run_ttl_seconds + 1     # idle past the TTL
    assert c.post("/api/races", json=RACE, headers=BROWSER).status_code == 201


def test_one_browser_session_may_hold_only_its_share_of_comparison_groups(make_client):
    # eight 2-member groups fit in the 16 runs of a session: the group bound (8 // 4) holds first
    c = make_client()
    assert c.get("/api/schema").json()["limits"]["max_comparisons_per_session"] == 2
    c.get("/")
    made = [c.post("/api/comparisons", json=GROUP, headers=BROWSER) for _ in range(2)]
    assert [r.status_code for r in made] == [201, 201]
    r = c.post("/api/comparisons", json=GROUP, headers=BROWSER)
    assert r.status_code == 429
    detail = r.json()["detail"]
    assert ("already has 2 comparison groups and may have at most 2 "
            "(max_comparisons_per_session)") in detail
    assert "DELETE /api/comparisons/{id}" in detail
    assert int(r.headers["retry-after"]) > 0
    assert len(c.app.state.registry) == 4                   # nothing was half-created
    # another session still creates
    mine = c.cookies.get("nnp_session")
    c.cookies.set("nnp_session", "another")
    assert c.post("/api/comparisons", json=GROUP, headers=BROWSER).status_code == 201
    c.cookies.set("nnp_session", mine)
    groups = c.app.state.comparisons
    assert (len(_mine(groups, mine)), len(_mine(groups, "another"))) == (2, 1)
    # deleting one of ours (and its members) frees its place
    gid = made[0].json()["id"]
    assert c.delete(f"/api/comparisons/{gid}").status_code == 204
    assert c.post("/api/comparisons", json=GROUP, headers=BROWSER).status_code == 201
    assert c.post("/api/comparisons", json=GROUP, headers=BROWSER).status_code == 429
    assert len(_mine(groups, mine)) == 2


def test_a_group_whose_members_expired_frees_its_place(make_client):
    c = make_client(max_comparisons_per_session=1)
    c.get("/")
    made = c.post("/api/comparisons", json=GROUP, headers=BROWSER).json()
    assert c.post("/api/comparisons", json=GROUP, headers=BROWSER).status_code == 429
    for member in made["members"]:
        c.app.state.registry.delete(member["id"])
    assert c.post("/api/comparisons", json=GROUP, headers=BROWSER).status_code == 201


def test_scripts_are_bounded_by_the_registries_only(make_client):
    c = make_client(max_races=8, max_comparisons=4)        # 2 races, 1 group per session
    assert [c.post("/api/races", json=RACE).status_code for _ in range(8)] == [201] * 8
    assert c.post("/api/races", json=RACE).json()["detail"].startswith("too many races")
    assert [c.post("/api/comparisons", json=GROUP).status_code for _ in range(4)] == [201] * 4
    r = c.post("/api/comparisons", json=GROUP)
    assert r.status_code == 429 and r.json()["detail"].startswith("too many comparison groups")


def test_the_bounds_are_stated_in_the_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, setting in [("/api/runs", "max_runs_per_session"),
                          ("/api/races", "max_races_per_session"),
                          ("/api/comparisons", "max_comparisons_per_session")]:
        assert setting in paths[path]["post"]["responses"]["429"]["description"]
