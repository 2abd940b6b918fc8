"""`nn-playground train` and `nn-playground sweep` (server/cli.py hands these subcommands here).

    nn-playground train --set dataset=xor --set hidden=4,2 --steps 5000 --out DIR
    nn-playground train --config run.toml --epochs 50 --server http://127.0.0.1:8000
    nn-playground sweep --grid learning_rate=0.01,0.03,0.1 --grid batch_size=1,10,full \\
        --seeds 1,2,3 --steps 5000 --workers 2 --out DIR
    nn-playground sweep ... --executor dask --scheduler tcp://HOST:8786

Progress bars go to stderr and only when it is a terminal; final metrics go to stdout."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from engine import Trainer, TrainConfig

from .client import PlaygroundClient, PlaygroundError
from .config_args import ConfigArgumentError, build_config
from .progress import progress_bar
from .sweep import EXECUTORS, parse_grid_axis, parse_seeds, plan_tasks, run_sweep, write_results_csv
from .sweep_report import write_report
from .train_job import (HISTORY_POINTS, METRIC_NAMES, TrainResult, clean_metrics, metrics_lines, with_start,
                        train, write_outputs)

MAX_STEPS = 10_000_000
MAX_EPOCHS = 100_000
DEFAULT_STEPS = 1000


def _positive(limit: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"{value} is out of range: 1 to {limit:,}")
        return value
    return parse


def _config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="settings from a .json or .toml file "
                        "(TrainConfig fields; see GET /api/schema)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="assign",
                        help="one setting, parsed by its type: hidden=4,2 standardize=true "
                             "batch_size=full (repeatable; overrides --config)")


def _default_out(kind: str) -> Path:
    return Path("nnp-out") / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground", description="Train and sweep "
                                     "nn-playground runs from the command line. "
                                     "(`nn-playground serve` or no subcommand: the server.)")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train one configuration, write its history and weights")
    _config_arguments(t)
    length = t.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_positive(MAX_STEPS),
                        help=f"minibatch updates (default {DEFAULT_STEPS})")
    length.add_argument("--epochs", type=_positive(MAX_EPOCHS), help="passes over the training set")
    t.add_argument("--out", type=Path, help="output folder (default nnp-out/train-<time>)")
    t.add_argument("--server", metavar="URL", help="train on a running server (the page can "
                   "watch it: the watch link is printed), e.g. http://127.0.0.1:8000")

    s = sub.add_parser("sweep", help="train every combination of a grid, in parallel")
    _config_arguments(s)
    s.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="values of one setting (repeatable); list settings separate values "
                        "with ';': hidden=4,2;8")
    s.add_argument("--seeds", default="1", help="comma-separated seeds (default 1)")
    s.add_argument("--steps", type=_positive(MAX_STEPS), default=DEFAULT_STEPS,
                   help=f"minibatch updates per run (default {DEFAULT_STEPS})")
    s.add_argument("--workers", type=_positive(1024), help="local worker processes (default: "
                   "every core)")
    s.add_argument("--executor", choices=EXECUTORS, default="local",
                   help="local process pool (default) or an existing Dask cluster")
    s.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. "
                   "tcp://10.0.0.5:8786 (with --executor dask)")
    s.add_argument("--metric", choices=METRIC_NAMES, default="test_loss",
                   help="the final metric of the heatmap (default test_loss)")
    s.add_argument("--out", type=Path, help="output folder (default nnp-out/sweep-<time>)")
    return parser


# ---------------------------------------------------------------------------- train
def steps_of(config: TrainConfig, steps: int | None, epochs: int | None) -> int:
    if epochs is None:
        return steps or DEFAULT_STEPS
    return Trainer(config).steps_for_epochs(epochs)     # the engine's rule, from step 0


def train_locally(config: TrainConfig, steps: int) -> TrainResult:
    with progress_bar(steps, "train") as update:
        return train(config, steps, on_progress=update)


def train_on_server(config: TrainConfig, steps: int, url: str) -> tuple[TrainResult, str, str]:
    """Create the run on the server, step it there (the page can watch), fetch the results."""
    with PlaygroundClient(url) as pg:
        run = pg.create_run(config.model_dump())
        print(f"run {run.id} on {pg.base_url}\n  watch:   {pg.watch_link(run.id)}"
              + (f"\n  control: {pg.control_link(run.id)}" if pg.control_link(run.id) else ""),
              flush=True)
        start = pg.get_run(run.id).metrics
        chunk = max(1, math.ceil(steps / HISTORY_POINTS))
        done = 0
        with progress_bar(steps, "train") as update:
            while done < steps:
                out = pg.step(run.id, steps=min(chunk, steps - done))
                done += out.steps_run
                update(done)
                if out.status == "diverged" or out.steps_run == 0:
                    break
        info = pg.get_run(run.id)
        layers = pg.params(run.id)
        history = with_start(start, pg.history(run.id), info.metrics)
        sizes = [len(layers[0]["W"][0]), *(len(layer["b"]) for layer in layers)]
        result = TrainResult(config=info.config, metrics=clean_metrics(info.metrics),
                             history=history, layers=layers, layer_sizes=sizes)
        return result, run.id, pg.watch_link(run.id)


def command_train(args) -> int:
    config = build_config(args.config, args.assign)
    steps = steps_of(config, args.steps, args.epochs)
    if args.server:
        result, _, _ = train_on_server(config, steps, args.server)
    else:
        result = train_locally(config, steps)
    out = write_outputs(result, args.out or _default_out("train"))
    print("\n".join(metrics_lines(result.metrics)))
    print(f"wrote {out}/: history.csv, history.json, weights.npz, weights.json, metrics.json, "
          "config.json")
    return 0


# ---------------------------------------------------------------------------- sweep
def command_sweep(args) -> int:
    base = build_config(args.config, args.assign)
    base_settings = base.model_dump(exclude_defaults=True)
    axes = [parse_grid_axis(text) for text in args.grid]
    seeds = parse_seeds(args.seeds)
    tasks = plan_tasks(base.model_dump(), axes, seeds, args.steps)
    out = Path(args.out or _default_out("sweep"))
    out.mkdir(parents=True, exist_ok=True)
    where = (f"Dask scheduler {args.scheduler}" if args.executor == "dask"
             else f"{args.workers or 'every core'} local worker(s)")
    print(f"sweep: {len(tasks)} runs of {args.steps} steps on {where}", flush=True)
    with progress_bar(len(tasks), "sweep") as update:
        done = []

        def on_done(result: dict) -> None:
            done.append(result)
            shown = ", ".join(f"{k}={v}" for k, v in result["point"].items())
            value = result["metrics"].get(args.metric)
            update(len(done), info=f"{shown} seed {result['seed']}: {args.metric} "
                               + ("n/a" if value is None else f"{value:.4g}"))

        results = run_sweep(tasks, args.executor, args.workers, args.scheduler, on_done)
    names = [a.name for a in axes]
    write_results_csv(results, names, out / "results.csv")
    (out / "runs.json").write_text(json.dumps(
        {"base": base.model_dump(), "grid": {a.name: list(a.labels) for a in axes},
         "seeds": seeds, "steps": args.steps, "runs": results}))
    write_report(out / "report.html", results, names, {a.name: list(a.labels) for a in axes},
                 seeds, args.steps, base_settings, args.metric)
    best = min((r for r in results if r["metrics"].get(args.metric) is not None),
               key=lambda r: r["metrics"][args.metric], default=None)
    if best is not None:
        shown = ", ".join(f"{k}={v}" for k, v in best["point"].items())
        print(f"best {args.metric}: {best['metrics'][args.metric]:.6g} ({shown} seed {best['seed']})")
    print(f"wrote {out}/: results.csv, runs.json, report.html")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return command_train(args) if args.command == "train" else command_sweep(args)
    except (ConfigArgumentError, PlaygroundError) as exc:
        parser.exit(2, f"nn-playground {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(130, f"nn-playground {args.command}: interrupted\n")


if __name__ == "__main__":
    sys.exit(main())
