"""Every limit and default of the server, in one place."""

from __future__ import annotations

from dataclasses import dataclass

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Settings:
    """Server limits. Sizes of networks and data are bounded by TrainConfig itself."""

    max_runs: int = 64                  # live runs at once; past it POST /api/runs answers 429
    run_ttl_seconds: float = 3600.0     # a run nobody touched (REST or viewer) for this long expires
    sweep_interval_seconds: float = 30.0
    max_viewers_per_run: int = 16
    allowed_origins: tuple[str, ...] = ()   # extra origins that may drive runs, e.g. "http://localhost:3000"
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS   # Host names answered; None: any
    default_fps: int = 30
    max_fps: int = 60
    max_message_bytes: int = 64 * 1024     # websocket client messages
    max_steps_per_call: int = 100_000      # REST /step {"steps": n}
    max_epochs_per_call: int = 1_000       # REST /step {"epochs": n}
    max_ws_steps: int = 10_000             # websocket {"type": "step", "n": n}
    max_param_edits: int = 1_024           # names per PATCH /params or {"type": "params"} message
    max_speed: int = 10_000                # steps per frame when throttled
    step_time_budget_seconds: float = 2.0  # a /step call returns what it managed by then
    train_slice_seconds: float = 0.004     # wall time of one training slice on the event loop
    output_grid_resolution: int = 100
    hidden_grid_resolution: int = 25
    curve_resolution: int = 100            # grids of 1-D datasets
    live_landscape_interval_seconds: float = 0.15
    max_landscape_resolution: int = 101
    max_field_resolution: int = 21
    landscape_timeout_seconds: float = 30.0
    max_comparisons: int = 8               # comparison groups at once (their members are runs)
    max_comparison_members: int = 6
    comparison_grid_resolution: int = 40   # each member's small decision boundary
    comparison_round_seconds: float = 0.012  # wall time of one lockstep round of a playing group
    max_races: int = 32
    max_racers: int = 6
    max_race_steps_per_call: int = 10_000  # REST /step and websocket step
    max_race_speed: int = 1_000            # race steps per frame while playing
    max_function_resolution: int = 201     # GET /api/functions/{name}/surface
    static_dir: str | None = None          # default: <repo>/static
    templates_dir: str | None = None       # default: <repo>/templates
