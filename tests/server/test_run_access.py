"""Watch and control rights (server/run_access.py): every mutation of a run, comparison group
or race needs its control token (REST header X-Run-Token, websocket ?token=); reads and
watching sockets need only the id. `client` carries the tokens it is given; inside
`client.tokens.watching()` it is a watcher with the id only."""

from __future__ import annotations

import json

import pytest

from server.frames import decode_frame

SMALL = {"dataset": "xor", "hidden": [3], "n_samples": 60}
COMPARISON = {"base": SMALL, "variants": [{"learning_rate": 0.01}, {"learning_rate": 0.1}]}
RACE = {"function": "bowl", "start": [2, 2], "racers": [{"optimizer": "sgd", "learning_rate": 0.1}]}


def new_run(client) -> dict:
    r = client.post("/api/runs", json=SMALL)
    assert r.status_code == 201, r.text
    return r.json()


RUN_MUTATIONS = [
    ("PATCH", "/api/runs/{id}", {"learning_rate": 0.1}),
    ("POST", "/api/runs/{id}/step", {"steps": 3}),
    ("POST", "/api/runs/{id}/reset", None),
    ("PATCH", "/api/runs/{id}/params", {"W1[0,0]": 0.5}),
    ("POST", "/api/runs/{id}/save", None),
    ("DELETE", "/api/runs/{id}", None),
]
RUN_READS = ["/api/runs/{id}", "/api/runs/{id}/snapshot", "/api/runs/{id}/history",
             "/api/runs/{id}/params", "/api/runs/{id}/export?format=json",
             "/api/runs/{id}/graph?example=0"]


def test_creating_a_run_returns_a_control_token_and_reading_never_shows_it(client):
    run = new_run(client)
    assert isinstance(run["control_token"], str) and len(run["control_token"]) >= 24
    assert "control_token" not in client.get(f"/api/runs/{run['id']}").json()
    assert new_run(client)["control_token"] != run["control_token"]


@pytest.mark.parametrize("method,path,body", RUN_MUTATIONS)
@pytest.mark.parametrize("token", [None, "wrong"])
def test_every_run_mutation_without_its_token_is_403_and_changes_nothing(client, method, path,
                                                                         body, token):
    run = new_run(client)
    url = path.format(id=run["id"])
    before = client.get(f"/api/runs/{run['id']}/params").json()
    headers = {"X-Run-Token": token} if token else {}
    with client.tokens.watching():
        r = client.request(method, url, json=body, headers=headers)
    assert r.status_code == 403, r.text
    assert "X-Run-Token" in r.json()["detail"] and "control_token" in r.json()["detail"]
    assert client.get(f"/api/runs/{run['id']}").status_code == 200     # not deleted
    assert client.get(f"/api/runs/{run['id']}/params").json() == before
    assert client.get("/api/saved", params={"run": run["id"]}).json() == []
    # the owner, with the token, may
    ok = client.request(method, url, json=body)
    assert ok.status_code in (200, 201, 204), ok.text


def test_reads_and_trace_stay_open_to_watchers(client):
    run = new_run(client)
    client.post(f"/api/runs/{run['id']}/step", json={"steps": 2})
    with client.tokens.watching():
        for path in RUN_READS:
            r = client.get(path.format(id=run["id"]))
            assert r.status_code == 200, (path, r.text)
        assert client.post(f"/api/runs/{run['id']}/trace", json={"example": 0}).status_code == 200
    assert client.get(f"/api/runs/{run['id']}").json()["metrics"]["step"] == 2


def test_an_unknown_run_is_404_before_403(client):
    with client.tokens.watching():
        assert client.post("/api/runs/nope/step", json={"steps": 1}).status_code == 404


def test_a_reopened_saved_run_has_its_own_token(client):
    run = new_run(client)
    saved = client.post(f"/api/runs/{run['id']}/save").json()["saved_id"]
    opened = client.post(f"/api/saved/{saved}/open").json()
    assert opened["control_token"] and opened["control_token"] != run["control_token"]
    with client.tokens.watching():
        r = client.post(f"/api/runs/{opened['id']}/step", json={"steps": 1},
                        headers={"X-Run-Token": run["control_token"]})   # the original's token
        assert r.status_code == 403
        r = client.post(f"/api/runs/{opened['id']}/step", json={"steps": 1},
                        headers={"X-Run-Token": opened["control_token"]})
        assert r.status_code == 200


def test_openapi_documents_the_header_and_the_403_on_mutations_only(client):
    paths = client.get("/openapi.json").json()["paths"]
    step = paths["/api/runs/{run_id}/step"]["post"]
    assert "403" in step["responses"]
    assert any(p["name"].lower() == "x-run-token" and p["in"] == "header"
               for p in step["parameters"])
    for method, path in [("delete", "/api/comparisons/{comparison_id}"),
                         ("post", "/api/races/{race_id}/restart"),
                         ("patch", "/api/runs/{run_id}/params")]:
        assert "403" in paths[path][method]["responses"], path
    read = paths["/api/runs/{run_id}"]["get"]
    assert "403" not in read["responses"]


# ---------------------------------------------------------------------- websocket
def _text(ws) -> dict:
    """The next text message that is not a frame (races send their frames as text)."""
    while True:
        m = ws.receive()
        if m.get("text") is not None and json.loads(m["text"]).get("type") != "race":
            return json.loads(m["text"])


def _frame(ws) -> dict:
    while True:
        m = ws.receive()
        if m.get("bytes") is not None:
            return decode_frame(m["bytes"])[0]


@pytest.mark.parametrize("message", [
    {"type": "play"}, {"type": "pause"}, {"type": "step", "n": 5}, {"type": "reset"},
    {"type": "set", "config": {"learning_rate": 0.3}},
    {"type": "params", "values": {"W1[0,0]": 0.5}},
    {"type": "subscribe", "speed": 5},
    {"type": "subscribe", "landscape": {"mode": "random", "resolution": 11}},
])
def test_a_watching_socket_gets_403_for_controls_and_stays_open(client, message):
    run = new_run(client)
    rid = run["id"]
    before = client.get(f"/api/runs/{rid}/params").json()
    with client.tokens.watching(), client.websocket_connect(f"/ws/runs/{rid}") as ws:
        hello = _text(ws)
        assert hello["type"] == "hello" and hello["control"] is False
        ws.send_text(json.dumps(message))
        err = _text(ws)
        assert err["type"] == "error" and err["status"] == 403 and err["for"] == message["type"]
        assert "token" in err["message"]
        # still open, still watching: a per-viewer subscription is acknowledged
        ws.send_text(json.dumps({"type": "subscribe", "fps": 10, "neuron": [1, 0]}))
        ack = _text(ws)
        assert ack["type"] == "ack" and ack["for"] == "subscribe" and ack["fps"] == 10
    run_now = client.get(f"/api/runs/{rid}").json()
    assert run_now["metrics"]["step"] == 0 and run_now["config"]["learning_rate"] == SMALL.get(
        "learning_rate", run["config"]["learning_rate"])
    assert client.get(f"/api/runs/{rid}/params").json() == before


def test_a_watcher_sees_the_frames_of_a_run_its_owner_drives(client):
    run = new_run(client)
    rid = run["id"]
    with client.tokens.watching(), client.websocket_connect(f"/ws/runs/{rid}") as watcher:
        assert _text(watcher)["control"] is False
        assert _frame(watcher)["metrics"]["step"] == 0
        r = client.post(f"/api/runs/{rid}/step", json={"steps": 7},      # the owner, over REST
                        headers={"X-Run-Token": run["control_token"]})
        assert r.status_code == 200
        seen = _frame(watcher)
        while seen["metrics"]["step"] != 7:
            seen = _frame(watcher)
        assert seen["metrics"]["step"] == 7


def test_a_socket_with_the_token_controls(client):
    run = new_run(client)
    with client.tokens.watching(), client.websocket_connect(
            f"/ws/runs/{run['id']}?token={run['control_token']}") as ws:
        assert _text(ws)["control"] is True
        ws.send_text(json.dumps({"type": "step", "n": 4}))
        ack = _text(ws)
        assert ack["type"] == "ack" and ack["for"] == "step" and ack["step"] == 4
    with client.tokens.watching(), client.websocket_connect(
            f"/ws/runs/{run['id']}?token=wrong") as ws:
        assert _text(ws)["control"] is False


# ---------------------------------------------------------------------- comparisons, races
def test_comparison_mutations_need_the_groups_token(client):
    made = client.post("/api/comparisons", json=COMPARISON)
    assert made.status_code == 201, made.text
    group = made.json()
    cid, token = group["id"], group["control_token"]
    member = group["members"][0]["id"]
    with client.tokens.watching():
        assert client.get(f"/api/comparisons/{cid}").status_code == 200
        assert client.post(f"/api/comparisons/{cid}/step", json={"epochs": 1}).status_code == 403
        assert client.delete(f"/api/comparisons/{cid}").status_code == 403
        assert client.post(f"/api/runs/{member}/step", json={"steps": 1}).status_code == 403
        # the group's token controls the group and its member runs
        assert client.post(f"/api/runs/{member}/step", json={"steps": 1},
                           headers={"X-Run-Token": token}).status_code == 200
        assert client.post(f"/api/comparisons/{cid}/step", json={"epochs": 1},
                           headers={"X-Run-Token": token}).status_code == 200
        with client.websocket_connect(f"/ws/comparisons/{cid}") as ws:
            assert _text(ws)["control"] is False
            for message in ({"type": "play"}, {"type": "step", "epochs": 1},
                            {"type": "set", "member": 0, "config": {"learning_rate": 0.2}},
                            {"type": "clock", "clock": "updates"}):
                ws.send_text(json.dumps(message))
                err = _text(ws)
                assert err["type"] == "error" and err["status"] == 403, err
            ws.send_text(json.dumps({"type": "subscribe", "fps": 5}))
            assert _text(ws) == {"type": "ack", "for": "subscribe", "fps": 5}
        with client.websocket_connect(f"/ws/comparisons/{cid}?token={token}") as ws:
            assert _text(ws)["control"] is True
            ws.send_text(json.dumps({"type": "clock", "clock": "updates"}))
            assert _text(ws)["type"] == "ack"
        assert client.delete(f"/api/comparisons/{cid}",
                             headers={"X-Run-Token": token}).status_code == 204


def test_race_mutations_need_the_races_token(client):
    made = client.post("/api/races", json=RACE)
    assert made.status_code == 201, made.text
    rid, token = made.json()["id"], made.json()["control_token"]
    with client.tokens.watching():
        assert client.get(f"/api/races/{rid}").status_code == 200
        for method, path, body in [("POST", "/step", {"steps": 3}), ("POST", "/restart", None),
                                   ("PATCH", "/racers/0", {"learning_rate": 0.2}),
                                   ("DELETE", "", None)]:
            r = client.request(method, f"/api/races/{rid}{path}", json=body)
            assert r.status_code == 403, (path, r.text)
        assert client.get(f"/api/races/{rid}").json()["step"] == 0
        with client.websocket_connect(f"/ws/races/{rid}") as ws:
            assert _text(ws)["control"] is False
            for message in ({"type": "play"}, {"type": "step", "n": 2}, {"type": "noise", "noise": 1},
                            {"type": "restart"}, {"type": "subscribe", "speed": 3},
                            {"type": "set", "racer": 0, "config": {"learning_rate": 0.3}}):
                ws.send_text(json.dumps(message))
                err = _text(ws)
                assert err["type"] == "error" and err["status"] == 403, (message, err)
            ws.send_text(json.dumps({"type": "subscribe", "fps": 5}))
            assert _text(ws)["type"] == "ack"
        r = client.post(f"/api/races/{rid}/step", json={"steps": 3}, headers={"X-Run-Token": token})
        assert r.status_code == 200 and r.json()["step"] == 3


def test_a_released_run_expires_soon_and_is_saved_if_it_trained(make_client):
    c = make_client(release_grace_seconds=5, run_ttl_seconds=3600)
    registry = c.app.state.registry
    trained, idle_one, kept = new_run(c), new_run(c), new_run(c)
    c.post(f"/api/runs/{trained['id']}/step", json={"steps": 3})
    with c.tokens.watching():
        assert c.post(f"/api/runs/{trained['id']}/release").status_code == 403
    for run in (trained, idle_one, kept):
        assert c.post(f"/api/runs/{run['id']}/release").status_code == 204
    c.get(f"/api/runs/{kept['id']}")             # used again (a reload came back): not released
    assert sorted(registry.sweep(now=registry.get(kept["id"]).last_active + 6)) == sorted(
        [trained["id"], idle_one["id"]])
    assert kept["id"] in registry.runs
    saved = c.get("/api/saved", params={"run": trained["id"]}).json()
    assert [s["reason"] for s in saved] == ["expired"] and saved[0]["step"] == 3
    assert c.get("/api/saved", params={"run": idle_one["id"]}).json() == []   # never trained


# ---------------------------------------------------------------------- saved runs' owner
def _saved_of(client, run_id) -> list[str]:
    return [s["saved_id"] for s in client.get("/api/saved", params={"run": run_id}).json()]


@pytest.mark.parametrize("token", [None, "wrong", "another run's"])
def test_deleting_a_saved_run_needs_its_owners_token(client, token):
    run, other = new_run(client), new_run(client)
    answer = client.post(f"/api/runs/{run['id']}/save").json()
    saved = answer["saved_id"]
    assert answer["control_token"] == run["control_token"]     # the saving run's token
    given = {"another run's": other["control_token"]}.get(token, token)
    with client.tokens.watching():
        r = client.delete(f"/api/saved/{saved}", headers={"X-Run-Token": given} if given else {})
        assert r.status_code == 403, r.text
        detail = r.json()["detail"]
        assert "X-Run-Token" in detail and "control_token" in detail and "saved run" in detail
        assert _saved_of(client, run["id"]) == [saved]          # still there, still listed
        opened = client.post(f"/api/saved/{saved}/open")          # opening stays open
        assert opened.status_code == 201 and opened.json()["control_token"] not in (
            run["control_token"], None)
        assert client.delete("/api/saved/nope").status_code == 404    # 404 before 403
    client.delete(f"/api/runs/{run['id']}")                       # the live run is gone ...
    r = client.delete(f"/api/saved/{saved}", headers={"X-Run-Token": run["control_token"]})
    assert r.status_code == 204                                   # ... its token still deletes
    assert _saved_of(client, run["id"]) == []


def test_a_reopened_runs_token_does_not_delete_the_saved_run_it_came_from(client):
    run = new_run(client)
    saved = client.post(f"/api/runs/{run['id']}/save").json()["saved_id"]
    opened = client.post(f"/api/saved/{saved}/open").json()
    r = client.delete(f"/api/saved/{saved}", headers={"X-Run-Token": opened["control_token"]})
    assert r.status_code == 403
    # the reopened run's own save belongs to it
    again = client.post(f"/api/runs/{opened['id']}/save").json()
    assert again["control_token"] == opened["control_token"]
    assert client.delete(f"/api/saved/{again['saved_id']}").status_code == 204


def test_a_run_saved_at_expiry_keeps_its_runs_owner(make_client):
    c = make_client(release_grace_seconds=5, run_ttl_seconds=3600)
    registry = c.app.state.registry
    run = new_run(c)
    c.post(f"/api/runs/{run['id']}/step", json={"steps": 3})
    registry.sweep(now=registry.get(run["id"]).last_active + 7200)
    [saved] = _saved_of(c, run["id"])
    with c.tokens.watching():
        assert c.delete(f"/api/saved/{saved}").status_code == 403
        assert c.delete(f"/api/saved/{saved}",
                        headers={"X-Run-Token": run["control_token"]}).status_code == 204


def test_a_run_saved_at_shutdown_keeps_its_runs_owner(make_client, tmp_path):
    data_dir = str(tmp_path / "store")
    first = make_client(data_dir=data_dir)
    run = new_run(first)
    first.post(f"/api/runs/{run['id']}/step", json={"steps": 3})
    first.__exit__(None, None, None)
    second = make_client(data_dir=data_dir)
    [saved] = _saved_of(second, run["id"])
    assert second.delete(f"/api/saved/{saved}", headers={"X-Run-Token": "x"}).status_code == 403
    assert second.delete(f"/api/saved/{saved}",
                         headers={"X-Run-Token": run["control_token"]}).status_code == 204


def test_the_store_keeps_only_a_hash_of_the_owners_token(client):
    run = new_run(client)
    saved = client.post(f"/api/runs/{run['id']}/save").json()["saved_id"]
    store = client.app.state.store
    found, owner = store.saved_owner(saved)
    assert found and owner and run["control_token"] not in owner
    for file in store.path.parent.glob(store.path.name + "*"):     # the file and its WAL
        assert run["control_token"].encode() not in file.read_bytes()
    assert "control_token" not in client.get("/api/saved").json()[0]


def test_openapi_documents_the_header_and_the_403_on_deleting_a_saved_run(client):
    paths = client.get("/openapi.json").json()["paths"]
    delete = paths["/api/saved/{saved_id}"]["delete"]
    assert "403" in delete["responses"] and "404" in delete["responses"]
    assert any(p["name"].lower() == "x-run-token" and p["in"] == "header"
               for p in delete["parameters"])
    for method, path in [("get", "/api/saved"), ("post", "/api/saved/{saved_id}/open")]:
        assert "403" not in paths[path][method]["responses"], path
