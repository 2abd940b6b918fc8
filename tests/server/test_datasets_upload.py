"""POST /api/datasets: CSV files and drawn points; good files train, bad ones get a 422 that
names the row and the column, oversized ones a 413; runs use them as dataset "custom"."""

from __future__ import annotations

import numpy as np
import pytest

CSV = {"content-type": "text/csv"}


def _csv(rows, header="x1,x2,label"):
    return header + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"


def _ring(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4, 4, (n, 2))
    return [(round(a, 4), round(b, 4), int(a * a + b * b < 6)) for a, b in x]


def test_a_good_csv_is_stored_and_trains(client):
    r = client.post("/api/datasets", content=_csv(_ring()), headers=CSV)
    assert r.status_code == 201
    info = r.json()
    assert (info["rows"], info["kind"], info["input_dim"]) == (300, "binary", 2)
    run = client.post("/api/runs", json={"dataset": "custom", "custom_dataset": info["id"],
                                         "features": ["x1_sq", "x2_sq"], "standardize": True,
                                         "hidden": [], "learning_rate": 0.3, "train_fraction": 0.8})
    assert run.status_code == 201, run.text
    rid = run.json()["id"]
    raw = client.get(f"/api/runs/{rid}/dataset").json()
    assert len(raw["x_train"]) == 240 and len(raw["x_test"]) == 60
    before = run.json()["metrics"]["test_accuracy"]
    after = client.post(f"/api/runs/{rid}/step", json={"epochs": 60}).json()["metrics"]
    assert after["test_accuracy"] > max(0.9, before)
    snap = client.get(f"/api/runs/{rid}/snapshot").json()
    assert snap["task"] == "binary" and snap["input_dim"] == 2
    lo, hi = snap["domain"][0]
    assert -4.9 < lo < -3.9 and 3.9 < hi < 4.9   # the plot frames the data


def test_same_points_get_the_same_id(client):
    a = client.post("/api/datasets", content=_csv(_ring()), headers=CSV).json()["id"]
    b = client.post("/api/datasets", content=_csv(_ring()), headers=CSV).json()["id"]
    c = client.post("/api/datasets", content=_csv(_ring(seed=1)), headers=CSV).json()["id"]
    assert a == b != c


def test_regression_and_multiclass_files_train_with_fitting_losses(client):
    reg = client.post("/api/datasets", content=_csv([(i / 10, (i / 10) ** 2) for i in range(-20, 21)],
                                                    header="x1,target"), headers=CSV).json()
    assert reg["kind"] == "regression" and reg["input_dim"] == 1
    assert reg["losses"] == ["mse"] and reg["usual_loss"] == "mse"
    bad = client.post("/api/runs", json={"dataset": "custom", "custom_dataset": reg["id"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "loss"]
    assert "loss 'bce' needs a binary dataset; 'custom' is regression" in bad.json()["detail"][0]["msg"]
    ok = client.post("/api/runs", json={"dataset": "custom", "custom_dataset": reg["id"],
                                        "loss": "mse", "hidden": [8], "learning_rate": 0.05})
    assert ok.status_code == 201
    rid = ok.json()["id"]
    first = ok.json()["metrics"]["train_loss"]
    assert client.post(f"/api/runs/{rid}/step", json={"epochs": 100}).json()["metrics"]["train_loss"] < first / 2
    multi = client.post("/api/datasets", content=_csv([(i, -i, i % 3) for i in range(30)]),
                        headers=CSV).json()
    assert multi["kind"] == "multiclass"
    run = client.post("/api/runs", json={"dataset": "custom", "custom_dataset": multi["id"],
                                         "loss": "cce"})
    assert run.status_code == 201


@pytest.mark.parametrize("body, row, column, words", [
    (_csv(_ring(20)[:15] + [(1, "abc", 0)] + _ring(20)[15:]), 17, "x2", "'abc' is not a number"),
    (_csv(_ring(20) + [(1, 2, 0.5)]), 22, "label", "not a class index"),
    (_csv(_ring(20) + [(1, "inf", 1)]), 22, "x2", "not a finite number"),
    (_csv(_ring(20) + [(1, "", 1)]), 22, "x2", "missing value"),
    (_csv(_ring(20) + [(1, 2, 1, 9)]), 22, "4", "4 values"),
    (_csv(_ring(20), header="x1,x3,label"), 1, "2", "unknown column 'x3'"),
    (_csv(_ring(20), header="x1,x2,label,target"), 1, "label", "both label and target"),
    (_csv([(1, 2)] * 20, header="x1,x2"), 1, "label", "neither label nor target"),
    (_csv([(i, 2, 1) for i in range(20)]), 2, "label", "two classes"),
    (_csv([(1, 2, 1), (2, 1, 0)]), 3, "x1", "at least 4"),
    (_csv([(i % 7, i % 5, i % 2) for i in range(2001)]), 2002, "x1", "more than 2,000 data rows"),
    ("x1,x2,label\n1,2,1\n\xff\xfe".encode("latin-1"), 3, "1", "not UTF-8"),
    ("", 1, "x1", "empty"),
])
def test_bad_files_get_422_naming_row_and_column(client, body, row, column, words):
    r = client.post("/api/datasets", content=body, headers=CSV)
    assert r.status_code == 422
    detail = r.json()
    assert (detail["row"], detail["column"]) == (row, column)
    assert detail["detail"].startswith(f"row {row}, column {column}: ") and words in detail["detail"]


def test_oversized_files_get_413(make_client):
    c = make_client(max_upload_bytes=1000)
    r = c.post("/api/datasets", content=_csv(_ring(200)), headers=CSV)
    assert r.status_code == 413 and "at most 1,000" in r.json()["detail"]


def test_drawn_points_are_json_in_the_square(client):
    points = [[-3, -3, 0], [-2, -3, 0], [3, 3, 1], [2, 3, 1], [0, 4, 1]]
    r = client.post("/api/datasets", json={"points": points})
    assert r.status_code == 201
    assert r.json()["domain"] == [[-6, 6], [-6, 6]] and r.json()["rows"] == 5
    outside = client.post("/api/datasets", json={"points": points + [[9, 0, 1]]})
    assert outside.status_code == 422 and outside.json()["detail"].startswith("row 6, column x1:")
    text = client.post("/api/datasets", json={"points": [[0, "a", 1]] + points})
    assert text.status_code == 422 and text.json()["detail"].startswith("row 1, column x2:")
    assert client.post("/api/datasets", json={"dots": []}).status_code == 422


def test_unknown_dataset_ids_are_422_on_create_and_patch(client):
    r = client.post("/api/runs", json={"dataset": "custom", "custom_dataset": "nothere"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "custom_dataset"]
    assert client.post("/api/runs", json={"dataset": "custom"}).status_code == 422
    assert client.post("/api/runs", json={"dataset": "custom", "custom_dataset": "a b"}).status_code == 422
    rid = client.post("/api/runs", json={}).json()["id"]
    p = client.patch(f"/api/runs/{rid}", json={"dataset": "custom", "custom_dataset": "nothere",
                                              "reset": True})
    assert p.status_code == 422
    assert client.get(f"/api/runs/{rid}").json()["config"]["dataset"] == "circle"


def test_a_run_switches_to_custom_points_over_the_websocket(client):
    did = client.post("/api/datasets", json={"points": [[-3, -3, 0], [-2, -3, 0], [3, 3, 1],
                                                         [2, 3, 1], [0, 4, 1]]}).json()["id"]
    rid = client.post("/api/runs", json={}).json()["id"]
    with client.websocket_connect(f"/ws/runs/{rid}") as ws:
        ws.send_json({"type": "set", "config": {"dataset": "custom", "custom_dataset": "zzz"},
                      "reset": True})
        ws.send_json({"type": "set", "config": {"dataset": "custom", "custom_dataset": did},
                      "reset": True})
        texts = []
        while len(texts) < 3:
            m = ws.receive()
            if m.get("text"):
                texts.append(m["text"])
    assert '"status": 422' in texts[1] and "no custom dataset" in texts[1]
    assert '"for": "set"' in texts[2] and '"reset": true' in texts[2]
    assert client.get(f"/api/runs/{rid}").json()["config"]["custom_dataset"] == did


def test_dataset_info_and_csv_round_trip(client):
    body = _csv(_ring(40))
    info = client.post("/api/datasets", content=body, headers=CSV).json()
    assert client.get(f"/api/datasets/{info['id']}").json()["kind"] == "binary"
    again = client.get(f"/api/datasets/{info['id']}/csv")
    assert again.status_code == 200
    assert client.post("/api/datasets", content=again.text, headers=CSV).json()["id"] == info["id"]
    assert client.get("/api/datasets/nope").status_code == 404
