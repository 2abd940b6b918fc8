"""Engine speed, side by side in one run: the compiled loop vs our NumPy path vs a plain
NumPy loop (vs PyTorch eager when installed), at batch 1, 10, 25 and full batch.

    python bench/bench_engine.py [--rounds 3] [--clock wall|cpu]

Net 2->8->8->1 tanh, sigmoid output with binary cross-entropy, SGD lr 0.03, 500 training points.
Reports minibatch updates per second (`Trainer.train(n)`: no metrics) for each batch size,
the arithmetic floor (flops per update at this machine's measured compiled axpy/dot rate) and
the time to compute every neuron's output on a 100x100 grid. Each figure is the median of
repeats; the whole table is measured `--rounds` times (the machine may be shared) and the best
figure over the rounds is reported. Every peer runs on one thread, so on an idle machine the
process CPU clock (`--clock cpu`) and the wall clock agree; on a shared machine the CPU clock
leaves out the time other processes hold the core.
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


CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # main() sets it from --clock


def median_rate(run, units: int) -> float:
    """Median over REPEATS of units / seconds for run(), on the chosen clock."""
    rates = []
    for _ in range(REPEATS):
        start = clock()
        run()
        rates.append(units / max(clock() - start, 1e-9))
    return statistics.median(rates)


def ours(batch: int, steps: int, engine: str) -> float:
    """Trainer.train(steps) updates per second on one path ("compiled" or "numpy")."""
    os.environ["NNP_ENGINE"] = engine
    t = Trainer(CONFIG.model_copy(update={"batch_size": batch}))
    t.train(max(steps // 10, 1))  # warm-up: buffers exist, kernels are loaded
    assert t.engine == engine, f"asked for {engine}, training on {t.engine}"
    return median_rate(lambda: t.train(steps), steps)


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


# Steps per repeat, by batch size: (compiled, our NumPy path, plain NumPy, PyTorch).
STEPS = {1: (200_000, 10_000, 5_000, 1_000), 10: (50_000, 10_000, 5_000, 1_000),
         25: (20_000, 5_000, 2_000, 1_000), 500: (2_000, 1_000, 500, 200)}
SIZES = [2, 8, 8, 1]


def flops_per_update(batch: int) -> int:
    """Multiply-adds counted as 2 flops: forward W a + b, backward dW = delta a^T (+ db), the
    deltas W^T delta * g'(z) below the output, the residual, and the update's three passes
    over the P parameters (mean, -lr g, theta += update). tanh counted as 1."""
    pairs = list(zip(SIZES, SIZES[1:]))
    macs = sum(a * b for a, b in pairs)
    biases = sum(b for _, b in pairs)
    hidden = sum(SIZES[1:-1])
    per_example = (2 * macs + biases                       # forward
                   + hidden                                # tanh
                   + 2 * macs + biases                     # dW, db
                   + 2 * sum(a * b for a, b in pairs[1:])  # deltas into hidden layers
                   + 2 * hidden + 2)                       # g'(z) and its product, residual
    n_params = sum((a + 1) * b for a, b in pairs)
    return batch * per_example + 3 * n_params


def measured_flop_rate() -> float:
    """Flops/s of a tight compiled axpy (y += a x) and dot on L1-resident vectors of 256, the
    best of both: the arithmetic rate the training loop could reach at best on this core."""
    from numba import njit

    @njit(fastmath=True, cache=False)
    def axpy(x, y, reps):
        for _ in range(reps):
            for i in range(x.shape[0]):
                y[i] += 1e-9 * x[i]

    @njit(fastmath=True, cache=False)
    def dot(x, y, reps):
        s = 0.0
        for r in range(reps):
            t = 0.0
            for i in range(x.shape[0]):
                t += x[i] * y[i]
            s += t * 1e-9
        return s

    x, y = np.random.default_rng(0).normal(size=(2, 256))
    reps = 20_000
    axpy(x, y, 1), dot(x, y, 1)
    best = 0.0
    for run in (axpy, dot):
        for _ in range(REPEATS):
            start = clock()
            run(x, y, reps)
            best = max(best, 2 * 256 * reps / max(clock() - start, 1e-9))
    return best


def one_round() -> dict:
    out = {}
    for batch, (n_compiled, n_ours, n_plain, n_torch) in STEPS.items():
        out[batch] = {"compiled": ours(batch, n_compiled, "compiled"),
                      "numpy": ours(batch, n_ours, "numpy"),
                      "plain": plain_numpy(batch, n_plain),
                      "torch": pytorch_eager(batch, n_torch)}
    return out


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clock", choices=tuple(CLOCK), default="wall")
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    rounds = []
    for r in range(args.rounds):
        rounds.append(one_round())
        ratios = ", ".join(f"b{b} {v['compiled'] / v['plain']:.1f}x plain"
                           for b, v in rounds[-1].items())
        print(f"round {r + 1}: compiled vs plain NumPy: {ratios}; full batch compiled vs our "
              f"NumPy path {rounds[-1][500]['compiled'] / rounds[-1][500]['numpy']:.2f}x",
              flush=True)
    best = {b: {k: (None if rounds[0][b][k] is None else max(rd[b][k] for rd in rounds))
                for k in rounds[0][b]} for b in STEPS}
    rate = measured_flop_rate()
    fmt = lambda r: "n/a" if r is None else f"{r:,.0f}"
    print(f"\nbest of {args.rounds} rounds, updates/s ({args.clock} clock), 2->8->8->1 tanh, "
          "SGD, 500 points")
    print(f"{'batch':>6s} {'compiled':>11s} {'our NumPy':>10s} {'plain NumPy':>12s} "
          f"{'PyTorch':>8s} {'vs plain':>9s} {'vs ours':>8s} {'flops/upd':>10s} "
          f"{'floor upd/s':>12s} {'of floor':>9s}")
    for batch, v in best.items():
        flops = flops_per_update(batch)
        floor = rate / flops
        print(f"{batch:>6d} {fmt(v['compiled']):>11s} {fmt(v['numpy']):>10s} "
              f"{fmt(v['plain']):>12s} {fmt(v['torch']):>8s} "
              f"{v['compiled'] / v['plain']:>8.1f}x {v['compiled'] / v['numpy']:>7.2f}x "
              f"{flops:>10,d} {floor:>12,.0f} {v['compiled'] / floor:>8.0%}")
    print(f"arithmetic floor: {rate / 1e9:.1f} GFlop/s measured (compiled axpy/dot, 256 "
          f"float64 in L1, one core)")
    print(f"all neurons on a 100x100 grid: {heatmap_ms():.3f} ms (median of 50)")


if __name__ == "__main__":
    main()
