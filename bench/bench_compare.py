"""Comparison-group bar: a 6-member group of 2->8->8->1 playing, one viewer.

Measures the frames per second the viewer receives and the group's total training throughput
(the members' updates per second, summed) against one bare engine (Trainer.train in a loop,
the same config) measured in this process just before and after. Starts a real uvicorn
(`python -m server.cli`) on a free loopback port; every loop is bounded in time.

    python bench/bench_compare.py [--seconds 8]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Both sides on the compiled loop from their first step (the server inherits this): with the
# default "auto" either side may still train on NumPy while the kernels load, and the ratio
# would compare engines instead of the group's overhead.
os.environ.setdefault("NNP_ENGINE", "compiled")

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

import websockets

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_server import Server, free_port, frame_header  # noqa: E402
from engine import Trainer, TrainConfig  # noqa: E402

BASE = {"hidden": [8, 8], "batch_size": 10, "activation": "tanh"}
RATES = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]


def bare_updates_per_second(seconds: float) -> float:
    t = Trainer(TrainConfig(**BASE))
    t.train(1000)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        t.train(1000)
        steps += 1000
    return steps / (time.perf_counter() - start)


async def watch(port: int, gid: str, token: str, seconds: float) -> dict:
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/comparisons/{gid}?token={token}",
                                  max_size=2**24, compression=None) as ws:
        await ws.send(json.dumps({"type": "subscribe", "fps": 30}))
        await ws.send(json.dumps({"type": "play"}))
        first = None
        frames, last = 0, None
        deadline = time.monotonic() + seconds + 1.0
        while time.monotonic() < deadline:
            try:
                msg = await asyncio.wait_for(ws.recv(), timeout=2)
            except asyncio.TimeoutError:
                break
            if isinstance(msg, str):
                continue
            header = frame_header(msg)
            now = time.monotonic()
            if not header["playing"]:
                continue
            if first is None:
                first = (now, [m["clock"]["updates"] for m in header["members"]])
                continue
            frames += 1
            last = (now, [m["clock"]["updates"] for m in header["members"]])
            if now - first[0] >= seconds:
                break
        await ws.send(json.dumps({"type": "pause"}))
    elapsed = last[0] - first[0]
    per_member = [(b - a) / elapsed for a, b in zip(first[1], last[1])]
    return {"fps": frames / elapsed, "per_member": per_member, "total": sum(per_member)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    bare_before = bare_updates_per_second(2.0)
    port = free_port()
    server = Server(port, max_runs=16)
    try:
        r = server.http.post("/api/comparisons", json={
            "base": BASE, "variants": [{"learning_rate": lr} for lr in RATES], "clock": "updates"})
        r.raise_for_status()
        gid = r.json()["id"]
        result = asyncio.run(watch(port, gid, r.json()["control_token"], args.seconds))
    finally:
        server.stop()
    bare_after = bare_updates_per_second(2.0)
    bare = (bare_before + bare_after) / 2
    print("6-member group of 2->8->8->1 (batch 10, clock: updates), one viewer at 30 fps")
    print(f"| frames received per second | {result['fps']:.1f} | >= 30 |")
    print(f"| group training, all members | {result['total']:,.0f} updates/s | |")
    print(f"| per member | {', '.join(f'{v:,.0f}' for v in result['per_member'])} | |")
    print(f"| one bare engine, same run (before / after) | {bare:,.0f} updates/s "
          f"({bare_before:,.0f} / {bare_after:,.0f}) | |")
    print(f"| group / bare engine | **{100 * result['total'] / bare:.0f}%** | >= 70% |")


if __name__ == "__main__":
    main()
