"""GET /api/runs/{id}/export?format=json|csv|npz: each format round-trips the run's
configuration, weights (equal to /params) and history."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

CONFIG = {"dataset": "xor", "hidden": [5, 3], "learning_rate": 0.05, "optimizer": "momentum"}


@pytest.fixture
def trained(client):
    rid = client.post("/api/runs", json=CONFIG).json()["id"]
    for _ in range(3):
        client.post(f"/api/runs/{rid}/step", json={"steps": 40})
    return rid


def _params(client, rid):
    return client.get(f"/api/runs/{rid}/params").json()


def test_json_export_holds_config_weights_history(client, trained):
    r = client.get(f"/api/runs/{trained}/export", params={"format": "json"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    body = json.loads(r.content)
    assert body["config"] == client.get(f"/api/runs/{trained}").json()["config"]
    assert body["params"] == _params(client, trained)
    assert body["layer_sizes"] == [2, 5, 3, 1]
    assert body["history"] == [{k: m[k] for k in body["history"][0]}
                               for m in client.get(f"/api/runs/{trained}/history").json()]
    assert body["history"][-1]["step"] == 120


def test_npz_weights_load_and_equal_params(client, trained):
    r = client.get(f"/api/runs/{trained}/export", params={"format": "npz"})
    assert r.status_code == 200
    with np.load(io.BytesIO(r.content), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for layer, p in enumerate(_params(client, trained), start=1):
        np.testing.assert_array_equal(arrays[f"W{layer}"], np.array(p["W"]))
        np.testing.assert_array_equal(arrays[f"b{layer}"], np.array(p["b"]))
    assert json.loads(str(arrays["config"]))["hidden"] == [5, 3]
    history = client.get(f"/api/runs/{trained}/history").json()
    np.testing.assert_array_equal(arrays["history_step"], [m["step"] for m in history])
    np.testing.assert_array_equal(arrays["history_train_loss"], [m["train_loss"] for m in history])


def test_csv_export_rebuilds_config_weights_history(client, trained):
    r = client.get(f"/api/runs/{trained}/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    config = {row["name"]: json.loads(row["value"]) for row in rows if row["section"] == "config"}
    assert config == client.get(f"/api/runs/{trained}").json()["config"]
    values = {row["name"]: float(row["value"]) for row in rows if row["section"] == "param"}
    for layer, p in enumerate(_params(client, trained), start=1):
        for i, w_row in enumerate(p["W"]):
            for j, w in enumerate(w_row):
                assert values.pop(f"W{layer}[{i},{j}]") == w
            assert values.pop(f"b{layer}[{i}]") == p["b"][i]
    assert values == {}
    losses = [(int(row["step"]), float(row["value"])) for row in rows
              if row["section"] == "history" and row["name"] == "train_loss"]
    history = client.get(f"/api/runs/{trained}/history").json()
    assert losses == [(m["step"], m["train_loss"]) for m in history]


def test_unknown_format_is_422(client, trained):
    r = client.get(f"/api/runs/{trained}/export", params={"format": "xlsx"})
    assert r.status_code == 422 and "json" in r.text
    assert client.get("/api/runs/nope/export").status_code == 404
