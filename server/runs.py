"""Runs: a Trainer plus its play state, versions and viewers; a bounded registry of them.

Every engine call happens on the event-loop thread, in synchronous slices of a few ms with
awaits between them, so training, REST calls and frame building never race (no lock needed).
Heavy read-only work (landscapes) runs in a worker thread on a copy (Trainer.capture_state on the loop, Trainer.from_state in the thread).
"""

from __future__ import annotations

import asyncio
import logging
import collections
import time
from typing import Callable


from engine import TrainConfig, Trainer
from engine.trainer import TrainerState

from .ids import new_id
from .admission import OverBudget, check_admission, off_the_loop, run_cost
from .memory import give_back_memory
from .run_access import token_hash
from .settings import Settings

log = logging.getLogger("nn_playground")


YIELDS_PER_SLICE = 4
CYCLE_SECONDS = 0.05
MIN_SLICE_SECONDS = 0.001


# a deleted run's last arrays are freed after its delete returns (its broadcaster's task ends
# on the next loop step, a frame or surface being built in a thread ends with its chunk, each
# viewer's socket drops its last frame): memory is given back again this long after the last
# delete of a burst, by when they usually have (a surface's long chunk may hold on longer)
LATE_TRIM_SECONDS = 2.0


def loop_call_soon(callback) -> None:
    """callback() after the current event-loop step (now, when no loop runs)."""
    try:
        asyncio.get_running_loop().call_soon(callback)
    except RuntimeError:
        callback()


def loop_call_later(seconds: float, callback) -> asyncio.TimerHandle | None:
    """callback() `seconds` from now on the running loop (never, when no loop runs)."""
    try:
        return asyncio.get_running_loop().call_later(seconds, callback)
    except RuntimeError:
        return None


class RegistryFull(Exception):
    """No room for another run."""


class ComputeBudgetFull(RegistryFull):
    """No compute left for another run of this size (a RegistryFull: callers that only know
    that answer 429; POST /api/runs answers 503 with Retry-After)."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class ThroughputMeter:
    """Training steps per second over a sliding window of about one second."""

    def __init__(self, window: float = 1.0):
        self.window = window
        self._samples: collections.deque[tuple[float, int]] = collections.deque()

    def add(self, steps: int, now: float | None = None) -> None:
        self._samples.append((time.monotonic() if now is None else now, steps))

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        while self._samples and self._samples[0][0] < now - self.window:
            self._samples.popleft()
        return sum(s for _, s in self._samples) / self.window


class PlayScheduler:
    """Trains every playing run, round robin, ONE slice (a few ms) per event-loop iteration.

    One task for all runs rather than one per run: with N runs each doing a slice per iteration,
    an iteration would last N slices and every other await (frames, messages) would wait that
    long. Runs with a `speed` get `speed` steps per frame interval and are skipped when done."""

    def __init__(self):
        self._queue: collections.deque[Run] = collections.deque()
        self._task: asyncio.Task | None = None

    def add(self, run: "Run") -> None:
        if run not in self._queue:
            self._queue.append(run)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())

    def remove(self, run: "Run") -> None:
        if run in self._queue:
            self._queue.remove(run)

    async def _loop(self) -> None:
        queue = self._queue
        idle_rounds = 0
        while queue:
            run = queue.popleft()
            if not run.playing or run.closed:
                continue
            queue.append(run)
            now = time.monotonic()
            if run.speed is not None and now >= run.refill_at:
                run.step_budget, run.refill_at = run.speed, now + run.pace_interval
            if run.trains_again_at(now) > now:   # throttled, or resting for its frame
                idle_rounds += 1
                if idle_rounds >= len(queue):   # every run waits: sleep till the first may go
                    wait = min(r.trains_again_at(now) for r in queue) - now
                    await asyncio.sleep(max(0.0, wait))
                    idle_rounds = 0
                continue
            limit = run.step_budget if run.speed is not None else None
            idle_rounds = 0
            # every playing run gets a slice at least every ~CYCLE_SECONDS, so each has new
            # states to show at every frame even when many play at once
            seconds = max(MIN_SLICE_SECONDS, min(run.settings.train_slice_seconds,
                                                 CYCLE_SECONDS / len(queue)))
            started = time.perf_counter()
            try:
                done = run.train_slice(limit=limit, seconds=seconds)
            except Exception:  # one run's failure must not stop every other run
                log.exception("training run %s failed; it is paused", run.id)
                run.pause()
                continue
            run.rest_if_frame_overdue(time.perf_counter() - started)
            if limit is not None:
                run.step_budget -= done
            # a few loop iterations between slices: a frame or a message needs several
            # iterations (timer, broadcaster, sender, transport), each would wait a slice
            for _ in range(YIELDS_PER_SLICE):
                await asyncio.sleep(0)


class Run:
    """One training run: the trainer, whether it plays, and counters viewers use to notice change."""

    def __init__(self, run_id: str, config: TrainConfig | None, settings: Settings,
                 scheduler: "PlayScheduler | None" = None, trainer: Trainer | None = None, *,
                 dataset_source=None, state: TrainerState | None = None):
        """A new run from config, of a trainer built elsewhere (a group member), or (state
        given) one continuing a captured trainer state; dataset_source(id) gives custom
        datasets' points (the store's)."""
        self.id = run_id
        self.scheduler = scheduler or PlayScheduler()
        self.settings = settings
        if trainer is not None:
            self.trainer = trainer
        elif state is not None:
            self.trainer = Trainer.from_state(state, dataset_source)
        else:
            self.trainer = Trainer(config, dataset_source=dataset_source)
        self.created = self.last_active = time.monotonic()
        self.playing = False
        # control state, owned here: changed only through request_frame / set_speed /
        # set_pace_interval, read by the scheduler and the run's broadcaster (server/stream.py)
        self.speed: int | None = None        # steps per pace interval; None: as fast as possible
        self.pace_interval = 1.0 / settings.default_fps
        self.generation = 0       # +1 on every rebuild (reset, or a set with reset)
        self.config_version = 0   # +1 on every applied set or reset
        self.state_version = 0    # +1 on every change of the trainer
        self.meter = ThroughputMeter()
        self.closed = False
        self._wake = asyncio.Event()   # set when a frame should go out now (controls, landscapes)
        self._frame_requested = False  # someone asked for a frame now
        self._slice_steps = 1
        self.last_metrics: tuple[int, dict] | None = None   # (state_version, metrics)
        self.step_budget = 0          # steps left in this frame interval when speed is set
        self.refill_at = 0.0
        self._frame_since: float | None = None   # when the frame building off the loop began
        self._resting_until = 0.0     # frames first: no training before this (monotonic)
        self._on_close: list[Callable[[], None]] = []
        self.viewer_count = 0
        self.cost = 0.0           # what showing it costs (server/admission.py); set on admission
        # the cost of the registry's other runs (set by RunRegistry.create): a change of config
        # that makes this run cost more is admitted against it like a new run; None: not checked
        self.others_cost: Callable[[], float] | None = None

    # ------------------------------------------------------------------ state
    @property
    def status(self) -> str:
        """'diverged' (the engine says so), else 'playing' or 'paused'."""
        if self.trainer.status == "diverged":
            return "diverged"
        return "playing" if self.playing else "paused"

    def frame_fields(self) -> dict:
        """What a frame's header (and GET /snapshot) says about the run beside the trainer's
        state: server/snapshot.frame_header joins the two."""
        return dict(run=self.id, generation=self.generation, config_version=self.config_version,
                    status=self.status, reason=self.trainer.reason, playing=self.playing,
                    steps_per_second=round(self.meter.rate(), 1), speed=self.speed)

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def expire_in(self, seconds: float) -> None:
        """Let the run expire `seconds` from now unless it is touched again (its owner left);
        it is saved then if it trained, like every expired run."""
        self.last_active = min(self.last_active,
                               time.monotonic() - self.settings.run_ttl_seconds + seconds)

    def _mark_changed(self, urgent: bool = False) -> None:
        self.state_version += 1
        if urgent:
            self.request_frame()

    # ------------------------------------------------------------------ frame control
    def request_frame(self) -> None:
        """Viewers should get a frame now (a control was applied, a landscape is ready, the
        subscription changed): wakes the run's broadcaster before its next tick."""
        self._frame_requested = True
        self._wake.set()

    def take_frame_request(self) -> bool:
        """For the broadcaster: was a frame requested since the last call? (clears it)"""
        requested, self._frame_requested = self._frame_requested, False
        self._wake.clear()
        return requested

    @property
    def frame_requested(self) -> bool:
        return self._frame_requested

    async def wait_for_frame_request(self, seconds: float) -> None:
        """Until request_frame() is called, the run closes, or `seconds` pass."""
        if self._frame_requested or self.closed:
            return
        handle = asyncio.get_running_loop().call_later(seconds, self._wake.set)
        try:
            await self._wake.wait()
        finally:
            handle.cancel()

    def frame_building(self, building: bool) -> None:
        """The broadcaster's word that a frame of this run is (or is no longer) being built
        off the loop; while it takes too long, training rests (rest_if_frame_overdue)."""
        self._frame_since = time.monotonic() if building else None
        if not building:
            self._resting_until = 0.0

    def rest_if_frame_overdue(self, slice_seconds: float) -> None:
        """Frames first: after a slice of `slice_seconds`, if this run's frame has been
        building for longer than settings.frame_overdue_seconds, the run rests for
        frame_rest_ratio x the slice (the scheduler trains other runs, or sleeps, meanwhile)."""
        since = self._frame_since
        now = time.monotonic()
        if since is not None and now - since > self.settings.frame_overdue_seconds:
            self._resting_until = now + slice_seconds * self.settings.frame_rest_ratio

    def trains_again_at(self, now: float) -> float:
        """When the scheduler may next give this playing run a slice: now, the end of its
        rest, or (its speed's steps for this interval taken) the next refill."""
        at = max(now, self._resting_until)
        if self.speed is not None and self.step_budget <= 0:
            at = max(at, self.refill_at)
        return at

    def set_speed(self, speed: int | None) -> None:
        """Steps per pace interval while playing (None: as fast as the scheduler allows)."""
        self.speed = speed

    def set_pace_interval(self, seconds: float) -> None:
        """The interval between the frames its viewers ask for (0.9/fps): a throttled run's
        speed is steps per such interval, however far apart its costly frames are sent."""
        self.pace_interval = seconds

    def on_close(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call callback when the run closes; returns a function that forgets it again."""
        self._on_close.append(callback)

        def forget() -> None:
            if callback in self._on_close:
                self._on_close.remove(callback)
        return forget

    def close(self) -> None:
        """Stop playing and tell listeners (viewers) that the run is gone."""
        self.closed = True
        self.playing = False
        self.scheduler.remove(self)
        for callback in list(self._on_close):
            callback()
        self._wake.set()

    # ------------------------------------------------------------------ training
    def train_slice(self, limit: int | None = None, seconds: float | None = None) -> int:
        """Train for about `seconds` (default settings.train_slice_seconds), at most `limit`
        steps; adapt the step count to the measured speed. Returns the steps taken."""
        if self.trainer.status == "diverged":
            if self.playing:
                self.playing = False
                self._mark_changed(urgent=True)
            return 0
        n = self._slice_steps if limit is None else max(1, min(self._slice_steps, limit))
        before = self.trainer.step_count
        t0 = time.perf_counter()
        self.trainer.train(n)   # no metrics here: frames and responses compute them when needed
        elapsed = time.perf_counter() - t0
        target = self.settings.train_slice_seconds if seconds is None else seconds
        if n == self._slice_steps or elapsed > target:
            scale = target / max(elapsed, 1e-6)
            self._slice_steps = int(max(1, min(self._slice_steps * 2, n * scale, 1_000_000)))
        done = self.trainer.step_count - before
        self.meter.add(done)
        diverged = self.trainer.status == "diverged"
        if diverged:
            self.playing = False    # nothing more to train; viewers see it at once
        self._mark_changed(urgent=diverged)
        return done

    def train_steps(self, n: int) -> int:
        """Train exactly n steps now (fewer if it diverges), for callers that size their own
        slices (a comparison group's lockstep rounds). Returns the steps taken."""
        before = self.trainer.step_count
        self.trainer.train(n)
        done = self.trainer.step_count - before
        self.meter.add(done)
        diverged = self.trainer.status == "diverged"
        if diverged:
            self.playing = False
        self._mark_changed(urgent=diverged)
        return done

    async def advance(self, steps: int, budget_seconds: float) -> tuple[int, bool]:
        """Train `steps` steps in slices, yielding to the event loop between them, for at most
        budget_seconds. Returns (steps taken, truncated)."""
        deadline = time.monotonic() + budget_seconds
        done = 0
        while done < steps and self.trainer.status != "diverged" and not self.closed:
            if time.monotonic() >= deadline:
                return done, True
            taken = self.train_slice(limit=steps - done)
            if taken == 0:
                break
            done += taken
            await asyncio.sleep(0)
        return done, False

    def play(self) -> None:
        if self.closed:
            return
        self.playing = True
        self.scheduler.add(self)
        self.request_frame()   # the weights are as they were: state_version stays

    def pause(self) -> None:
        self.playing = False
        self.request_frame()

    def metrics(self) -> dict:
        """The trainer's metrics, computed (and recorded in its history) at most once per state
        change. They only observe: whether the run diverged is decided by Trainer.train (in
        train_slice / train_steps, which stop playing then), never here."""
        if self.last_metrics is None or self.last_metrics[0] != self.state_version:
            self.last_metrics = (self.state_version, self.trainer.record_history())
        return self.last_metrics[1]

    async def metrics_off_the_loop(self) -> dict:
        """metrics(), computed in a worker thread on a copy when they are not current and the
        run is large (admission.off_the_loop: its full-set pass would hold the event loop for
        ~10 ms); recorded on return like metrics() records them."""
        current = self.last_metrics is not None and self.last_metrics[0] == self.state_version
        if current or not off_the_loop(self.trainer, self.settings):
            return self.metrics()
        source = self.trainer
        version, state = self.state_version, source.capture_state(path=False)
        metrics = await asyncio.to_thread(lambda: Trainer.from_state(state, like=source).metrics())
        if not self.closed:
            self.record_metrics(version, metrics)
        return metrics

    def record_metrics(self, state_version: int, metrics: dict, raw: dict | None = None) -> None:
        """Metrics computed elsewhere (a frame built in a thread, on a copy at state_version):
        recorded in the trainer's history like metrics() would, and kept if still current."""
        metrics_now = raw if raw is not None else metrics
        history = self.trainer.history
        if not history or history[-1]["step"] < metrics_now["step"]:   # never out of order
            self.trainer.record_history(metrics_now)
        if state_version == self.state_version:
            self.last_metrics = (state_version, raw if raw is not None else metrics)

    # ------------------------------------------------------------------ settings
    def set(self, changes: dict, reset: bool = False) -> dict:
        """Trainer.set, then bump the versions. Raises ResetRequired / ValidationError unchanged,
        and ComputeBudgetFull (nothing changes then) when a rebuild would make the run cost
        more than the budget has left beside the other runs (server/admission.py)."""
        cost = self._admit_rebuild(changes) if reset and changes else self.cost
        result = self.trainer.set(reset=reset, **changes)
        self.cost = cost
        if result["changed"] or reset:
            self.config_version += 1
        if reset:
            self.generation += 1
        self._mark_changed(urgent=True)
        return result

    def _admit_rebuild(self, changes: dict) -> float:
        """The run's cost after a rebuild with these changes (the trainer they would build,
        made aside: the run is unchanged); ComputeBudgetFull if that is more than it costs now
        and does not fit beside the other runs. Raises the trainer's ValidationError /
        CustomDataError for changes it refuses."""
        rebuilt = self.trainer.rebuilt_with(**changes)
        cost = run_cost(rebuilt, self.settings)
        if cost <= self.cost or self.others_cost is None:
            return cost
        try:
            return check_admission(rebuilt, self.others_cost(), self.settings)
        except OverBudget as exc:
            raise ComputeBudgetFull(str(exc), exc.retry_after) from None

    def set_params(self, values: dict) -> list[str]:
        """Trainer.set_params (raises ParameterEditError naming bad entries; nothing changes
        then); viewers get a frame at once and training continues from the new values."""
        changed = self.trainer.set_params(values)
        self._mark_changed(urgent=True)
        return changed

    def reset(self) -> dict:
        metrics = self.trainer.reset()
        self.generation += 1
        self.config_version += 1
        self._mark_changed(urgent=True)
        return metrics


class RunRegistry:
    """The live runs, at most settings.max_runs, ids from server/ids.py."""

    def __init__(self, settings: Settings, store=None):
        """store (server/store.py): where custom datasets come from and where runs that trained
        are saved when they expire or the server shuts down (None: nowhere)."""
        self.settings = settings
        self.store = store
        self.runs: dict[str, Run] = {}
        self._late_trim: asyncio.TimerHandle | None = None   # the trim after a burst of deletes
        self.scheduler = PlayScheduler()

    def __len__(self) -> int:
        return len(self.runs)

    def dataset_source(self, dataset_id: str):
        """The points of a stored custom dataset, or None."""
        return self.store.get_dataset(dataset_id) if self.store is not None else None

    def create(self, config: TrainConfig | None, trainer: Trainer | None = None,
               state: TrainerState | None = None) -> Run:
        """A new run of this config (or of a trainer built elsewhere, e.g. a group member, or
        continuing a captured state: a reopened saved run). Raises RegistryFull, or
        CustomDataError for a custom dataset that is missing or unfit."""
        if len(self.runs) >= self.settings.max_runs:
            raise RegistryFull(
                f"too many runs: {len(self.runs)} of {self.settings.max_runs} are live; delete "
                f"one (DELETE /api/runs/{{id}}) or wait until idle runs expire "
                f"(after {self.settings.run_ttl_seconds:g} s)")
        run_id = new_id(self.settings.node)
        run = Run(run_id, config, self.settings, self.scheduler, trainer,
                  dataset_source=self.dataset_source, state=state)
        try:
            run.cost = check_admission(run.trainer, self.cost(), self.settings)
        except OverBudget as exc:
            raise ComputeBudgetFull(str(exc), exc.retry_after) from None
        run.others_cost = lambda: self.cost() - run.cost
        self.runs[run_id] = run
        return run

    def cost(self) -> float:
        """The live runs' cost together (server/admission.py), against settings.compute_budget."""
        return sum(run.cost for run in self.runs.values())

    def states_to_save(self, run_ids) -> list[tuple[str, object, str | None]]:
        """(run id, captured state, hash of the run's control token: the saved run's owner) of
        those runs that trained: what an automatic save keeps."""
        if self.store is None:
            return []
        return [(rid, self.runs[rid].trainer.capture_state(),
                 token_hash(getattr(self.runs[rid], "control_token", None)))
                for rid in run_ids if rid in self.runs and self.runs[rid].trainer.step_count > 0]

    def save_states(self, states, reason: str) -> None:
        """Save captured states ("expired" or "shutdown"); never raises (a failing save is
        logged: it must not stop the sweep or the shutdown). Safe in a worker thread."""
        for rid, state, owner in states:
            try:
                self.store.save_run(state, reason, rid, owner)
            except Exception:  # noqa: BLE001
                log.exception("could not save run %s at %s", rid, reason)

    def get(self, run_id: str) -> Run | None:
        return self.runs.get(run_id)

    def delete(self, run_id: str) -> bool:
        run = self.runs.pop(run_id, None)
        if run is None:
            return False
        run.close()
        if not self.runs:
            give_back_memory(force=True)   # the last run gone: RSS back near idle
        else:
            loop_call_soon(give_back_memory)
        if self._late_trim is not None:     # one late trim after a burst of deletes
            self._late_trim.cancel()
        self._late_trim = loop_call_later(LATE_TRIM_SECONDS, self._trim_late)
        return True

    def _trim_late(self) -> None:
        self._late_trim = None
        give_back_memory(force=True)

    def idle(self, now: float | None = None) -> list[str]:
        """Runs idle longer than the TTL (a run with viewers is never idle)."""
        now = time.monotonic() if now is None else now
        return [rid for rid, run in self.runs.items()
                if run.viewer_count == 0 and now - run.last_active > self.settings.run_ttl_seconds]

    def sweep(self, now: float | None = None) -> list[str]:
        """Save the idle runs that trained, then delete every idle run."""
        expired = self.idle(now)
        self.save_states(self.states_to_save(expired), "expired")
        for rid in expired:
            self.delete(rid)
        return expired

    async def sweep_forever(self) -> None:
        """sweep() every interval, the saves in a worker thread (a large run takes a few
        hundred ms to write); a run touched meanwhile is kept."""
        while True:
            await asyncio.sleep(self.settings.sweep_interval_seconds)
            expired = self.idle()
            await asyncio.to_thread(self.save_states, self.states_to_save(expired), "expired")
            for rid in set(expired) & set(self.idle()):
                self.delete(rid)

    def close(self) -> None:
        """Graceful shutdown: save the runs that trained, then close every run."""
        self.save_states(self.states_to_save(list(self.runs)), "shutdown")
        for rid in list(self.runs):
            self.delete(rid)
