"""RunStream: the broadcaster of one run to its viewers; StreamRegistry: every run's stream.

The broadcaster builds one snapshot per frame interval (only while someone watches and only when
something changed), plus at once after any control message (Run.request_frame), and offers it
to every viewer's slot (server/viewer.py). Landscapes are computed at a lower rate (about every
150 ms while the run changes) by the app's LandscapeWorker (server/landscape_worker.py); one
that times out is retried with backoff, its error in every frame's header until then. A viewer
gets a live surface only if the run's claim on the landscape threads is admitted (a 503 error
otherwise, the rest of its subscription applied).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

from engine import Trainer

from .admission import frame_interval, grid_resolutions, off_the_loop
from .api_models import LandscapeOptions
from .frames import FrameEncoder
from .landscape_admission import LandscapeRefused
from .landscape_worker import LandscapeTimeout, LandscapeWorker
from .runs import Run
from .settings import Settings
from .snapshot import (DEFAULT_VIEWS, HISTORY_COLUMNS, Sections, activation_points,
                       dataset_sections, frame_header, hidden_grids, hidden_means, landscape_sections,
                       neuron_function, output_grid, parameter_sections, valid_neuron)
from .viewer import Viewer

log = logging.getLogger("nn-playground")

VIEW_SECTIONS = {
    "weights": ("weights",), "gradients": ("gradients",), "output": ("output_grid",),
    "hidden": ("hidden_grids",), "hidden_means": ("hidden_means",),
}
GRID_LOAD_SHARE = 0.2      # grids of all runs together may take this share of the event loop


def _options_key(options: LandscapeOptions) -> str:
    return json.dumps(sorted(options.model_dump().items(), key=lambda kv: kv[0]))


class StreamRegistry:
    """The broadcaster of each run that has (had) viewers; one per app (app.state.streams)."""

    def __init__(self, settings: Settings, encoder: FrameEncoder, landscapes: LandscapeWorker):
        self.settings = settings
        self.encoder = encoder
        self.landscapes = landscapes
        self.streams: dict[str, RunStream] = {}
        self.active: set[RunStream] = set()   # broadcasting right now
        self._frame_slots: asyncio.Semaphore | None = None

    def frame_slots(self) -> asyncio.Semaphore:
        """Worker threads that build large runs' snapshots (settings.frame_threads at once)."""
        if self._frame_slots is None:
            self._frame_slots = asyncio.Semaphore(max(1, self.settings.frame_threads))
        return self._frame_slots

    def of(self, run: Run) -> "RunStream":
        """The run's broadcaster, created on first use and forgotten when the run closes."""
        stream = self.streams.get(run.id)
        if stream is None:
            stream = self.streams[run.id] = RunStream(run, self.settings, self.encoder,
                                                      self.landscapes, self)
            run.on_close(lambda: self.streams.pop(run.id, None))
        return stream

    def __len__(self) -> int:
        return len(self.streams)

    def get(self, run_id: str) -> "RunStream | None":
        return self.streams.get(run_id)


@dataclass
class Landscape:
    id: int
    generation: int
    key: tuple
    meta: dict
    sections: Sections


@dataclass
class Snapshot:
    """One moment of a run, for every view any viewer wants; encoded lazily per viewer kind."""
    seq: int
    generation: int
    header: dict
    sections: Sections
    grid: dict | None
    neurons: dict[tuple[int, int], tuple[str, Sections]]
    cache: dict = field(default_factory=dict)
    raw_metrics: dict | None = None   # the trainer's metrics() this snapshot was built from
    made_of: tuple | None = None      # (state_version, generation, config_version, subscriptions)


class RunStream:
    """The broadcaster of one run: snapshots, landscapes and the viewers watching."""

    def __init__(self, run: Run, settings: Settings, encoder: FrameEncoder,
                 landscapes: LandscapeWorker | None = None,
                 registry: StreamRegistry | None = None):
        """registry: the app's StreamRegistry (None: a stream on its own, as in tests)."""
        self.run = run
        self.settings = settings
        self.encoder = encoder
        self.landscapes = landscapes or LandscapeWorker(settings)
        self.registry = registry
        self._landscape_retry_at = 0.0     # after a timeout: when to try again
        self._landscape_backoff = 0.0      # seconds until the next retry (doubles per timeout)
        self.landscape_attempts = 0        # computations started (tests and the bench read it)
        self._landscape_seconds = 0.0      # how long the last surface took to compute
        self._landscape_timeouts = 0       # surfaces of these options stopped in a row
        self.viewers: set[Viewer] = set()
        self.snapshot: Snapshot | None = None
        self.landscape_options = LandscapeOptions()
        self.landscape: Landscape | None = None
        self.landscape_error: tuple[tuple, str] | None = None
        self._landscape_task: asyncio.Task | None = None
        self._landscape_time = 0.0
        self._seq = 0
        self._published: tuple | None = None
        self._subscriptions = 0       # +1 on every subscription change
        self._grids: tuple[int, int, float, Sections, dict | None] | None = None
        self._grid_cost = 0.0         # EWMA of seconds per grid computation
        self.frame_cpu = 0.0          # EWMA of CPU seconds per snapshot build (frame_interval)
        self._frame_cpu_generation: int | None = None   # the network frame_cpu was measured on
        self.frame_spacing = 0.0      # seconds between ticks now (the tests read it)
        self._grids_due_at: float | None = None   # grids older than the weights: redo from then
        self._dataset: tuple[int, dict] | None = None
        self._task: asyncio.Task | None = None
        self._building = asyncio.Lock()   # one snapshot build at a time (loop or thread)
        run.on_close(self.close)

    # ------------------------------------------------------------------ viewers
    def attach(self, viewer: Viewer) -> None:
        self.viewers.add(viewer)
        self.run.viewer_count = len(self.viewers)
        self.subscriptions_changed()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop())

    def detach(self, viewer: Viewer) -> None:
        """Forget a viewer; when the last one leaves, a playing run pauses (its weights and
        history stay; nobody is watching it learn, and other runs get the CPU)."""
        self.viewers.discard(viewer)
        self.run.viewer_count = len(self.viewers)
        self.run.touch()
        self.release_unwanted_landscape()
        if not self.viewers and self.run.playing:
            self.run.pause()

    def subscriptions_changed(self) -> None:
        self._subscriptions += 1
        self.run.request_frame()

    def _active(self) -> set["RunStream"]:
        return self.registry.active if self.registry is not None else set()

    def tell_all(self, message: dict) -> None:
        for viewer in list(self.viewers):
            viewer.say(message)

    def close(self) -> None:
        """The run is gone: stop the broadcaster (each viewer's endpoint says "closed")."""
        if self._task is not None:
            self._task.cancel()
        if self._landscape_task is not None:
            self._landscape_task.cancel()
        self.landscapes.ledger.release(self)
        self._active().discard(self)

    # ------------------------------------------------------------------ the broadcaster
    async def _loop(self) -> None:
        run = self.run
        self._active().add(self)
        try:
            next_tick = time.monotonic()
            while self.viewers and not run.closed:
                fps = max(v.fps for v in self.viewers)
                # a throttled run's speed is steps per frame the viewers ask for: its training
                # keeps that pace when its costly frames come less often
                run.set_pace_interval(frame_interval(fps, 0.0, self.settings))
                interval = self.frame_spacing = frame_interval(fps, self.frame_cpu, self.settings)
                delay = next_tick - time.monotonic()
                if delay > 0:
                    await run.wait_for_frame_request(delay)
                urgent = run.take_frame_request()
                now = time.monotonic()
                if now >= next_tick:     # a tick (not an urgent frame): keep a steady cadence
                    next_tick = max(next_tick + interval, now - interval / 2)
                try:
                    self._schedule_landscape()
                    await self.publish(urgent)
                except Exception:   # a bug in one view must not end the stream
                    log.exception("frame for run %s failed", run.id)
        finally:
            self._active().discard(self)

    async def publish(self, urgent: bool = False) -> None:
        """Build a snapshot if anything changed and offer it to every viewer. A large run's
        snapshot is built in a worker thread (see build_detached): the loop stays free."""
        run = self.run
        version = (run.state_version, run.generation, run.config_version, run.playing,
                   run.trainer.status, self._subscriptions, self.landscape_error,
                   self.landscape.id if self.landscape else None)
        # grids skipped under load are owed: once the run stops changing (paused, stepped),
        # its last frame is built again with grids of the weights it shows
        owed = (not run.playing and self._grids_due_at is not None
                and time.monotonic() >= self._grids_due_at)
        if version == self._published and not urgent and not owed:
            return
        if (version[:-1] != (self._published or (None,))[:-1] or self.snapshot is None
                or owed):
            if self._restamps(version) and not owed:
                self.snapshot = self._restamped(self.snapshot)
            else:
                self._tell_run_fields_first(urgent)
                async with self._building:
                    if self.offloads():
                        snapshot = await self.build_detached()
                        if snapshot is None:      # the run was rebuilt meanwhile: next tick
                            return
                        self.snapshot = snapshot
                    else:
                        started = time.thread_time()
                        self.snapshot = self.build_snapshot()
                        self._record_frame_cpu(time.thread_time() - started, self.run.generation)
                if self.snapshot.header["playing"] != run.playing and self._restamps(
                        (run.state_version, run.generation, run.config_version, run.playing,
                         run.trainer.status, self._subscriptions)):
                    self.snapshot = self._restamped(self.snapshot)   # paused while it was built
        self._published = version
        for viewer in list(self.viewers):
            viewer.offer(self.snapshot, urgent)

    def _restamps(self, version: tuple) -> bool:
        """Whether only the run's own fields changed since the snapshot was made (play, pause,
        speed: the same weights, grids and metrics): then the snapshot is stamped anew instead of
        built again, and a pause shows at once, even on a run whose frames take 60 ms to build."""
        made = self.snapshot.made_of if self.snapshot is not None else None
        return made is not None and made == (version[0], version[1], version[2], version[5])

    def _tell_run_fields_first(self, urgent: bool) -> None:
        """A play or pause of a large run: before its frame is built (60 ms or more, after the
        one being built), every viewer gets the last frame restamped with the run's fields now,
        so the page shows "paused" at once; the exact frame follows."""
        snap, run = self.snapshot, self.run
        if (urgent and snap is not None and snap.generation == run.generation
                and snap.header.get("playing") != run.playing and self.offloads()):
            self.snapshot = self._restamped(snap)
            for viewer in list(self.viewers):
                viewer.offer(self.snapshot, urgent)

    def _restamped(self, old: Snapshot) -> Snapshot:
        """The same moment with the run's fields as they are now (a new seq: every viewer gets it)."""
        self._seq += 1
        header = {**old.header, **self.run.frame_fields(), "seq": self._seq}
        return Snapshot(self._seq, old.generation, header, old.sections, old.grid, old.neurons,
                        raw_metrics=old.raw_metrics, made_of=old.made_of)

    def offloads(self) -> bool:
        """Whether this run's frames are built off the event loop (their work, in parameter x
        example evaluations, is above settings.frame_thread_work: a few ms)."""
        return off_the_loop(self.run.trainer, self.settings)

    def _wanted(self) -> tuple[set[str], list]:
        views = set().union(*(v.views for v in self.viewers)) if self.viewers else set(DEFAULT_VIEWS)
        neurons = [v.neuron for v in self.viewers if "activation" in v.views]
        return views, neurons

    def build_snapshot(self) -> Snapshot:
        """The snapshot of the run now, built on the event loop."""
        run = self.run
        views, neurons = self._wanted()
        self._seq += 1
        fields = run.frame_fields()
        snapshot = self._compose(run.trainer, fields, run.metrics(), run.state_version,
                                 run.generation, self._seq, views, neurons)
        snapshot.made_of = (run.state_version, run.generation, fields["config_version"],
                            self._subscriptions)
        return snapshot

    async def build_detached(self) -> Snapshot | None:
        """The same snapshot, built in a worker thread from a captured copy of the trainer (~1 ms
        on the loop to capture; NumPy releases the GIL in the heavy parts). At most
        settings.frame_threads such builds run at once (the registry's slots): a large run
        waits for a slot and so gets fewer frames, never everyone's loop. Its metrics are
        recorded in the run's history back on the loop. None if the run was rebuilt meanwhile."""
        run = self.run
        views, neurons = self._wanted()
        source = run.trainer
        state, fields = source.capture_state(path=False), run.frame_fields()   # no path in frames
        version, generation = run.state_version, run.generation
        self._seq += 1
        seq = self._seq

        made_of = (version, generation, fields["config_version"], self._subscriptions)

        def build() -> tuple[Snapshot, float]:
            started = time.thread_time()       # this worker thread's CPU: not the waiting
            trainer = Trainer.from_state(state, like=source)   # shares the run's data
            snapshot = self._compose(trainer, fields, None, version, generation, seq, views,
                                     neurons)
            snapshot.made_of = made_of
            return snapshot, time.thread_time() - started

        slots = self.registry.frame_slots() if self.registry is not None else None
        async with slots if slots is not None else contextlib.nullcontext():
            run.frame_building(True)
            try:
                snapshot, cpu = await asyncio.to_thread(build)
            finally:
                run.frame_building(False)
        self._record_frame_cpu(cpu, generation)
        if run.generation != generation or run.closed:
            return None
        run.record_metrics(version, snapshot.header["metrics"], snapshot.raw_metrics)
        return snapshot

    def _record_frame_cpu(self, seconds: float, generation: int) -> None:
        """One more build's CPU time into the average that spaces this run's frames: a slow
        one (grids are refreshed in some frames only) so that the cadence stays even; started
        afresh when the run is rebuilt (another network costs another amount). A build of the
        network before a rebuild (`generation`, the one it was made of) counts for nothing."""
        if generation != self.run.generation:
            return
        if self._frame_cpu_generation != generation:
            self._frame_cpu_generation, self.frame_cpu = generation, seconds
        else:
            self.frame_cpu = 0.9 * self.frame_cpu + 0.1 * seconds

    def _compose(self, trainer: Trainer, fields: dict, metrics: dict | None, state_version: int,
                 generation: int, seq: int, views: set[str], wanted_neurons: list) -> Snapshot:
        wanted = {valid_neuron(trainer, w) for w in wanted_neurons}
        observed = None
        if metrics is None:   # one pass for the metrics, diagnostics, gradient and neurons
            observed = trainer.observe({layer for layer, _ in wanted},
                                       gradient="gradients" in views)
            metrics = observed.metrics
        header = frame_header(trainer, fields, metrics,
                              observed.diagnostics if observed is not None else None)
        header["seq"] = seq
        sections = parameter_sections(trainer, views,
                                      observed.gradient if observed is not None else None)
        grid_sections, grid = self._grid_sections(views, trainer, state_version, generation)
        sections.update(grid_sections)
        neurons = {}
        for neuron in sorted(wanted):
            layer_z = observed.preactivations[neuron[0]] if observed is not None else None
            neurons[neuron] = (neuron_function(trainer, neuron[0]),
                               activation_points(trainer, *neuron, layer_z))
        return Snapshot(seq, generation, header, sections, grid, neurons, raw_metrics=metrics)

    def _grid_sections(self, views: set[str], trainer: Trainer, state_version: int,
                       generation: int) -> tuple[Sections, dict | None]:
        """Output and hidden grids; under load, refreshed less often than frames (the total grid
        work of all runs stays near GRID_LOAD_SHARE of the loop). Control messages do not force
        a refresh: a burst of them must not turn into a burst of grid computations."""
        want = tuple(v for v in ("output", "hidden", "hidden_means") if v in views)
        if not want:
            return Sections(), None
        s = self.settings
        now = time.monotonic()
        key = (generation, want)
        if self._grids is not None and self._grids[0] == key:
            _, made_version, made, sections, grid = self._grids
            min_interval = self._grid_cost * max(1, len(self._active())) / GRID_LOAD_SHARE
            if made_version == state_version:
                self._grids_due_at = None
                return sections, grid
            if now - made < min_interval:
                self._grids_due_at = made + min_interval   # a paused run catches up then
                return sections, grid
        t0 = time.perf_counter()
        sections, grid = Sections(), {}
        out_res, hid_res = grid_resolutions(trainer, s)
        if "output" in want:
            sections.update(output_grid(trainer, out_res))
            grid["output_resolution"] = out_res
        if "hidden" in want or "hidden_means" in want:
            hidden = hidden_grids(trainer, hid_res)
            if "hidden" in want:
                sections.update(hidden)
            if "hidden_means" in want:
                sections.update(hidden_means(hidden))
            grid["hidden_resolution"] = hid_res
        cost = time.perf_counter() - t0
        self._grid_cost = cost if self._grid_cost == 0 else 0.8 * self._grid_cost + 0.2 * cost
        self._grids = (key, state_version, now, sections, grid)
        self._grids_due_at = None
        return sections, grid

    # ------------------------------------------------------------------ frames
    def frame_for(self, viewer: Viewer) -> bytes | None:
        """The frame this viewer should get now (None if it has it already); encoded once per
        distinct (views, neuron, dataset?, landscape?) of each snapshot."""
        snap = viewer.latest
        run = self.run
        include_dataset = (viewer.sent_generation != snap.generation
                           and snap.generation == run.generation)
        wants_landscape = "landscape" in viewer.views
        land = self.landscape if wants_landscape else None
        if land is not None and land.generation != snap.generation:
            land = None
        new_landscape = land.id if land is not None and land.id != viewer.sent_landscape_id else None
        if snap.seq == viewer.sent_seq and not include_dataset and new_landscape is None:
            return None
        neuron = (valid_neuron(run.trainer, viewer.neuron)
                  if "activation" in viewer.views else None)
        if neuron is not None and neuron not in snap.neurons:
            neuron = None   # subscribed after this snapshot was built; the next one has it
        refused = viewer.landscape_refused
        key = (frozenset(viewer.views), neuron, include_dataset, new_landscape, refused)
        frame = snap.cache.get(key)
        if frame is None:
            frame = snap.cache[key] = self._encode(snap, viewer.views, neuron, include_dataset,
                                                   land if new_landscape is not None else None,
                                                   wants_landscape, refused)
        viewer.sent_seq = snap.seq
        if include_dataset:
            viewer.sent_generation = snap.generation
        if new_landscape is not None:
            viewer.sent_landscape_id = new_landscape
        return frame

    def _encode(self, snap: Snapshot, views: set[str], neuron, include_dataset: bool,
                land: Landscape | None, wants_landscape: bool,
                refused: str | None = None) -> bytes:
        header = dict(snap.header)
        header["views"] = sorted(views)
        sections = Sections()
        for view, names in VIEW_SECTIONS.items():
            if view in views:
                for name in names:
                    if name in snap.sections.arrays:
                        sections.arrays[name] = snap.sections.arrays[name]
                        if name in snap.sections.ranges:
                            sections.ranges[name] = snap.sections.ranges[name]
        if snap.grid and ("output" in views or "hidden" in views or "hidden_means" in views):
            header["grid"] = snap.grid
        if neuron is not None:
            function, points = snap.neurons[neuron]
            header["neuron"], header["neuron_function"] = list(neuron), function
            sections.update(points)
        if include_dataset:
            sections.update(self._dataset_sections())
            header["history_columns"] = list(HISTORY_COLUMNS)
        if wants_landscape:
            header["landscape_id"] = self.landscape.id if self.landscape else None
            if self.landscape_error is not None:
                header["landscape_error"] = self.landscape_error[1]
        if refused is not None:
            header["landscape_refused"] = refused   # no room for this viewer's live surface
        if land is not None:
            header["landscape"] = {**land.meta, "id": land.id}
            sections.update(land.sections)
        return self.encoder.encode(header, sections)

    def _dataset_sections(self) -> Sections:
        sections = dataset_sections(self.run.trainer)
        return sections

    # ------------------------------------------------------------------ landscape
    def _claim_key(self, options: LandscapeOptions) -> tuple:
        """What a claim is for: these options on the run's current network (its generation)."""
        return (_options_key(options), self.run.generation)

    def admit_landscape(self, options: LandscapeOptions) -> None:
        """Claim room for this run's live surface with these options in the landscape threads
        (server/landscape_admission.py); LandscapeRefused if there is none. A stream holds one
        claim, whichever of its viewers asked: the surface is the run's."""
        self.landscapes.ledger.admit(self, self.run.trainer, options, self._claim_key(options))

    def holds_landscape(self) -> bool:
        return self.landscapes.ledger.holds(self)

    def shows_landscape(self, besides: Viewer | None = None) -> bool:
        """Whether a viewer (other than `besides`) shows the live surface."""
        return any("landscape" in v.views for v in self.viewers if v is not besides)

    def release_unwanted_landscape(self) -> None:
        """Give the claim back once no viewer shows the surface, and stop a surface still being
        computed (its thread is free within one chunk)."""
        if not self.shows_landscape() and self.holds_landscape():
            self.landscapes.ledger.release(self)
            if self._landscape_task is not None and not self._landscape_task.done():
                self._landscape_task.cancel()

    def _claim_still_holds(self) -> bool:
        """After a rebuild the claim was for another network: claim again. Without room, every
        viewer of the surface loses it, each told why (a 503, header.landscape_refused)."""
        key = self._claim_key(self.landscape_options)
        if self.landscapes.ledger.claimed_key(self) == key:
            return True
        try:
            self.admit_landscape(self.landscape_options)
            return True
        except LandscapeRefused as exc:
            self.landscapes.ledger.release(self)
            for viewer in self.viewers:
                if "landscape" in viewer.views:
                    viewer.views = viewer.views - {"landscape"}
                    viewer.landscape_refused = str(exc)
                    viewer.say({"type": "error", "for": "subscribe", "status": 503,
                                "fields": ["landscape"], "message": str(exc),
                                "retry_after": exc.retry_after})
            self.subscriptions_changed()
            return False

    def set_landscape_options(self, options: LandscapeOptions) -> None:
        if options.model_dump() != self.landscape_options.model_dump():
            self.landscape_options = options
            if self._landscape_task is not None and not self._landscape_task.done():
                self._landscape_task.cancel()   # a surface of the old options: not wanted now
            self.landscape_error = None
            self._landscape_time = 0.0
            self._landscape_backoff = 0.0
            self._landscape_timeouts = 0
            self._landscape_retry_at = 0.0
            self.subscriptions_changed()

    def _schedule_landscape(self) -> None:
        """Start a landscape computation if a viewer wants one and the run moved on (or a
        timed-out one is due for its retry)."""
        if not self.shows_landscape():
            return
        if self._landscape_task is not None and not self._landscape_task.done():
            return
        run, options = self.run, self.landscape_options
        key = (_options_key(options), run.generation, run.state_version)
        if self.landscape is not None and self.landscape.key == key:
            return
        now = time.monotonic()
        if self.landscape_error is not None and self.landscape_error[0][:2] == key[:2]:
            if self._landscape_backoff == 0 or now < self._landscape_retry_at:
                return   # a bad option or a hopeless surface (never retried), or a timeout
                         # waiting for its retry
        if not self._claim_still_holds():
            return
        fresh_options = self.landscape is None or self.landscape.key[:2] != key[:2]
        # a live surface is refreshed at most every live_landscape_interval_seconds, and a slow
        # one waits twice its own computing time: a big run's surfaces take at most a third
        # of a thread, and everyone else's keep flowing
        gap = max(self.settings.live_landscape_interval_seconds, 2 * self._landscape_seconds)
        if not fresh_options and now - self._landscape_time < gap:
            return
        self._landscape_time = now
        self.landscape_attempts += 1
        self._landscape_task = asyncio.get_running_loop().create_task(
            self._landscape_in_thread(key, options))

    async def _landscape_in_thread(self, key: tuple, options: LandscapeOptions) -> None:
        try:
            result = await self.landscapes.compute(self.run, options,
                                                   self.settings.landscape_timeout_seconds)
        except LandscapeTimeout as exc:
            self._landscape_timed_out(key, exc)
            return
        except (ValueError, ImportError) as exc:
            self._landscape_failed(key, exc)
            return
        if key[1] == self.run.generation:
            self._landscape_done(key, result)
        self._landscape_time = time.monotonic()
        self.run.request_frame()

    def _landscape_done(self, key: tuple, result: dict) -> None:
        meta, sections = landscape_sections(result)
        meta["step"] = self.run.trainer.step_count
        self._landscape_seconds = float(result.get("seconds") or 0.0)
        self.landscapes.ledger.measured(self, self._landscape_seconds, key[:2])
        self.landscape = Landscape(self.landscapes.next_id(), key[1], key, meta, sections)
        self.landscape_error = None
        self._landscape_backoff = 0.0
        self._landscape_timeouts = 0

    def _landscape_timed_out(self, key: tuple, exc: LandscapeTimeout) -> None:
        """Stopped at its limit: say so (what would fit) and retry with backoff (the machine
        may have been busy), doubling up to landscape_max_retry_seconds."""
        s = self.settings
        self._landscape_timeouts += 1
        limit = s.landscape_timeout_seconds
        resolution = self.landscape_options.resolution
        if self._landscape_timeouts >= 2 and (exc.timing is None
                                              or exc.timing.seconds(resolution) > 2 * limit):
            # twice stopped, and even an idle machine would take over twice the limit: not
            # retried (it would hold a third of a thread forever); its room goes back
            self._landscape_backoff = 0.0
            self.landscapes.ledger.release(self)
            message = (f"{exc} (not retried: this surface cannot finish within the "
                       f"{limit:g} s limit here; change the resolution or the network)")
            self._report_landscape_error(key, message, 503)
            return
        self.landscapes.ledger.measured(self, limit, key[:2])   # it held a thread that long
        self._landscape_backoff = min(s.landscape_max_retry_seconds,
                                      max(s.landscape_retry_seconds, 2 * self._landscape_backoff))
        self._landscape_retry_at = time.monotonic() + self._landscape_backoff
        message = f"{exc} (retrying in {self._landscape_backoff:g} s)"
        self._report_landscape_error(key, message, 503)

    def _landscape_failed(self, key: tuple, exc: Exception) -> None:
        """Options this network does not allow: reported once, never retried."""
        self._landscape_backoff = 0.0
        message = f"landscape: {exc}" if str(exc) else f"landscape: {type(exc).__name__}"
        self._report_landscape_error(key, message, 422)

    def _report_landscape_error(self, key: tuple, message: str, status: int) -> None:
        self.landscape_error = (key, message)
        self.run.request_frame()   # a frame now, so that its header carries the error
        self.tell_all({"type": "error", "for": "subscribe", "status": status, "message": message,
                       "fields": ["landscape"]})
