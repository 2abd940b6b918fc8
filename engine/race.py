"""An optimizer race: up to a few racers descend one 2-D test function from one start point.

Each racer is an optimizer setting (the descent fields of TrainConfig) driving (x, y) with the
network's own update code (engine.descent.Descent). Optional gradient noise, N(0, noise^2) per
coordinate and step, is seeded and the same sequence for every racer, so racers differ only by
their rule. A racer that leaves the domain by far (an unbounded function, a rate too large)
stops with status "escaped"; a non-finite value stops it with status "diverged".
"""

from __future__ import annotations

import numpy as np

from .config import TrainConfig
from .descent import DESCENT_FIELDS, Descent
from .test_functions import TestFunction

ESCAPE_FACTOR = 5.0      # a racer further than this many domain widths from it has left
PATH_CAPACITY = 4096     # points kept per path; when full, every other point is dropped


def racer_config(spec: dict) -> TrainConfig:
    """A racer's settings: the descent fields of TrainConfig (validated there, so the bounds and
    messages are the network's); anything else is refused."""
    unknown = sorted(set(spec) - set(DESCENT_FIELDS))
    if unknown:
        raise ValueError(f"not an optimizer setting: {', '.join(unknown)}; "
                         f"allowed: {', '.join(DESCENT_FIELDS)}")
    return TrainConfig.model_validate(spec)


class Racer:
    """One optimizer on the surface: its position, path, last gradient and step."""

    def __init__(self, config: TrainConfig, start: np.ndarray):
        self.descent = Descent(config, 2)
        self.position = np.array(start, dtype=float)
        self.status = "ok"
        self.path = np.empty((PATH_CAPACITY, 2))
        self.path_len = 0
        self.path_stride = 1
        self.path_version = 0          # +1 whenever earlier points were dropped (thinning)
        self.record()

    @property
    def config(self) -> TrainConfig:
        return self.descent.config

    def record(self) -> None:
        """Append the position to the path (thinning it when full)."""
        if self.path_len == PATH_CAPACITY:
            kept = self.path[::2].copy()
            self.path[:len(kept)] = kept
            self.path_len = len(kept)
            self.path_stride *= 2
            self.path_version += 1
        self.path[self.path_len] = self.position
        self.path_len += 1

    def points(self) -> np.ndarray:
        """The path so far (k, 2), ending at the current position; a copy."""
        pts = self.path[:self.path_len]
        if not np.array_equal(pts[-1], self.position):
            pts = np.vstack([pts, self.position])
        return pts.copy()


class Race:
    """Racers on one function from one start; `step(n)` moves every running racer n steps."""

    def __init__(self, function: TestFunction, start, racers: list[dict], noise: float = 0.0,
                 seed: int = 0):
        self.function = function
        self.start = np.array(start, dtype=float)
        if self.start.shape != (2,) or not np.isfinite(self.start).all():
            raise ValueError("start must be two finite numbers [x, y]")
        if noise < 0 or not np.isfinite(noise):
            raise ValueError("noise must be a finite number >= 0")
        self.noise = float(noise)
        self.seed = seed
        self.specs = [dict(s) for s in racers]
        configs = [racer_config(s) for s in self.specs]
        self.racers = [Racer(c, self.start) for c in configs]
        self._noise_rng = np.random.default_rng(seed)
        self.step_count = 0
        (x0, x1), (y0, y1) = function.domain
        self._center = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        self._escape = ESCAPE_FACTOR * max(x1 - x0, y1 - y0)

    def value(self, position: np.ndarray) -> float:
        return float(self.function.value(position[0], position[1]))

    def gradient(self, position: np.ndarray) -> np.ndarray:
        gx, gy = self.function.gradient(position[0], position[1])
        return np.array([gx, gy], dtype=float)

    def restart(self, start=None) -> None:
        """Every racer back to the start (a new one if given), optimizer state cleared, with
        the same noise sequence again."""
        if start is not None:
            s = np.array(start, dtype=float)
            if s.shape != (2,) or not np.isfinite(s).all():
                raise ValueError("start must be two finite numbers [x, y]")
            self.start = s
        self.racers = [Racer(r.config, self.start) for r in self.racers]
        self._noise_rng = np.random.default_rng(self.seed)
        self.step_count = 0

    def set_racer(self, index: int, **changes) -> list[str]:
        """Change one racer's optimizer settings live (position and state are kept)."""
        if not 0 <= index < len(self.racers):
            raise ValueError(f"racer must be 0..{len(self.racers) - 1}, got {index}")
        changed = self.racers[index].descent.set(**changes)
        self.specs[index].update(changes)
        return changed

    def set_noise(self, noise: float) -> None:
        if noise < 0 or not np.isfinite(noise):
            raise ValueError("noise must be a finite number >= 0")
        self.noise = float(noise)

    def step(self, n: int = 1) -> None:
        """n steps for every running racer: g = grad f(position) (+ noise), one Descent step."""
        with np.errstate(all="ignore"):
            for _ in range(n):
                noise = (self._noise_rng.normal(0.0, self.noise, 2) if self.noise > 0
                         else None)
                for racer in self.racers:
                    if racer.status != "ok":
                        continue
                    g = self.gradient(racer.position)
                    if noise is not None:
                        g += noise
                    racer.descent.step(racer.position, g)
                    if racer.descent.step_count % racer.path_stride == 0:
                        racer.record()
                    if not np.isfinite(racer.position).all() or not np.isfinite(
                            self.value(racer.position)):
                        racer.status = "diverged"
                    elif np.abs(racer.position - self._center).max() > self._escape:
                        racer.status = "escaped"
                self.step_count += 1

    def state(self) -> list[dict]:
        """Per racer: position, value, gradient (at the position, noise-free), last update,
        learning rate, steps, status, path (k, 2)."""
        out = []
        for r in self.racers:
            out.append({"position": r.position.copy(), "value": self.value(r.position),
                        "gradient": self.gradient(r.position), "update": r.descent.update.copy(),
                        "learning_rate": r.descent.learning_rate(),
                        "steps": r.descent.step_count, "status": r.status,
                        "path": r.points(), "path_version": r.path_version})
        return out
