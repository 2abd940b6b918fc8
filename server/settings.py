"""Every limit and default of the server, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
SESSION_SHARE = 4   # one browser session may hold 1/4 of each registry (at least 1) unless set
DATA_DIR_VARIABLE = "NN_PLAYGROUND_DATA_DIR"


def default_data_dir() -> str:
    """$NN_PLAYGROUND_DATA_DIR, else $XDG_DATA_HOME/nn-playground (~/.local/share/nn-playground)."""
    if os.environ.get(DATA_DIR_VARIABLE):
        return os.environ[DATA_DIR_VARIABLE]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "nn-playground")


@dataclass(frozen=True)
class Settings:
    """Server limits. Sizes of networks and data are bounded by TrainConfig itself."""

    max_runs: int = 64                  # live runs at once; past it POST /api/runs answers 429
    run_ttl_seconds: float = 3600.0     # a run nobody touched (REST or viewer) for this long expires
    release_grace_seconds: float = 60.0  # ...and one its owner released (the page closed) this soon
    max_runs_per_session: int = 16      # live runs one browser session may hold; past it 429
    # (server/session_bound.py; a quarter of max_runs, like races and groups below)
    sweep_interval_seconds: float = 30.0
    max_viewers_per_run: int = 64      # a class watching a teacher's run (frames are built once per run)
    node: str = ""                      # this process's node name: prefixes every id (server/ids.py)
    # admission by cost (server/admission.py): the runs' frame work at admission_fps frames/s,
    # in parameter x example evaluations per second, stays within compute_budget (about what
    # one core of a small machine evaluates per second, the other left for training). Each
    # viewer is promised 5 frames/s; runs are costed at 7 to leave room for what the frame
    # work does not count (the live surfaces, the training beside it): at 5, three max-size
    # runs were admitted and their viewers got 4.7-5.2 frames/s; at 7, two, with 8.8
    compute_budget: float = 8e9
    admission_fps: int = 7
    frame_thread_work: float = 2e7         # frames of more work than this (~3 ms) are built in
    frame_threads: int = 2                 # ... worker threads, at most this many at once
    allowed_origins: tuple[str, ...] = ()   # extra origins that may drive runs, e.g. "http://localhost:3000"
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS   # Host names answered; None: any
    default_fps: int = 30
    max_fps: int = 60
    max_message_bytes: int = 64 * 1024     # websocket client messages
    max_queued_messages: int = 64          # websocket messages waiting to be applied; past it 429
    max_body_bytes: int = 1024 * 1024      # REST request bodies; past it 413
    max_steps_per_call: int = 100_000      # REST /step {"steps": n}
    max_epochs_per_call: int = 1_000       # REST /step {"epochs": n}
    max_ws_steps: int = 10_000             # websocket {"type": "step", "n": n}
    max_param_edits: int = 1_024           # names per PATCH /params or {"type": "params"} message
    max_speed: int = 10_000                # steps per frame when throttled
    step_time_budget_seconds: float = 2.0  # a /step call returns what it managed by then
    train_slice_seconds: float = 0.004     # wall time of one training slice on the event loop
    # frames first: while a run's frame has been building in a worker thread for longer than
    # this (its viewers get fewer than ~1/this frames/s: the cores are full), the run's
    # training rests after each slice for frame_rest_ratio x the slice's time, so the frame
    # thread gets a core; a machine with room never waits this long and never rests
    frame_overdue_seconds: float = 0.04
    frame_rest_ratio: float = 1.0
    # a run's frames may take this share of one core (server/admission.py frame_interval):
    # past it the run gets fewer frames than its viewers ask for, and its training and the
    # browser drawing it get the rest (8 x 64 on 2,000 points: ~21 frames/s instead of ~29, and
    # 1.6x the training steps)
    frame_cpu_share: float = 0.3
    output_grid_resolution: int = 100      # of a 2-D output heatmap, for a network of up to
    output_grid_work: float = 1e8          # this many parameter x grid-point evaluations: a
    output_grid_min_resolution: int = 40   # larger one gets a coarser heatmap, down to this
    hidden_grid_resolution: int = 25
    curve_resolution: int = 100            # grids of 1-D datasets
    live_landscape_interval_seconds: float = 0.15
    max_landscape_resolution: int = 101
    max_field_resolution: int = 21
    landscape_timeout_seconds: float = 30.0   # past it a landscape stops (between chunks)
    landscape_threads: int = 2             # landscape computations at once (worker threads)
    landscape_heavy_cost: float = 1e9      # above this cost (params x examples x grid points) a
                                           # landscape may not take the last free thread
    landscape_rate: float = 3e8            # landscape work (as above) this machine does per second,
                                           # a low estimate: a surface's time until it is measured
    landscape_admission_seconds: float = 1.0   # a live surface admitted (server/landscape_
                                           # admission.py) is promised a refresh this often
    landscape_refused_retry_seconds: float = 10.0   # no room for a live surface: ask again after
    landscape_retry_seconds: float = 2.0   # a live landscape that timed out retries after this,
    landscape_max_retry_seconds: float = 60.0   # doubling up to this
    max_comparisons: int = 8               # comparison groups at once (their members are runs)
    max_comparisons_per_session: int | None = None   # groups one browser session may hold;
                                           # None: max_comparisons // SESSION_SHARE, at least 1
    max_comparison_members: int = 6
    comparison_grid_resolution: int = 40   # each member's small decision boundary
    comparison_round_seconds: float = 0.012  # wall time of one lockstep round of a playing group
    max_races: int = 32
    max_races_per_session: int | None = None   # races one browser session may hold;
                                           # None: max_races // SESSION_SHARE, at least 1
    max_racers: int = 6
    max_race_steps_per_call: int = 10_000  # REST /step and websocket step
    max_race_speed: int = 1_000            # race steps per frame while playing
    max_function_resolution: int = 201     # GET /api/functions/{name}/surface
    # the store (server/store.py): one SQLite file in data_dir, created on first use
    data_dir: str = field(default_factory=default_data_dir)
    max_upload_bytes: int = 512 * 1024        # POST /api/datasets body; past it 413
    max_datasets: int = 1000                  # stored datasets; the least recently used go first
    max_dataset_store_bytes: int = 64 * 2**20
    max_saved_runs: int = 200                 # runs saved by "save"; past it 507 (delete one)
    max_saved_bytes: int = 512 * 2**20
    max_autosaved_runs: int = 50              # saved at expiry or shutdown; oldest dropped first
    max_autosaved_bytes: int = 128 * 2**20
    graph_max_chars: int = 2000            # POST /api/graph: characters of the expression
    graph_max_nodes: int = 400             # ... values in its graph
    graph_max_depth: int = 64              # ... nesting of one expression
    graph_max_exponent: float = 16.0       # ... |k| in x ** k
    network_graph_max_nodes: int = 320     # GET /api/runs/{id}/graph, scalar by scalar
    static_dir: str | None = None          # default: <repo>/static
    templates_dir: str | None = None       # default: <repo>/templates

    def per_session(self, registry: str) -> int:
        """What one browser session may hold of `registry` ("max_races"): the setting
        `<registry>_per_session` if given, else a SESSION_SHARE of the registry, at least 1."""
        given = getattr(self, f"{registry}_per_session")
        return given if given is not None else max(1, getattr(self, registry) // SESSION_SHARE)
