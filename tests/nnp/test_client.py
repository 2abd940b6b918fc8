"""nnp.client.PlaygroundClient against the app (FastAPI's TestClient as its httpx client), and
`nn-playground train --server URL`, which trains there."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from nnp import cli
from nnp.client import PlaygroundClient, PlaygroundError, RunInfo, StepResult
from server.app import create_app
from server.settings import Settings


@pytest.fixture
def server():
    with TestClient(create_app(Settings()), base_url="http://localhost") as http:
        yield http


@pytest.fixture
def pg(server):
    return PlaygroundClient("http://localhost", http=server)


def test_typed_methods_drive_a_run(pg):
    run = pg.create_run({"dataset": "xor", "hidden": [3]})
    assert isinstance(run, RunInfo) and run.config["hidden"] == [3] and run.metrics["step"] == 0
    out = pg.step(run.id, steps=40)
    assert isinstance(out, StepResult) and out.steps_run == 40 and out.metrics["step"] == 40
    assert pg.patch(run.id, learning_rate=0.2)["changed"] == ["learning_rate"]
    assert pg.get_run(run.id).config["learning_rate"] == 0.2
    assert len(pg.params(run.id)) == 2 and len(pg.gradients(run.id)[0]["W"]) == 3
    assert pg.history(run.id)[-1]["step"] == 40
    assert len(pg.dataset(run.id)["x_train"]) == 250
    assert pg.reset(run.id).metrics["step"] == 0
    assert {f["name"] for f in pg.schema()["fields"]} >= {"learning_rate", "hidden"}
    pg.delete(run.id)
    with pytest.raises(PlaygroundError) as exc:
        pg.get_run(run.id)
    assert exc.value.status == 404 and "no run with id" in exc.value.message


def test_errors_carry_the_servers_message(pg):
    with pytest.raises(PlaygroundError) as exc:
        pg.create_run({"learning_rate": 1000})
    assert exc.value.status == 422 and "learning_rate" in exc.value.message
    assert "less than or equal to 100" in exc.value.message
    run = pg.create_run({})
    with pytest.raises(PlaygroundError) as exc:
        pg.patch(run.id, hidden=[2])
    assert exc.value.status == 409 and "hidden" in exc.value.message and "reset" in exc.value.message
    assert pg.patch(run.id, hidden=[2], reset=True)["reset"] is True


def test_an_unreachable_server_is_a_playground_error():
    with PlaygroundClient("http://127.0.0.1:9", timeout=2) as pg, \
            pytest.raises(PlaygroundError, match="cannot reach"):
        pg.schema()


def test_train_on_a_server_leaves_the_run_there_to_watch(server, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "PlaygroundClient", lambda url: PlaygroundClient(url, http=server))
    assert cli.main(["train", "--server", "http://localhost", "--set", "dataset=xor",
                     "--steps", "500", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    run_id = printed.split()[1]
    assert f"http://localhost/?run={run_id}" in printed
    on_server = server.get(f"/api/runs/{run_id}").json()
    assert on_server["metrics"]["step"] == 500            # the run stays for the page to watch
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["train_loss"] == pytest.approx(on_server["metrics"]["train_loss"])
    weights = json.loads((tmp_path / "weights.json").read_text())
    assert weights["layers"] == server.get(f"/api/runs/{run_id}/params").json()
    assert weights["layer_sizes"] == [2, 4, 2, 1]
    assert (tmp_path / "history.csv").read_text().count("\n") > 10


def test_the_client_carries_its_runs_control_token_and_a_watcher_is_refused(server):
    owner = PlaygroundClient("http://localhost", http=server)
    run = owner.create_run({"dataset": "xor", "hidden": [2]})
    assert run.control_token and owner.token_of(run.id) == run.control_token
    assert owner.control_link(run.id) == (f"http://localhost/?run={run.id}"
                                          f"&token={run.control_token}")
    watcher = PlaygroundClient("http://localhost", http=server)
    assert watcher.get_run(run.id).metrics["step"] == 0          # reading is open
    with pytest.raises(PlaygroundError) as exc:
        watcher.step(run.id, steps=5)
    assert exc.value.status == 403 and "X-Run-Token" in exc.value.message
    assert watcher.control_link(run.id) is None
    watcher.use_token(run.id, run.control_token)                 # given the control link
    assert watcher.step(run.id, steps=5).steps_run == 5


def test_train_on_a_server_prints_a_control_link_that_controls(server, monkeypatch, tmp_path,
                                                               capsys):
    monkeypatch.setattr(cli, "PlaygroundClient", lambda url: PlaygroundClient(url, http=server))
    assert cli.main(["train", "--server", "http://localhost", "--set", "dataset=xor",
                     "--steps", "20", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    run_id = printed.split()[1]
    token = printed.split("&token=")[1].split()[0]
    assert server.post(f"/api/runs/{run_id}/step", json={"steps": 1}).status_code == 403
    r = server.post(f"/api/runs/{run_id}/step", json={"steps": 1}, headers={"X-Run-Token": token})
    assert r.status_code == 200 and r.json()["metrics"]["step"] == 21
