"""Learning-rate schedules: the rate used at step t (0-based) from the base rate lr."""

from __future__ import annotations

import math


def scheduled_learning_rate(cfg, t: int) -> float:
    """constant: lr; step: lr * r^floor(t/T); exponential: lr * r^(t/T);
    cosine: lr * (1 + cos(pi * min(t, T)/T)) / 2; warmup: lr * min(1, (t+1)/W)."""
    lr, kind = cfg.learning_rate, cfg.schedule
    if kind == "constant":
        return lr
    if kind == "step":
        return lr * cfg.decay_rate ** (t // cfg.decay_steps)
    if kind == "exponential":
        return lr * cfg.decay_rate ** (t / cfg.decay_steps)
    if kind == "cosine":
        return lr * 0.5 * (1.0 + math.cos(math.pi * min(t, cfg.decay_steps) / cfg.decay_steps))
    if kind == "warmup":
        return lr * min(1.0, (t + 1) / cfg.warmup_steps)
    raise ValueError(f"unknown schedule {kind!r}")
