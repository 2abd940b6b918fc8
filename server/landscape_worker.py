"""LandscapeWorker: loss surfaces in worker threads, bounded, stopped cooperatively, explained.

One per app (`app.state.landscapes`). Trainer.landscape runs on a detached copy (captured on the
event loop, rebuilt in the thread), so training goes on meanwhile. At most
`settings.landscape_threads` computations run at once; a heavy one (a big network at a high
resolution) may take only `landscape_threads - 1` of them, so small runs' live slices keep a
thread while big ones compute. A computation that passes its time limit stops between chunks
(engine.landscape's `should_stop`), frees its thread at once and raises LandscapeTimeout, whose
message says how far it got and what would fit: "a 101x101 surface for this network takes ~40 s
here; 51x51 takes ~10 s". Live surfaces are admitted beforehand by their share of the threads
(`ledger`, server/landscape_admission.py), so the threads admitted work is promised exist."""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
import time

from engine import Trainer
from engine.landscape import LandscapeCancelled

from .api_models import LandscapeOptions
from .landscape_admission import LandscapeLedger, landscape_cost
from .settings import Settings


class LandscapeTimeout(TimeoutError):
    """A landscape took longer than its limit (it was stopped); the message explains."""

    def __init__(self, message: str, retry_after: float, timing: "SurfaceTiming | None" = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.timing = timing      # what the estimate in the message was made of (if measured)


def odd_resolution_within(resolution: int, seconds: float, budget: float) -> int:
    """The largest odd resolution (>= 3) whose surface takes at most `budget` seconds when
    `resolution` takes `seconds` (time grows with the number of grid points, R^2)."""
    if seconds <= 0:
        return resolution
    r = int(resolution * math.sqrt(budget / seconds))
    r = min(r, resolution)
    r -= (r + 1) % 2   # odd: the centre is a grid node
    return max(3, r)


class SurfaceTiming:
    """What a surface takes here, as measured on one that was stopped: a fixed set-up (the
    copy, the plane, the path: everything before the first grid row) plus a time per grid
    point (R^2 of them). seconds(R) is the estimate; largest_within(budget, R) the largest odd
    resolution whose estimate fits the budget, None when the set-up alone does not."""

    def __init__(self, setup_seconds: float, seconds_per_point: float):
        self.setup = max(0.0, setup_seconds)
        self.per_point = max(0.0, seconds_per_point)

    @classmethod
    def measured(cls, rows_from: float, stopped_at: float, fraction: float,
                 resolution: int) -> "SurfaceTiming":
        """From a stop: rows began rows_from s after the start, it stopped at stopped_at s
        with `fraction` of the resolution^2 grid done."""
        points = max(fraction, 1e-9) * resolution ** 2
        return cls(rows_from, (stopped_at - rows_from) / points)

    def seconds(self, resolution: int) -> float:
        return self.setup + self.per_point * resolution ** 2

    def largest_within(self, budget: float, resolution: int) -> int | None:
        if self.seconds(3) > budget:
            return None
        if self.per_point <= 0:
            return resolution
        r = min(resolution, int(math.sqrt((budget - self.setup) / self.per_point)))
        r -= (r + 1) % 2   # odd: the centre is a grid node
        return max(3, r)


def _seconds(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"


class LandscapeWorker:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.threads = max(1, settings.landscape_threads)
        self._slots: asyncio.Semaphore | None = None
        self._heavy: asyncio.Semaphore | None = None
        self._ids = itertools.count(1)
        self.running = 0          # computations in a thread right now
        self.finished = 0         # computations whose thread has ended (done, failed, stopped)
        self.stopped = 0          # ... of them stopped by their time limit or a cancel
        self.ledger = LandscapeLedger(settings)   # live surfaces admitted by their share

    def next_id(self) -> int:
        """Ids of landscapes shown by live streams (unique per app)."""
        return next(self._ids)

    def _semaphores(self) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.threads)
            self._heavy = asyncio.Semaphore(max(1, self.threads - 1))
        return self._slots, self._heavy

    def is_heavy(self, trainer: Trainer, options: LandscapeOptions) -> bool:
        return landscape_cost(trainer, options) > self.settings.landscape_heavy_cost

    async def compute(self, run, options: LandscapeOptions, timeout: float,
                      slot_timeout: float | None = None) -> dict:
        """Trainer.landscape(**options) of the run's current state, in a worker thread.

        Waits for a thread (at most slot_timeout seconds, None: as long as it takes; then
        LandscapeTimeout), then computes for at most `timeout` seconds: past it the computation
        stops within one chunk and LandscapeTimeout says what would fit. Cancelling the caller
        stops the thread the same way. ValueError for options the network does not allow."""
        source = run.trainer
        state = source.capture_state()
        kwargs = options.model_dump()

        def work(should_stop) -> dict:
            return Trainer.from_state(state, like=source).landscape(**kwargs, should_stop=should_stop)

        return await self.run_surface(work, self.is_heavy(run.trainer, options), options,
                                      timeout, slot_timeout)

    async def run_surface(self, work, heavy: bool, options: LandscapeOptions, timeout: float,
                          slot_timeout: float | None = None) -> dict:
        """work(should_stop) -> dict in a worker thread, under the same rules as compute (the
        threads, a heavy one off the last free thread, the time limit, cancellation): any loss
        surface (a comparison's shared one too). `options`: its resolution and field
        resolution, for the timeout's advice."""
        slots, heavy_slots = self._semaphores()
        stop = threading.Event()
        progress = {"fraction": 0.0, "started": None, "rows_from": 0.0, "at": 0.0}

        def should_stop(fraction: float) -> bool:
            at = time.monotonic() - progress["started"]
            progress["fraction"], progress["at"] = fraction, at
            if fraction <= 0:
                progress["rows_from"] = at   # still setting up (the last such: rows begin)
            return stop.is_set() or at > timeout

        def compute() -> dict:
            progress["started"] = time.monotonic()
            return work(should_stop)

        held: list[asyncio.Semaphore] = []
        try:
            for sem in ((heavy_slots, slots) if heavy else (slots,)):
                if slot_timeout is None:
                    await sem.acquire()
                else:
                    await asyncio.wait_for(sem.acquire(), slot_timeout)
                held.append(sem)
        except (asyncio.TimeoutError, TimeoutError):
            for sem in held:
                sem.release()
            raise LandscapeTimeout(
                f"landscape: every landscape thread is busy ({self.threads} at once); waited "
                f"{slot_timeout:g} s for one; try again shortly or lower the resolution",
                retry_after=max(1.0, timeout / 4)) from None
        except BaseException:
            for sem in held:
                sem.release()
            raise

        self.running += 1
        job = asyncio.ensure_future(asyncio.to_thread(compute))

        def finished(future: asyncio.Future) -> None:
            self.running -= 1
            self.finished += 1
            for sem in held:
                sem.release()
            if not future.cancelled() and isinstance(future.exception(), LandscapeCancelled):
                self.stopped += 1

        job.add_done_callback(finished)
        try:
            return await asyncio.shield(job)
        except LandscapeCancelled as exc:
            timing = SurfaceTiming.measured(progress["rows_from"], progress["at"], exc.fraction,
                                            options.resolution)
            raise self._timeout(options, timeout, exc.fraction, timing) from None
        except asyncio.CancelledError:
            stop.set()    # the thread ends within one chunk and then frees its slot
            raise

    def _timeout(self, options: LandscapeOptions, timeout: float, fraction: float,
                 timing: SurfaceTiming | None = None) -> LandscapeTimeout:
        r = options.resolution
        budget = timeout / 2
        if fraction <= 0:
            # not one row done: the whole takes more than the limit (a lower bound, the only
            # estimate there is); suggest a side for a surface 16x the budget would take
            smaller = odd_resolution_within(r, 16 * budget, budget)
            message = (f"landscape: a {r}x{r} surface for this network takes more than "
                       f"~{_seconds(timeout)} s here (it did not get through its first row in "
                       f"{timeout:g} s and was stopped); lower the resolution (try "
                       f"{smaller}x{smaller}) or use a smaller network")
        elif fraction >= 1:
            message = (f"landscape: the {options.field_resolution}x{options.field_resolution} "
                       f"gradient field took more than {timeout:g} s here and was stopped; "
                       f"lower field_resolution (or set it to 0)")
        else:
            timing = timing or SurfaceTiming(0.0, timeout / (fraction * r * r))
            smaller = timing.largest_within(budget, r)
            done = (f"landscape: stopped after {timeout:g} s with {fraction:.0%} of the "
                    f"surface done: a {r}x{r} surface for this network takes "
                    f"~{_seconds(timing.seconds(r))} s here")
            if smaller is None:
                message = (f"{done}, ~{_seconds(timing.setup)} s of it before the first row "
                           f"(copy, plane, path), so no resolution fits in {timeout:g} s: use a "
                           f"smaller network (hidden) or fewer training points (n_samples)")
            else:
                message = (f"{done}; {smaller}x{smaller} takes ~"
                           f"{_seconds(timing.seconds(smaller))} s: lower the resolution")
        return LandscapeTimeout(message, retry_after=timeout,
                                timing=timing if 0 < fraction < 1 else None)
