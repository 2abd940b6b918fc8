"""Loss-landscape slice evaluation: ours against the two obvious NumPy ways, in one run.

The slice is L(theta_c + a d1 + b d2) over the whole training set on a 51 x 51 grid for the
2 -> 8 -> 8 -> 1 tanh net on circle with 500 training points, along filter-normalized random
directions, plus the 21 x 21 live slice. Each method runs once per round, rounds are repeated and
the median is reported, so a busy machine slows every method alike.

Bars: 51 x 51 in <= 40 ms and >= 3x the straightforward loop; 21 x 21 in <= 8 ms; float32 within
1e-4 relative of float64.

    python bench/bench_landscape.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import TrainConfig, Trainer  # noqa: E402
from engine.landscape import filter_normalized_direction, landscape  # noqa: E402
from engine.landscape_surface import plane_losses  # noqa: E402
from engine.penalties import penalty_value  # noqa: E402

BAR_51_MS, BAR_SPEEDUP, BAR_21_MS, BAR_FLOAT32 = 40.0, 3.0, 8.0, 1e-4


def loop_over_grid(trainer, center, d1, d2, alpha, beta) -> np.ndarray:
    """(1) Straightforward: one forward pass of the engine per grid point."""
    net, x, y = trainer.net, trainer.training_inputs, trainer.training_targets
    ws = net.workspace(x.shape[0])
    out = np.empty((beta.size, alpha.size))
    for i, b in enumerate(beta):
        for j, a in enumerate(alpha):
            theta = center + a * d1 + b * d2
            z = net.forward(x, ws, net.views(theta))
            out[i, j] = (net.loss.value(z, y) / x.shape[0]
                         + penalty_value(trainer.config, theta, net.weight_mask))
    return out


def batched_matmul_over_grid(trainer, center, d1, d2, alpha, beta) -> np.ndarray:
    """(2) Every grid point's parameters at once, each layer one 3-D matmul over the grid."""
    net, x, y = trainer.net, trainer.training_inputs, trainer.training_targets
    b_grid, a_grid = np.meshgrid(beta, alpha, indexing="ij")
    thetas = center + a_grid.reshape(-1, 1) * d1 + b_grid.reshape(-1, 1) * d2  # (G, P)
    act = net.activation.forward
    a = np.broadcast_to(x, (thetas.shape[0], *x.shape))
    for l, (rows, cols) in enumerate(net.shapes):
        blocks = thetas[:, net.offsets[l]:net.offsets[l + 1]].reshape(-1, rows, cols)
        z = np.matmul(a, blocks.transpose(0, 2, 1))  # (G, n, fan_out)
        if l < net.n_layers - 1:
            a = np.ones(z.shape[:2] + (rows + 1,))
            act(z, a[:, :, :-1])
    loss = np.array([net.loss.value(zg, y) for zg in z]) / x.shape[0]
    return loss.reshape(b_grid.shape)


def median_ms(timings: list[float]) -> float:
    return 1e3 * float(np.median(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    trainer = Trainer(TrainConfig(dataset="circle", hidden=[8, 8], n_samples=1000,
                                  train_fraction=0.5, batch_size=10))
    trainer.step(500)
    net = trainer.net
    center = net.theta.copy()
    rng = np.random.default_rng(0)
    d1, _ = filter_normalized_direction(net, center, rng)
    d2, _ = filter_normalized_direction(net, center, rng)
    axis51, axis21 = np.linspace(-1, 1, 51), np.linspace(-1, 1, 21)

    methods = {
        "(1) loop over grid points, f64": lambda: loop_over_grid(
            trainer, center, d1, d2, axis51, axis51),
        "(2) batched 3-D matmul, f64": lambda: batched_matmul_over_grid(
            trainer, center, d1, d2, axis51, axis51),
        "(3) ours, float64": lambda: plane_losses(trainer, center, d1, d2, axis51, axis51,
                                                  "float64"),
        "(3) ours, float32": lambda: plane_losses(trainer, center, d1, d2, axis51, axis51,
                                                  "float32"),
        "21x21 (1) loop, f64": lambda: loop_over_grid(trainer, center, d1, d2, axis21, axis21),
        "21x21 live, ours float32": lambda: plane_losses(trainer, center, d1, d2, axis21,
                                                         axis21, "float32"),
        "21x21 whole landscape() call": lambda: landscape(trainer, mode="random",
                                                          resolution=21)["loss"],
    }
    results = {name: fn() for name, fn in methods.items()}  # warm-up, and the values
    timings: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(args.rounds):
        for name, fn in methods.items():
            start = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - start)

    loops = {51: "(1) loop over grid points, f64", 21: "21x21 (1) loop, f64"}
    loop_ms = median_ms(timings[loops[51]])
    print(f"Slices of 2->8->8->1 tanh, circle, {trainer.n_train} training points, "
          f"{net.n_params} parameters; median of {args.rounds} rounds. Deviation and speed-up "
          "are against the loop on the same grid.")
    print(f"{'method (51x51 unless marked)':<34}{'ms':>9}{'loop/this':>11}{'max rel. dev.':>15}")
    for name in methods:
        ms = median_ms(timings[name])
        loop = loops[results[name].shape[0]]
        ref = results[loop]
        dev = float(np.max(np.abs(results[name] - ref) / ref))
        print(f"{name:<34}{ms:>9.1f}{median_ms(timings[loop]) / ms:>10.1f}x{dev:>15.1e}")

    f32_dev = float(np.max(np.abs(results["(3) ours, float32"] - results["(3) ours, float64"])
                           / results["(3) ours, float64"]))
    ours_ms = median_ms(timings["(3) ours, float32"])
    live_ms = median_ms(timings["21x21 live, ours float32"])
    checks = [
        (f"51x51 float32 <= {BAR_51_MS:g} ms", ours_ms <= BAR_51_MS, f"{ours_ms:.1f} ms"),
        (f">= {BAR_SPEEDUP:g}x the loop", loop_ms / ours_ms >= BAR_SPEEDUP,
         f"{loop_ms / ours_ms:.1f}x"),
        (f"21x21 live <= {BAR_21_MS:g} ms", live_ms <= BAR_21_MS, f"{live_ms:.1f} ms"),
        (f"float32 vs float64 <= {BAR_FLOAT32:g}", f32_dev <= BAR_FLOAT32, f"{f32_dev:.1e}"),
    ]
    print()
    for label, ok, value in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label:<30} {value}")


if __name__ == "__main__":
    main()
