"""POST /api/runs/{id}/trace, PATCH /api/runs/{id}/params and the websocket "params" message."""

import json

import numpy as np
import pytest

from engine import Trainer, TrainConfig


def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_trace_of_a_raw_input_matches_params_and_the_engine(client):
    run = new_run(client, dataset="circle", hidden=[3, 2], features=["x1", "x2", "x1x2"])
    client.post(f"/api/runs/{run}/step", json={"steps": 25})
    params = client.get(f"/api/runs/{run}/params").json()
    r = client.post(f"/api/runs/{run}/trace", json={"x": [1.5, -2.0]})
    assert r.status_code == 200, r.text
    tr = r.json()
    assert tr["input"] == [1.5, -2.0] and tr["target"] is None and tr["loss"] is None
    assert len(tr["layers"]) == 3
    for layer, p in zip(tr["layers"], params):
        assert layer["W"] == p["W"] and layer["b"] == p["b"]
        z = np.array(layer["W"]) @ np.array(layer["a_in"]) + np.array(layer["b"])
        assert np.allclose(layer["z"], z, rtol=1e-12)
        assert layer["delta"] is None and layer["dW"] is None
    assert tr["layers"][0]["a_in"] == [1.5, -2.0, -3.0]  # x1, x2, x1 x2 (no standardization)
    # the same state in a local trainer gives the same numbers
    t = Trainer(TrainConfig(dataset="circle", hidden=[3, 2], features=["x1", "x2", "x1x2"]))
    t.step(25)
    assert np.allclose(tr["output"], t.trace([1.5, -2.0])["output"], rtol=1e-12)


def test_trace_of_an_example_has_the_backward_pass(client):
    run = new_run(client, dataset="xor", hidden=[2])
    data = client.get(f"/api/runs/{run}/dataset").json()
    tr = client.post(f"/api/runs/{run}/trace", json={"example": 7, "split": "test"}).json()
    assert tr["target"] == data["y_test"][7]
    assert tr["layers"][0]["a_in"] == pytest.approx(data["x_test"][7])
    out = tr["layers"][-1]
    assert out["delta"] == pytest.approx([out["a"][0] - tr["target"]])  # sigma(z) - y
    assert np.allclose(out["dW"], np.outer(out["delta"], out["a_in"]))
    assert tr["loss"] > 0
    with_y = client.post(f"/api/runs/{run}/trace", json={"x": [1.0, 1.0], "y": 1}).json()
    assert with_y["layers"][0]["delta"] is not None and with_y["target"] == 1


@pytest.mark.parametrize("body, fragment", [
    ({}, "either"),
    ({"x": [1, 2], "example": 3}, "either"),
    ({"x": [1, 2, 3]}, "at most 2"),
    ({"x": [1]}, "x must be 2 finite"),
    ({"example": 250}, "0..249"),
    ({"example": 3, "split": "validation"}, "train"),
    ({"example": 3, "y": 1}, "own label"),
    ({"x": [1, 2], "y": 3}, "class index 0..1"),
    ({"x": [1, "a"]}, "number"),
])
def test_bad_trace_requests_are_422_saying_what_is_allowed(client, body, fragment):
    run = new_run(client, dataset="circle", hidden=[2])
    r = client.post(f"/api/runs/{run}/trace", json=body)
    assert r.status_code == 422, r.text
    assert fragment in r.text


@pytest.mark.parametrize("body, loc, msg", [
    ({"x": ["1", 2]}, ["body", "x", 0], "valid number"),
    ({"x": [0.1, 0.2], "y": True}, ["body", "y"], "valid number"),
    ({"x": [0.1, 0.2], "y": "1"}, ["body", "y"], "valid number"),
    ({"example": True}, ["body", "example"], "valid integer"),
    ({"example": 1.0}, ["body", "example"], "valid integer"),
    ({"example": "3"}, ["body", "example"], "valid integer"),
])
def test_trace_is_strict_about_types_like_the_rest_of_the_api(client, body, loc, msg):
    run = new_run(client, dataset="circle", hidden=[2])
    r = client.post(f"/api/runs/{run}/trace", json=body)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == loc and msg in error["msg"]
    # ints are numbers, as everywhere
    assert client.post(f"/api/runs/{run}/trace", json={"x": [1, 2], "y": 1}).status_code == 200


def test_nan_input_to_trace_is_422(client):
    run = new_run(client, dataset="circle", hidden=[2])
    r = client.post(f"/api/runs/{run}/trace", content='{"x": [NaN, 1]}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_patch_params_sets_values_and_get_params_shows_them(client):
    run = new_run(client, dataset="circle", hidden=[3])
    r = client.patch(f"/api/runs/{run}/params", json={"W1[0,1]": 0.5, "b1[0]": -5})
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == ["W1[0,1]", "b1[0]"]
    params = client.get(f"/api/runs/{run}/params").json()
    assert params[0]["W"][0][1] == 0.5 and params[0]["b"][0] == -5
    assert r.json()["params"] == params
    # training continues from there
    client.post(f"/api/runs/{run}/step", json={"steps": 3})
    assert client.get(f"/api/runs/{run}").json()["metrics"]["step"] == 3


def test_patch_params_names_unknown_names_and_non_finite_values(client):
    run = new_run(client, dataset="circle", hidden=[3])
    before = client.get(f"/api/runs/{run}/params").json()
    r = client.patch(f"/api/runs/{run}/params", content=json.dumps(
        {"W1[0,0]": 1.0, "W7[0,0]": 2.0, "b1[9]": 0.0, "b2[0]": "x"}).replace(
        '"x"', "NaN"), headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail["names"] == ["W7[0,0]", "b1[9]", "b2[0]"]
    for name in detail["names"]:
        assert name in detail["message"]
    assert client.get(f"/api/runs/{run}/params").json() == before  # nothing changed
    assert client.patch(f"/api/runs/{run}/params", json={}).status_code == 422
    assert client.patch(f"/api/runs/{run}/params", json=[1, 2]).status_code == 422


def test_patch_params_accepts_only_canonical_names(client):
    run = new_run(client, dataset="circle", hidden=[3])
    before = client.get(f"/api/runs/{run}/params").json()
    r = client.patch(f"/api/runs/{run}/params",
                     json={"W1[0, 1]": 1, "W1[00,1]": 1, "W1[0,0]": 1, "W1[0,0] ": 2})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail["names"] == ["W1[0, 1]", "W1[00,1]", "W1[0,0] "]
    for name in detail["names"]:
        assert repr(name) in detail["message"]
    assert "'W1[0,1]' or 'b2[0]'" in detail["message"]
    assert client.get(f"/api/runs/{run}/params").json() == before  # nothing changed
    r = client.patch(f"/api/runs/{run}/params", json={"W1[0,1]": 1})
    assert r.status_code == 200 and r.json()["changed"] == ["W1[0,1]"]


def test_patch_params_is_bounded_by_settings(make_client):
    c = make_client(max_param_edits=2)
    run = new_run(c, dataset="circle", hidden=[3])
    r = c.patch(f"/api/runs/{run}/params", json={"W1[0,0]": 1, "W1[0,1]": 1, "b1[0]": 1})
    assert r.status_code == 422 and "at most 2" in r.text


def test_an_edit_shows_as_a_jump_in_the_landscape_path(client):
    run = new_run(client, dataset="threshold", hidden=[], loss="perceptron", batch_size=1,
                  learning_rate=0.1)
    client.post(f"/api/runs/{run}/step", json={"steps": 4})
    client.patch(f"/api/runs/{run}/params", json={"W1[0,0]": 2.0, "b1[0]": -2.0})
    client.post(f"/api/runs/{run}/step", json={"steps": 4})
    ls = client.get(f"/api/runs/{run}/landscape", params={"mode": "exact", "resolution": 5}).json()
    jumps = ls["path_jumps"]
    assert len(jumps) == 1
    path = ls["sections"]["path"]
    assert path[jumps[0]][1:3] == [2.0, -2.0] and path[jumps[0] - 1][0] == path[jumps[0]][0]


def test_websocket_params_message_sets_values_and_answers_like_rest(client):
    run = new_run(client, dataset="circle", hidden=[3])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        def text(pred):
            for _ in range(300):
                m = ws.receive()
                if m.get("text") is not None and pred(json.loads(m["text"])):
                    return json.loads(m["text"])
            raise AssertionError("no such message")

        ws.send_text(json.dumps({"type": "params", "values": {"W1[2,0]": 1.25, "b2[0]": 3}}))
        ack = text(lambda t: t["type"] in ("ack", "error"))
        assert ack == {"type": "ack", "for": "params", "changed": ["W1[2,0]", "b2[0]"], "step": 0}
        # the next frame carries the new weights
        for _ in range(50):
            m = ws.receive()
            if m.get("bytes") is not None:
                break
        from server.frames import decode_frame
        header, arrays = decode_frame(m["bytes"])
        w = arrays["weights"]
        assert w[2 * 3 + 0] == np.float32(1.25) and w[header["layers"][1]["offset"] + 3] == 3.0
        ws.send_text(json.dumps({"type": "params", "values": {"W1[3,0]": 1.0, "b1[0]": None}}))
        err = text(lambda t: t["type"] == "error")
        assert err["for"] == "params" and err["status"] == 422
        assert err["fields"] == ["W1[3,0]", "b1[0]"] and "W1[3,0]" in err["message"]
        ws.send_text(json.dumps({"type": "params", "values": {"W1[0, 1]": 1.0, "b1[0]": 2}}))
        err = text(lambda t: t["type"] == "error")
        assert err["for"] == "params" and err["status"] == 422 and err["fields"] == ["W1[0, 1]"]
        assert "'W1[0,1]' or 'b2[0]'" in err["message"] and "write it W1[0,1]" in err["message"]
        ws.send_text(json.dumps({"type": "params", "values": {}}))
        err = text(lambda t: t["type"] == "error")
        assert err["status"] == 422
    params = client.get(f"/api/runs/{run}/params").json()
    assert params[0]["W"][2][0] == 1.25 and params[1]["b"][0] == 3


def test_perceptron_with_hidden_layers_is_a_422_with_the_reason(client):
    r = client.post("/api/runs", json={"dataset": "xor", "hidden": [4], "loss": "perceptron"})
    assert r.status_code == 422
    assert "no gradient" in r.text and "hidden=[]" in r.text
    r = client.post("/api/runs", json={"dataset": "xor", "hidden": [], "loss": "perceptron"})
    assert r.status_code == 201
