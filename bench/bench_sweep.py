"""Sweep speed: the same grid on 1 and on 2 local worker processes, in one run (and on a Dask
LocalCluster of 2 workers when distributed is installed).

    python bench/bench_sweep.py

Grid learning_rate=0.01,0.03,0.1,0.3 x batch_size=10,full, seed 1, circle 2->8->8->1, 6,000
steps per run: 8 runs. Wall time includes starting the worker processes (what a user waits
for). Target: 2 workers <= 0.6x the time of 1 worker on a 2-core machine. Alternating order
over REPEATS; the median of each is reported."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nnp.sweep import parse_grid_axis, plan_tasks, run_sweep  # noqa: E402

REPEATS = 3
STEPS = 6000


def tasks():
    axes = [parse_grid_axis("learning_rate=0.01,0.03,0.1,0.3"), parse_grid_axis("batch_size=10,full")]
    return plan_tasks({"dataset": "circle", "hidden": [8, 8]}, axes, [1], STEPS)


def timed(**kwargs) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    results = run_sweep(tasks(), **kwargs)
    return time.perf_counter() - start, results


def main() -> None:
    print(f"cores available: {len(os.sched_getaffinity(0))}; 8 runs of {STEPS} steps")
    one, two = [], []
    reference = None
    for i in range(REPEATS):
        order = [(1, one), (2, two)] if i % 2 == 0 else [(2, two), (1, one)]
        for workers, times in order:
            seconds, results = timed(executor="local", workers=workers)
            times.append(seconds)
            metrics = [r["metrics"] for r in results]
            assert reference is None or metrics == reference, "results differ between runs"
            reference = metrics
    t1, t2 = statistics.median(one), statistics.median(two)
    print(f"1 worker : {t1:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in one)})")
    print(f"2 workers: {t2:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in two)})")
    print(f"ratio 2/1: {t2 / t1:.2f}  (target <= 0.60)")
    try:
        from distributed import LocalCluster
    except ImportError:
        print("dask: n/a (pip install 'nn-playground[dask]')")
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        seconds, results = timed(executor="dask", scheduler=cluster.scheduler_address)
    assert [r["metrics"] for r in results] == reference, "dask results differ"
    print(f"dask LocalCluster, 2 workers (cluster already up): {seconds:6.2f} s, ratio to 1 "
          f"local worker {seconds / t1:.2f}; same results")


if __name__ == "__main__":
    main()
