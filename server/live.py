"""Live streaming of one run to its viewers: a broadcaster per run, a sender per viewer.

The broadcaster builds one snapshot per frame interval (only while someone watches and only when
something changed), plus at once after any control message. Each viewer has a "latest snapshot"
slot and an event; its own sender task encodes (cached per snapshot: identical viewers share the
bytes) and sends, so a slow viewer skips snapshots and never holds anyone else up. Landscapes are
computed at a lower rate (about every 150 ms while the run changes), always in a worker thread
on a detached copy: even 21 x 21 slices take 7-100 ms, too long for the event loop.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import time
import weakref
from dataclasses import dataclass, field

from starlette.websockets import WebSocket, WebSocketDisconnect

from engine import Trainer

from .api_models import LandscapeOptions
from .frames import FrameEncoder
from .runs import Run
from .settings import Settings
from .snapshot import (DEFAULT_VIEWS, HISTORY_COLUMNS, Sections, activation_points,
                       dataset_sections, hidden_grids, landscape_sections, neuron_function,
                       output_grid, parameter_sections, state_header, valid_neuron)

log = logging.getLogger("nn-playground")

VIEW_SECTIONS = {
    "weights": ("weights",), "gradients": ("gradients",), "output": ("output_grid",),
    "hidden": ("hidden_grids",),
}
GRID_LOAD_SHARE = 0.2      # grids of all runs together may take this share of the event loop
_landscape_ids = itertools.count(1)
LANDSCAPE_THREADS = 2      # at most this many landscape computations at once
_landscape_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = \
    weakref.WeakKeyDictionary()
_active_streams: set["RunStream"] = set()


async def compute_landscape_in_thread(run: Run, options: LandscapeOptions, timeout: float) -> dict:
    """Trainer.landscape on a detached copy, in a worker thread (the event loop stays free).

    At most LANDSCAPE_THREADS computations run at once. A thread cannot be stopped, so when the
    caller gives up (TimeoutError after `timeout` seconds, waiting for a slot included), the slot
    stays taken until the thread really ends: slow requests queue, they never pile up threads."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    slots = _landscape_slots.setdefault(loop, asyncio.Semaphore(LANDSCAPE_THREADS))
    state = run.trainer.capture_state()
    options = options.model_dump()

    def compute() -> dict:
        return Trainer.from_state(state).landscape(**options)

    await asyncio.wait_for(slots.acquire(), timeout)
    work = asyncio.ensure_future(asyncio.to_thread(compute))

    def finished(future: asyncio.Future) -> None:
        slots.release()
        if not future.cancelled():
            future.exception()  # retrieved, so an abandoned failure is not logged as unhandled

    work.add_done_callback(finished)
    return await asyncio.wait_for(asyncio.shield(work), max(deadline - loop.time(), 0.001))


async def _wait_at_most(event: asyncio.Event, seconds: float) -> None:
    """Until the event is set or the time is up (cheaper than wait_for: no extra task)."""
    handle = asyncio.get_running_loop().call_later(seconds, event.set)
    try:
        await event.wait()
    finally:
        handle.cancel()


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


class Viewer:
    """One websocket watching a run: its subscription, its latest-snapshot slot, its sender."""

    def __init__(self, websocket: WebSocket, settings: Settings):
        self.websocket = websocket
        self.views: set[str] = set(DEFAULT_VIEWS)
        self.fps = settings.default_fps
        self.neuron: tuple[int, int] | None = None
        self.latest: Snapshot | None = None
        self.event = asyncio.Event()
        self.urgent = False
        self._urgent_event = asyncio.Event()   # cuts the fps wait short
        self.outbox: collections.deque[dict] = collections.deque(maxlen=64)
        self.sent_seq = -1
        self.sent_generation = -1
        self.sent_landscape_id: int | None = None
        self.last_sent = 0.0
        self.frames_sent = 0

    def offer(self, snapshot: Snapshot, urgent: bool = False) -> None:
        """Replace the slot's snapshot (an unsent older one is simply dropped)."""
        self.latest = snapshot
        if urgent:
            self.urgent = True
            self._urgent_event.set()
        self.event.set()

    def say(self, message: dict) -> None:
        """Queue a JSON text message (ack, error); sent before the next frame."""
        self.outbox.append(message)
        self.urgent = True
        self._urgent_event.set()
        self.event.set()

    async def send_loop(self, stream: "RunStream") -> None:
        """Send the newest frame at most fps times a second (at once after a control message).
        Returns when the connection fails (the endpoint then closes it)."""
        try:
            await self._send_forever(stream)
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:   # the client went away
            log.debug("viewer of run %s gone: %r", stream.run.id, exc)
        except Exception as exc:   # websockets' ConnectionClosed and kin
            if type(exc).__name__.startswith("ConnectionClosed"):
                return
            raise

    async def _send_forever(self, stream: "RunStream") -> None:
        ws = self.websocket
        while True:
            await self.event.wait()
            # at most fps frames a second (a little slack so a late tick does not skip a frame)
            delay = self.last_sent + 0.85 / self.fps - time.monotonic()
            if delay > 0 and not self.urgent:
                self._urgent_event.clear()
                await _wait_at_most(self._urgent_event, delay)
            self.event.clear()
            self.urgent = False
            while self.outbox:
                await ws.send_text(json.dumps(self.outbox.popleft()))
            frame = stream.frame_for(self) if self.latest is not None else None
            if frame is not None:
                await ws.send_bytes(frame)
                self.last_sent = time.monotonic()
                self.frames_sent += 1


class RunStream:
    """The broadcaster of one run: snapshots, landscapes and the viewers watching."""

    def __init__(self, run: Run, settings: Settings, encoder: FrameEncoder):
        self.run = run
        self.settings = settings
        self.encoder = encoder
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
        self._dataset: tuple[int, dict] | None = None
        self._task: asyncio.Task | None = None
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
        if not self.viewers and self.run.playing:
            self.run.pause()

    def subscriptions_changed(self) -> None:
        self._subscriptions += 1
        self.run.urgent = True
        self.run.wake.set()

    def tell_all(self, message: dict) -> None:
        for viewer in list(self.viewers):
            viewer.say(message)

    def close(self) -> None:
        """The run is gone: stop the broadcaster (each viewer's endpoint says "closed")."""
        if self._task is not None:
            self._task.cancel()
        if self._landscape_task is not None:
            self._landscape_task.cancel()
        _active_streams.discard(self)

    # ------------------------------------------------------------------ the broadcaster
    async def _loop(self) -> None:
        run = self.run
        _active_streams.add(self)
        try:
            next_tick = time.monotonic()
            while self.viewers and not run.closed:
                interval = 0.9 / max(v.fps for v in self.viewers)   # viewers: at most one per 0.85/fps
                run.frame_interval = interval
                delay = next_tick - time.monotonic()
                if delay > 0 and not run.urgent:
                    await _wait_at_most(run.wake, delay)
                run.wake.clear()
                urgent, run.urgent = run.urgent, False
                now = time.monotonic()
                if now >= next_tick:     # a tick (not an urgent frame): keep a steady cadence
                    next_tick = max(next_tick + interval, now - interval / 2)
                try:
                    self._schedule_landscape()
                    self.publish(urgent)
                except Exception:   # a bug in one view must not end the stream
                    log.exception("frame for run %s failed", run.id)
        finally:
            _active_streams.discard(self)

    def publish(self, urgent: bool = False) -> None:
        """Build a snapshot if anything changed and offer it to every viewer."""
        run = self.run
        version = (run.state_version, run.generation, run.config_version, run.playing,
                   run.trainer.status, self._subscriptions, self.landscape_error,
                   self.landscape.id if self.landscape else None)
        if version == self._published and not urgent:
            return
        if version[:-1] != (self._published or (None,))[:-1] or self.snapshot is None:
            self.snapshot = self.build_snapshot()
        self._published = version
        for viewer in list(self.viewers):
            viewer.offer(self.snapshot, urgent)

    def build_snapshot(self) -> Snapshot:
        run, trainer = self.run, self.run.trainer
        views = set().union(*(v.views for v in self.viewers)) if self.viewers else set(DEFAULT_VIEWS)
        self._seq += 1
        header = state_header(trainer, run.metrics())
        header.update(run=run.id, seq=self._seq, generation=run.generation,
                      config_version=run.config_version, status=run.status,
                      reason=trainer.reason, playing=run.playing,
                      steps_per_second=round(run.meter.rate(), 1), speed=run.speed)
        sections = parameter_sections(trainer, views)
        grid_sections, grid = self._grid_sections(views)
        sections.update(grid_sections)
        neurons = {}
        for viewer in self.viewers:
            if "activation" in viewer.views:
                neuron = valid_neuron(trainer, viewer.neuron)
                if neuron not in neurons:
                    neurons[neuron] = (neuron_function(trainer, neuron[0]),
                                       activation_points(trainer, *neuron))
        return Snapshot(self._seq, run.generation, header, sections, grid, neurons)

    def _grid_sections(self, views: set[str]) -> tuple[Sections, dict | None]:
        """Output and hidden grids; under load, refreshed less often than frames (the total grid
        work of all runs stays near GRID_LOAD_SHARE of the loop). Control messages do not force
        a refresh: a burst of them must not turn into a burst of grid computations."""
        want = tuple(v for v in ("output", "hidden") if v in views)
        if not want:
            return Sections(), None
        run, s = self.run, self.settings
        now = time.monotonic()
        key = (run.generation, want)
        if self._grids is not None and self._grids[0] == key:
            _, state_version, made, sections, grid = self._grids
            min_interval = self._grid_cost * max(1, len(_active_streams)) / GRID_LOAD_SHARE
            if state_version == run.state_version or now - made < min_interval:
                return sections, grid
        t0 = time.perf_counter()
        sections, grid = Sections(), {}
        if "output" in want:
            resolution = s.output_grid_resolution if run.trainer.input_dim == 2 \
                else s.curve_resolution
            sections.update(output_grid(run.trainer, resolution))
            grid["output_resolution"] = resolution
        if "hidden" in want:
            resolution = s.hidden_grid_resolution if run.trainer.input_dim == 2 \
                else s.curve_resolution
            sections.update(hidden_grids(run.trainer, resolution))
            grid["hidden_resolution"] = resolution
        cost = time.perf_counter() - t0
        self._grid_cost = cost if self._grid_cost == 0 else 0.8 * self._grid_cost + 0.2 * cost
        self._grids = (key, run.state_version, now, sections, grid)
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
        key = (frozenset(viewer.views), neuron, include_dataset, new_landscape)
        frame = snap.cache.get(key)
        if frame is None:
            frame = snap.cache[key] = self._encode(snap, viewer.views, neuron, include_dataset,
                                                   land if new_landscape is not None else None,
                                                   wants_landscape)
        viewer.sent_seq = snap.seq
        if include_dataset:
            viewer.sent_generation = snap.generation
        if new_landscape is not None:
            viewer.sent_landscape_id = new_landscape
        return frame

    def _encode(self, snap: Snapshot, views: set[str], neuron, include_dataset: bool,
                land: Landscape | None, wants_landscape: bool) -> bytes:
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
        if snap.grid and ("output" in views or "hidden" in views):
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
        if land is not None:
            header["landscape"] = {**land.meta, "id": land.id}
            sections.update(land.sections)
        return self.encoder.encode(header, sections)

    def _dataset_sections(self) -> Sections:
        sections = dataset_sections(self.run.trainer)
        return sections

    # ------------------------------------------------------------------ landscape
    def set_landscape_options(self, options: LandscapeOptions) -> None:
        if options != self.landscape_options:
            self.landscape_options = options
            self.landscape_error = None
            self._landscape_time = 0.0
            self.subscriptions_changed()

    def _schedule_landscape(self) -> None:
        """Start a landscape computation if a viewer wants one and the run moved on."""
        if not any("landscape" in v.views for v in self.viewers):
            return
        if self._landscape_task is not None and not self._landscape_task.done():
            return
        run, options = self.run, self.landscape_options
        options_key = tuple(sorted(options.model_dump().items(), key=lambda kv: kv[0]))
        options_key = json.dumps(options_key)
        key = (options_key, run.generation, run.state_version)
        if self.landscape is not None and self.landscape.key == key:
            return
        if self.landscape_error is not None and self.landscape_error[0][:2] == key[:2]:
            return
        now = time.monotonic()
        fresh_options = self.landscape is None or self.landscape.key[:2] != key[:2]
        if not fresh_options and now - self._landscape_time < self.settings.live_landscape_interval_seconds:
            return
        self._landscape_time = now
        self._landscape_task = asyncio.get_running_loop().create_task(
            self._landscape_in_thread(key, options))

    async def _landscape_in_thread(self, key: tuple, options: LandscapeOptions) -> None:
        try:
            result = await compute_landscape_in_thread(self.run, options,
                                                       self.settings.landscape_timeout_seconds)
        except (ValueError, ImportError, TimeoutError) as exc:
            self._landscape_failed(key, exc)
            return
        if key[1] == self.run.generation:
            self._landscape_done(key, result)
        self._landscape_time = time.monotonic()
        self.run.wake.set()

    def _landscape_done(self, key: tuple, result: dict) -> None:
        meta, sections = landscape_sections(result)
        meta["step"] = self.run.trainer.step_count
        self.landscape = Landscape(next(_landscape_ids), key[1], key, meta, sections)
        self.landscape_error = None

    def _landscape_failed(self, key: tuple, exc: Exception) -> None:
        message = f"landscape: {exc}" if str(exc) else f"landscape: {type(exc).__name__}"
        self.landscape_error = (key, message)
        self.run.urgent = True   # a frame now, so that its header carries the error
        self.run.wake.set()
        self.tell_all({"type": "error", "for": "subscribe", "status": 422, "message": message,
                       "fields": ["landscape"]})
