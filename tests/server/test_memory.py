"""Deleted runs' memory goes back to the OS (malloc_trim): the registry asks for it, forced when
the last run is gone, so RSS returns near idle (figures: bench/bench_load.py)."""

from __future__ import annotations

import numpy as np

from engine import TrainConfig
from server import runs as runs_module
from server.memory import give_back_memory
from server.runs import RunRegistry
from server.settings import Settings


def test_deleting_runs_gives_memory_back_forced_for_the_last(monkeypatch):
    calls = []
    monkeypatch.setattr(runs_module, "give_back_memory", lambda force=False: calls.append(force))
    registry = RunRegistry(Settings())
    first, second = (registry.create(TrainConfig(hidden=[3])) for _ in range(2))
    registry.delete(first.id)
    registry.delete(second.id)
    assert calls == [False, True]


def test_a_deleted_runs_memory_is_given_back_again_once_its_last_arrays_are_freed(monkeypatch):
    """Its broadcaster's task, a frame or surface being built in a thread and its viewers' last
    frames let go of its arrays after the delete returns: a forced trim follows later."""
    import asyncio

    calls = []
    monkeypatch.setattr(runs_module, "give_back_memory", lambda force=False: calls.append(force))
    monkeypatch.setattr(runs_module, "LATE_TRIM_SECONDS", 0.05)

    async def scenario():
        registry = RunRegistry(Settings())
        first, second = (registry.create(TrainConfig(hidden=[3])) for _ in range(2))
        registry.delete(first.id)
        await asyncio.sleep(0)            # the first delete's trim, after this loop step
        assert calls == [False]
        registry.delete(second.id)
        assert calls == [False, True]     # the last run: forced at once
        await asyncio.sleep(0.2)
        return list(calls)

    assert asyncio.run(scenario()) == [False, True, True]   # and once more after the burst


def test_giving_memory_back_is_safe_after_large_frees():
    blocks = [np.ones(200_000) for _ in range(50)]   # ~80 MB, then freed
    del blocks
    assert give_back_memory(force=True) is True       # glibc here: malloc_trim ran
    assert give_back_memory() is False                # at most once a second unless forced


FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
LIMIT_MIB = 15


class LastFrameSocket:
    """A viewer's socket that keeps only the last frame (a browser holds none of them)."""
    def __init__(self):
        self.last: bytes | None = None

    async def send_bytes(self, data: bytes) -> None:
        self.last = data

    async def send_text(self, data: str) -> None:
        pass


def test_a_max_size_run_with_a_viewer_of_every_frame_view_holds_at_most_15_mib():
    """At the server: the run, its stream, its snapshot with the grids, the encoded frames and
    the viewer, after frames of every view but the live surface (its own bound: landscape
    tests), beyond the run's parameters and data (tracemalloc, not a timing)."""
    import asyncio
    import gc
    import tracemalloc

    from engine.compiled_loop import warm_up
    from server.frames import FrameEncoder, decode_frame
    from server.landscape_worker import LandscapeWorker
    from server.snapshot import VIEWS
    from server.stream import StreamRegistry
    from server.viewer import Viewer

    warm_up()
    settings = Settings()

    async def scenario():
        registry = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings))
        runs = RunRegistry(settings)
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        run = runs.create(TrainConfig(dataset="spiral", hidden=[64] * 8, features=FEATURES,
                                      n_samples=2000, batch_size=10))
        stream = registry.of(run)
        viewer = Viewer(LastFrameSocket(), settings)
        viewer.views = set(VIEWS) - {"landscape"}
        viewer.neuron = (9, 0)                     # the output unit: all its layer's z
        stream.attach(viewer)
        sender = asyncio.create_task(viewer.send_loop(stream))
        for _ in range(3):
            await run.advance(5, 1.0)
            run.request_frame()
            for _ in range(3000):
                await asyncio.sleep(0.01)
                last = viewer.websocket.last
                if last and decode_frame(last)[0]["metrics"]["step"] == run.trainer.step_count:
                    break
        header, arrays = decode_frame(viewer.websocket.last)
        while stream._building.locked():           # a frame in the making holds a copy (its
            await asyncio.sleep(0.01)              # workspaces: a few MiB) until it is out
        gc.collect()                               # what is held, not garbage not yet collected
        after, _ = tracemalloc.get_traced_memory()
        sender.cancel()
        t = run.trainer
        own = t.net.theta.nbytes + sum(v.nbytes for v in t.data().values())
        return header, arrays, (after - before - own) / 2**20

    tracemalloc.start()
    try:
        header, arrays, beyond = asyncio.run(scenario())
    finally:
        tracemalloc.stop()
    assert {"weights", "gradients", "output_grid", "hidden_grids", "preactivations"} <= set(arrays)
    print(f"{beyond:.1f} MiB beyond parameters and data")
    assert beyond <= LIMIT_MIB, f"{beyond:.1f} MiB beyond parameters and data"
