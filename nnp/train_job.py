"""One run of the engine for a number of steps, and what it leaves on disk.

`train(config, steps, on_progress)` trains in about HISTORY_POINTS chunks (for progress; the
history is the engine's: the starting point, then one row per step for the first 256, then the
engine's stride's multiples, and the last step) and returns a `TrainResult`; `write_outputs(result, out_dir)` writes
`history.csv`, `history.json`, `weights.npz`, `weights.json`, `metrics.json` and `config.json`.
Pure engine: the same function runs in a sweep's worker processes."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from engine import Trainer, TrainConfig

HISTORY_POINTS = 200
HISTORY_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                   "learning_rate", "batch_size", "status")
METRIC_NAMES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


@dataclass
class TrainResult:
    config: dict
    metrics: dict                      # Trainer.metrics() at the end
    history: list[dict]                # Trainer.history: metrics per recorded step
    layers: list[dict] = field(default_factory=list)   # Trainer.params(): [{"W", "b"}] as lists
    layer_sizes: list[int] = field(default_factory=list)


def finite_or_none(value):
    """JSON has no NaN/Infinity: a non-finite float becomes None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_metrics(metrics: dict) -> dict:
    return {k: finite_or_none(v) for k, v in metrics.items()}


def train(config: TrainConfig, steps: int, on_progress: Callable[[int], None] | None = None,
          history_points: int = HISTORY_POINTS, keep_weights: bool = True) -> TrainResult:
    """Train `steps` minibatch updates (fewer if the run diverges); on_progress(steps done so far)
    after every chunk."""
    trainer = Trainer(config)
    start = trainer.metrics()           # the starting point (the engine's history holds steps taken)
    chunk = max(1, math.ceil(steps / max(1, history_points)))
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        trainer.step(n)
        done += n
        if on_progress is not None:
            on_progress(done)
        if trainer.status == "diverged":
            break
    layers = ([{"W": p["W"].tolist(), "b": p["b"].tolist()} for p in trainer.params()]
              if keep_weights else [])
    final = trainer.metrics()
    return TrainResult(config=config.model_dump(), metrics=clean_metrics(final),
                       history=with_start(start, trainer.history, final), layers=layers,
                       layer_sizes=list(trainer.layer_sizes))


def with_start(start: dict, rows: list[dict], end: dict | None = None) -> list[dict]:
    """The history a run writes: its starting point, then the rows of the steps it took, then
    `end` (the final metrics) when the engine's stride left the last step out."""
    rows = [start, *(r for r in rows if r["step"] > start["step"])]
    if end is not None and end["step"] > rows[-1]["step"]:
        rows.append(end)
    return [clean_metrics(m) for m in rows]


def write_history(history: list[dict], out_dir: Path) -> None:
    with (out_dir / "history.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HISTORY_COLUMNS)
        for m in history:
            writer.writerow(["" if m.get(c) is None else m.get(c) for c in HISTORY_COLUMNS])
    (out_dir / "history.json").write_text(json.dumps(history, indent=1))


def write_weights(result: TrainResult, out_dir: Path) -> None:
    """weights.npz: W1, b1, W2, b2, ... (layer 1 is the first hidden layer; W is (fan_out,
    fan_in)); weights.json: the same with the layer sizes and the config."""
    arrays = {}
    for i, layer in enumerate(result.layers, start=1):
        arrays[f"W{i}"] = np.asarray(layer["W"], dtype=float).reshape(
            result.layer_sizes[i], result.layer_sizes[i - 1])
        arrays[f"b{i}"] = np.asarray(layer["b"], dtype=float)
    np.savez(out_dir / "weights.npz", **arrays)
    (out_dir / "weights.json").write_text(json.dumps(
        {"layer_sizes": result.layer_sizes, "config": result.config, "layers": result.layers}))


def write_outputs(result: TrainResult, out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_history(result.history, out_dir)
    write_weights(result, out_dir)
    (out_dir / "metrics.json").write_text(json.dumps(result.metrics, indent=1))
    (out_dir / "config.json").write_text(json.dumps(result.config, indent=1))
    return out_dir


def metrics_lines(metrics: dict) -> list[str]:
    """The final metrics as aligned `name  value` lines."""
    lines = []
    for name in ("step", "epoch", *METRIC_NAMES, "status"):
        value = metrics.get(name)
        if value is None:
            continue
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        lines.append(f"{name:<15}{text}")
    if metrics.get("reason"):
        lines.append(f"{'reason':<15}{metrics['reason']}")
    return lines
