"""Websocket behaviour: play/pause/set/step, frames, errors, origins, slow viewers, divergence."""

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from engine import TrainConfig
from server.app import create_app
from server.frames import FrameEncoder, decode_frame
from server.stream import RunStream
from server.viewer import Viewer
from server.runs import RunRegistry
from server.settings import LOOPBACK_HOSTS, Settings
from server.snapshot import Sections

REPO = Path(__file__).resolve().parents[2]
DIVERGING = {"dataset": "plane", "loss": "mse", "hidden": [4], "activation": "linear",
             "learning_rate": 100.0}



def new_run(client, **config) -> str:
    return client.post("/api/runs", json=config).json()["id"]


class Socket:
    """A TestClient websocket that sorts what arrives into texts (JSON) and frames."""

    def __init__(self, ws):
        self.ws = ws
        self.texts: list[dict] = []

    def send(self, **message):
        self.ws.send_text(json.dumps(message))

    def next(self, limit: int = 400):
        """The next message: ("text", dict) or ("frame", (header, arrays))."""
        message = self.ws.receive()
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        if message.get("text") is not None:
            text = json.loads(message["text"])
            self.texts.append(text)
            return "text", text
        return "frame", decode_frame(message["bytes"])

    def frame(self, where=lambda header, arrays: True, limit: int = 300):
        for _ in range(limit):
            kind, value = self.next()
            if kind == "frame" and where(*value):
                return value
        raise AssertionError("no matching frame")

    def text(self, where=lambda t: True, limit: int = 300):
        for _ in range(limit):
            kind, value = self.next()
            if kind == "text" and where(value):
                return value
        raise AssertionError("no matching text message")


def test_first_frame_carries_state_dataset_and_history(client):
    run = new_run(client, hidden=[3])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        assert sock.text()["type"] == "hello"
        header, arrays = sock.frame()
        assert header["run"] == run and header["status"] == "paused" and header["version"] == 1
        assert header["metrics"]["step"] == 0
        assert arrays["weights"].shape == (header["n_params"],)
        assert arrays["output_grid"].shape == (100, 100, 1)
        assert arrays["hidden_grids"].shape == (3, 25, 25)
        assert arrays["dataset_x_train"].shape == (250, 2)
        assert header["history_columns"][0] == "step"
        assert 0.0 <= arrays["output_grid"].min() and arrays["output_grid"].max() <= 1.0


def test_play_streams_frames_and_pause_stops_training(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="play")
        assert sock.text(lambda t: t["type"] == "ack")["for"] == "play"
        header, _ = sock.frame(lambda h, a: h["metrics"]["step"] > 100)
        assert header["status"] == "playing" and header["playing"] is True
        assert "dataset_x_train" not in _        # only in the first frame of a generation
        sock.send(type="pause")
        sock.text(lambda t: t.get("for") == "pause")
        paused, _ = sock.frame(lambda h, a: h["status"] == "paused")
        time.sleep(0.2)
        assert client.get(f"/api/runs/{run}").json()["metrics"]["step"] == paused["metrics"]["step"]


def test_a_run_pauses_when_its_last_viewer_leaves_and_keeps_its_weights(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as first, \
            client.websocket_connect(f"/ws/runs/{run}") as second:
        a, b = Socket(first), Socket(second)
        a.send(type="play")
        a.frame(lambda h, arrays: h["metrics"]["step"] > 50)
        first.close()
        b.frame(lambda h, arrays: h["metrics"]["step"] > 200)  # one viewer left: still playing
        assert client.get(f"/api/runs/{run}").json()["status"] == "playing"
    deadline = time.monotonic() + 5
    while client.get(f"/api/runs/{run}").json()["status"] != "paused":
        assert time.monotonic() < deadline, "the run kept playing with nobody watching"
        time.sleep(0.05)
    step = client.get(f"/api/runs/{run}").json()["metrics"]["step"]
    time.sleep(0.2)
    assert step > 200 and client.get(f"/api/runs/{run}").json()["metrics"]["step"] == step


def test_changing_lr_during_play_takes_effect_within_one_frame_and_keeps_weights(client):
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        _, initial = sock.frame()
        sock.send(type="play")
        before, before_arrays = sock.frame(lambda h, a: h["metrics"]["step"] > 200)
        sock.send(type="set", config={"learning_rate": 0.3})
        ack = sock.text(lambda t: t["type"] in ("ack", "error") and t.get("for") == "set")
        assert ack["type"] == "ack" and ack["changed"] == ["learning_rate"]
        # the first frame after the ack reflects the change
        after, after_arrays = sock.frame()
        assert after["metrics"]["learning_rate"] == 0.3 and after["config"]["learning_rate"] == 0.3
        assert after["config_version"] == ack["config_version"]
        # ... and training went on from where it was: same generation, more steps, nearby weights
        assert after["generation"] == before["generation"]
        assert after["metrics"]["step"] >= before["metrics"]["step"]
        assert after["playing"] is True
        assert not np.array_equal(after_arrays["weights"], initial["weights"])


def test_live_set_while_paused_keeps_weights_exactly(client):
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="step", n=50)
        sock.text(lambda t: t.get("for") == "step")
        before, w_before = sock.frame(lambda h, a: h["metrics"]["step"] == 50)
        sock.send(type="set", config={"learning_rate": 0.2, "optimizer": "momentum"})
        sock.text(lambda t: t.get("for") == "set")
        after, w_after = sock.frame(lambda h, a: h["config"]["optimizer"] == "momentum")
        np.testing.assert_array_equal(w_after["weights"], w_before["weights"])
        assert after["metrics"]["step"] == 50


def test_set_needing_reset_is_an_error_409_and_reset_applies_it(client):
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="set", config={"hidden": [2, 2]})
        err = sock.text(lambda t: t["type"] == "error")
        assert err["status"] == 409 and err["fields"] == ["hidden"] and "reset" in err["message"]
        sock.send(type="set", config={"hidden": [2, 2]}, reset=True)
        assert sock.text(lambda t: t["type"] == "ack")["reset"] is True
        header, arrays = sock.frame(lambda h, a: h["layer_sizes"] == [2, 2, 2, 1])
        assert header["generation"] == 1 and "dataset_x_train" in arrays


def test_unknown_or_bad_messages_get_an_error_and_the_socket_stays_usable(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="dance")
        err = sock.text(lambda t: t["type"] == "error")
        assert err["status"] == 400 and "dance" in err["message"] and "play" in err["message"]
        ws.send_text("not json")
        assert sock.text(lambda t: t["type"] == "error")["status"] == 400
        sock.send(type="set", config={"learning_rate": 1000})
        err = sock.text(lambda t: t["type"] == "error")
        assert err["status"] == 422 and "learning_rate" in err["message"] and "100" in err["message"]
        sock.send(type="step", n=10**9)
        assert sock.text(lambda t: t["type"] == "error")["status"] == 422
        sock.send(type="subscribe", fps=1000)
        assert "fps" in sock.text(lambda t: t["type"] == "error")["message"]
        ws.send_text("x" * (70 * 1024))
        assert sock.text(lambda t: t["type"] == "error")["status"] == 413
        sock.send(type="step", n=5)               # still usable
        assert sock.text(lambda t: t["type"] == "ack")["steps_run"] == 5


def test_a_viewers_controls_apply_for_every_viewer(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws1, \
            client.websocket_connect(f"/ws/runs/{run}") as ws2:
        one, two = Socket(ws1), Socket(ws2)
        one.send(type="set", config={"learning_rate": 0.7})
        one.text(lambda t: t.get("for") == "set")
        header, _ = two.frame(lambda h, a: h["config"]["learning_rate"] == 0.7)
        two.send(type="play")
        one.frame(lambda h, a: h["status"] == "playing")


def test_subscribe_selects_sections_and_neuron(client):
    run = new_run(client, hidden=[3, 2])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="subscribe", views=["activation"], neuron=[2, 1], fps=60)
        sock.text(lambda t: t.get("for") == "subscribe")
        sock.send(type="step", n=1)
        header, arrays = sock.frame(lambda h, a: h.get("neuron") == [2, 1])
        assert "weights" not in arrays and "output_grid" not in arrays
        assert arrays["preactivations"].shape == arrays["activations"].shape == (250,)
        np.testing.assert_allclose(arrays["activations"], np.tanh(arrays["preactivations"]),
                                   rtol=1e-5, atol=1e-6)


def test_landscape_subscription_delivers_a_landscape_when_it_changes(make_client):
    # live recomputation at most hourly: after the first surface, a step brings no new one
    client = make_client(live_landscape_interval_seconds=3600.0)
    run = new_run(client, hidden=[4])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="step", n=30)
        sock.send(type="subscribe", views=["landscape"],
                  landscape={"mode": "random", "resolution": 9})
        header, arrays = sock.frame(lambda h, a: "landscape" in h)
        assert arrays["landscape_loss"].shape == (9, 9)
        assert arrays["path"].shape[1] == 5 and header["landscape"]["mode"] == "random"
        sock.send(type="step", n=1)    # nothing new: the next frame does not repeat the surface
        nxt, nxt_arrays = sock.frame(lambda h, a: h["metrics"]["step"] == 31)
        assert "landscape" not in nxt and "landscape_loss" not in nxt_arrays
        assert nxt["landscape_id"] == header["landscape"]["id"]     # still the one it has
        sock.send(type="subscribe", landscape={"mode": "exact"})
        err = sock.text(lambda t: t["type"] == "error")
        assert err["status"] == 422 and "exact" in err["message"]


def test_foreign_origin_is_refused_same_origin_and_allow_list_accepted(client):
    run = new_run(client)
    with pytest.raises(WebSocketDenialResponse) as refused:   # the handshake's HTTP answer
        with client.websocket_connect(f"/ws/runs/{run}", headers={"origin": "http://evil.example"}):
            pass
    assert refused.value.status_code == 403 and "other sites" in refused.value.text
    for origin in ("http://testserver", "http://allowed.example"):
        with client.websocket_connect(f"/ws/runs/{run}", headers={"origin": origin}) as ws:
            assert Socket(ws).text()["type"] == "hello"


def test_unknown_run_closes_with_a_reason(client):
    with client.websocket_connect("/ws/runs/nope") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            Socket(ws).next()
    assert closed.value.code == 4404 and "no run" in closed.value.reason


def test_diverged_status_shows_in_frames_and_reset_recovers(client):
    run = new_run(client, **DIVERGING)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.send(type="play")
        header, _ = sock.frame(lambda h, a: h["status"] == "diverged")
        assert "learning rate" in header["reason"] and header["playing"] is False
        assert header["metrics"]["train_loss"] is None        # NaN is sent as null
        sock.send(type="set", config={"learning_rate": 0.001})
        sock.send(type="reset")
        header, _ = sock.frame(lambda h, a: h["generation"] == 1)
        assert header["status"] == "paused" and header["reason"] == ""
        sock.send(type="step", n=20)
        header, _ = sock.frame(lambda h, a: h["metrics"]["step"] == 20)
        assert header["status"] == "paused" and header["metrics"]["train_loss"] is not None


# ---------------------------------------------------------------- slow viewers, at the run level
class FakeSocket:
    """Stands in for a WebSocket: records frames, or never finishes a send (a stuck client)."""

    def __init__(self, stuck: bool = False):
        self.stuck = stuck
        self.frames: list[bytes] = []

    async def send_bytes(self, data: bytes) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.frames.append(data)

    async def send_text(self, data: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()


def test_a_viewer_that_never_reads_does_not_stall_training_or_another_viewer():
    async def scenario():
        settings = Settings()
        run = RunRegistry(settings).create(TrainConfig(hidden=[8, 8]))
        stream = RunStream(run, settings, FrameEncoder())
        stuck, good = Viewer(FakeSocket(stuck=True), settings), Viewer(FakeSocket(), settings)
        senders = []
        for viewer in (stuck, good):
            stream.attach(viewer)
            senders.append(asyncio.create_task(viewer.send_loop(stream)))
        run.play()

        def last_step() -> int:
            frames = good.websocket.frames
            return decode_frame(frames[-1])[0]["metrics"]["step"] if frames else -1

        # wait for the state (the good viewer got 10 frames, the last past step 1000), however
        # slow the machine; the bound only ends a broken build's wait
        bound = time.monotonic() + 120
        while len(good.websocket.frames) < 10 or last_step() <= 1000:
            assert time.monotonic() < bound, (len(good.websocket.frames), last_step())
            await asyncio.sleep(0.02)
        run.pause()
        for task in senders:
            task.cancel()
        run.close()
        return run, good.websocket.frames, stuck.websocket.frames

    run, frames, stuck_frames = asyncio.run(scenario())
    assert stuck_frames == []
    assert len(frames) >= 10                         # frames go on while the other viewer is stuck
    steps = [decode_frame(f)[0]["metrics"]["step"] for f in frames]
    assert steps == sorted(steps) and steps[-1] > 1000
    assert run.trainer.step_count > 1000


def test_frames_decode_in_javascript_like_in_python():
    node = shutil.which("node")
    assert node is not None, "this test runs static/js/protocol.js in Node (on every machine here)"
    header = {"run": "r", "seq": 3, "metrics": {"loss": float("nan")}}
    sections = Sections({"weights": np.arange(5, dtype=float), "history": np.ones((2, 5)),
                         "grid": np.linspace(0, 1, 12).reshape(3, 4)}, {"grid": (0.0, 1.0)})
    frame = FrameEncoder().encode(header, sections)
    script = f"""
        import {{ decodeFrame }} from "{REPO / 'static/js/protocol.js'}";
        const bytes = Buffer.from(process.argv[1], "base64");
        const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const f = decodeFrame(buf);
        console.log(JSON.stringify({{seq: f.header.seq, loss: f.header.metrics.loss,
          weights: Array.from(f.sections.weights), history: Array.from(f.sections.history),
          grid: Array.from(f.sections.grid), shape: f.shapes.grid,
          q: Array.from(f.quantized.grid.bytes)}}));
    """
    import base64
    out = subprocess.run([node, "--input-type=module", "-e", script,
                          base64.b64encode(frame).decode()], capture_output=True, text=True,
                         timeout=30, check=True)
    got = json.loads(out.stdout)
    assert got["seq"] == 3 and got["loss"] is None and got["shape"] == [3, 4]
    assert got["weights"] == [0, 1, 2, 3, 4] and got["history"] == [1.0] * 10
    np.testing.assert_allclose(got["grid"], np.linspace(0, 1, 12), atol=1 / 255)
    assert got["q"][0] == 0 and got["q"][-1] == 255


@pytest.mark.timeout(20)  # without an answer, the client would wait forever
def test_absurdly_nested_json_gets_an_error_and_the_socket_stays_open(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        ws.send_text("[" * 5000)
        error = sock.text(lambda t: t["type"] == "error")
        assert error["status"] == 400 and "not JSON" in error["message"]
        sock.send(type="step", n=3)
        assert sock.text(lambda t: t["type"] == "ack")["steps_run"] == 3


def test_reconnecting_viewers_leave_nothing_behind(client):
    run_id = new_run(client)
    run = client.app.state.registry.get(run_id)
    callbacks = []
    for _ in range(5):
        with client.websocket_connect(f"/ws/runs/{run_id}") as ws:
            Socket(ws).frame()
        callbacks.append(len(run._on_close))
    assert len(set(callbacks)) == 1 and run.viewer_count == 0  # the run's stream only


def test_a_failed_landscape_reaches_the_frame_header(client):
    run = new_run(client, hidden=[4, 2])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.frame()
        sock.send(type="subscribe", views=["landscape"], landscape={"mode": "exact"})
        assert "landscape" in sock.text(lambda t: t["type"] == "error")["message"]
        header, _ = sock.frame(lambda h, a: h.get("landscape_error"))
        assert "exact" in header["landscape_error"]


def test_deleting_a_watched_run_says_closed_then_closes_4410(client):
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.frame()
        assert client.delete(f"/api/runs/{run}").status_code == 204
        assert sock.text(lambda t: t["type"] == "closed")["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            sock.next()
        assert closed.value.code == 4410


def test_a_rebound_host_name_cannot_open_a_websocket(client):
    run = new_run(client)
    evil = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}
    with pytest.raises(WebSocketDenialResponse) as refused:   # 400, as for any request
        with client.websocket_connect(f"/ws/runs/{run}", headers=evil):
            pass
    assert refused.value.status_code == 400 and "--allow-host" in refused.value.text


# ---------------------------------------------------------------- reading on during long controls
def serve_in_thread(app, **config):
    """A real uvicorn (websockets-sansio, as server/cli.py) on a free port, in a thread; yields
    its base ws:// URL and stops it afterwards."""
    import contextlib
    import socket
    import threading

    import uvicorn

    @contextlib.contextmanager
    def serving():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               ws="websockets-sansio", log_level="warning",
                                               ws_per_message_deflate=False, **config))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        try:
            yield port
        finally:
            server.should_exit = True
            thread.join(30)
    return serving()


def test_a_burst_of_long_steps_keeps_the_socket_read_and_keepalive_answered():
    """30 x step n=10000 on a max-size run: each step trains for up to step_time_budget_seconds,
    the burst for several keepalive timeouts. The server reads on meanwhile (so its keepalive
    pings' pongs arrive): the connection is not closed with 1011, every step is acked, in order."""
    import httpx
    from websockets.sync.client import connect

    features = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    # a reader that waited for the steps would miss every pong for the whole burst (30 x 0.25 s
    # = 7.5 s, ~4x the 2 s ping timeout); the timeout itself is far above what a loaded machine
    # delays a pong by (no event-loop callback took over 0.1 s in PYTHONASYNCIODEBUG runs with
    # both cores busy and an empty numba cache: the loop does not stall, 0.6 s was the margin)
    app = create_app(Settings(step_time_budget_seconds=0.25))
    with serve_in_thread(app, ws_ping_interval=0.5, ws_ping_timeout=2.0) as port:
        created = httpx.post(f"http://127.0.0.1:{port}/api/runs",
                             json={"hidden": [64] * 8, "features": features,
                                   "n_samples": 2000}).json()
        run, token = created["id"], created["control_token"]
        with connect(f"ws://127.0.0.1:{port}/ws/runs/{run}?token={token}", max_size=None,
                     ping_interval=None) as ws:
            ws.send(json.dumps({"type": "subscribe", "views": ["weights"], "fps": 5}))
            for _ in range(30):
                ws.send(json.dumps({"type": "step", "n": 10000}))
            acks = []
            while len(acks) < 30:
                message = ws.recv(timeout=60)
                if isinstance(message, str):
                    text = json.loads(message)
                    assert text["type"] != "error", text
                    if text.get("for") == "step":
                        acks.append(text)
            steps = [a["step"] for a in acks]
            assert steps == sorted(steps) and all(a["truncated"] for a in acks)
            ws.send(json.dumps({"type": "pause"}))
            while True:
                text = ws.recv(timeout=60)
                if isinstance(text, str) and json.loads(text).get("for") == "pause":
                    break


def test_messages_past_the_inbox_get_429_and_the_socket_stays_usable(make_client, monkeypatch):
    """The reader never waits for the worker: while a long step is applied, a message that finds
    max_queued_messages waiting is answered at once with 429 (dropped, not applied); the
    others are applied in order."""
    from server.runs import Run

    async def long_step(self, steps, budget_seconds):
        await asyncio.sleep(0.5)      # a step that takes a while (12 messages arrive meanwhile)
        return 0, True

    monkeypatch.setattr(Run, "advance", long_step)
    client = make_client(max_queued_messages=2)
    run = new_run(client, hidden=[3])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        sock = Socket(ws)
        sock.text(lambda t: t["type"] == "hello")
        for _ in range(12):
            sock.send(type="step", n=10000)
        busy = sock.text(lambda t: t.get("status") == 429)
        assert busy["for"] == "step" and "at most 2 are queued" in busy["message"]
        for _ in range(3):
            sock.text(lambda t: t.get("for") == "step" and t["type"] == "ack")
        sock.send(type="pause")
        sock.text(lambda t: t.get("for") == "pause" and t["type"] == "ack")
    acks = [t for t in sock.texts if t.get("for") == "step" and t["type"] == "ack"]
    refused = [t for t in sock.texts if t.get("status") == 429]
    assert len(acks) == 3 and len(refused) == 9   # one applied at once, two waited


def test_a_client_gone_before_the_closed_message_is_not_a_server_error(client, monkeypatch):
    """The run is deleted while its viewer's socket is already gone: the farewell ("closed", then
    4410) finds no one, and the endpoint ends quietly instead of raising out of the app (which
    uvicorn logs as "Exception in ASGI application" with a traceback)."""
    from starlette.websockets import WebSocket
    real_send_text = WebSocket.send_text
    farewells = []

    async def send_text_to_a_gone_client(self, data):
        if '"closed"' in data:
            farewells.append(data)
            raise WebSocketDisconnect(code=1006)
        return await real_send_text(self, data)

    monkeypatch.setattr(WebSocket, "send_text", send_text_to_a_gone_client)
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        Socket(ws).frame()
        assert client.delete(f"/api/runs/{run}").status_code == 204
        deadline = time.monotonic() + 10
        while not farewells and time.monotonic() < deadline:
            time.sleep(0.01)
    assert farewells, "the endpoint never tried to say closed"


@pytest.mark.parametrize("dataset", ["circle", "threshold"])
def test_hidden_means_carry_one_code_per_neuron_instead_of_the_pictures(client, dataset):
    """A viewer whose squares are too small for pictures subscribes to "hidden_means": its
    frames carry one u8 code per hidden neuron, which is the mean of that neuron's picture codes
    (up to rounding), and no pictures; a viewer of "hidden" still gets the pictures."""
    from server.frames import quantize
    run = new_run(client, hidden=[5, 3], dataset=dataset, activation="relu")
    with client.websocket_connect(f"/ws/runs/{run}") as pictures_ws, \
            client.websocket_connect(f"/ws/runs/{run}") as colours_ws:
        pictures, colours = Socket(pictures_ws), Socket(colours_ws)
        pictures.frame()
        colours.frame()
        colours.send(type="subscribe", views=["weights", "output", "hidden_means"])
        assert colours.text(lambda t: t["type"] == "ack")["views"] == ["hidden_means", "output", "weights"]
        client.post(f"/api/runs/{run}/step", json={"steps": 3})
        header, arrays = colours.frame(lambda h, a: "hidden_means" in a and h["metrics"]["step"] == 3)
        assert "hidden_grids" not in arrays and header["grid"]["hidden_resolution"] > 0
        table = {s["name"]: s for s in header["sections"]}
        means = table["hidden_means"]
        assert means["dtype"] == "u8" and means["shape"] == [8]
        p_header, p_arrays = pictures.frame(lambda h, a: "hidden_grids" in a and h["metrics"]["step"] == 3)
        grids = {s["name"]: s for s in p_header["sections"]}["hidden_grids"]
        picture = p_arrays["hidden_grids"].reshape(8, -1)
        if dataset == "threshold":   # 1-D: the pictures are curves in f32, the codes span their values
            assert "lo" not in grids and (means["lo"], means["hi"]) == pytest.approx(
                (picture.min(), picture.max()), rel=1e-6)
        else:                        # 2-D: the pictures' own colour range
            assert (means["lo"], means["hi"]) == (grids["lo"], grids["hi"])
        lo, hi = means["lo"], means["hi"]
        codes = quantize(arrays["hidden_means"], lo, hi).astype(int)
        # the mean of each picture's codes (what the page averaged before) within rounding
        picture_codes = quantize(picture, lo, hi).mean(axis=1)
        assert np.all(np.abs(codes - picture_codes) <= 1.0), (codes, picture_codes)
        assert len(set(codes.tolist())) > 1   # neurons differ: not one constant colour
