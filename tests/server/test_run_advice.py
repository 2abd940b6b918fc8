"""What the server passes on of the engine's advice and bookkeeping: per-step history with its
stride, the "unstable" warning, the divergence cause, clipping's effect, the standardize hint,
and the init_gain setting (REST, websocket frames, /api/schema)."""

import json

from server.frames import decode_frame


def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def frame_header(ws, where=lambda h: True, limit=400) -> dict:
    for _ in range(limit):
        message = ws.receive()
        if message.get("bytes") is not None:
            header, _ = decode_frame(message["bytes"])
            if where(header):
                return header
    raise AssertionError("no matching frame")


def test_rest_step_50_in_one_call_gives_50_history_rows_and_states_the_stride(client):
    run = new_run(client)
    client.post(f"/api/runs/{run}/step", json={"steps": 50})
    r = client.get(f"/api/runs/{run}/history")
    assert [row["step"] for row in r.json()] == list(range(1, 51))
    assert r.headers["X-History-Stride"] == "1"


def test_websocket_step_and_play_record_every_step(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        ws.send_text(json.dumps({"type": "step", "n": 30}))
        frame_header(ws, lambda h: h["metrics"]["step"] >= 30)
        ws.send_text(json.dumps({"type": "play"}))
        frame_header(ws, lambda h: h["metrics"]["step"] >= 300)
        ws.send_text(json.dumps({"type": "pause"}))
        frame_header(ws, lambda h: h["playing"] is False)
    r = client.get(f"/api/runs/{run}/history")
    steps, stride = [row["step"] for row in r.json()], int(r.headers["X-History-Stride"])
    # every step of the head (the first 256), then the multiples of the stated stride
    assert steps[:256] == list(range(1, 257)) and stride > 1
    assert steps[256:] == [s for s in range(stride, steps[-1] + 1, stride) if s > 256]


def test_a_long_history_is_thinned_with_the_stride_in_the_answer(client):
    run = new_run(client, hidden=[2], n_samples=40)
    client.post(f"/api/runs/{run}/step", json={"steps": 5000})
    r = client.get(f"/api/runs/{run}/history")
    stride = int(r.headers["X-History-Stride"])
    assert stride == 512                     # rows after the head cost ~2% of training
    assert [row["step"] for row in r.json()] == (list(range(1, 257))
                                                 + list(range(512, 5001, 512)))


def test_a_finite_blow_up_warns_in_rest_and_in_frames_and_training_goes_on(client):
    run = new_run(client, hidden=[8, 8], activation="relu", learning_rate=100.0)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 500}).json()
    assert r["status"] == "paused" and r["metrics"]["warning"] == "unstable"
    assert "its start" in r["metrics"]["warning_reason"]
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        header = frame_header(ws)
        assert header["metrics"]["warning"] == "unstable"
        assert "learning rate 100" in header["metrics"]["warning_reason"]
    assert client.post(f"/api/runs/{run}/step", json={"steps": 5}).json()["metrics"]["step"] == 505


def test_divergence_names_the_initialization_as_the_cause(client):
    run = new_run(client, hidden=[64] * 8, init="uniform", activation="relu", learning_rate=0.1)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 100}).json()
    assert r["status"] == "diverged" and r["metrics"]["cause"] == "initialization"
    assert "initialization scale" in r["metrics"]["reason"]
    remedy = client.get(f"/api/runs/{run}/snapshot").json()["remedy"]
    assert remedy == {"label": "use 'he' init and reset", "changes": {"init": "he", "init_gain": 1.0}}
    saved = client.post(f"/api/runs/{run}/save").json()["saved_id"]      # the cause is kept
    reopened = client.post(f"/api/saved/{saved}/open").json()["id"]
    assert client.get(f"/api/runs/{reopened}").json()["metrics"]["cause"] == "initialization"


def test_a_healthy_runs_frames_offer_no_remedy(client):
    run = new_run(client)
    client.post(f"/api/runs/{run}/step", json={"steps": 10})
    assert client.get(f"/api/runs/{run}/snapshot").json()["remedy"] is None


def test_frames_carry_clipping_effect_and_the_standardize_hint(client):
    run = new_run(client, clipping="norm", clip_threshold=0.01)
    client.post(f"/api/runs/{run}/step", json={"steps": 40})
    house = new_run(client, dataset="house", loss="mse")
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        clip = frame_header(ws)["diagnostics"]["clipping"]
    assert clip["mode"] == "norm" and clip["steps"] == 40 and clip["share"] == 1.0
    assert clip["post_clip_norm"] == 0.01 or abs(clip["post_clip_norm"] - 0.01) < 1e-12
    assert clip["pre_clip_norm"] > 0.01
    with client.websocket_connect(f"/ws/runs/{house}") as ws:
        hint = frame_header(ws)["diagnostics"]["standardize_hint"]
    assert "standardize" in hint
    snap = client.get(f"/api/runs/{run}/snapshot").json()
    assert snap["diagnostics"]["standardize_hint"] is None


def test_init_gain_is_published_and_bounded(client):
    field = next(f for f in client.get("/api/schema").json()["fields"]
                 if f["name"] == "init_gain")
    assert field["live"] is False and field["minimum"] == 0.01 and field["maximum"] == 10.0
    r = client.post("/api/runs", json={"init_gain": 50})
    assert r.status_code == 422 and "init_gain" in r.text and "10" in r.text
    run = new_run(client, init_gain=2.0)
    r = client.patch(f"/api/runs/{run}", json={"init_gain": 3.0})
    assert r.status_code == 409
    assert client.patch(f"/api/runs/{run}", json={"init_gain": 3.0, "reset": True}).status_code == 200


def test_reading_a_runs_metrics_never_marks_it_diverged(client):
    # step 5 of this run: finite parameters, a non-finite loss, and no history row (its rows are
    # 64 steps apart); the engine's train() decides divergence, at the next update
    run = new_run(client, hidden=[64] * 8, init="uniform", activation="relu", learning_rate=0.1)
    client.post(f"/api/runs/{run}/step", json={"steps": 5})
    for _ in range(2):
        got = client.get(f"/api/runs/{run}").json()
        assert got["status"] == "paused" and got["metrics"]["status"] == "ok"
        assert got["metrics"]["train_loss"] is None and got["metrics"]["reason"] == ""
        assert client.get(f"/api/runs/{run}/snapshot").json()["status"] == "paused"
    r = client.post(f"/api/runs/{run}/step", json={"steps": 50}).json()
    assert r["status"] == "diverged" and r["steps_run"] == 1
    assert " at step 6; " in r["metrics"]["reason"]
    rows = client.get(f"/api/runs/{run}/history").json()
    assert rows[-1]["step"] == 6 and rows[-1]["status"] == "diverged"
