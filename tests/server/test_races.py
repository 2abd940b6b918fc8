"""REST and websocket of optimizer races and the test-function listing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.test_functions import FUNCTIONS


def test_functions_are_listed_with_domain_and_minima(client):
    out = client.get("/api/functions").json()
    by_name = {f["name"]: f for f in out}
    assert set(by_name) == set(FUNCTIONS)
    assert by_name["rosenbrock"]["minima"] == [[1.0, 1.0]]
    assert len(by_name["himmelblau"]["minima"]) == 4
    assert by_name["saddle"]["saddles"] == [[0.0, 0.0]]
    assert by_name["beale"]["domain"] == [[-4.5, 4.5], [-4.5, 4.5]]


def test_surface_is_the_function_on_a_grid(client):
    out = client.get("/api/functions/beale/surface?resolution=9").json()
    z = np.array(out["z"])
    assert z.shape == (9, 9)
    assert z[3, 7] == pytest.approx(FUNCTIONS["beale"].value(out["x"][7], out["y"][3]))
    bowl = client.get("/api/functions/bowl/surface?resolution=5&condition=100").json()
    assert np.array(bowl["z"])[4, 2] == pytest.approx(0.5 * 100 * 9)
    r = client.get("/api/functions/beale/surface?resolution=100000")
    assert r.status_code == 422 and "3..201" in r.text
    assert client.get("/api/functions/nope/surface").status_code == 422
    assert client.get("/api/functions/saddle/surface?condition=3").status_code == 422


def test_create_step_and_read_a_race(client):
    r = client.post("/api/races", json={
        "function": "rosenbrock", "start": [-1.5, 2],
        "racers": [{"optimizer": "adam", "learning_rate": 0.02},
                   {"optimizer": "sgd", "learning_rate": 0.0005},
                   {"optimizer": "momentum", "learning_rate": 0.0005, "momentum": 0.9}],
        "noise": 0})
    assert r.status_code == 201, r.text
    race = r.json()
    assert set(race) >= {"id", "racers"} and len(race["racers"]) == 3
    assert race["racers"][2]["config"]["momentum"] == 0.9
    out = client.post(f"/api/races/{race['id']}/step", json={"steps": 3000}).json()
    assert len(out["racers"]) == 3
    for racer in out["racers"]:
        assert set(racer) >= {"position", "value", "path"}
        assert racer["path"][0] == [-1.5, 2.0] and racer["path"][-1] == racer["position"]
        assert racer["value"] == pytest.approx(FUNCTIONS["rosenbrock"].value(*racer["position"]))
    adam = out["racers"][0]["position"]
    assert np.hypot(adam[0] - 1, adam[1] - 1) < 0.2
    got = client.get(f"/api/races/{race['id']}").json()
    assert got["step"] == 3000


def test_live_racer_change_restart_and_delete(client):
    race = client.post("/api/races", json={"function": "bowl", "start": [2, 2],
                                           "racers": [{"learning_rate": 0.1}]}).json()
    rid = race["id"]
    client.post(f"/api/races/{rid}/step", json={"steps": 5})
    r = client.patch(f"/api/races/{rid}/racers/0", json={"learning_rate": 0.01})
    assert r.status_code == 200 and r.json()["changed"] == ["learning_rate"]
    assert client.patch(f"/api/races/{rid}/racers/0", json={"learning_rate": 0}).status_code == 422
    assert client.patch(f"/api/races/{rid}/racers/0", json={"hidden": [2]}).status_code == 422
    assert client.patch(f"/api/races/{rid}/racers/5", json={}).status_code == 404
    out = client.post(f"/api/races/{rid}/restart", json={"start": [1, -1]}).json()
    assert out["step"] == 0 and out["racers"][0]["position"] == [1.0, -1.0]
    assert client.delete(f"/api/races/{rid}").status_code == 204
    assert client.get(f"/api/races/{rid}").status_code == 404


def test_bad_races_get_422_with_the_allowed_range(client):
    def detail(body):
        r = client.post("/api/races", json=body)
        assert r.status_code == 422, r.text
        return json.dumps(r.json()["detail"])
    one = [{"optimizer": "sgd"}]
    assert "1 to 6 racers" in detail({"function": "bowl", "racers": one * 7})
    assert "at least 1" in detail({"function": "bowl", "racers": []})
    assert "x in [-2, 2], y in [-1, 3]" in detail({"function": "rosenbrock", "start": [5, 0],
                                                   "racers": one})
    assert "rosenbrock" in detail({"function": "sphere", "racers": one})
    assert "learning_rate" in detail({"function": "bowl", "racers": [{"learning_rate": 1e9}]})
    assert "beta1" in detail({"function": "bowl", "racers": [{"beta1": 2}]})
    assert "noise" in detail({"function": "bowl", "racers": one, "noise": -1})
    assert "condition" in detail({"function": "bowl", "racers": one, "condition": 1e9})
    assert "bowl only" in detail({"function": "saddle", "racers": one, "condition": 2})
    rid = client.post("/api/races", json={"function": "bowl", "racers": one}).json()["id"]
    r = client.post(f"/api/races/{rid}/step", json={"steps": 10**6})
    assert r.status_code == 422 and "1..10000" in r.text
    assert client.post(f"/api/races/{rid}/step", json={"steps": 0}).status_code == 422


def test_race_bound_answers_429(make_client):
    c = make_client(max_races=1)
    body = {"function": "bowl", "racers": [{}]}
    assert c.post("/api/races", json=body).status_code == 201
    r = c.post("/api/races", json=body)
    assert r.status_code == 429 and "too many races" in r.json()["detail"]


def _next_race_frame(ws, texts):
    while True:
        msg = json.loads(ws.receive_text())
        if msg["type"] == "race":
            return msg
        texts.append(msg)


def test_websocket_streams_positions_and_new_path_points(client):
    rid = client.post("/api/races", json={
        "function": "himmelblau", "start": [0, 0],
        "racers": [{"optimizer": "sgd", "learning_rate": 0.01},
                   {"optimizer": "adam", "learning_rate": 0.05}]}).json()["id"]
    with client.websocket_connect(f"/ws/races/{rid}") as ws:
        texts = []
        assert json.loads(ws.receive_text())["type"] == "hello"
        first = _next_race_frame(ws, texts)
        assert [len(r["path"]) for r in first["racers"]] == [1, 1]
        ws.send_text(json.dumps({"type": "subscribe", "speed": 5}))
        ws.send_text(json.dumps({"type": "play"}))
        paths = [[p for p in r["path"]] for r in first["racers"]]
        frame = first
        for _ in range(6):
            frame = _next_race_frame(ws, texts)
            for i, r in enumerate(frame["racers"]):
                del paths[i][r["path_from"]:]
                paths[i].extend(r["path"])
        assert frame["step"] > 0 and frame["playing"] is True
        for i, r in enumerate(frame["racers"]):
            assert paths[i][-1] == r["position"]
            assert len(paths[i]) == r["steps"] + 1      # every step recorded, none lost
            assert set(r) >= {"gradient", "update", "value", "learning_rate", "status"}
        ws.send_text(json.dumps({"type": "set", "racer": 1, "config": {"beta1": 0.5}}))
        ws.send_text(json.dumps({"type": "set", "racer": 1, "config": {"beta1": 5}}))
        ws.send_text(json.dumps({"type": "noise", "noise": 0.5}))
        ws.send_text(json.dumps({"type": "restart", "start": [9, 9]}))
        ws.send_text(json.dumps({"type": "subscribe", "speed": 10**6}))
        ws.send_text(json.dumps({"type": "restart", "start": [1, 1]}))
        ws.send_text(json.dumps({"type": "pause"}))

        def answered() -> int:
            return len([t for t in texts if t["type"] in ("ack", "error")])

        after_restart = []     # the frames sent after the ack of the restart to [1, 1]
        while answered() < 9:
            frame = _next_race_frame(ws, texts)
            if answered() >= 8:
                after_restart.append(frame)
        answers = [(t["type"], t.get("for")) for t in texts if t["type"] in ("ack", "error")]
        assert answers[-7:] == [("ack", "set"), ("error", "set"), ("ack", "noise"),
                                ("error", "restart"), ("error", "subscribe"),
                                ("ack", "restart"), ("ack", "pause")]
        errors = [t for t in texts if t["type"] == "error"]
        assert "beta1" in errors[0]["message"] and "x in [-5, 5]" in errors[1]["message"]
        assert "speed must be 1..1000" in errors[2]["message"]
        # a frame comes after each ack, built after it: the first after the restart's ack sends
        # the whole new path from [1, 1]; the race may tick (5 steps a tick: the refused speed
        # changed nothing) before the pause is read, and the frame after the pause's ack is paused
        first_after = after_restart[0]
        assert all(r["path_from"] == 0 and r["path"][0] == [1, 1] for r in first_after["racers"])
        paths = [[] for _ in first_after["racers"]]
        for f in after_restart:
            for i, r in enumerate(f["racers"]):
                del paths[i][r["path_from"]:]
                paths[i].extend(r["path"])
        assert frame["playing"] is False and frame["step"] % 5 == 0
        for i, r in enumerate(frame["racers"]):
            assert r["steps"] == frame["step"] and len(paths[i]) == r["steps"] + 1
            assert paths[i][0] == [1, 1] and paths[i][-1] == r["position"]
        assert frame["racers"][1]["config"]["beta1"] == 0.5 and frame["noise"] == 0.5


@pytest.mark.parametrize("message,field", [
    ({"type": "step", "n": "5"}, "n"), ({"type": "step", "n": True}, "n"),
    ({"type": "noise", "noise": "1"}, "noise"), ({"type": "restart", "start": ["1", 0]}, "start.0"),
    ({"type": "subscribe", "fps": "30"}, "fps"), ({"type": "subscribe", "speed": True}, "speed"),
    ({"type": "set", "racer": 0, "config": {"learning_rate": "0.1"}}, "config.learning_rate"),
])
def test_race_socket_messages_are_strictly_typed(client, message, field):
    rid = client.post("/api/races", json={"function": "bowl",
                                          "racers": [{"optimizer": "sgd"}]}).json()["id"]
    with client.websocket_connect(f"/ws/races/{rid}") as ws:
        ws.send_text(json.dumps(message))
        for _ in range(100):
            t = ws.receive()
            answer = json.loads(t["text"]) if t.get("text") else {}
            if answer.get("type") in ("ack", "error"):
                break
        assert answer["type"] == "error" and answer["status"] == 422, answer
        assert answer["message"].startswith(field + ": Input should be a valid"), answer
