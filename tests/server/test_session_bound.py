"""Runs bounded per browser session (server/session_bound.py): the page's cookie names the
session; past max_runs_per_session live runs the next is a 429 naming the bound."""

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


def test_the_bound_is_published(client):
    assert client.get("/api/schema").json()["limits"]["max_runs_per_session"] == 16
