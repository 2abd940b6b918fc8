"""`nn-playground train`: settings from a file and --set, history and weights on disk, progress
only on a terminal."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from nnp.config_args import ConfigArgumentError, build_config, full_batch_size, parse_value


def test_set_values_are_parsed_by_the_field_types():
    assert parse_value("hidden", "4,2") == [4, 2]
    assert parse_value("hidden", "-") == []
    assert parse_value("standardize", "true") is True
    assert parse_value("learning_rate", "0.1") == 0.1
    assert parse_value("features", "x1,x2,x1x2") == ["x1", "x2", "x1x2"]
    assert parse_value("batch_size", "full") == full_batch_size()
    # full batch: the engine caps the size to the training set
    assert Trainer(TrainConfig(batch_size=full_batch_size())).batch_size == 250


@pytest.mark.parametrize("assignment, message", [
    ("hidden=a", "valid integer"), ("colour=red", "unknown setting 'colour'"),
    ("learning_rate=-1", "greater than 0"), ("hidden=100", "1 to 64"), ("seed", "key=value"),
    ("dataset=nope", "dataset")])
def test_bad_settings_say_what_is_wrong(assignment, message):
    with pytest.raises(ConfigArgumentError, match=message):
        build_config(None, [assignment])


def test_file_settings_are_overridden_by_set(tmp_path):
    (tmp_path / "run.toml").write_text('dataset = "xor"\nhidden = [3]\nlearning_rate = 0.2\n')
    (tmp_path / "run.json").write_text('{"dataset": "moons", "hidden": [5, 5]}')
    toml = build_config(str(tmp_path / "run.toml"), ["hidden=6,2"])
    assert (toml.dataset, toml.hidden, toml.learning_rate) == ("xor", [6, 2], 0.2)
    assert build_config(str(tmp_path / "run.json")).hidden == [5, 5]
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(ConfigArgumentError, match="not valid JSON"):
        build_config(str(tmp_path / "bad.json"))


def test_train_writes_history_and_weights_that_match_the_engine(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("train", "--set", "dataset=xor", "--set", "hidden=4,2", "--steps", "600",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""                   # piped: no progress bar
    assert "train_loss" in result.stdout and "step           600" in result.stdout

    reference = Trainer(TrainConfig(dataset="xor", hidden=[4, 2]))
    reference.step(600)
    weights = np.load(out / "weights.npz")
    assert sorted(weights.files) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    for i, layer in enumerate(reference.params(), start=1):
        np.testing.assert_allclose(weights[f"W{i}"], layer["W"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(weights[f"b{i}"], layer["b"], rtol=1e-12, atol=1e-15)
    as_json = json.loads((out / "weights.json").read_text())
    assert as_json["layer_sizes"] == [2, 4, 2, 1]
    np.testing.assert_allclose(np.array(as_json["layers"][0]["W"]), reference.params()[0]["W"],
                               rtol=1e-12, atol=1e-15)

    rows = list(csv.DictReader((out / "history.csv").open()))
    history = json.loads((out / "history.json").read_text())
    assert len(rows) == len(history) > 10
    assert int(rows[0]["step"]) == 0 and int(rows[-1]["step"]) == 600
    final = json.loads((out / "metrics.json").read_text())
    assert final["train_loss"] == pytest.approx(reference.metrics()["train_loss"], rel=1e-12)
    assert float(rows[-1]["train_loss"]) == pytest.approx(final["train_loss"], rel=1e-12)
    assert json.loads((out / "config.json").read_text())["hidden"] == [4, 2]


def test_epochs_follow_the_engines_steps_per_epoch(run_cli, tmp_path):
    result = run_cli("train", "--set", "dataset=circle", "--set", "batch_size=50", "--epochs", "3",
                     "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    final = json.loads((tmp_path / "metrics.json").read_text())
    assert (final["step"], final["epoch"]) == (15, 3)     # 250 training points / 50


def test_progress_bar_on_a_terminal_and_none_when_piped(run_cli, tmp_path):
    on_tty = run_cli("train", "--set", "dataset=xor", "--steps", "3000", "--out",
                     str(tmp_path / "a"), tty=True)
    assert on_tty.returncode == 0, on_tty.stdout
    assert "3000/3000" in on_tty.stdout and "━" in on_tty.stdout     # rich's bar
    piped = run_cli("train", "--set", "dataset=xor", "--steps", "3000", "--out", str(tmp_path / "b"))
    assert piped.returncode == 0
    assert "3000/3000" not in piped.stdout + piped.stderr and "━" not in piped.stdout + piped.stderr
    assert "train_loss" in piped.stdout


def test_bad_input_exits_2_with_a_message(run_cli, tmp_path):
    result = run_cli("train", "--set", "hidden=4,x", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "hidden=4,x" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("train", "--steps", "0")
    assert result.returncode == 2 and "1 to" in result.stderr


def test_no_subcommand_and_serve_still_start_the_server(run_cli):
    for args in (["--help"], ["serve", "--help"]):
        result = run_cli(*args)
        assert result.returncode == 0 and "--port" in result.stdout and "--host" in result.stdout
