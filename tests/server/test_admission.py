"""Admission by cost: runs are admitted against the compute budget by what showing them costs
(parameters x examples x frames/s), not by count; the refusal says why and what to lower."""

from __future__ import annotations

import json

from engine import TrainConfig, Trainer
from server.admission import run_cost
from server.settings import Settings

from .conftest import answer_to

FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
LARGE = {"hidden": [64] * 8, "features": FEATURES, "n_samples": 2000}


def test_large_runs_are_refused_past_the_budget_small_ones_still_fit(client):
    settings = Settings()
    cost = run_cost(Trainer(TrainConfig(**LARGE)), settings)
    fits = int(settings.compute_budget // cost)
    assert 1 <= fits < settings.max_runs        # the budget, not the count, is what binds
    ids = [client.post("/api/runs", json=LARGE).json()["id"] for _ in range(fits)]
    refused = client.post("/api/runs", json=LARGE)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) >= 1
    detail = refused.json()["detail"]
    assert "compute budget" in detail and "8x64 on 1000 training points" in detail
    assert "lower hidden" in detail and "n_samples" in detail and "delete a run" in detail
    assert client.post("/api/runs", json={"hidden": [4, 2]}).status_code == 201
    assert client.delete(f"/api/runs/{ids[0]}").status_code == 204
    assert client.post("/api/runs", json=LARGE).status_code == 201   # room again


def test_cost_grows_with_parameters_and_examples():
    settings = Settings()
    small = run_cost(Trainer(TrainConfig(hidden=[4])), settings)
    wider = run_cost(Trainer(TrainConfig(hidden=[16])), settings)
    more_data = run_cost(Trainer(TrainConfig(hidden=[4], n_samples=2000)), settings)
    assert wider > 3 * small and more_data > small
    faster = Settings(admission_fps=2 * settings.admission_fps)
    assert run_cost(Trainer(TrainConfig(hidden=[4])), faster) == 2 * small


def _fill_with_large_runs(client) -> str:
    """Large runs until the budget refuses one; the refusal's message."""
    while True:
        r = client.post("/api/runs", json=LARGE)
        if r.status_code == 503:
            return r.json()["detail"]
        assert r.status_code == 201


def _real_cost(client) -> float:
    registry = client.app.state.registry
    return sum(run_cost(run.trainer, registry.settings) for run in registry.runs.values())


def test_a_patch_that_makes_a_small_run_large_is_admitted_against_the_budget(client):
    small = client.post("/api/runs", json={}).json()["id"]
    refused_post = _fill_with_large_runs(client)
    patched = client.patch(f"/api/runs/{small}", json={**LARGE, "reset": True})
    assert patched.status_code == 503, patched.text
    assert int(patched.headers["retry-after"]) >= 1
    assert patched.json()["detail"] == refused_post      # the message creation gives
    run = client.get(f"/api/runs/{small}").json()
    assert run["config"]["hidden"] == TrainConfig().hidden          # unchanged
    registry = client.app.state.registry
    assert registry.cost() == _real_cost(client) <= registry.settings.compute_budget
    # a change that costs no more, or less, goes through and the accounting follows it
    assert client.patch(f"/api/runs/{small}", json={"hidden": [2], "reset": True}).status_code == 200
    assert client.patch(f"/api/runs/{small}", json={"learning_rate": 0.1, "reset": True}).status_code == 200
    assert registry.cost() == _real_cost(client)


def test_a_patch_within_the_budget_is_booked_at_its_new_cost(client):
    small = client.post("/api/runs", json={}).json()["id"]
    registry = client.app.state.registry
    before = registry.cost()
    assert client.patch(f"/api/runs/{small}", json={**LARGE, "reset": True}).status_code == 200
    assert registry.cost() == _real_cost(client) > before
    refused_post = _fill_with_large_runs(client)   # the patched run counts against the budget
    assert "compute budget" in refused_post
    assert registry.cost() <= registry.settings.compute_budget


def test_a_websocket_set_that_makes_a_small_run_large_is_refused_past_the_budget(client):
    small = client.post("/api/runs", json={}).json()["id"]
    refused_post = _fill_with_large_runs(client)
    with client.websocket_connect(f"/ws/runs/{small}") as ws:
        ws.send_text(json.dumps({"type": "set", "config": LARGE, "reset": True}))
        answer = answer_to(ws, "set")
        assert answer["type"] == "error" and answer["status"] == 503
        assert answer["message"] == refused_post
        ws.send_text(json.dumps({"type": "set", "config": {"hidden": [3]}, "reset": True}))
        assert answer_to(ws, "set")["type"] == "ack"
    assert client.get(f"/api/runs/{small}").json()["config"]["hidden"] == [3]
    registry = client.app.state.registry
    assert registry.cost() == _real_cost(client) <= registry.settings.compute_budget


def test_a_large_networks_output_heatmap_is_coarser_within_its_bounds():
    from server.admission import grid_resolutions
    settings = Settings()
    small = Trainer(TrainConfig(hidden=[8, 8]))
    large = Trainer(TrainConfig(hidden=[64] * 8, n_samples=2000,
                                features=["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]))
    assert grid_resolutions(small, settings) == (100, 25)
    side, hidden = grid_resolutions(large, settings)
    assert hidden == 25
    assert side ** 2 * large.net.n_params <= settings.output_grid_work < (side + 1) ** 2 * large.net.n_params
    floor = Settings(output_grid_work=1.0)
    assert grid_resolutions(large, floor)[0] == floor.output_grid_min_resolution
    one_d = Trainer(TrainConfig(dataset="threshold", features=["x1"], hidden=[4]))
    assert grid_resolutions(one_d, settings) == (settings.curve_resolution,) * 2
