"""Comparison groups on the server: an engine ComparisonGroup whose members are ordinary runs
(readable and changeable with every /api/runs endpoint), trained in lockstep on the group's
clock, and streamed to viewers with all members in one frame (docs/protocol.md).

Like runs, everything here runs on the event loop (the one thread that trains) in short
synchronous rounds with awaits between them.
"""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np

from engine import TrainConfig
from engine.comparison import HISTORY_COLUMNS, ComparisonGroup

from .frames import FrameEncoder
from .latest_sender import LatestSender
from .live_registry import LiveRegistry
from .runs import RegistryFull, Run, RunRegistry
from .settings import Settings
from .snapshot import Sections, output_grid, plain

log = logging.getLogger("nn_playground")

YIELDS_PER_ROUND = 4
MARKS_PER_FRAME = 50
GRID_INTERVAL_SECONDS = 0.1   # decision boundaries refresh at most 10 times a second
MIN_ROUND_UPDATES = 8         # a round gives each member at least this many updates


class Comparison:
    """One group: its engine object, its member runs, whether it plays, its viewers."""

    def __init__(self, cid: str, group: ComparisonGroup, runs: list[Run], labels: list[str],
                 settings: Settings, encoder: FrameEncoder):
        self.id = cid
        self.group = group
        self.runs = runs
        self.labels = labels
        self.settings = settings
        self.encoder = encoder
        self.playing = False
        self.closed = False
        self.viewers: set[LatestSender] = set()
        self.seq = 0
        self.generation = 0            # +1 when the curves restart (never, for now: reserved)
        self._targets: list[float] | None = None
        self._delta = 1.0 if group.clock == "updates" else 0.02
        self._task: asyncio.Task | None = None
        self._ticker: asyncio.Task | None = None
        self._versions: tuple | None = None
        self._frames: dict = {}
        self._grids: dict[int, tuple[int, float, object]] = {}   # member -> (version, time, grid)
        self.last_active = time.monotonic()

    # ------------------------------------------------------------------ state
    @property
    def clock(self) -> str:
        return self.group.clock

    def live_members(self) -> list[int]:
        return [i for i, r in enumerate(self.runs) if not r.closed]

    def touch(self) -> None:
        self.last_active = time.monotonic()
        for r in self.runs:
            r.touch()

    def describe(self) -> dict:
        """{"id", "clock", "playing", "same_start", "members": [{"id", "label", "config",
        "metrics", "status", "clock"}]}: the REST answer (same_start: whether the members
        started from the same weights)."""
        members = []
        for i, run in enumerate(self.runs):
            entry = {"id": run.id, "label": self.labels[i], "config": run.trainer.config}
            if run.closed:
                entry.update(status="deleted", metrics=None, clock=None)
            else:
                entry.update(status=run.status, metrics=plain(run.metrics()),
                             clock=self.group.member_clock(i))
            members.append(entry)
        return {"id": self.id, "clock": self.clock, "playing": self.playing,
                "same_start": self.group.same_start(), "members": members}

    def set_clock(self, clock: str) -> None:
        if clock not in ("epochs", "updates"):
            raise ValueError(f"clock must be epochs or updates, got {clock!r}")
        self.group.clock = clock
        self._targets = None
        self._delta = 1.0 if clock == "updates" else 0.02
        self.changed(urgent=True)

    def set_member(self, index: int, changes: dict) -> dict:
        """A live change of one member through its Run (so versions and viewers of the run see
        it); the engine's rule refuses data/architecture changes inside a group."""
        if not 0 <= index < len(self.runs) or self.runs[index].closed:
            raise ValueError(f"member must be one of {self.live_members()}, got {index}")
        self.group.check_member_change(index, changes)
        result = self.runs[index].set(changes)
        self.changed(urgent=True)
        return {**result, "member": index}

    # ------------------------------------------------------------------ training
    def _train(self, index: int, steps: int) -> int:
        """`steps` steps of member `index` now, through its Run (meters, versions)."""
        run = self.runs[index]
        if run.closed or run.trainer.status != "ok":
            return 0
        return run.train_steps(steps)

    async def step(self, epochs: int | None, updates: int | None,
                   budget_seconds: float) -> tuple[list[int], bool]:
        """Train every live member its share (n epochs or n updates from where each is), in
        round-robin slices; stops after budget_seconds with truncated=True."""
        plan = self.group.steps_for(epochs=epochs, updates=updates)
        done = [0] * len(plan)
        deadline = time.monotonic() + budget_seconds
        truncated = False
        while True:
            active = [i for i in self.live_members()
                      if done[i] < plan[i] and self.runs[i].trainer.status == "ok"]
            if not active:
                break
            if time.monotonic() >= deadline:
                truncated = True
                break
            for i in active:
                run = self.runs[i]
                taken = run.train_slice(limit=plan[i] - done[i])
                done[i] += taken
                if taken == 0:
                    plan[i] = done[i]
            await asyncio.sleep(0)
        self._targets = None
        self.group.record(self._metrics())
        self.changed(urgent=True)
        return done, truncated

    def _metrics(self) -> list[dict]:
        return [run.metrics() if not run.closed else {
            "train_loss": float("nan"), "test_loss": float("nan"), "train_accuracy": None,
            "test_accuracy": None} for run in self.runs]

    def play(self) -> None:
        if self.closed:
            return
        self.playing = True
        self._targets = None
        for r in self.runs:
            r.playing = False   # the group drives them; the run scheduler must not
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._play_loop())
        self.changed(urgent=True)

    def pause(self) -> None:
        self.playing = False
        self.changed(urgent=True)

    async def _play_loop(self) -> None:
        """Rounds: raise every member's target by the same delta on the group's clock, train each
        to it; the delta adapts so that a round takes about comparison_round_seconds."""
        target_seconds = self.settings.comparison_round_seconds
        while self.playing and not self.closed:
            live = self.live_members()
            if not live or all(self.runs[i].trainer.status != "ok" for i in live):
                self.playing = False
                self.changed(urgent=True)
                break
            if self._targets is None:
                self._targets = self.group.targets_from_here()
            self._targets = [t + self._delta for t in self._targets]
            t0 = time.perf_counter()
            try:
                for _ in range(4):   # smaller last batches may leave a member short: top up
                    plan = self.group.steps_to_reach(self._targets)
                    if not any(plan[i] for i in live):
                        break
                    for i in live:
                        if plan[i]:
                            self._train(i, plan[i])
            except Exception:
                log.exception("comparison %s failed; it is paused", self.id)
                self.playing = False
                break
            elapsed = time.perf_counter() - t0
            scale = min(2.0, target_seconds / max(elapsed, 1e-5))
            self._delta = max(self._delta * scale, MIN_ROUND_UPDATES if self.clock == "updates"
                              else 1e-3)
            if self.clock == "updates":
                self._delta = float(round(self._delta))
            for r in self.runs:
                r.touch()
            self.changed()
            for _ in range(YIELDS_PER_ROUND):
                await asyncio.sleep(0)

    # ------------------------------------------------------------------ viewers and frames
    def changed(self, urgent: bool = False) -> None:
        for v in self.viewers:
            v.offer(urgent)

    def attach(self, viewer: LatestSender) -> None:
        self.viewers.add(viewer)
        for r in self.runs:
            r.viewer_count += 1
        viewer.offer(urgent=True)

    def detach(self, viewer: LatestSender) -> None:
        self.viewers.discard(viewer)
        for r in self.runs:
            r.viewer_count = max(0, r.viewer_count - 1)
        if not self.viewers and self.playing:
            self.pause()      # like runs: a group pauses when its last viewer leaves

    def _state_key(self) -> tuple:
        return (tuple(r.state_version for r in self.runs), tuple(r.closed for r in self.runs),
                self.playing, self.clock)

    def frame_for(self, viewer: LatestSender) -> bytes | None:
        """The newest frame for this viewer: with every member's history the first time (and
        after a generation change), else the newest rows only. None when nothing changed."""
        key = self._state_key()
        if key != self._versions:
            self._versions = key
            self.seq += 1
            self.group.record(self._metrics())
            self._frames = {}
        full = viewer.state.get("generation") != self.generation
        if not full and viewer.state.get("seq") == self.seq:
            return None
        frame = self._frames.get(full)
        if frame is None:
            frame = self._frames[full] = self._encode(full)
        viewer.state.update(generation=self.generation, seq=self.seq)
        return frame

    def _encode(self, full: bool) -> bytes:
        res = self.settings.comparison_grid_resolution
        sections = Sections()
        members = []
        for i, run in enumerate(self.runs):
            curves = self.group.curves[i]
            entry = {"index": i, "id": run.id, "label": self.labels[i]}
            if run.closed:
                entry.update(status="deleted")
                members.append(entry)
                continue
            t = run.trainer
            metrics = run.metrics()
            entry.update(status=run.status, reason=t.reason, config=t.config.model_dump(),
                         metrics=metrics, clock=self.group.member_clock(i),
                         layer_sizes=t.layer_sizes, task=t.task,
                         input_dim=t.input_dim, domain=[list(d) for d in t.input_domain()],
                         row=list(curves.rows[-1]) if curves.rows else None,
                         marks=curves.marks[-MARKS_PER_FRAME:],
                         steps_per_second=round(run.meter.rate(), 1))
            grid = self._grid(i, run, res)
            sections.arrays[f"m{i}_output"] = grid.arrays["output_grid"]
            if "output_grid" in grid.ranges:
                sections.ranges[f"m{i}_output"] = grid.ranges["output_grid"]
            if full:
                sections.arrays[f"m{i}_history"] = curves.array()
            members.append(entry)
        header = {"kind": "comparison", "comparison": self.id, "seq": self.seq,
                  "generation": self.generation, "clock": self.clock, "playing": self.playing,
                  "history_columns": list(HISTORY_COLUMNS), "full": full,
                  "grid_resolution": res, "members": members}
        return self.encoder.encode(header, sections)

    def _grid(self, i: int, run: Run, resolution: int):
        """Member i's output grid, recomputed at most every GRID_INTERVAL_SECONDS while it
        trains (the same array object until then, so the encoder's quantization is reused)."""
        now = time.monotonic()
        cached = self._grids.get(i)
        if cached is not None and (cached[0] == run.state_version
                                   or now - cached[1] < GRID_INTERVAL_SECONDS):
            return cached[2]
        t = run.trainer
        grid = output_grid(t, resolution if t.input_dim == 2
                           else self.settings.curve_resolution)
        self._grids[i] = (run.state_version, now, grid)
        return grid

    def close(self) -> None:
        self.closed = True
        self.playing = False
        for v in list(self.viewers):
            v.close()


class ComparisonRegistry(LiveRegistry[Comparison]):
    """The live groups, at most settings.max_comparisons; members live in the RunRegistry."""

    def __init__(self, settings: Settings, runs: RunRegistry, encoder: FrameEncoder):
        super().__init__("comparison group", settings.max_comparisons,
                         "/api/comparisons/{id}", settings.node)
        self.settings = settings
        self.run_registry = runs
        self.encoder = encoder

    def create(self, base: TrainConfig, variants: list[dict], clock: str,
               labels: list[str] | None = None) -> Comparison:
        """Raises RegistryFull (no room for the group or its member runs), CustomDataError (a
        custom dataset that is missing or unfit for the base), VariantError (engine/comparison.py:
        which variant, and which of its settings, makes an invalid member) or ValueError (a bad
        group), before creating anything."""
        self.check_room()
        room = self.settings.max_runs - len(self.run_registry)
        if len(variants) > room:
            raise RegistryFull(f"a group of {len(variants)} needs {len(variants)} runs; only "
                               f"{room} of {self.settings.max_runs} are free")
        group = ComparisonGroup(base, variants, clock,
                                dataset_source=self.run_registry.dataset_source)
        runs = [self.run_registry.create(c, trainer=t)
                for c, t in zip(group.configs, group.members)]
        labels = list(labels) if labels else [member_label(base, v) for v in variants]
        comparison = self.add(lambda cid: Comparison(cid, group, runs, labels, self.settings,
                                                     self.encoder))
        group.record(comparison._metrics())
        return comparison

    def released(self, comparison: Comparison) -> None:
        for run in comparison.runs:          # the member runs go with their group
            self.run_registry.delete(run.id)

    def expired(self, comparison: Comparison, now: float | None) -> bool:
        """A group whose members all expired or were deleted."""
        return not comparison.live_members()


def member_label(base: TrainConfig, variant: dict) -> str:
    """'learning_rate 0.1, batch_size 1': what makes the member differ from the base."""
    parts = [f"{k} {v}" for k, v in variant.items() if getattr(base, k) != v]
    return ", ".join(parts) or "base"
