"""The engine publishes the rules: GET /api/schema passes engine.rules() through with the
server's live limits, limits come from the app's own Settings (REST and websocket), and every
frame's header says n_train, the effective learning rate and the path's columns."""

import json

import pytest

from engine import Trainer, TrainConfig, rules
from engine.config import DATASET_KIND, losses_for
from engine.datasets import DATASETS
from server.frames import decode_frame
from server.snapshot import PATH_COLUMNS

SMALL = dict(max_steps_per_call=10, max_landscape_resolution=11)


def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def first_text(ws, kind):
    for _ in range(200):
        message = ws.receive()
        if message.get("text") is not None:
            text = json.loads(message["text"])
            if text["type"] == kind:
                return text
    raise AssertionError(f"no {kind} message")


def first_frame(ws, where=lambda h: True):
    for _ in range(300):
        message = ws.receive()
        if message.get("bytes") is not None:
            header, arrays = decode_frame(message["bytes"])
            if where(header):
                return header, arrays
    raise AssertionError("no matching frame")


# ---------------------------------------------------------------- limits from the app's Settings
def test_rest_step_limit_is_the_apps_not_the_default(make_client):
    client = make_client(**SMALL)
    run = new_run(client)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 500})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "steps"]
    assert "1..10" in detail["msg"] and "max_steps_per_call" in detail["msg"]
    assert client.post(f"/api/runs/{run}/step", json={"steps": 10}).json()["steps_run"] == 10


def test_rest_landscape_resolution_limit_is_the_apps(make_client):
    client = make_client(**SMALL)
    run = new_run(client, hidden=[2])
    r = client.get(f"/api/runs/{run}/landscape", params={"resolution": 51})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", "resolution"] and "3..11" in detail["msg"]
    ok = client.get(f"/api/runs/{run}/landscape", params={"resolution": 11, "mode": "random"})
    assert ok.status_code == 200, ok.text


def test_default_app_still_accepts_what_the_small_one_refuses(client):
    run = new_run(client, hidden=[2])
    assert client.post(f"/api/runs/{run}/step", json={"steps": 500}).json()["steps_run"] == 500
    r = client.get(f"/api/runs/{run}/landscape", params={"resolution": 51, "mode": "random"})
    assert r.status_code == 200, r.text


def test_websocket_step_and_landscape_limits_are_the_apps(make_client):
    client = make_client(**SMALL)
    run = new_run(client, hidden=[2])
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        first_text(ws, "hello")
        ws.send_text(json.dumps({"type": "step", "n": 500}))
        err = first_text(ws, "error")
        assert err["status"] == 422 and err["fields"] == ["n"]
        assert "1..10" in err["message"] and "max_steps_per_call" in err["message"]
        ws.send_text(json.dumps({"type": "subscribe", "landscape": {"resolution": 51}}))
        err = first_text(ws, "error")
        assert err["status"] == 422 and err["fields"] == ["landscape.resolution"]
        assert "3..11" in err["message"]
        ws.send_text(json.dumps({"type": "step", "n": 10}))
        assert first_text(ws, "ack")["steps_run"] == 10


def test_websocket_fps_limit_is_the_apps(make_client):
    client = make_client(max_fps=5)
    run = new_run(client)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        first_text(ws, "hello")
        ws.send_text(json.dumps({"type": "subscribe", "fps": 6}))
        err = first_text(ws, "error")
        assert err["status"] == 422 and "1..5" in err["message"]


# ---------------------------------------------------------------- the published rules
def test_schema_is_the_engines_rules_plus_the_servers_limits(make_client):
    client = make_client(**SMALL)
    schema = client.get("/api/schema").json()
    engine_rules = rules()
    for key in ("fields", "losses", "activations", "optimizers"):
        assert schema[key] == engine_rules[key]
    assert schema["limits"]["max_steps_per_call"] == 10
    assert schema["limits"]["max_landscape_resolution"] == 11
    assert schema["landscape"]["resolution"] == {"minimum": 3, "maximum": 11}
    assert set(schema["landscape"]["modes"]) == {"auto", "exact", "params", "random", "pca"}


def test_schema_describes_every_dataset_as_the_engine_generates_it(client):
    datasets = client.get("/api/schema").json()["datasets"]
    assert set(datasets) == set(DATASETS)
    for name, info in datasets.items():
        t = Trainer(TrainConfig(dataset=name, loss=info["usual_loss"], hidden=[2], n_samples=40))
        assert info["kind"] == t.config.task and info["input_dim"] == t.config.input_dim
        assert info["domain"] == [list(d) for d in t.input_domain()]
        raw = t.raw_data()["x_train"]
        assert raw.shape[1] == info["input_dim"]
        # the losses listed are exactly those TrainConfig accepts for this dataset
        for loss in TrainConfig.model_fields["loss"].annotation.__args__:
            try:
                TrainConfig(dataset=name, loss=loss, hidden=[])
                accepted = True
            except ValueError:
                accepted = False
            assert accepted == (loss in info["losses"]), (name, loss)
        svg = client.get(info["thumbnail"])
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.count("<circle") == 200
    assert client.get("/api/datasets/nope/thumbnail.svg").status_code == 404


def test_schema_says_which_settings_apply_to_which_choice(client):
    schema = client.get("/api/schema").json()
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["momentum"]["applies_when"] == {"optimizer": ["momentum", "nesterov"]}
    assert fields["beta1"]["applies_when"] == {"optimizer": ["adam"]}
    assert "applies_when" not in fields["learning_rate"]
    assert schema["optimizers"]["adam"]["settings"] == ["beta1", "beta2", "epsilon"]
    assert schema["optimizers"]["sgd"]["settings"] == []


def test_schema_activation_ranges_hold_for_the_engines_functions(client):
    import numpy as np
    from engine.activations import ACTIVATIONS
    acts = client.get("/api/schema").json()["activations"]
    z = np.linspace(-40, 40, 2001)
    for name, info in acts.items():
        g = ACTIVATIONS[name].forward(z, np.empty_like(z))
        d = ACTIVATIONS[name].derivative(z, g, np.empty_like(z))
        lo, hi = info["range"]
        assert (lo is None or g.min() >= lo - 1e-12) and (hi is None or g.max() <= hi + 1e-12)
        far = ACTIVATIONS[name].forward(np.array([-1e6, 1e6]), np.empty(2))
        assert (lo is None) == (far[0] < -1e3) and (hi is None) == (far[1] > 1e3)
        assert d.max() == pytest.approx(info["peak_derivative"], abs=1e-3)
        assert info["saturates"] == (name in ("sigmoid", "tanh"))


def test_schema_describes_the_ring_dataset_added_in_python_only(client):
    ring = client.get("/api/schema").json()["datasets"]["ring"]
    assert ring["kind"] == "binary" and ring["input_dim"] == 2
    assert ring["losses"] == client.get("/api/schema").json()["datasets"]["circle"]["losses"]
    assert ring["usual_loss"] == "bce"
    assert client.post("/api/runs", json={"dataset": "ring"}).status_code == 201


def test_usual_loss_fits_its_kind():
    for name, kind_dim in DATASET_KIND.items():
        kind = kind_dim[0]
        assert rules()["datasets"][name]["usual_loss"] in losses_for(kind)


# ---------------------------------------------------------------- the frame header
def test_frame_header_carries_n_train_effective_lr_and_path_columns(client):
    run = new_run(client, n_samples=50, train_fraction=0.25, schedule="warmup",
                  warmup_steps=10, learning_rate=0.5)
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        first_text(ws, "hello")
        header, arrays = first_frame(ws)
        assert header["n_train"] == 12 == arrays["dataset_x_train"].shape[0]  # Python's round(12.5)
        assert header["effective_learning_rate"] == pytest.approx(0.05)      # warm-up step 1 of 10
        assert header["path_columns"] == list(PATH_COLUMNS)
        ws.send_text(json.dumps({"type": "step", "n": 4}))
        header, _ = first_frame(ws, lambda h: h["metrics"]["step"] == 4)
        assert header["effective_learning_rate"] == pytest.approx(0.25)
        assert header["config"]["learning_rate"] == 0.5
    snapshot = client.get(f"/api/runs/{run}/snapshot").json()
    assert snapshot["n_train"] == 12 and snapshot["path_columns"][0] == "step"


def test_docs_page_loads_swagger_ui_from_this_server_only(client):
    import re
    html = client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/vendor/swagger-ui-dist/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "cdn" not in html.lower()
    assert client.get("/openapi.json").json()["info"]["title"] == "nn-playground"


# ---------------------------------------------------------------- the 409 in a JSON API's terms
def test_409_says_send_reset_true_over_rest_and_websocket(client):
    run = new_run(client, hidden=[4])
    r = client.patch(f"/api/runs/{run}", json={"hidden": [2]})
    assert r.status_code == 409
    assert '"reset": true' in r.json()["detail"] and "reset=True" not in r.json()["detail"]
    with client.websocket_connect(f"/ws/runs/{run}") as ws:
        first_text(ws, "hello")
        ws.send_text(json.dumps({"type": "set", "config": {"hidden": [2]}}))
        err = first_text(ws, "error")
        assert err["status"] == 409 and '"reset": true' in err["message"]
        assert "reset=True" not in err["message"] and err["fields"] == ["hidden"]
