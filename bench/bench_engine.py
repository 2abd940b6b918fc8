"""Engine speed, side by side in one run: ours vs a plain NumPy loop vs PyTorch eager.

    python bench/bench_engine.py

Net 2->8->8->1 tanh, sigmoid output with binary cross-entropy, SGD lr 0.03, 500 training points.
Reports minibatch updates per second at batch 10, epochs per second at full batch (500), and the
time to compute every neuron's output on a 100x100 grid. Each figure is the median of repeats.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

# One BLAS thread, as the server runs (server/__init__.py) and as the PyTorch peer is set below.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine import Trainer, TrainConfig  # noqa: E402

CONFIG = TrainConfig(dataset="circle", n_samples=1000, train_fraction=0.5, hidden=[8, 8],
                     activation="tanh", loss="bce", optimizer="sgd", learning_rate=0.03,
                     batch_size=10, seed=1)
REPEATS = 5


def median_rate(run, units: int) -> float:
    """Median over REPEATS of units / seconds for run()."""
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        rates.append(units / (time.perf_counter() - start))
    return statistics.median(rates)


def ours(batch: int, steps: int) -> float:
    t = Trainer(CONFIG.model_copy(update={"batch_size": batch}))
    t.step(steps // 10)  # warm-up: workspaces and batch views exist
    return median_rate(lambda: t.step(steps), steps)


def plain_numpy(batch: int, steps: int) -> float:
    """The straightforward loop people write: separate W and b, fresh arrays every step."""
    d = Trainer(CONFIG).data()
    x, y = d["x_train"], d["y_train"].reshape(-1, 1)
    rng = np.random.default_rng(1)
    sizes = [2, 8, 8, 1]
    ws = [rng.normal(0, np.sqrt(2 / (a + b)), (b, a)) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    n = len(x)

    def run():
        order, pos = rng.permutation(n), 0
        for _ in range(steps):
            if pos >= n:
                order, pos = rng.permutation(n), 0
            idx = order[pos:pos + batch]
            pos += batch
            a1 = np.tanh(x[idx] @ ws[0].T + bs[0])
            a2 = np.tanh(a1 @ ws[1].T + bs[1])
            p = 1 / (1 + np.exp(-(a2 @ ws[2].T + bs[2])))
            d3 = (p - y[idx]) / len(idx)
            d2 = (d3 @ ws[2]) * (1 - a2 ** 2)
            d1 = (d2 @ ws[1]) * (1 - a1 ** 2)
            for w, b, dz, a in ((ws[2], bs[2], d3, a2), (ws[1], bs[1], d2, a1),
                                (ws[0], bs[0], d1, x[idx])):
                w -= 0.03 * dz.T @ a
                b -= 0.03 * dz.sum(0)
    return median_rate(run, steps)


def pytorch_eager(batch: int, steps: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    d = Trainer(CONFIG).data()
    x = torch.tensor(d["x_train"], dtype=torch.float64)
    y = torch.tensor(d["y_train"], dtype=torch.float64).reshape(-1, 1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = len(x)

    def run():
        order, pos = torch.randperm(n), 0
        for _ in range(steps):
            if pos >= n:
                order, pos = torch.randperm(n), 0
            idx = order[pos:pos + batch]
            pos += batch
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
    return median_rate(run, steps)


def heatmap_ms() -> float:
    t = Trainer(CONFIG)
    t.step(100)
    t.neuron_grid(100)  # warm the grid cache
    times = []
    for _ in range(50):
        start = time.perf_counter()
        t.neuron_grid(100)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    rows = []
    ours_b10, numpy_b10 = ours(10, 20000), plain_numpy(10, 5000)
    torch_b10 = pytorch_eager(10, 2000)
    ours_full, numpy_full = ours(500, 5000), plain_numpy(500, 2000)
    torch_full = pytorch_eager(500, 1000)
    fmt = lambda r: "n/a (torch not installed)" if r is None else f"{r:,.0f}"
    rows.append(("updates/s, batch 10", fmt(ours_b10), fmt(numpy_b10), fmt(torch_b10)))
    rows.append(("epochs/s, full batch 500", fmt(ours_full), fmt(numpy_full), fmt(torch_full)))
    print(f"{'2->8->8->1 tanh, SGD':28s} {'nn-playground':>14s} {'plain NumPy':>12s} "
          f"{'PyTorch eager f64':>18s}")
    for row in rows:
        print(f"{row[0]:28s} {row[1]:>14s} {row[2]:>12s} {row[3]:>18s}")
    print(f"ratio ours / plain NumPy, batch 10: {ours_b10 / numpy_b10:.2f}x")
    if torch_b10:
        print(f"ratio ours / PyTorch eager, batch 10: {ours_b10 / torch_b10:.1f}x")
    print(f"all neurons on a 100x100 grid: {heatmap_ms():.3f} ms (median of 50)")


if __name__ == "__main__":
    main()
