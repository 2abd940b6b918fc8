"""A sweep: every combination of a grid of settings times a list of seeds, each a `train_job.train`
run, on a local process pool (one process per core by default) or a Dask distributed cluster.

Grid values: `--grid learning_rate=0.01,0.03,0.1` (commas separate the values); for list-valued
fields, semicolons do: `--grid "hidden=4,2;8,8"`. `batch_size=full` is full batch.
Each task is plain data (a config dict, steps) and `run_task` is a module-level function, so the
same task runs identically in a local worker process or on a Dask worker."""

from __future__ import annotations

import concurrent.futures
import csv
import itertools
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from engine import TrainConfig

from .config_args import ConfigArgumentError, is_list_field, parse_assignment, parse_value, validated
from .train_job import METRIC_NAMES, train

MAX_TASKS = 10_000
EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class GridAxis:
    name: str
    labels: tuple[str, ...]      # as written ("full", "4,2")
    values: tuple                # parsed by the field's type


@dataclass(frozen=True)
class SweepTask:
    index: int
    point: tuple[tuple[str, str], ...]   # (name, label) per grid axis
    seed: int
    config: dict                          # a validated TrainConfig as a dict
    steps: int


def parse_grid_axis(text: str) -> GridAxis:
    name, values_text = parse_assignment(text)
    separator = ";" if is_list_field(name) else ","
    labels = tuple(v.strip() for v in values_text.split(separator))
    if not labels or any(label == "" and not is_list_field(name) for label in labels):
        raise ConfigArgumentError(f"--grid {text}: give values separated by {separator!r}")
    if len(set(labels)) != len(labels):
        raise ConfigArgumentError(f"--grid {text}: a value repeats")
    return GridAxis(name, labels, tuple(parse_value(name, label) for label in labels))


def parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ConfigArgumentError(f"--seeds {text}: expected integers like 1,2,3") from None
    if not seeds:
        raise ConfigArgumentError("--seeds: give at least one seed")
    return seeds


def plan_tasks(base: dict, axes: list[GridAxis], seeds: list[int], steps: int) -> list[SweepTask]:
    """Every grid point x seed, validated now (a bad combination fails before anything runs)."""
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ConfigArgumentError("a --grid setting appears twice")
    if "seed" in names:
        raise ConfigArgumentError("use --seeds for the seed, not --grid seed=...")
    count = len(seeds)
    for axis in axes:
        count *= len(axis.values)
    if count > MAX_TASKS:
        raise ConfigArgumentError(f"the sweep has {count} runs; at most {MAX_TASKS}")
    tasks = []
    combos = itertools.product(*[list(zip(a.labels, a.values)) for a in axes])
    for combo in combos:
        for seed in seeds:
            settings = {**base, **{a.name: v for a, (_, v) in zip(axes, combo)}, "seed": seed}
            try:
                config = validated(settings)
            except ConfigArgumentError as exc:
                where = ", ".join(f"{a.name}={label}" for a, (label, _) in zip(axes, combo))
                raise ConfigArgumentError(f"{where}: {exc}") from None
            tasks.append(SweepTask(index=len(tasks), seed=seed, steps=steps,
                                   point=tuple((a.name, label) for a, (label, _) in zip(axes, combo)),
                                   config=config.model_dump()))
    return tasks


def run_task(task: SweepTask) -> dict:
    """One sweep run: its grid point, seed, final metrics and history (no weights)."""
    result = train(TrainConfig.model_validate(task.config), task.steps, keep_weights=False)
    return {"index": task.index, "point": dict(task.point), "seed": task.seed,
            "metrics": result.metrics, "history": result.history}


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_local(tasks: list[SweepTask], workers: int,
              on_done: Callable[[dict], None]) -> list[dict]:
    """A process pool of `workers` processes (spawned: no state inherited from this process)."""
    results = []
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_task, t) for t in tasks]
        try:
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                results.append(result)
                on_done(result)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return sorted(results, key=lambda r: r["index"])


def run_dask(tasks: list[SweepTask], scheduler: str, on_done: Callable[[dict], None]) -> list[dict]:
    """The same tasks on an existing Dask distributed cluster (pip install 'nn-playground[dask]')."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ConfigArgumentError("--executor dask needs the dask extra: "
                                  "pip install 'nn-playground[dask]'") from None
    results = []
    with Client(scheduler, timeout=30) as client:
        futures = client.map(run_task, tasks, pure=False)
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            on_done(result)
    return sorted(results, key=lambda r: r["index"])


def run_sweep(tasks: list[SweepTask], executor: str = "local", workers: int | None = None,
              scheduler: str | None = None,
              on_done: Callable[[dict], None] = lambda r: None) -> list[dict]:
    if executor == "local":
        return run_local(tasks, workers or default_workers(), on_done)
    if executor == "dask":
        if not scheduler:
            raise ConfigArgumentError("--executor dask needs --scheduler ADDRESS "
                                      "(e.g. tcp://10.0.0.5:8786)")
        return run_dask(tasks, scheduler, on_done)
    raise ConfigArgumentError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}")


def results_columns(axes: Iterable[str]) -> list[str]:
    return [*axes, "seed", "step", "epoch", *METRIC_NAMES, "status"]


def write_results_csv(results: list[dict], axes: list[str], path: Path) -> None:
    columns = results_columns(axes)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in results:
            row = {**r["metrics"], **r["point"], "seed": r["seed"]}   # the grid label ("full") wins
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
