"""Saved runs (server/store.py, server/routes_saved.py): save, list, reopen after a restart and
continue exactly; runs that expire or are live at a graceful shutdown are saved automatically."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import Trainer, TrainConfig

CONFIG = {"dataset": "spiral", "hidden": [6, 4], "optimizer": "adam", "batch_size": 7,
          "learning_rate": 0.01, "schedule": "cosine", "seed": 3}


@pytest.fixture(autouse=True)
def one_engine_path(monkeypatch):
    """"Continues exactly" holds on one engine path: the NumPy and compiled paths agree to
    round-off only, and with NNP_ENGINE=auto a run trains on NumPy until the kernels are warm.
    Pinned here for the app (it reads NNP_ENGINE whenever a Trainer trains) and the twin."""
    monkeypatch.setenv("NNP_ENGINE", "numpy")


def _params(c, run_id):
    r = c.get(f"/api/runs/{run_id}/params")
    assert r.status_code == 200
    return [(np.array(p["W"]), np.array(p["b"])) for p in r.json()]


def _twin_params(steps: list[int]):
    t = Trainer(TrainConfig(**CONFIG))
    for n in steps:
        t.step(n)
    return [(p["W"], p["b"]) for p in t.params()]


def _assert_same(a, b):
    for (wa, ba), (wb, bb) in zip(a, b):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ba, bb)


def test_saved_run_reopened_after_restart_continues_exactly(make_client, tmp_path):
    data_dir = str(tmp_path / "store")
    first = make_client(data_dir=data_dir)
    run_id = first.post("/api/runs", json=CONFIG).json()["id"]
    assert first.post(f"/api/runs/{run_id}/step", json={"steps": 137}).json()["steps_run"] == 137
    saved = first.post(f"/api/runs/{run_id}/save")
    assert saved.status_code == 201
    saved_id = saved.json()["saved_id"]
    first.__exit__(None, None, None)            # the server stops ...

    second = make_client(data_dir=data_dir)     # ... and a new one starts on the same store
    listed = second.get("/api/saved").json()
    mine = [s for s in listed if s["saved_id"] == saved_id]
    assert mine and mine[0]["reason"] == "user" and mine[0]["step"] == 137
    assert mine[0]["run_id"] == run_id and mine[0]["summary"]["dataset"] == "spiral"
    opened = second.post(f"/api/saved/{saved_id}/open")
    assert opened.status_code == 201
    body = opened.json()
    assert body["id"] != run_id and body["metrics"]["step"] == 137 and body["status"] == "paused"
    assert body["config"]["optimizer"] == "adam"
    history = second.get(f"/api/runs/{body['id']}/history").json()
    assert history[-1]["step"] == 137
    for _ in range(4):   # 100 steps in several calls, as a user would
        second.post(f"/api/runs/{body['id']}/step", json={"steps": 25})
    _assert_same(_params(second, body["id"]), _twin_params([137, 100]))


def test_a_run_that_expires_is_saved(make_client):
    c = make_client()
    registry = c.app.state.registry
    trained = c.post("/api/runs", json=CONFIG).json()["id"]
    untrained = c.post("/api/runs", json=CONFIG).json()["id"]
    c.post(f"/api/runs/{trained}/step", json={"steps": 40})
    expired = c.portal.call(registry.sweep, time.monotonic() + 2 * c.app.state.settings.run_ttl_seconds)
    assert set(expired) == {trained, untrained}
    assert c.get(f"/api/runs/{trained}").status_code == 404
    found = c.get("/api/saved", params={"run": trained}).json()
    assert [(s["reason"], s["step"]) for s in found] == [("expired", 40)]
    assert c.get("/api/saved", params={"run": untrained}).json() == []   # nothing to keep
    reopened = c.post(f"/api/saved/{found[0]['saved_id']}/open").json()
    c.post(f"/api/runs/{reopened['id']}/step", json={"steps": 100})
    _assert_same(_params(c, reopened["id"]), _twin_params([40, 100]))


def test_runs_live_at_a_graceful_shutdown_are_saved(make_client, tmp_path):
    data_dir = str(tmp_path / "store")
    first = make_client(data_dir=data_dir)
    run_id = first.post("/api/runs", json=CONFIG).json()["id"]
    with first.websocket_connect(f"/ws/runs/{run_id}") as ws:
        ws.send_json({"type": "play"})
        frames = 0
        while frames < 5:
            if isinstance(ws.receive().get("bytes"), bytes):
                frames += 1
    step = first.get(f"/api/runs/{run_id}").json()["metrics"]["step"]
    assert step > 0
    first.__exit__(None, None, None)   # lifespan shutdown, as on Ctrl-C or SIGTERM
    second = make_client(data_dir=data_dir)
    found = second.get("/api/saved", params={"run": run_id}).json()
    assert len(found) == 1 and found[0]["reason"] == "shutdown" and found[0]["step"] >= step


def test_automatic_saves_are_bounded_oldest_dropped_first(make_client):
    c = make_client(max_autosaved_runs=2)
    registry = c.app.state.registry
    ids = []
    for _ in range(3):
        rid = c.post("/api/runs", json=CONFIG).json()["id"]
        c.post(f"/api/runs/{rid}/step", json={"steps": 5})
        ids.append(rid)
        c.portal.call(registry.sweep, time.monotonic() + 2 * c.app.state.settings.run_ttl_seconds)
    kept = {s["run_id"] for s in c.get("/api/saved").json()}
    assert kept == set(ids[1:])


def test_user_saves_past_the_bound_are_refused_with_a_reason(make_client):
    c = make_client(max_saved_runs=1)
    rid = c.post("/api/runs", json=CONFIG).json()["id"]
    first = c.post(f"/api/runs/{rid}/save").json()["saved_id"]
    refused = c.post(f"/api/runs/{rid}/save")
    assert refused.status_code == 507 and "delete one" in refused.json()["detail"]
    assert c.delete(f"/api/saved/{first}").status_code == 204
    assert c.post(f"/api/runs/{rid}/save").status_code == 201


def test_unknown_saved_ids_are_404(client):
    assert client.post("/api/saved/nope/open").status_code == 404
    assert client.delete("/api/saved/nope").status_code == 404
    assert client.post("/api/runs/nope/save").status_code == 404
    assert client.get("/api/saved", params={"run": "x" * 65}).status_code == 422


def test_the_store_is_created_on_first_use(make_client, tmp_path):
    data_dir = tmp_path / "later"
    c = make_client(data_dir=str(data_dir))
    rid = c.post("/api/runs", json={}).json()["id"]
    assert not data_dir.exists()       # nothing saved yet: no file
    c.post(f"/api/runs/{rid}/save")
    assert (data_dir / "nn-playground.sqlite3").is_file()


def test_the_sweeper_saves_expiring_runs_in_the_background(make_client):
    c = make_client(run_ttl_seconds=0.2, sweep_interval_seconds=0.05)
    rid = c.post("/api/runs", json=CONFIG).json()["id"]
    c.post(f"/api/runs/{rid}/step", json={"steps": 30})
    deadline = time.monotonic() + 20
    while c.get(f"/api/runs/{rid}").status_code == 200:   # reading touches the run: poll slowly
        assert time.monotonic() < deadline, "the run never expired"
        time.sleep(0.5)
    found = c.get("/api/saved", params={"run": rid}).json()
    assert [(s["reason"], s["step"]) for s in found] == [("expired", 30)]


def test_a_store_from_before_saved_runs_had_owners_stays_readable(make_client, tmp_path):
    """An older store (no owner_hash column) gets the column; its rows are listed and open,
    and nobody can delete them over HTTP (403 saying why)."""
    import sqlite3

    from engine.saved_state import state_to_bytes
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    t = Trainer(TrainConfig(**CONFIG))
    t.step(12)
    blob = state_to_bytes(t.capture_state())
    db = sqlite3.connect(data_dir / "nn-playground.sqlite3")
    db.executescript("""
        CREATE TABLE saved_runs (
            id TEXT PRIMARY KEY, reason TEXT NOT NULL, run_id TEXT, created REAL NOT NULL,
            step INTEGER NOT NULL, summary TEXT NOT NULL, state BLOB NOT NULL,
            bytes INTEGER NOT NULL);
        CREATE INDEX saved_runs_by_run ON saved_runs (run_id);""")
    db.execute("INSERT INTO saved_runs VALUES (?,?,?,?,?,?,?,?)",
               ("old-one", "user", "gone", time.time(), 12, '{"dataset": "spiral"}', blob,
                len(blob)))
    db.commit()
    db.close()
    c = make_client(data_dir=str(data_dir))
    [listed] = c.get("/api/saved").json()
    assert listed["saved_id"] == "old-one" and listed["step"] == 12
    opened = c.post("/api/saved/old-one/open")
    assert opened.status_code == 201 and opened.json()["metrics"]["step"] == 12
    for headers in ({}, {"X-Run-Token": opened.json()["control_token"]}):
        r = c.delete("/api/saved/old-one", headers=headers)
        assert r.status_code == 403 and "before saved runs kept their owner" in r.json()["detail"]
    assert [s["saved_id"] for s in c.get("/api/saved").json()] == ["old-one"]
    # new saves in the same (now upgraded) store have owners
    rid = opened.json()["id"]
    new = c.post(f"/api/runs/{rid}/save").json()
    assert c.delete(f"/api/saved/{new['saved_id']}").status_code == 204


def test_opening_a_saved_run_on_a_full_server_is_429_with_retry_after(make_client):
    c = make_client(max_runs=1)
    run_id = c.post("/api/runs", json=CONFIG).json()["id"]
    saved_id = c.post(f"/api/runs/{run_id}/save").json()["saved_id"]
    r = c.post(f"/api/saved/{saved_id}/open")
    assert r.status_code == 429 and "too many runs" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    assert c.delete(f"/api/runs/{run_id}").status_code == 204
    assert c.post(f"/api/saved/{saved_id}/open").status_code == 201
