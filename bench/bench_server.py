"""Server bars: training throughput while streaming, frame rate, set->frame latency, 50 runs.

Starts a real uvicorn (`python -m server.cli`, websockets, permessage-deflate off) on a free
loopback port as a subprocess, drives it with the `websockets` client library, prints a table.
Every loop is bounded in time; the server is stopped at the end.

    python bench/bench_server.py [--seconds 5] [--runs 50]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")   # the same BLAS setting as the server (server/cli.py)

import argparse
import asyncio
import json
import socket
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine import Trainer, TrainConfig  # noqa: E402

CONFIG = {"hidden": [8, 8], "batch_size": 10}   # 2 -> 8 -> 8 -> 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def frame_header(frame: bytes) -> dict:
    """Only the JSON header of a frame (docs/protocol.md): enough for the bench."""
    magic, version, _, length = struct.unpack_from("<4sHHI", frame, 0)
    assert magic == b"NNPF", magic
    return json.loads(frame[12:12 + length])


def bare_engine_steps_per_second(seconds: float) -> float:
    trainer = Trainer(TrainConfig(**CONFIG))
    trainer.step(1000)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.step(1000)
        steps += 1000
    return steps / (time.perf_counter() - start)


class Server:
    def __init__(self, port: int, max_runs: int):
        self.port = port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "--host", "127.0.0.1", "--port", str(port),
             "--max-runs", str(max_runs)], cwd=REPO, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        self.tokens: dict[str, str] = {}   # run id -> control token
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.http.get("/api/schema").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start")

    def new_run(self) -> str:
        r = self.http.post("/api/runs", json=CONFIG)
        r.raise_for_status()
        self.tokens[r.json()["id"]] = r.json()["control_token"]
        return r.json()["id"]

    def url(self, run_id: str) -> str:
        """The run's websocket with its control token (the bench plays it)."""
        return f"ws://127.0.0.1:{self.port}/ws/runs/{run_id}?token={self.tokens[run_id]}"

    def delete(self, run_id: str) -> None:
        self.http.delete(f"/api/runs/{run_id}", headers={"X-Run-Token": self.tokens.pop(run_id)})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def receive(ws, timeout: float):
    """The next message, or None after timeout."""
    try:
        return await asyncio.wait_for(ws.recv(), timeout)
    except asyncio.TimeoutError:
        return None


async def single_run(server: Server, seconds: float) -> dict:
    run_id = server.new_run()
    async with websockets.connect(server.url(run_id), compression=None, max_size=2**24) as ws:
        await ws.send(json.dumps({"type": "subscribe", "fps": 30}))
        await ws.send(json.dumps({"type": "play"}))
        # warm up, then count frames and steps
        warm_end = time.monotonic() + 1.0
        while time.monotonic() < warm_end:
            await receive(ws, 1.0)
        frames, first, last = 0, None, None
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            msg = await receive(ws, 1.0)
            if isinstance(msg, bytes):
                header = frame_header(msg)
                frames += 1
                first = first or (time.monotonic(), header["metrics"]["step"])
                last = (time.monotonic(), header["metrics"]["step"])
        elapsed = time.monotonic() - start
        steps_per_second = (last[1] - first[1]) / (last[0] - first[0])
        # latency from a set to the first frame reflecting it, while playing
        latencies = []
        for i in range(30):
            lr = 0.02 + 0.001 * (i % 2)
            sent = time.monotonic()
            await ws.send(json.dumps({"type": "set", "config": {"learning_rate": lr}}))
            while time.monotonic() - sent < 2.0:
                msg = await receive(ws, 2.0)
                if isinstance(msg, bytes) and frame_header(msg)["config"]["learning_rate"] == lr:
                    latencies.append(time.monotonic() - sent)
                    break
            await asyncio.sleep(0.05)
        await ws.send(json.dumps({"type": "pause"}))
    server.delete(run_id)
    return {"fps": frames / elapsed, "steps_per_second": steps_per_second,
            "latency_median": statistics.median(latencies) if latencies else float("nan"),
            "latency_max": max(latencies) if latencies else float("nan"),
            "latency_samples": len(latencies)}


async def many_runs(server: Server, n_runs: int, seconds: float, fps: int) -> dict:
    run_ids = [server.new_run() for _ in range(n_runs)]
    gaps: list[float] = []
    rates: list[float] = []
    counts: list[int] = []

    async def viewer(run_id: str, start_at: float, stop_at: float):
        async with websockets.connect(server.url(run_id), compression=None,
                                      max_size=2**24) as ws:
            await ws.send(json.dumps({"type": "subscribe", "fps": fps}))
            await ws.send(json.dumps({"type": "play"}))
            previous, first, last, count = None, None, None, 0
            while time.monotonic() < stop_at:
                msg = await receive(ws, max(0.01, stop_at - time.monotonic()))
                now = time.monotonic()
                if not isinstance(msg, bytes) or now < start_at:
                    continue
                header = frame_header(msg)
                if previous is not None:
                    gaps.append(now - previous)
                previous = now
                count += 1
                first = first or (now, header["metrics"]["step"])
                last = (now, header["metrics"]["step"])
            await ws.send(json.dumps({"type": "pause"}))
            if first and last and last[0] > first[0]:
                rates.append((last[1] - first[1]) / (last[0] - first[0]))
            counts.append(count)

    now = time.monotonic()
    start_at, stop_at = now + 2.0, now + 2.0 + seconds   # 2 s to connect and settle
    await asyncio.gather(*(viewer(r, start_at, stop_at) for r in run_ids))
    for r in run_ids:
        server.delete(r)
    gaps_ms = np.array(gaps) * 1e3
    return {"p50_gap_ms": float(np.percentile(gaps_ms, 50)) if gaps else float("nan"),
            "p99_gap_ms": float(np.percentile(gaps_ms, 99)) if gaps else float("nan"),
            "max_gap_ms": float(gaps_ms.max()) if gaps else float("nan"),
            "fps_per_run": float(np.mean(counts)) / seconds if counts else 0.0,
            "steps_per_second_per_run": float(np.mean(rates)) if rates else 0.0,
            "runs_measured": len(rates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    server = Server(free_port(), max_runs=args.runs + 4)
    try:
        # the bare engine in this process (same BLAS settings) right before and after the
        # single-run phase, while the server idles: the machine's load drifts
        bare_before = bare_engine_steps_per_second(2.0)
        single = asyncio.run(single_run(server, args.seconds))
        bare = (bare_before + bare_engine_steps_per_second(2.0)) / 2
        many = asyncio.run(many_runs(server, args.runs, args.seconds, fps=10))
    finally:
        server.stop()

    ratio = single["steps_per_second"] / bare
    rows = [
        ("bare engine, 2-8-8-1 batch 10 (steps/s)", f"{bare:,.0f}", ""),
        ("1 run playing + 1 viewer at 30 fps (steps/s)", f"{single['steps_per_second']:,.0f}",
         ""),
        ("  throughput vs bare engine", f"{ratio:.0%}", ">= 50%"),
        ("  frames received per second", f"{single['fps']:.1f}", ">= 30"),
        (f"  set -> first frame reflecting it, median ({single['latency_samples']} sets)",
         f"{single['latency_median'] * 1e3:.1f} ms", "<= 50 ms"),
        ("  set -> frame, max", f"{single['latency_max'] * 1e3:.1f} ms", ""),
        (f"{args.runs} runs playing, 1 viewer each at 10 fps: p99 frame gap",
         f"{many['p99_gap_ms']:.0f} ms", "<= 250 ms"),
        ("  median frame gap", f"{many['p50_gap_ms']:.0f} ms", ""),
        ("  max frame gap", f"{many['max_gap_ms']:.0f} ms", ""),
        ("  frames per second per run", f"{many['fps_per_run']:.1f}", ""),
        ("  training throughput per run (steps/s)",
         f"{many['steps_per_second_per_run']:,.0f}", "(report)"),
        ("  training throughput, all runs (steps/s)",
         f"{many['steps_per_second_per_run'] * many['runs_measured']:,.0f}", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>14}  target")
    print("-" * (width + 26))
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>14}  {target}")


if __name__ == "__main__":
    main()
