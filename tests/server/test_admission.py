"""Admission by cost: runs are admitted against the compute budget by what showing them costs
(parameters x examples x frames/s), not by count; the refusal says why and what to lower."""

from __future__ import annotations

from engine import TrainConfig, Trainer
from server.admission import run_cost
from server.settings import Settings

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
    faster = Settings(admission_fps=10)
    assert run_cost(Trainer(TrainConfig(hidden=[4])), faster) == 2 * small
