"""Frames the server builds for the largest network, in process (no browser on the cores).

    python bench/bench_stream_large.py [--seconds 8] [--landscape]

One run of 8 hidden layers of 64 on 2,000 points with all 7 features plays flat out (the
registry's training loop), watched by one viewer of every frame view asking 30 frames/s
(with --landscape, its live loss surface too); prints the frames sent per second and the
training steps per second over the window. Against bench_page_large.py, whose browser shares
the 2 cores, the difference is what the page costs the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import TrainConfig  # noqa: E402
from engine.compiled_loop import warm_up  # noqa: E402
from server.frames import FrameEncoder  # noqa: E402
from server.landscape_worker import LandscapeWorker  # noqa: E402
from server.runs import RunRegistry  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.snapshot import DEFAULT_VIEWS  # noqa: E402
from server.stream import StreamRegistry  # noqa: E402
from server.viewer import Viewer  # noqa: E402

FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]


class CountingSocket:
    def __init__(self):
        self.frames = 0

    async def send_bytes(self, data: bytes) -> None:
        self.frames += 1

    async def send_text(self, data: str) -> None:
        pass


async def measure(seconds: float, landscape: bool) -> dict:
    settings = Settings()
    streams = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings))
    run = RunRegistry(settings).create(TrainConfig(hidden=[64] * 8, features=FEATURES,
                                                   n_samples=2000, batch_size=10))
    stream = streams.of(run)
    viewer = Viewer(CountingSocket(), settings)
    viewer.fps = 30
    viewer.views = set(DEFAULT_VIEWS) | ({"landscape"} if landscape else set())
    stream.attach(viewer)
    sender = asyncio.create_task(viewer.send_loop(stream))
    run.set_speed(None)
    run.play()
    await asyncio.sleep(3)                       # warm up
    frames, steps, start = viewer.websocket.frames, run.trainer.step_count, time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - start
    result = {"landscape": landscape,
              "frames_per_s": round((viewer.websocket.frames - frames) / elapsed, 1),
              "steps_per_s": round((run.trainer.step_count - steps) / elapsed),
              "surfaces_computed": stream.landscape_attempts}
    sender.cancel()
    run.close()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--landscape", action="store_true", help="also watch the live loss surface")
    args = ap.parse_args()
    warm_up()
    for key, value in asyncio.run(measure(args.seconds, args.landscape)).items():
        print(f"{key:20s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
