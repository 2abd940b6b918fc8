"""RunStream: a large run's snapshots are built in a worker thread on a copy (the event loop
only captures the state), with the same content and the metrics recorded in the run's history;
a small run's on the loop."""

from __future__ import annotations

import asyncio
import threading
import time

from engine import TrainConfig
from server.admission import frame_interval, grid_resolutions
from server.frames import FrameEncoder, decode_frame
from server.runs import RunRegistry
from server.settings import Settings
from server.stream import RunStream, StreamRegistry
from server.landscape_worker import LandscapeWorker
from server.viewer import Viewer

FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]


class FakeSocket:
    def __init__(self):
        self.frames: list[bytes] = []

    async def send_bytes(self, data: bytes) -> None:
        self.frames.append(data)

    async def send_text(self, data: str) -> None:
        pass


def attached(config: TrainConfig, fps: int | None = None):
    """(run, stream, viewer, sender task) of a new run of `config` in an app's stream registry,
    with one viewer attached (at `fps` if given) and sending; call on a running loop."""
    settings = Settings()
    registry = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings))
    run = RunRegistry(settings).create(config)
    stream = registry.of(run)
    viewer = Viewer(FakeSocket(), settings)
    if fps is not None:
        viewer.fps = fps
    stream.attach(viewer)
    return run, stream, viewer, asyncio.create_task(viewer.send_loop(stream))


def watch(config: TrainConfig, monkeypatch, steps: int = 3):
    """Frames of a run stepped `steps` times (5 steps each, fewer if the machine is so loaded
    that a step's time budget runs out), each time until a frame shows the run's current step;
    (threads that built snapshots, loop thread, frames, run)."""
    built_in: list[threading.Thread] = []
    compose = RunStream._compose

    def recording(self, *args, **kwargs):
        built_in.append(threading.current_thread())
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(RunStream, "_compose", recording)

    async def scenario():
        run, stream, viewer, sender = attached(config)
        for _ in range(steps):
            await run.advance(5, 1.0)
            run.request_frame()
            for _ in range(3000):     # until the frame is out (a loaded machine: long)
                await asyncio.sleep(0.01)
                if viewer.websocket.frames and decode_frame(viewer.websocket.frames[-1])[0][
                        "metrics"]["step"] == run.trainer.step_count:
                    break
        sender.cancel()
        run.close()
        return threading.current_thread(), viewer.websocket.frames, run

    loop_thread, frames, run = asyncio.run(scenario())
    return built_in, loop_thread, frames, run


def test_a_large_runs_snapshots_are_built_off_the_event_loop(monkeypatch):
    config = TrainConfig(hidden=[64] * 8, features=FEATURES, n_samples=2000)
    built_in, loop_thread, frames, run = watch(config, monkeypatch)
    assert built_in and all(t is not loop_thread for t in built_in)
    header, arrays = decode_frame(frames[-1])
    # the last frame shows the run as it is (however many steps a loaded machine got through)
    assert header["metrics"]["step"] == run.trainer.step_count > 0
    side = grid_resolutions(run.trainer, Settings())[0]   # coarser for this size: 58
    assert arrays["output_grid"].shape == (side, side, 1) and side < 100
    assert header["grid"]["output_resolution"] == side
    assert arrays["weights"].shape == (run.trainer.net.n_params,)
    # the metrics computed in the thread are the run's current ones (a GET does not redo them)
    assert run.last_metrics[0] == run.state_version
    assert run.last_metrics[1]["step"] == run.trainer.step_count


def test_a_small_runs_snapshots_are_built_on_the_loop(monkeypatch):
    built_in, loop_thread, frames, run = watch(TrainConfig(hidden=[4, 2]), monkeypatch)
    assert built_in and all(t is loop_thread for t in built_in)
    assert decode_frame(frames[-1])[0]["metrics"]["step"] == run.trainer.step_count > 0


def large_stream(viewer_class) -> tuple:
    """(run, stream) of a network big enough for its frames to be built in a thread, watched by
    one viewer of `viewer_class` (not attached: the test drives publish itself)."""
    settings = Settings()
    registry = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings))
    run = RunRegistry(settings).create(TrainConfig(hidden=[64] * 4, features=FEATURES,
                                                   n_samples=2000))
    stream = registry.of(run)
    stream.viewers.add(viewer_class(FakeSocket(), settings))
    return run, stream


def test_play_and_pause_restamp_the_snapshot_without_building_it_again(monkeypatch):
    """Only the run's own fields changed (play, pause, speed): the viewers get the same moment
    with the new fields at once, without a second build (60 ms for a max-size run). A step
    (the weights changed) builds again."""
    builds = []
    compose = RunStream._compose

    def counted(self, *args, **kwargs):
        builds.append(1)
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(RunStream, "_compose", counted)

    async def scenario():
        run, stream = large_stream(Viewer)
        assert stream.offloads()
        await stream.publish(urgent=True)
        first = stream.snapshot
        assert len(builds) == 1 and first.header["playing"] is False
        run.play()
        run.set_speed(3)
        await stream.publish(urgent=True)
        playing = stream.snapshot
        assert len(builds) == 1                       # not built again
        assert playing.header["playing"] is True and playing.header["speed"] == 3
        assert playing.seq > first.seq and playing.sections is first.sections
        assert playing.header["metrics"] == first.header["metrics"]
        run.pause()
        await stream.publish(urgent=True)
        assert len(builds) == 1 and stream.snapshot.header["playing"] is False
        run.train_steps(2)                            # the weights moved: a build
        await stream.publish(urgent=True)
        assert len(builds) == 2 and stream.snapshot.header["metrics"]["step"] == 2
        run.close()

    asyncio.run(scenario())


def test_a_pause_of_a_large_run_shows_at_once_and_the_exact_frame_follows():
    """The run trained since its last frame, so the paused frame must be built (60 ms or more
    for a max-size run): first every viewer gets the last frame restamped "paused", then the
    frame of the state it paused at."""
    offered = []

    class Recording(Viewer):
        def offer(self, snapshot, urgent=False):
            offered.append((snapshot.header["playing"], snapshot.header["metrics"]["step"]))
            super().offer(snapshot, urgent)

    async def scenario():
        run, stream = large_stream(Recording)
        await stream.publish(urgent=True)
        run.play()
        await stream.publish(urgent=True)
        run.train_steps(3)
        offered.clear()
        run.pause()
        await stream.publish(urgent=True)
        run.close()

    asyncio.run(scenario())
    assert offered == [(False, 0), (False, 3)]


def test_grids_skipped_under_load_are_caught_up_once_the_run_is_paused(monkeypatch):
    """Under load a frame may reuse grids older than its weights (GRID_LOAD_SHARE); when the
    run stops changing, a frame with grids of the weights it shows follows."""
    import server.stream as stream_module

    async def scenario():
        settings = Settings()
        registry = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings))
        run = RunRegistry(settings).create(TrainConfig(hidden=[4, 2]))
        stream = registry.of(run)
        stream.viewers.add(Viewer(FakeSocket(), settings))
        await stream.publish(urgent=True)
        monkeypatch.setattr(stream_module, "GRID_LOAD_SHARE", 1e-9)   # grids "cost" a lot
        stream._grid_cost = 1e-6            # ~1000 s between grid refreshes
        run.train_steps(50)
        await stream.publish(urgent=True)
        stale = stream.snapshot
        grids_made = stream._grids[1]
        assert grids_made != run.state_version and stale.header["metrics"]["step"] == 50
        assert stream._grids_due_at > time.monotonic() + 100   # owed, once the throttle allows
        await stream.publish()               # a tick before then: nothing new
        assert stream.snapshot is stale
        monkeypatch.setattr(stream_module, "GRID_LOAD_SHARE", 0.2)    # the load is gone
        stream._grids_due_at = 0.0           # and the throttle's wait is over
        await stream.publish()               # a tick, not urgent: the grids are owed
        assert stream._grids[1] == run.state_version
        assert stream.snapshot is not stale and stream._grids_due_at is None
        fresh = stream.snapshot
        await stream.publish()               # nothing owed now: no new snapshot
        assert stream.snapshot is fresh
        run.close()

    asyncio.run(scenario())


def test_frames_are_spaced_so_that_they_take_at_most_their_share_of_a_core():
    s = Settings()
    assert frame_interval(60, 0.001, s) == 0.9 / 60              # cheap frames: as asked
    assert frame_interval(60, 0.023, s) == 0.023 / s.frame_cpu_share > 0.9 / 60
    assert frame_interval(10, 0.023, s) == 0.9 / 10              # asked for fewer than that
    halved = frame_interval(60, 0.023, Settings(frame_cpu_share=s.frame_cpu_share / 2))
    assert halved == 2 * frame_interval(60, 0.023, s)


def spaced(config: TrainConfig) -> tuple[float, float, float]:
    """(the broadcaster's tick interval once it has measured the run's frames, the run's pace
    interval (a throttled run's steps are per it), 0.9 / fps) for a run of `config` playing with one
    viewer asking 60 frames/s."""
    async def scenario():
        run, stream, viewer, sender = attached(config, fps=60)
        settings = stream.settings
        try:
            for _ in range(3000):
                await run.advance(2, 1.0)
                run.request_frame()
                await asyncio.sleep(0.01)
                if (len(viewer.websocket.frames) >= 3 and stream.frame_cpu > 0 and stream.frame_spacing
                        == frame_interval(60, stream.frame_cpu, settings)):
                    return stream.frame_spacing, run.pace_interval, 0.9 / 60
            raise AssertionError("the tick interval never followed the measured frames")
        finally:
            sender.cancel()
            run.close()

    return asyncio.run(scenario())


def test_a_large_runs_frames_are_spaced_by_their_cost_a_small_runs_are_not():
    ticks, pace, asked = spaced(TrainConfig(hidden=[64] * 8, features=FEATURES, n_samples=2000))
    assert ticks > asked          # ~14 ms of CPU a frame on average: fewer frames than asked
    assert pace == asked          # a throttled run's steps per frame keep the asked pace
    ticks, pace, asked = spaced(TrainConfig(hidden=[4, 2]))
    assert ticks == pace == asked


def test_the_frame_cost_average_is_even_and_starts_afresh_on_a_rebuilt_network():
    settings = Settings()
    run = RunRegistry(settings).create(TrainConfig(hidden=[4, 2]))
    stream = RunStream(run, settings, FrameEncoder())
    stream._record_frame_cpu(0.010, run.generation)
    stream._record_frame_cpu(0.030, run.generation)   # a frame with its grids: moves a little
    assert 0.010 < stream.frame_cpu < 0.015
    old = run.generation
    run.reset()                                        # another network, another cost
    stream._record_frame_cpu(0.050, old)               # a build of the old one, finished late
    stream._record_frame_cpu(0.001, run.generation)
    assert stream.frame_cpu == 0.001
