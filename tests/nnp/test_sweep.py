"""`nn-playground sweep`: the grid, a local process pool, a Dask LocalCluster with the same
results, results.csv and the self-contained report."""

from __future__ import annotations

import csv
import json

import pytest

from engine import Trainer, TrainConfig
from nnp import cli
from nnp.config_args import ConfigArgumentError, full_batch_size
from nnp.sweep import parse_grid_axis, plan_tasks, run_task
from nnp.sweep_report import heatmap_table, loss_figure

GRID = ["--set", "dataset=xor", "--grid", "learning_rate=0.03,0.3", "--grid", "batch_size=10,full",
        "--steps", "300"]


def test_grid_values_are_parsed_by_field_type():
    axis = parse_grid_axis("batch_size=1,10,full")
    assert axis.labels == ("1", "10", "full") and axis.values == (1, 10, full_batch_size())
    assert parse_grid_axis("hidden=4,2;8").values == ([4, 2], [8])
    with pytest.raises(ConfigArgumentError, match="repeats"):
        parse_grid_axis("learning_rate=0.1,0.1")
    with pytest.raises(ConfigArgumentError, match="learning_rate"):
        parse_grid_axis("learning_rate=0.1,-2")


def test_every_combination_and_seed_becomes_a_validated_task():
    axes = [parse_grid_axis("learning_rate=0.01,0.1"), parse_grid_axis("hidden=4;8,8;-")]
    tasks = plan_tasks({"dataset": "xor"}, axes, [1, 2], 100)
    assert len(tasks) == 12 and [t.index for t in tasks] == list(range(12))
    assert {(t.config["learning_rate"], tuple(t.config["hidden"]), t.seed) for t in tasks} == {
        (lr, h, s) for lr in (0.01, 0.1) for h in ((4,), (8, 8), ()) for s in (1, 2)}
    with pytest.raises(ConfigArgumentError, match="loss='bce'|bce"):   # bad combination: fails first
        plan_tasks({}, [parse_grid_axis("dataset=xor,plane")], [1], 10)


def test_a_task_is_the_engine_run_with_its_config():
    task = plan_tasks({"dataset": "moons"}, [parse_grid_axis("learning_rate=0.1")], [3], 250)[0]
    result = run_task(task)
    reference = Trainer(TrainConfig(dataset="moons", learning_rate=0.1, seed=3))
    reference.step(250)
    assert result["metrics"]["test_loss"] == pytest.approx(reference.metrics()["test_loss"], rel=1e-12)
    assert result["history"][-1]["step"] == 250 and result["point"] == {"learning_rate": "0.1"}


def read_results(out):
    return list(csv.DictReader((out / "results.csv").open()))


def test_sweep_on_two_workers_and_on_a_dask_local_cluster_gives_the_same_results(tmp_path, capsys,
                                                                                 monkeypatch):
    from distributed import LocalCluster

    # the same results digit for digit hold on one engine path: every worker process inherits
    # this (with auto each process would train on NumPy until its own kernels are warm)
    monkeypatch.setenv("NNP_ENGINE", "numpy")

    local = tmp_path / "local"
    assert cli.main(["sweep", *GRID, "--seeds", "1", "--workers", "2", "--out", str(local)]) == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        on_dask = tmp_path / "dask"
        assert cli.main(["sweep", *GRID, "--seeds", "1", "--executor", "dask",
                         "--scheduler", cluster.scheduler_address, "--out", str(on_dask)]) == 0
    rows = read_results(local)
    assert rows == read_results(on_dask)
    assert len(rows) == 4
    assert [(r["learning_rate"], r["batch_size"]) for r in rows] == [
        ("0.03", "10"), ("0.03", "full"), ("0.3", "10"), ("0.3", "full")]
    assert all(r["step"] == "300" and r["status"] == "ok" for r in rows)
    # the larger rate learns faster at batch 10 on xor: the grid really varied the runs
    assert float(rows[2]["test_loss"]) < float(rows[0]["test_loss"])
    out = capsys.readouterr().out
    assert "sweep: 4 runs" in out and "best test_loss" in out


def test_report_is_self_contained_with_curves_and_heatmap(tmp_path):
    assert cli.main(["sweep", *GRID, "--seeds", "1,2", "--workers", "2", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    assert "<script src=" not in page and "src=\"http" not in page   # nothing fetched
    assert "Plotly.newPlot" in page and len(page) > 1_000_000      # plotly.js inlined
    runs = json.loads((tmp_path / "runs.json").read_text())
    assert len(runs["runs"]) == 8 and runs["grid"]["batch_size"] == ["10", "full"]
    xs, ys, z = heatmap_table(runs["runs"], ["learning_rate", "batch_size"],
                              runs["grid"], "test_loss")
    assert xs == ["0.03", "0.3"] and ys == ["10", "full"]
    rows = read_results(tmp_path)
    cell = [float(r["test_loss"]) for r in rows if (r["learning_rate"], r["batch_size"]) == ("0.3", "10")]
    assert z[0][1] == pytest.approx(sum(cell) / 2)
    assert page.count("Plotly.newPlot(") == 2                      # heatmap and curves
    curves = loss_figure(runs["runs"], "train_loss")
    assert len(curves.data) == 8 and curves.data[0].x[-1] == 300


def test_dask_without_a_scheduler_is_an_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["sweep", *GRID, "--executor", "dask", "--out", str(tmp_path)])
    assert exc.value.code == 2 and "--scheduler" in capsys.readouterr().err
