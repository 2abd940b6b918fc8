"""REST and websocket of comparison groups: members are runs, clocks, bounds, frames."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from server.frames import decode_frame

from .conftest import FINITE, refused, socket_refused

BASE = {"dataset": "circle", "n_samples": 100, "hidden": [4, 2], "learning_rate": 0.05}


def create(client, variants, clock="epochs", **extra):
    r = client.post("/api/comparisons", json={"base": BASE, "variants": variants, "clock": clock,
                                              **extra})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_group_says_whether_its_members_start_alike(client):
    assert create(client, [{"batch_size": 1000}, {"optimizer": "adam"}])["same_start"] is True
    out = create(client, [{"init": "xavier"}, {"init": "he"}])
    assert out["same_start"] is False
    assert client.get(f"/api/comparisons/{out['id']}").json()["same_start"] is False


def test_create_returns_members_that_are_ordinary_runs(client):
    out = create(client, [{"batch_size": 1000}, {"batch_size": 1}, {"optimizer": "adam"}])
    assert set(out) >= {"id", "clock", "members"} and out["clock"] == "epochs"
    assert [m["config"]["batch_size"] for m in out["members"]] == [1000, 1, 10]
    params = [client.get(f"/api/runs/{m['id']}/params").json() for m in out["members"]]
    assert params[0] == params[1] == params[2]
    data = [client.get(f"/api/runs/{m['id']}/dataset").json() for m in out["members"]]
    assert data[0] == data[1] == data[2]
    run = client.get(f"/api/runs/{out['members'][2]['id']}").json()
    assert run["config"]["optimizer"] == "adam" and run["metrics"]["step"] == 0


def test_one_epoch_full_batch_makes_one_update_equal_to_a_gradient_step(client):
    out = create(client, [{"batch_size": 1000}, {"batch_size": 1}])
    full, sgd = (m["id"] for m in out["members"])
    theta0 = client.get(f"/api/runs/{full}/params").json()
    grad0 = client.get(f"/api/runs/{full}/gradients").json()
    r = client.post(f"/api/comparisons/{out['id']}/step", json={"epochs": 1})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["steps_run"] == [1, 50] and body["truncated"] is False
    assert client.get(f"/api/runs/{full}").json()["metrics"]["step"] == 1
    assert client.get(f"/api/runs/{sgd}").json()["metrics"]["step"] == 50
    theta1 = client.get(f"/api/runs/{full}/params").json()
    for l0, g, l1 in zip(theta0, grad0, theta1):
        expected = np.array(l0["W"]) - 0.05 * np.array(g["W"])
        assert np.allclose(l1["W"], expected, atol=1e-12)
        assert np.allclose(l1["b"], np.array(l0["b"]) - 0.05 * np.array(g["b"]), atol=1e-12)
    # the same step by an independent trainer
    t = Trainer(TrainConfig(**BASE, batch_size=1000))
    t.train(1)
    assert np.allclose(t.params()[0]["W"], theta1[0]["W"], atol=1e-12)


def test_updates_clock_steps_every_member_equally(client):
    out = create(client, [{"batch_size": 1000}, {"batch_size": 1}], clock="updates")
    body = client.post(f"/api/comparisons/{out['id']}/step", json={"updates": 7}).json()
    assert body["steps_run"] == [7, 7]
    assert [m["clock"]["updates"] for m in body["members"]] == [7, 7]
    assert [m["clock"]["examples"] for m in body["members"]] == [350, 7]


def test_get_and_delete(client):
    out = create(client, [{}, {"learning_rate": 0.2}])
    got = client.get(f"/api/comparisons/{out['id']}").json()
    assert got["id"] == out["id"] and got["playing"] is False
    assert [m["id"] for m in got["members"]] == [m["id"] for m in out["members"]]
    assert client.delete(f"/api/comparisons/{out['id']}").status_code == 204
    assert client.get(f"/api/comparisons/{out['id']}").status_code == 404
    assert client.get(f"/api/runs/{out['members'][0]['id']}").status_code == 404


def test_bad_requests_get_422_naming_the_bound(client):
    def detail(r):
        assert r.status_code == 422, r.text
        return json.dumps(r.json()["detail"])
    assert "2 to 6 members" in detail(client.post("/api/comparisons", json={"variants": [{}]}))
    assert "2 to 6 members" in detail(client.post("/api/comparisons",
                                                  json={"variants": [{}] * 7}))
    assert "data fields come from the base" in detail(client.post(
        "/api/comparisons", json={"variants": [{}, {"seed": 5}]}))
    assert "greater than 0" in detail(client.post(
        "/api/comparisons", json={"variants": [{}, {"learning_rate": -1}]}))
    assert "epochs" in detail(client.post("/api/comparisons",
                                          json={"variants": [{}, {}], "clock": "days"}))
    assert "one label per variant" in detail(client.post(
        "/api/comparisons", json={"variants": [{}, {}], "labels": ["a"]}))
    out = create(client, [{}, {}])
    step = f"/api/comparisons/{out['id']}/step"
    assert "exactly one" in detail(client.post(step, json={"epochs": 1, "updates": 1}))
    assert "1..1000" in detail(client.post(step, json={"epochs": 5000}))
    assert "1..100000" in detail(client.post(step, json={"updates": 10**6}))
    assert client.post("/api/comparisons/nope/step", json={"epochs": 1}).status_code == 404


def test_group_and_run_bounds_answer_429(make_client):
    c = make_client(max_comparisons=1, max_runs=5)
    create(c, [{}, {}])
    r = c.post("/api/comparisons", json={"variants": [{}, {}]})
    assert r.status_code == 429 and "too many comparison groups" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    c2 = make_client(max_runs=3)
    r = c2.post("/api/comparisons", json={"variants": [{}, {}, {}, {}]})
    assert r.status_code == 429 and "only 3 of 3 are free" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) >= 1
    assert c2.post("/api/runs", json={}).status_code == 201    # nothing was half-created


def test_presets_are_published_and_each_creates_a_group(client):
    presets = client.get("/api/comparisons/presets").json()
    assert len(presets) >= 8
    for p in presets:
        r = client.post("/api/comparisons", json={"base": p["base"], "variants": p["variants"],
                                                  "clock": p["clock"], "labels": p["labels"]})
        assert r.status_code == 201, (p["name"], r.text)
        assert [m["label"] for m in r.json()["members"]] == p["labels"]
        client.delete(f"/api/comparisons/{r.json()['id']}")


def _frames(ws, n):
    """The next n binary frames (decoded) and the text messages in between."""
    frames, texts = [], []
    while len(frames) < n:
        m = ws.receive()
        if m.get("bytes") is not None:
            frames.append(decode_frame(m["bytes"]))
        elif m.get("text") is not None:
            texts.append(json.loads(m["text"]))
    return frames, texts


def test_websocket_streams_all_members_in_one_frame(client):
    out = create(client, [{"batch_size": 1000}, {"batch_size": 1}, {"batch_size": 10}])
    with client.websocket_connect(f"/ws/comparisons/{out['id']}") as ws:
        hello = json.loads(ws.receive_text())
        assert hello["type"] == "hello" and hello["members"] == [m["id"] for m in out["members"]]
        (first,), _ = _frames(ws, 1)
        header, sections = first
        assert header["full"] is True and len(header["members"]) == 3
        assert {f"m{i}_history" for i in range(3)} <= set(sections)
        assert sections["m0_output"].shape == (40, 40, 1)
        assert header["history_columns"][:3] == ["updates", "epochs", "examples"]
        ws.send_text(json.dumps({"type": "play"}))
        frames, texts = _frames(ws, 6)
        assert {"type": "ack", "for": "play", "playing": True} in texts
        header, sections = frames[-1]
        assert header["full"] is False and "m0_history" not in sections
        epochs = [m["clock"]["epochs"] for m in header["members"]]
        assert min(epochs) > 0
        # fair: every member within one batch of the others on the epoch clock
        assert max(epochs) - min(epochs) <= 1.0 + 1e-9
        ws.send_text(json.dumps({"type": "set", "member": 1, "config": {"learning_rate": 0.5}}))
        ws.send_text(json.dumps({"type": "set", "member": 1, "config": {"hidden": [3]}}))
        ws.send_text(json.dumps({"type": "set", "member": 9, "config": {"learning_rate": 0.5}}))
        ws.send_text(json.dumps({"type": "step", "epochs": 10**6}))
        ws.send_text(json.dumps({"type": "jump"}))
        frames, texts = [], []
        while len([t for t in texts if t["type"] in ("ack", "error")]) < 5:
            f, t = _frames(ws, 1)
            frames += f
            texts += t
        errors = [t for t in texts if t["type"] == "error"]
        assert [e["status"] for e in errors] == [422, 422, 422, 400]
        assert "hidden cannot change in a group" in errors[0]["message"]
        assert "member must be one of [0, 1, 2]" in errors[1]["message"]
        assert "epochs must be 1..1000" in errors[2]["message"]
        f, _ = _frames(ws, 2)
        marks = f[-1][0]["members"][1]["marks"]
        assert [(m["field"], m["value"]) for m in marks] == [("learning_rate", 0.5)]
        ws.send_text(json.dumps({"type": "clock", "clock": "updates"}))
        ws.send_text(json.dumps({"type": "pause"}))
        texts = []
        while not any(t.get("for") == "pause" for t in texts):
            m = ws.receive()
            if m.get("text") is not None:
                texts.append(json.loads(m["text"]))
        assert any(t.get("for") == "clock" and t["clock"] == "updates" for t in texts)
        f, _ = _frames(ws, 1)     # the frame after an ack reflects it
        assert f[-1][0]["clock"] == "updates" and f[-1][0]["playing"] is False
    # the viewer left: the group paused
    assert client.get(f"/api/comparisons/{out['id']}").json()["playing"] is False


def test_websocket_unknown_group_and_deleted_group(client):
    import pytest
    from starlette.websockets import WebSocketDisconnect
    with client.websocket_connect("/ws/comparisons/nope") as ws:
        with pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_text()
        assert exc.value.code == 4404
    out = create(client, [{}, {}])
    with client.websocket_connect(f"/ws/comparisons/{out['id']}") as ws:
        ws.receive_text()
        _frames(ws, 1)
        client.delete(f"/api/comparisons/{out['id']}")
        msg = json.loads(ws.receive_text())
        assert msg["type"] == "closed"


def test_shared_landscape_of_a_group(client):
    out = create(client, [{"learning_rate": 0.05}, {"optimizer": "adam"}], clock="updates")
    client.post(f"/api/comparisons/{out['id']}/step", json={"updates": 30})
    r = client.get(f"/api/comparisons/{out['id']}/landscape?resolution=7")
    assert r.status_code == 200, r.text
    ls = r.json()
    assert np.array(ls["loss"]).shape == (7, 7) and ls["members"] == [0, 1]
    assert [p["steps"][-1] for p in ls["paths"]] == [30, 30]
    assert "explained variance" in ls["note"]
    r = client.get(f"/api/comparisons/{out['id']}/landscape?resolution=1000")
    assert r.status_code == 422 and "3..101" in r.text
    other = create(client, [{"activation": "tanh"}, {"activation": "relu"}], clock="updates")
    client.post(f"/api/comparisons/{other['id']}/step", json={"updates": 3})
    r = client.get(f"/api/comparisons/{other['id']}/landscape")
    assert r.status_code == 422 and "differ in activation" in r.text


def test_a_shared_surface_past_the_time_limit_stops_frees_its_thread_and_says_what_fits(
        make_client):
    client = make_client(landscape_timeout_seconds=0.3)
    r = client.post("/api/comparisons", json={
        "base": {"hidden": [64, 64], "n_samples": 2000}, "clock": "updates",
        "variants": [{"learning_rate": 0.05}, {"optimizer": "adam"}]})
    assert r.status_code == 201, r.text
    group = r.json()["id"]
    client.post(f"/api/comparisons/{group}/step", json={"updates": 20})
    worker = client.app.state.landscapes
    r = client.get(f"/api/comparisons/{group}/landscape?resolution=101")
    assert r.status_code == 503, r.text
    assert r.json()["detail"].startswith("shared surface: ")
    assert "101x101" in r.json()["detail"] and int(r.headers["retry-after"]) >= 1
    assert worker.stopped == 1 and worker.running == 0    # stopped between rows, thread free
    r = client.get(f"/api/comparisons/{group}/landscape?resolution=101")
    assert r.status_code == 503 and "busy" not in r.json()["detail"]   # it got a thread again
    assert worker.stopped == 2 and worker.running == 0


def test_shared_landscape_on_two_chosen_parameters(client):
    out = create(client, [{"learning_rate": 0.05}, {"optimizer": "adam"}], clock="updates")
    client.post(f"/api/comparisons/{out['id']}/step", json={"updates": 20})
    base = f"/api/comparisons/{out['id']}/landscape?resolution=5"
    pca = client.get(base).json()
    assert pca["mode"] == "pca" and pca["labels"] == ["PC 1", "PC 2"]
    assert pca["parameters"][:3] == ["W1[0,0]", "W1[0,1]", "b1[0]"]     # what params accepts
    r = client.get(f"{base}&mode=params&params=W1[0,1]&params=b2[1]")
    assert r.status_code == 200, r.text
    ls = r.json()
    assert ls["mode"] == "params" and ls["labels"] == ["ΔW1[0,1]", "Δb2[1]"]
    assert ls["explained_variance"] is None and "every other parameter at its starting value" in ls["note"]
    for p in ls["paths"]:
        assert p["alpha"][0] == 0 and p["beta"][0] == 0          # the common start
        assert p["alpha"][-1] != 0 and p["distance"][-1] > 0
        assert ls["max_distance"] >= p["distance"][-1]
    for query, words in [("&mode=params", "exactly two params"),
                         ("&mode=params&params=b2[1]", "exactly two params"),
                         ("&mode=params&params=W1[0,1]&params=W7[0,0]", "W7"),
                         ("&mode=params&params=b1[0]&params=b1[0]", "two different parameters"),
                         ("&mode=grid", "pca")]:
        r = client.get(base + query)
        assert r.status_code == 422 and words in r.text, (query, r.text)


def _uploaded_ring(client, n=120):
    rng = np.random.default_rng(3)
    rows = [(round(a, 4), round(b, 4), int(a * a + b * b < 6)) for a, b in rng.uniform(-4, 4, (n, 2))]
    csv = "x1,x2,label\n" + "\n".join(f"{a},{b},{c}" for a, b, c in rows) + "\n"
    r = client.post("/api/datasets", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 201, r.text
    return r.json()["id"], rows


def test_a_group_trains_every_member_on_the_same_custom_dataset(client):
    dataset_id, rows = _uploaded_ring(client)
    base = {"dataset": "custom", "custom_dataset": dataset_id, "hidden": [4], "train_fraction": 0.5}
    r = client.post("/api/comparisons", json={"base": base, "clock": "epochs", "variants": [
        {"learning_rate": 0.03}, {"learning_rate": 0.3, "optimizer": "adam"}]})
    assert r.status_code == 201, r.text
    out = r.json()
    data = [client.get(f"/api/runs/{m['id']}/dataset").json() for m in out["members"]]
    assert data[0] == data[1]
    points = sorted(map(tuple, data[0]["x_train"] + data[0]["x_test"]))
    assert points == sorted((a, b) for a, b, _ in rows)     # the uploaded points, all of them
    body = client.post(f"/api/comparisons/{out['id']}/step", json={"epochs": 2}).json()
    assert body["steps_run"] == [12, 12]                     # 60 training points, batch 10
    assert all(m["config"]["custom_dataset"] == dataset_id for m in body["members"])
    with client.websocket_connect(f"/ws/comparisons/{out['id']}") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        header, _ = decode_frame(ws.receive_bytes())
        assert [m["task"] for m in header["members"]] == ["binary", "binary"]


def test_a_group_with_an_unknown_custom_dataset_or_a_variant_changing_it_is_422(client):
    base = {"dataset": "custom", "custom_dataset": "nope", "hidden": [4]}
    r = client.post("/api/comparisons", json={"base": base, "variants": [{}, {"learning_rate": 1}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "custom_dataset"
    assert "no custom dataset with id 'nope'" in r.json()["detail"][0]["msg"]
    dataset_id, _ = _uploaded_ring(client)
    r = client.post("/api/comparisons", json={
        "base": {**base, "custom_dataset": dataset_id},
        "variants": [{}, {"custom_dataset": "other"}]})
    assert r.status_code == 422 and "data fields come from the base" in r.text


def _uploaded_line(client, n=60):
    """A custom regression set (y = 2x + 1): no classification loss fits it."""
    csv = "x1,target\n" + "\n".join(f"{x / 10},{2 * x / 10 + 1}" for x in range(n)) + "\n"
    r = client.post("/api/datasets", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("dataset, variants, where, words", [
    ({"dataset": "plane", "loss": "mse"}, [{}, {"loss": "bce"}], ["variants", 1, "loss"],
     "loss 'bce' needs a binary dataset"),
    ({"dataset": "circle"}, [{"loss": "mse"}, {"learning_rate": 0.1}, {"loss": "perceptron"}],
     ["variants", 2, "loss"], "use hidden=[]"),
    ({"dataset": "circle"}, [{}, {"learning_rate": -1}], ["variants", 1, "learning_rate"],
     "greater than 0"),
    ({"dataset": "circle"}, [{}, {"seed": 4}], ["variants", 1, "seed"], "come from the base"),
    ("line", [{"learning_rate": 0.1}, {"loss": "cce"}], ["variants", 1, "loss"],
     "loss 'cce' needs a binary or multiclass dataset"),
    ("line", [{"loss": "mse"}, {"loss": "mse", "learning_rate": 0.1}, {"loss": "bce"}],
     ["variants", 2, "loss"], "loss 'bce' needs a binary dataset"),
])
def test_a_variant_whose_settings_are_invalid_gets_a_422_located_at_that_variant(
        client, dataset, variants, where, words):
    base = dataset if isinstance(dataset, dict) else {
        "dataset": "custom", "custom_dataset": _uploaded_line(client), "loss": "mse"}
    r = client.post("/api/comparisons", json={"base": base, "variants": variants})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert [e["loc"] for e in detail] == [["body", *where]], detail
    assert words in detail[0]["msg"], detail


def test_a_base_whose_loss_does_not_fit_its_custom_dataset_is_422_at_the_base(client):
    base = {"dataset": "custom", "custom_dataset": _uploaded_line(client), "loss": "bce"}
    r = client.post("/api/comparisons", json={"base": base,
                                              "variants": [{"learning_rate": 0.1}, {}]})
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "base", "loss"]]
    assert "needs a binary dataset" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("message,field", [
    ({"type": "step", "epochs": "1"}, "epochs"), ({"type": "step", "updates": True}, "updates"),
    ({"type": "subscribe", "fps": "30"}, "fps"),
    ({"type": "set", "member": "0", "config": {}}, "member"),
    ({"type": "set", "member": 0, "config": {"learning_rate": "0.1"}}, "config.learning_rate"),
    ({"type": "set", "member": 0, "config": {"hidden": [True]}}, "config.hidden.0"),
])
def test_group_socket_messages_are_strictly_typed(client, message, field):
    out = create(client, [{"batch_size": 10}, {"batch_size": 1}])
    with client.websocket_connect(f"/ws/comparisons/{out['id']}") as ws:
        socket_refused(ws, json.dumps(message), field)


# ---------------------------------------------------------------------- strict bodies
@pytest.mark.parametrize("body,loc", [
    ({"variants": [{}, {"learning_rate": "0.1"}]}, ["variants", 1, "learning_rate"]),
    ({"variants": [{}, {"learning_rate": True}]}, ["variants", 1, "learning_rate"]),
    ({"variants": [{"hidden": [True]}, {}]}, ["variants", 0, "hidden", 0]),
    ({"variants": [{"batch_size": 10.0}, {}]}, ["variants", 0, "batch_size"]),
    ({"base": {"hidden": [True]}, "variants": [{}, {}]}, ["base", "hidden", 0]),
    ({"base": {"learning_rate": "0.1"}, "variants": [{}, {}]}, ["base", "learning_rate"]),
    ({"base": {"standardize": "yes"}, "variants": [{}, {}]}, ["base", "standardize"]),
    ({"variants": [{}, {}], "labels": ["a", 1]}, ["labels", 1]),
    ({"variants": {"0": {}, "1": {}}}, ["variants"]),
])
def test_a_group_body_of_the_wrong_type_is_422_naming_the_field(client, body, loc):
    refused(client.post("/api/comparisons", json=body), loc)


@pytest.mark.parametrize("body,loc", [
    ({"epochs": "1"}, ["epochs"]), ({"epochs": True}, ["epochs"]), ({"epochs": 1.0}, ["epochs"]),
    ({"updates": "7"}, ["updates"]), ({"updates": False}, ["updates"]),
])
def test_a_group_step_of_the_wrong_type_is_422_and_trains_nothing(client, body, loc):
    out = create(client, [{}, {"learning_rate": 0.2}])
    refused(client.post(f"/api/comparisons/{out['id']}/step", json=body), loc)
    steps = [m["clock"]["updates"] for m in client.get(f"/api/comparisons/{out['id']}").json()["members"]]
    assert steps == [0, 0]


@pytest.mark.parametrize("text,loc", [
    ('{"variants": [{}, {"learning_rate": NaN}]}', ["variants", 1, "learning_rate"]),
    ('{"base": {"noise": Infinity}, "variants": [{}, {}]}', ["base", "noise"]),
])
def test_a_non_finite_number_in_a_group_body_is_422_saying_so(client, text, loc):
    r = client.post("/api/comparisons", content=text, headers={"content-type": "application/json"})
    error = refused(r, loc, FINITE)
    assert error["input"] is None


def test_a_refused_group_body_echoes_only_a_short_prefix(client):
    r = client.post("/api/comparisons", json={"variants": [{}, {}], "clock": "x" * 50_000})
    error = refused(r, ["clock"], "Input should be")
    assert len(error["input"]) < 200 and error["input"].endswith("(50002 characters)")


def test_every_valid_group_body_stays_valid(client):
    # integers where floats are expected, labels, both clocks, a step of either kind
    out = create(client, [{"learning_rate": 1}, {"learning_rate": 0.5, "hidden": [3]}],
                 clock="updates", labels=["one", "half"])
    r = client.post(f"/api/comparisons/{out['id']}/step", json={"updates": 2})
    assert r.status_code == 200 and r.json()["steps_run"] == [2, 2]
    r = client.post(f"/api/comparisons/{out['id']}/step", json={"epochs": 1, "updates": None})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("text,field", [
    ('{"type": "set", "member": 0, "config": {"learning_rate": Infinity}}', "config.learning_rate"),
])
def test_group_socket_refuses_non_finite_numbers(client, text, field):
    out = create(client, [{"batch_size": 10}, {"batch_size": 1}])
    with client.websocket_connect(f"/ws/comparisons/{out['id']}") as ws:
        socket_refused(ws, text, field, FINITE)
