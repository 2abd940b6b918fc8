"""The maximum load (issue 15): many max-size runs, each watched by a viewer of every view.

    python bench/bench_load.py                      # 64 runs asked for, 60 s of load (~3 min)
    python bench/bench_load.py --runs 8 --seconds 10 --beside-seconds 8   # a quick version

Starts the server (uvicorn, as `nn-playground`) on a free port, then:
1. load: asks for --runs runs of 8 layers of 64 on 2,000 points with all 7 features (the server
   admits what its compute budget allows and refuses the rest with 503: both are counted), opens
   one viewer per admitted run subscribed to every view (landscape included), plays them all,
   and for --seconds records every frame's arrival, polls GET /api/runs/{id} round robin and
   samples the server's RSS. Prints RSS (idle, under load, after deleting every run), frames/s
   per viewer (min / median), p99 gap between frames, GET p99 latency, training steps/s per run
   and their spread, and the event loop's worst stall seen by a 10 ms ticker (lag).
2. beside: one max-size run playing flat out (no speed limit) with a viewer of every view, and
   a small run (the default 2-4-2-1) beside it with its own viewer: prints the small viewer's
   frames/s and p99 gap.
Targets (issue 15): every viewer >= 5 frames/s, p99 gap <= 1 s, GET p99 <= 200 ms, RSS under
1.5 GB and back within 2x idle after deleting; beside: >= 25 frames/s, p99 gap <= 250 ms.
Absolute figures depend on the machine and its load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

REPO = Path(__file__).resolve().parents[1]
FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
LARGE = {"hidden": [64] * 8, "features": FEATURES, "n_samples": 2000}
SMALL: dict = {}
EVERY_VIEW = ["weights", "gradients", "output", "hidden", "activation", "landscape"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Watch:
    """One viewer: connects with the run's token, subscribes, records frame arrival times."""

    def __init__(self, base: str, run: dict, views: list[str]):
        self.url = f"{base}/ws/runs/{run['id']}?token={run['control_token']}"
        self.views = views
        self.times: list[float] = []
        self.ws = None
        self.closed_with: str | None = None
        self.surface_refused: str | None = None   # the 503 that said there was no room for it
        self.surface: bool | None = None          # the subscribe ack's views hold "landscape"

    async def open(self) -> None:
        self.ws = await connect(self.url, max_size=None, ping_interval=20, ping_timeout=60)
        await self.ws.send(json.dumps({"type": "subscribe", "views": self.views, "fps": 30}))

    async def play(self) -> None:
        await self.ws.send(json.dumps({"type": "play"}))

    async def receive(self, until: float) -> None:
        try:
            while time.monotonic() < until:
                try:
                    message = await asyncio.wait_for(self.ws.recv(), until - time.monotonic())
                except (asyncio.TimeoutError, TimeoutError):
                    break
                if isinstance(message, bytes):
                    self.times.append(time.monotonic())
                elif '"subscribe"' in message:
                    said = json.loads(message)
                    if said.get("type") == "ack":
                        self.surface = "landscape" in said["views"]
                    elif said.get("fields") == ["landscape"] and said.get("status") == 503:
                        self.surface_refused = said["message"]
        except Exception as exc:   # noqa: BLE001 - a closed connection is a result, not a crash
            self.closed_with = repr(exc)

    def fps(self, seconds: float) -> float:
        return len(self.times) / seconds

    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.times, self.times[1:])]

    async def close(self) -> None:
        try:
            await self.ws.close()
        except Exception:  # noqa: BLE001
            pass


async def poll_gets(client: httpx.AsyncClient, ids: list[str], until: float) -> list[float]:
    latencies, i = [], 0
    while time.monotonic() < until and ids:
        t0 = time.perf_counter()
        await client.get(f"/api/runs/{ids[i % len(ids)]}")
        latencies.append(time.perf_counter() - t0)
        i += 1
        await asyncio.sleep(0.05)
    return latencies


async def sample_rss(pid: int, until: float) -> list[float]:
    samples = []
    while time.monotonic() < until:
        samples.append(rss_mib(pid))
        await asyncio.sleep(0.5)
    return samples


async def steps_of(client: httpx.AsyncClient, ids: list[str]) -> dict[str, int]:
    out = {}
    for rid in ids:
        out[rid] = (await client.get(f"/api/runs/{rid}")).json()["metrics"]["step"]
    return out


async def load(base: str, pid: int, runs: int, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await asyncio.sleep(1.0)
        idle = rss_mib(pid)
        admitted, refused, reason = [], 0, ""
        for _ in range(runs):
            r = await client.post("/api/runs", json=LARGE)
            if r.status_code == 201:
                admitted.append(r.json())
            else:
                refused += 1
                reason = f"{r.status_code} (Retry-After {r.headers.get('retry-after')}): " \
                         f"{r.json().get('detail', '')[:160]}"
        print(f"load: {len(admitted)} of {runs} max-size runs admitted, {refused} refused"
              + (f"; e.g. {reason}" if refused else ""))
        watches = [Watch(base.replace("http", "ws"), run, EVERY_VIEW) for run in admitted]
        await asyncio.gather(*(w.open() for w in watches))
        await asyncio.gather(*(w.play() for w in watches))
        await asyncio.sleep(2.0)   # settle: the first frames, the first landscapes
        ids = [run["id"] for run in admitted]
        before = await steps_of(client, ids)
        started = time.monotonic()
        until = started + seconds
        *_, latencies, rss = await asyncio.gather(*(w.receive(until) for w in watches),
                                                  poll_gets(client, ids, until),
                                                  sample_rss(pid, until))
        elapsed = time.monotonic() - started
        after = await steps_of(client, ids)
        rates = [(after[i] - before[i]) / elapsed for i in ids]
        fps = [w.fps(elapsed) for w in watches]
        gaps = [g for w in watches for g in w.gaps()]
        closed = [w.closed_with for w in watches if w.closed_with]
        print(f"  RSS: idle {idle:.0f} MiB, under load max {max(rss, default=idle):.0f} MiB")
        if fps:
            print(f"  frames/s per viewer: min {min(fps):.1f}, median {statistics.median(fps):.1f}, "
                  f"max {max(fps):.1f}; p99 gap {percentile(gaps, 0.99) * 1000:.0f} ms, "
                  f"max gap {max(gaps, default=float('nan')) * 1000:.0f} ms")
            print(f"  GET /api/runs/{{id}}: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
                  f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms ({len(latencies)} requests)")
            mean = statistics.mean(rates)
            spread = (statistics.pstdev(rates) / mean) if mean else float("nan")
            print(f"  training: {sum(rates):.0f} steps/s in total, per run min {min(rates):.0f} / "
                  f"median {statistics.median(rates):.0f} / max {max(rates):.0f} "
                  f"(spread: coefficient of variation {spread:.2f})")
        no_room = [w.surface_refused for w in watches if w.surface_refused and not w.surface]
        print(f"  live loss surfaces: {sum(bool(w.surface) for w in watches)} admitted, "
              f"{len(no_room)} refused for lack of landscape threads"
              + (f", e.g. {no_room[0][:150]}..." if no_room else ""))
        if closed:
            print(f"  {len(closed)} viewer(s) lost their connection, e.g. {closed[0]}")
        for w in watches:
            await w.close()
        for run in admitted:
            r = await client.delete(f"/api/runs/{run['id']}",
                                    headers={"X-Run-Token": run["control_token"]})
            assert r.status_code == 204, r.text
        await asyncio.sleep(3.0)
        gone = rss_mib(pid)
        print(f"  RSS after deleting every run: {gone:.0f} MiB ({gone / idle:.2f}x idle)")


async def beside(base: str, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        answers = [await client.post("/api/runs", json=config) for config in (LARGE, SMALL)]
        for r in answers:
            if r.status_code != 201:
                raise SystemExit(f"beside: POST /api/runs answered {r.status_code}: {r.text[:300]}")
        big, small = (r.json() for r in answers)
        ws_base = base.replace("http", "ws")
        big_watch, small_watch = Watch(ws_base, big, EVERY_VIEW), Watch(ws_base, small, EVERY_VIEW)
        for w in (big_watch, small_watch):
            await w.open()
            await w.play()
        await asyncio.sleep(2.0)
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(big_watch.receive(until), small_watch.receive(until))
        elapsed = time.monotonic() - started
        gaps = small_watch.gaps()
        print(f"beside: one max-size run flat out + a small run: small viewer "
              f"{small_watch.fps(elapsed):.1f} frames/s, p99 gap "
              f"{percentile(gaps, 0.99) * 1000:.0f} ms (max {max(gaps, default=0) * 1000:.0f} ms); "
              f"the large run's viewer {big_watch.fps(elapsed):.1f} frames/s")
        for w in (big_watch, small_watch):
            await w.close()
        for run in (big, small):
            await client.delete(f"/api/runs/{run['id']}",
                                headers={"X-Run-Token": run["control_token"]})


class Stall:
    """What a 1 ms ticker on the loop saw while frames were built: its worst lag, and its worst
    and p99 lag outside the training slices (which run on the loop by design, each about
    settings.train_slice_seconds), the longest slice and the seconds per build."""

    def __init__(self, lags: list[tuple[float, float]], slices: list[tuple[float, float]],
                 per_build: float):
        def in_slice(t0: float, lag: float) -> bool:
            return any(a < t0 + lag + 0.001 and t0 < b for a, b in slices)
        outside = sorted(lag for t0, lag in lags if not in_slice(t0, lag))
        self.worst = max((lag for _, lag in lags), default=0.0)
        self.worst_outside = outside[-1] if outside else 0.0
        self.p99_outside = percentile(outside, 0.99) if outside else 0.0
        self.slice = max((b - a for a, b in slices), default=0.0)
        self.per_build = per_build

    def __str__(self) -> str:
        return (f"{self.per_build * 1000:.0f} ms per build, the loop's worst stall "
                f"{self.worst * 1000:.1f} ms; outside the training slices (longest "
                f"{self.slice * 1000:.1f} ms): worst {self.worst_outside * 1000:.1f} ms, "
                f"p99 {self.p99_outside * 1000:.1f} ms")


async def loop_stall(build_in_thread: bool, builds: int = 10) -> Stall:
    """What the loop's ticker sees while a max-size snapshot is built `builds` times on the
    loop or in a worker thread, a training slice before each: how much the GIL lets it run."""
    sys.path.insert(0, str(REPO))
    from engine import TrainConfig
    from engine.compiled_loop import warm_up
    from server.frames import FrameEncoder
    from server.landscape_worker import LandscapeWorker
    from server.runs import RunRegistry
    from server.settings import Settings
    from server.stream import StreamRegistry
    from server.viewer import Viewer

    warm_up()   # the kernels compiled or loaded first: a compiling thread would hold the GIL
    settings = Settings()
    run = RunRegistry(settings).create(TrainConfig(**LARGE))
    stream = StreamRegistry(settings, FrameEncoder(), LandscapeWorker(settings)).of(run)
    stream.viewers.add(Viewer(None, settings))
    stream.build_snapshot()   # warm: first-call costs are not the loop's
    run.train_slice()
    lags, slices, done = [], [], asyncio.Event()

    async def ticker():
        while not done.is_set():
            t0 = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((t0, time.perf_counter() - t0 - 0.001))

    tick = asyncio.create_task(ticker())
    t0 = time.perf_counter()
    for _ in range(builds):
        s0 = time.perf_counter()
        run.train_slice()
        slices.append((s0, time.perf_counter()))
        if build_in_thread:
            await stream.build_detached()
        else:
            stream.build_snapshot()
            await asyncio.sleep(0)
    elapsed = time.perf_counter() - t0
    done.set()
    await tick
    return Stall(lags, slices, elapsed / builds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=64, help="max-size runs to ask for (64)")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--beside-seconds", type=float, default=20.0,
                        help="seconds of the large + small scenario (20)")
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:app", "--host", "127.0.0.1", "--port",
         str(port), "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
         "--log-level", "warning"], cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/schema", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        print(f"load average {os.getloadavg()[0]:.2f} at the start; {os.cpu_count()} cores")
        default_switch = sys.getswitchinterval()
        for where, switch in ((False, default_switch), (True, default_switch), (True, 0.001)):
            sys.setswitchinterval(switch)   # how often a thread holding the GIL hands it over
            stall = asyncio.run(loop_stall(where))
            print(f"frame of a max-size run built {'in a thread' if where else 'on the loop'} "
                  f"(GIL switch interval {switch * 1000:g} ms): {stall}")
        sys.setswitchinterval(default_switch)
        asyncio.run(load(base, proc.pid, args.runs, args.seconds))
        asyncio.run(beside(base, args.beside_seconds))
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
