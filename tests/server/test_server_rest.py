"""REST API behaviour: runs, live changes, bounds and errors (404/409/422/429), divergence."""

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine import Trainer, TrainConfig, config_schema
from server.app import create_app
from server.settings import Settings

DIVERGING = {"dataset": "plane", "loss": "mse", "hidden": [4], "activation": "linear",
             "learning_rate": 100.0}



def new_run(client, **config) -> str:
    r = client.post("/api/runs", json=config)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_create_run_answers_201_with_id_config_metrics_status(client):
    r = client.post("/api/runs", json={"hidden": [8, 8], "learning_rate": 0.1})
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "config", "metrics", "status", "control_token"}
    assert len(body["id"]) >= 20                      # unguessable
    assert body["config"]["hidden"] == [8, 8] and body["config"]["learning_rate"] == 0.1
    assert body["metrics"]["step"] == 0 and body["status"] == "paused"
    assert client.get(f"/api/runs/{body['id']}").json()["config"] == body["config"]


def test_a_large_runs_metrics_are_computed_off_the_event_loop(client, monkeypatch):
    """GET /api/runs/{id}: a large run's full-set metrics (~10 ms) come from a worker thread
    on a copy, a small run's on the loop; both are current, and kept until the run changes."""
    import threading
    where = []
    real = Trainer.metrics

    def metrics(self):
        where.append(threading.current_thread().name)
        return real(self)

    small = client.post("/api/runs", json={}).json()["id"]
    large = client.post("/api/runs", json={"hidden": [64] * 4, "n_samples": 2000}).json()["id"]
    registry = client.app.state.registry
    for run in (small, large):
        registry.get(run).train_steps(300)    # as playing does: no metrics computed yet
    monkeypatch.setattr(Trainer, "metrics", metrics)
    for run, off in ((small, False), (large, True)):
        where.clear()
        body = client.get(f"/api/runs/{run}").json()
        assert body["metrics"]["step"] == 300 and np.isfinite(body["metrics"]["train_loss"])
        assert len(where) == 1 and where[0].startswith("asyncio_") is off, where
        where.clear()
        client.get(f"/api/runs/{run}")       # current now: not computed again
        assert where == []


def test_run_ids_differ(client):
    assert new_run(client) != new_run(client)


def test_unknown_run_is_404_everywhere(client):
    for method, path in [("get", ""), ("patch", ""), ("post", "/step"), ("post", "/reset"),
                         ("delete", ""), ("get", "/params"), ("get", "/history"),
                         ("get", "/snapshot"), ("get", "/landscape")]:
        kwargs = {"json": {}} if method in ("patch", "post") else {}
        r = getattr(client, method)(f"/api/runs/nope{path}", **kwargs)
        assert r.status_code == 404, (method, path, r.text)
        assert "no run" in r.json()["detail"]


def test_out_of_range_value_is_422_naming_field_and_bound(client):
    r = client.post("/api/runs", json={"learning_rate": 1000})
    assert r.status_code == 422
    err = r.json()["detail"][0]
    assert err["loc"][-1] == "learning_rate" and "100" in err["msg"]
    run = new_run(client)
    r = client.patch(f"/api/runs/{run}", json={"batch_size": 0})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "batch_size"
    r = client.post("/api/runs", json={"hidden": [65]})
    assert r.status_code == 422 and "64" in r.text


def test_loss_that_does_not_fit_the_dataset_is_422_not_500(client):
    r = client.post("/api/runs", json={"dataset": "plane", "loss": "bce"})
    assert r.status_code == 422 and "bce" in r.text
    run = new_run(client)
    r = client.patch(f"/api/runs/{run}", json={"dataset": "plane", "reset": True})
    assert r.status_code == 422 and "bce" in r.text
    assert client.get(f"/api/runs/{run}").json()["config"]["dataset"] == "circle"


def test_live_patch_keeps_weights_and_step(client):
    run = new_run(client, hidden=[4])
    client.post(f"/api/runs/{run}/step", json={"steps": 50})
    before = client.get(f"/api/runs/{run}/params").json()
    r = client.patch(f"/api/runs/{run}", json={"learning_rate": 0.5, "optimizer": "adam"})
    assert r.status_code == 200
    assert r.json()["changed"] == ["learning_rate", "optimizer"] and r.json()["reset"] is False
    assert r.json()["metrics"]["step"] == 50
    assert client.get(f"/api/runs/{run}/params").json() == before


def test_architecture_change_is_409_with_reason_unless_reset(client):
    run = new_run(client, hidden=[4])
    client.post(f"/api/runs/{run}/step", json={"steps": 10})
    r = client.patch(f"/api/runs/{run}", json={"hidden": [3, 3]})
    assert r.status_code == 409 and "hidden" in r.json()["detail"] and "reset" in r.json()["detail"]
    assert client.get(f"/api/runs/{run}").json()["config"]["hidden"] == [4]
    r = client.patch(f"/api/runs/{run}", json={"hidden": [3, 3], "reset": True})
    assert r.status_code == 200 and r.json()["reset"] is True
    assert r.json()["metrics"]["step"] == 0
    assert [len(layer["b"]) for layer in client.get(f"/api/runs/{run}/params").json()] == [3, 3, 1]


def test_step_by_steps_and_by_epochs(client):
    run = new_run(client, n_samples=100, train_fraction=0.5, batch_size=10)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 7}).json()
    assert r["metrics"]["step"] == 7 and r["steps_run"] == 7 and r["truncated"] is False
    r = client.post(f"/api/runs/{run}/step", json={"epochs": 2}).json()
    # 5 batches per epoch: 3 to finish the current one, then 5 more
    assert r["metrics"]["epoch"] == 3 and r["metrics"]["step"] == 15
    assert client.post(f"/api/runs/{run}/step", json={}).json()["metrics"]["step"] == 16


def test_step_count_is_bounded(client):
    run = new_run(client)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 100_001})
    assert r.status_code == 422 and "100000" in r.text
    r = client.post(f"/api/runs/{run}/step", json={"epochs": 1001})
    assert r.status_code == 422
    assert client.post(f"/api/runs/{run}/step", json={"steps": 1, "epochs": 1}).status_code == 422


def test_step_stops_at_the_time_bound_and_says_truncated(make_client):
    client = make_client(step_time_budget_seconds=0.05)
    run = new_run(client, n_samples=2000, batch_size=1, hidden=[32, 32])
    r = client.post(f"/api/runs/{run}/step", json={"steps": 100_000}).json()
    assert r["truncated"] is True and 0 < r["steps_run"] < 100_000
    assert r["metrics"]["step"] == r["steps_run"]


def test_too_many_runs_is_429_with_a_clear_message(make_client):
    client = make_client(max_runs=2)
    first = new_run(client)
    new_run(client)
    r = client.post("/api/runs", json={})
    assert r.status_code == 429 and "too many runs" in r.json()["detail"]
    # when to ask again: once a closed tab's run is released or an idle one swept
    settings = client.app.state.settings
    assert int(r.headers["Retry-After"]) == int(settings.release_grace_seconds
                                                + settings.sweep_interval_seconds) >= 1
    assert client.delete(f"/api/runs/{first}").status_code == 204
    assert client.post("/api/runs", json={}).status_code == 201


def test_idle_runs_expire_after_the_ttl(make_client):
    client = make_client(run_ttl_seconds=60)
    run = new_run(client)
    registry = client.app.state.registry
    assert registry.sweep(now=registry.get(run).last_active + 30) == []
    assert registry.sweep(now=registry.get(run).last_active + 61) == [run]
    assert client.get(f"/api/runs/{run}").status_code == 404


def test_delete_then_404(client):
    run = new_run(client)
    assert client.delete(f"/api/runs/{run}").status_code == 204
    assert client.get(f"/api/runs/{run}").status_code == 404


def test_params_gradients_dataset_use_the_trainer_layout(client):
    config = {"hidden": [3], "n_samples": 60, "features": ["x1", "x2", "x1x2"]}
    run = new_run(client, **config)
    client.post(f"/api/runs/{run}/step", json={"steps": 5})
    reference = Trainer(TrainConfig(**config))
    reference.step(5)
    params = client.get(f"/api/runs/{run}/params").json()
    for got, want in zip(params, reference.params(), strict=True):
        np.testing.assert_allclose(got["W"], want["W"])
        np.testing.assert_allclose(got["b"], want["b"])
    grads = client.get(f"/api/runs/{run}/gradients").json()
    for got, want in zip(grads, reference.gradients(), strict=True):
        np.testing.assert_allclose(got["W"], want["W"])
    data = client.get(f"/api/runs/{run}/dataset").json()
    assert set(data) == {"x_train", "y_train", "x_test", "y_test"}
    np.testing.assert_allclose(data["x_train"], reference.data()["x_train"])
    assert np.shape(data["x_train"]) == (30, 3)


def test_history_has_per_step_metrics(client):
    run = new_run(client)
    client.post(f"/api/runs/{run}/step", json={"steps": 3})
    history = client.get(f"/api/runs/{run}/history").json()
    assert history and history[-1]["step"] == 3 and "train_loss" in history[-1]


def test_schema_lists_every_config_field_with_bounds(client):
    schema = client.get("/api/schema").json()["fields"]
    assert schema == config_schema()
    by_name = {f["name"]: f for f in schema}
    assert set(by_name) == set(TrainConfig.model_fields)
    assert by_name["learning_rate"]["maximum"] == 100.0
    assert "sgd" in by_name["optimizer"]["choices"]


def test_landscape_endpoint_and_its_bad_options(client):
    run = new_run(client, hidden=[4])
    client.post(f"/api/runs/{run}/step", json={"steps": 40})
    r = client.get(f"/api/runs/{run}/landscape", params={"mode": "random", "resolution": 7})
    assert r.status_code == 200, r.text
    body = r.json()
    assert np.shape(body["sections"]["landscape_loss"]) == (7, 7)
    assert np.shape(body["sections"]["path"])[1] == 5
    assert client.get(f"/api/runs/{run}/landscape", params={"resolution": 500}).status_code == 422
    r = client.get(f"/api/runs/{run}/landscape", params={"mode": "exact"})
    assert r.status_code == 422 and "exact" in r.json()["detail"]


def test_landscape_of_the_thread_copy_equals_the_trainers_own():
    trainer = Trainer(TrainConfig(hidden=[4], optimizer="adam"))
    trainer.step(30)
    direct = trainer.landscape(mode="pca", resolution=5)
    copied = Trainer.from_state(trainer.capture_state()).landscape(mode="pca", resolution=5)
    np.testing.assert_allclose(copied["loss"], direct["loss"], rtol=1e-6)
    assert copied["arrows"] == direct["arrows"]
    np.testing.assert_allclose(copied["path"]["alpha"], direct["path"]["alpha"])


def test_snapshot_is_the_frame_content_as_json(client):
    run = new_run(client, hidden=[3, 2])
    snap = client.get(f"/api/runs/{run}/snapshot").json()
    assert snap["status"] == "paused" and snap["layer_sizes"] == [2, 3, 2, 1]
    sections = snap["sections"]
    assert len(sections["weights"]) == snap["n_params"] == 3 * 3 + 2 * 4 + 1 * 3
    assert np.shape(sections["output_grid"]) == (100, 100, 1)
    assert np.shape(sections["hidden_grids"]) == (5, 25, 25)
    assert len(sections["preactivations"]) == 250


def test_diverged_status_shows_in_rest_and_reset_recovers(client):
    run = new_run(client, **DIVERGING)
    r = client.post(f"/api/runs/{run}/step", json={"steps": 200}).json()
    assert r["status"] == "diverged" and r["metrics"]["status"] == "diverged"
    assert r["steps_run"] < 200
    got = client.get(f"/api/runs/{run}").json()
    assert got["status"] == "diverged" and "learning rate" in got["metrics"]["reason"]
    assert client.get(f"/api/runs/{run}/snapshot").status_code == 200   # NaN -> null, no 500
    client.patch(f"/api/runs/{run}", json={"learning_rate": 0.01})
    assert client.post(f"/api/runs/{run}/reset").json()["status"] == "paused"
    r = client.post(f"/api/runs/{run}/step", json={"steps": 50}).json()
    assert r["status"] == "paused" and r["metrics"]["train_loss"] is not None


def test_page_and_vendor_script_are_served(client):
    assert client.get("/vendor/plotly.min.js").headers["cache-control"].startswith("public")
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]


def test_every_handler_touching_a_run_runs_on_the_event_loop():
    """Plain `def` handlers and dependencies run in FastAPI's thread pool, where they would race
    the training slices on the trainer's shared buffers; the server's model is one thread."""
    import inspect

    from fastapi.routing import APIRoute

    from server.routes_api import router

    def dependencies(dependant):
        for dep in dependant.dependencies:
            yield dep.call
            yield from dependencies(dep)

    checked = 0
    for route in router.routes:
        if isinstance(route, APIRoute) and "/runs" in route.path:
            for call in (route.endpoint, *dependencies(route.dependant)):
                assert inspect.iscoroutinefunction(call), f"{route.path}: {call.__name__}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/runs", '{"noise": NaN}'),
    ("post", "/api/runs", '{"learning_rate": Infinity}'),
    ("patch", "/api/runs/{run}", '{"learning_rate": -Infinity}'),
    ("post", "/api/runs/{run}/step", '{"steps": 1e400}'),
])
def test_non_finite_numbers_in_json_get_422_not_500(client, method, path, body):
    run = client.post("/api/runs", json={}).json()["id"]
    r = client.request(method.upper(), path.format(run=run), content=body,
                       headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_requests_for_other_host_names_are_refused(client):
    r = client.post("/api/runs", json={}, headers={"host": "evil.example:8000"})
    assert r.status_code == 400 and "localhost" in r.text
    assert client.get("/api/schema", headers={"host": "rebound.example"}).status_code == 400
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert client.get("/api/schema", headers={"host": host}).status_code == 200


def test_every_route_documents_the_host_check_it_answers_400_to(client):
    schema = client.get("/openapi.json").json()
    operations = [(path, method, op) for path, ops in schema["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) > 20
    for path, method, op in operations:
        assert "foreign Host" in op["responses"].get("400", {}).get("description", ""), (method, path)
    # as answered: a route with no other 400 (saving a run), for a foreign Host
    run = client.post("/api/runs", json={}).json()["id"]
    refused = client.post(f"/api/runs/{run}/save", headers={"host": "evil.example"})
    assert refused.status_code == 400 and "localhost" in refused.text


def test_other_sites_cannot_drive_runs_but_scripts_and_the_page_can(client):
    foreign = {"origin": "http://evil.example"}
    assert client.post("/api/runs", json={}, headers=foreign).status_code == 403
    assert client.post("/api/runs", json={},
                       headers={"sec-fetch-site": "cross-site"}).status_code == 403
    run = client.post("/api/runs", json={}).json()["id"]          # a script: no Origin
    assert client.patch(f"/api/runs/{run}", json={"learning_rate": 0.1},
                        headers=foreign).status_code == 403
    assert client.delete(f"/api/runs/{run}", headers=foreign).status_code == 403
    assert client.get(f"/api/runs/{run}", headers=foreign).status_code == 200   # reading is fine
    same = {"origin": "http://localhost", "sec-fetch-site": "same-origin"}
    assert client.post("/api/runs", json={}, headers=same).status_code == 201   # the page


def test_a_failing_run_pauses_and_the_scheduler_keeps_training_the_others():
    import asyncio

    from engine import TrainConfig
    from server.runs import RunRegistry

    async def scenario():
        registry = RunRegistry(Settings())
        broken, healthy = registry.create(TrainConfig()), registry.create(TrainConfig())

        def explode(n):
            raise RuntimeError("boom")

        broken.trainer.train = explode
        broken.play()
        healthy.play()
        await asyncio.sleep(0.3)
        result = (broken.playing, healthy.trainer.step_count)
        healthy.pause()
        await asyncio.sleep(0.05)
        registry.close()
        return result

    broken_playing, healthy_steps = asyncio.run(scenario())
    assert broken_playing is False and healthy_steps > 100


def test_training_slices_compute_metrics_only_for_history_rows(monkeypatch):
    from engine import TrainConfig
    from server.runs import Run

    monkeypatch.setenv("NNP_ENGINE", "numpy")     # the compiled loop evaluates rows itself
    run = Run("r", TrainConfig(hidden=[8, 8]), Settings())
    run.trainer._history_stride = 64              # as a long run's
    metrics, calls = run.trainer.metrics, []
    monkeypatch.setattr(run.trainer, "metrics", lambda: calls.append(1) or metrics())
    for _ in range(30):
        run.train_slice(seconds=0.001)
    assert run.trainer.step_count > 30
    assert len(calls) == run.trainer.step_count // 64 == len(run.trainer.history)
