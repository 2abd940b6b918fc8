"""What the history rows cost: a 6-member comparison group (2->8->8->1 tanh, batch 10, six
learning rates, engine/comparison.py ComparisonGroup.advance: members trained in turn, as the
server's group loop) with its history rows, against the same members on the hot loop without
rows (Trainer._train_compiled, what train() ran before rows were kept per step), interleaved
in one run; plus one trainer's train(n) the same way.

    python bench/bench_history.py [--seconds 3] [--per 500] [--clock cpu|wall]

Each side starts from fresh trainers (so the head's 256 per-step rows are in the figure).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NNP_ENGINE", "compiled")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import TrainConfig  # noqa: E402
from engine.comparison import ComparisonGroup  # noqa: E402

BASE = TrainConfig(hidden=[8, 8], batch_size=10, activation="tanh")
RATES = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}


def group_rate(seconds: float, per: int, rows: bool, clock) -> tuple[float, int]:
    """Updates per second summed over the members, and one member's history rows."""
    g = ComparisonGroup(BASE, [{"learning_rate": lr} for lr in RATES], clock="updates")
    for m in g.members:
        m.train(1)                # kernels loaded, buffers made (one row)
    start, steps = clock(), 0
    while clock() - start < seconds:
        for m in g.members:
            before = m.step_count
            m.train(per) if rows else m._train_compiled(per, 0)
            steps += m.step_count - before
    return steps / (clock() - start), len(g.members[0].history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--per", type=int, default=500, help="updates per member per round")
    parser.add_argument("--clock", choices=tuple(CLOCK), default="cpu")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    clock = CLOCK[args.clock]
    with_rows, without = [], []
    for _ in range(args.rounds):
        without.append(group_rate(args.seconds, args.per, False, clock))
        with_rows.append(group_rate(args.seconds, args.per, True, clock))
    best_with = max(with_rows)
    best_without = max(without)
    print(f"6-member group, {args.per} updates per member per round, {args.clock} clock, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"| with history rows | {best_with[0]:,.0f} updates/s | {best_with[1]} rows a member |")
    print(f"| hot loop, no rows | {best_without[0]:,.0f} updates/s | |")
    print(f"| with / without | **{100 * best_with[0] / best_without[0]:.0f}%** | >= 90% |")


if __name__ == "__main__":
    main()
