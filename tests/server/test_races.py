"""REST and websocket of optimizer races and the test-function listing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.test_functions import FUNCTIONS

from .conftest import FINITE, refused, socket_refused


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
    assert int(r.headers["Retry-After"]) == max(1, int(c.app.state.settings.sweep_interval_seconds))


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
    ({"type": "set", "racer": "0", "config": {}}, "racer"),
    ({"type": "restart", "start": [0, True]}, "start.1"),
])
def test_race_socket_messages_are_strictly_typed(client, message, field):
    rid = client.post("/api/races", json={"function": "bowl",
                                          "racers": [{"optimizer": "sgd"}]}).json()["id"]
    with client.websocket_connect(f"/ws/races/{rid}") as ws:
        socket_refused(ws, json.dumps(message), field)


# ---------------------------------------------------------------------- strict bodies
BOWL = {"function": "bowl", "racers": [{"optimizer": "sgd"}]}


def _post_text(client, path: str, text: str):
    return client.post(path, content=text, headers={"content-type": "application/json"})


@pytest.mark.parametrize("body,loc", [
    ({**BOWL, "noise": "1"}, ["noise"]), ({**BOWL, "noise": True}, ["noise"]),
    ({**BOWL, "seed": "3"}, ["seed"]), ({**BOWL, "seed": True}, ["seed"]),
    ({**BOWL, "seed": 2.0}, ["seed"]), ({**BOWL, "condition": "10"}, ["condition"]),
    ({**BOWL, "start": ["1", 0]}, ["start", 0]), ({**BOWL, "start": [0, True]}, ["start", 1]),
    ({**BOWL, "start": "1, 0"}, ["start"]),
    ({**BOWL, "racers": [{"learning_rate": "0.1"}]}, ["racers", 0, "learning_rate"]),
    ({**BOWL, "racers": [{"momentum": True}]}, ["racers", 0, "momentum"]),
    ({**BOWL, "racers": [{"decay_steps": 10.0}]}, ["racers", 0, "decay_steps"]),
])
def test_a_race_body_of_the_wrong_type_is_422_naming_the_field(client, body, loc):
    refused(client.post("/api/races", json=body), loc)


@pytest.mark.parametrize("path,body,loc", [
    ("/step", {"steps": "5"}, ["steps"]), ("/step", {"steps": True}, ["steps"]),
    ("/step", {"steps": 5.0}, ["steps"]),
    ("/restart", {"start": ["1", 0]}, ["start", 0]), ("/restart", {"start": [False, 0]}, ["start", 0]),
])
def test_a_step_or_restart_body_of_the_wrong_type_is_422_and_changes_nothing(client, path, body,
                                                                             loc):
    rid = client.post("/api/races", json={**BOWL, "start": [1, 1]}).json()["id"]
    refused(client.post(f"/api/races/{rid}{path}", json=body), loc)
    refused(client.patch(f"/api/races/{rid}/racers/0", json={"learning_rate": "0.1"}),
            ["learning_rate"])
    race = client.get(f"/api/races/{rid}").json()
    assert race["step"] == 0 and race["start"] == [1, 1]
    assert race["racers"][0]["config"]["learning_rate"] == 0.03


@pytest.mark.parametrize("text,loc", [
    ('{"function": "bowl", "racers": [{}], "noise": NaN}', ["noise"]),
    ('{"function": "bowl", "racers": [{}], "condition": Infinity}', ["condition"]),
    ('{"function": "bowl", "racers": [{}], "start": [NaN, 0]}', ["start", 0]),
    ('{"function": "bowl", "racers": [{"learning_rate": -Infinity}]}', ["racers", 0, "learning_rate"]),
])
def test_a_non_finite_number_in_a_race_body_is_422_saying_so(client, text, loc):
    error = refused(_post_text(client, "/api/races", text), loc, FINITE)
    assert error["input"] is None        # JSON has no NaN: the echo is null, the answer valid JSON


def test_a_non_finite_restart_start_is_422_saying_so(client):
    rid = client.post("/api/races", json=BOWL).json()["id"]
    refused(_post_text(client, f"/api/races/{rid}/restart", '{"start": [0, Infinity]}'),
            ["start", 1], FINITE)


def test_a_refused_race_body_echoes_only_a_short_prefix(client):
    error = refused(client.post("/api/races", json={**BOWL, "noise": "9" * 100_000}), ["noise"])
    assert len(error["input"]) < 200 and error["input"].endswith("(100002 characters)")


def test_every_valid_race_body_stays_valid(client):
    # integers where floats are expected, a JSON array for the start, floats and nulls
    r = client.post("/api/races", json={"function": "bowl", "start": [1, -1.5], "noise": 0,
                                        "seed": 3, "condition": 20,
                                        "racers": [{"learning_rate": 1, "momentum": 0}]})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["start"] == [1.0, -1.5]
    assert client.post(f"/api/races/{rid}/step", json={"steps": 2}).json()["step"] == 2
    assert client.post(f"/api/races/{rid}/step").json()["step"] == 3
    assert client.post(f"/api/races/{rid}/restart", json={"start": [0, 1]}).json()["start"] == [0, 1]
    assert client.post(f"/api/races/{rid}/restart", json={"start": None}).status_code == 200
    assert client.post(f"/api/races/{rid}/restart").status_code == 200


@pytest.mark.parametrize("text,field", [
    ('{"type": "noise", "noise": NaN}', "noise"),
    ('{"type": "restart", "start": [Infinity, 0]}', "start.0"),
    ('{"type": "set", "racer": 0, "config": {"learning_rate": NaN}}', "config.learning_rate"),
])
def test_race_socket_refuses_non_finite_numbers(client, text, field):
    rid = client.post("/api/races", json=BOWL).json()["id"]
    with client.websocket_connect(f"/ws/races/{rid}") as ws:
        socket_refused(ws, text, field, FINITE)
