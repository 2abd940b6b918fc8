"""Saving and reopening runs (server/store.py): what a save costs next to its peer in the same
run, Trainer.capture_state (the in-memory copy every landscape already makes), and how large a
saved run is. Two networks: the default 2->4->2->1 on 500 points after 20,000 steps (history
and trajectory full) and the largest one, 8 layers of 64 on 2,000 points after 2,000 steps.
Median of rounds, so a busy machine slows every measure alike.

    python bench/bench_store.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import TrainConfig, Trainer  # noqa: E402
from engine.saved_state import state_from_bytes, state_to_bytes  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.store import Store  # noqa: E402


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    cases = [("2->4->2->1, 500 points, 20,000 steps", TrainConfig(), 20_000),
             ("8x64, 2,000 points, 2,000 steps", TrainConfig(hidden=[64] * 8, n_samples=2000,
                                                             learning_rate=0.003), 2_000)]
    print("| network | capture_state ms | save (serialize + SQLite) ms | ratio | reopen ms | saved size |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Settings(data_dir=tmp, max_saved_runs=10_000, max_saved_bytes=2**40))
        for name, cfg, steps in cases:
            t = Trainer(cfg)
            for _ in range(20):
                t.step(steps // 20)
            capture = median_ms(t.capture_state, args.rounds)
            ids = []
            save = median_ms(lambda: ids.append(store.save_run(t.capture_state(), "user")), args.rounds)
            reopen = median_ms(lambda: Trainer.from_state(store.load_saved(ids[-1])), args.rounds)
            size = len(state_to_bytes(t.capture_state()))
            assert state_from_bytes(state_to_bytes(t.capture_state())).step_count == t.step_count
            print(f"| {name} | {capture:.2f} | {save:.1f} | {save / capture:.0f}x | {reopen:.1f} | "
                  f"{size / 2**20:.2f} MiB |")
        store.close()


if __name__ == "__main__":
    main()
