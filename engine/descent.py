"""One optimizer step on any flat parameter vector: clipping, schedule, update rule.

The network's Trainer runs the same functions inline in its hot loop (penalties.clip_gradient,
schedules.scheduled_learning_rate, optimizers.OPTIMIZERS); this class strings them together for
parameters that are not a network, such as the (x, y) of an optimizer race. There is no second
implementation of any rule here.
"""

from __future__ import annotations

import numpy as np

from .config import TrainConfig
from .optimizers import OPTIMIZERS, ensure_state
from .penalties import clip_gradient
from .schedules import scheduled_learning_rate

# The TrainConfig fields that drive a step (batch size and regularization belong to a network).
DESCENT_FIELDS = ("optimizer", "learning_rate", "momentum", "beta1", "beta2", "rho", "epsilon",
                  "schedule", "decay_rate", "decay_steps", "warmup_steps", "clipping",
                  "clip_threshold")


class Descent:
    """theta <- theta + update(clip(g)) with the scheduled rate; state kept across steps and
    across optimizer switches exactly as in the Trainer (shared named buffers)."""

    def __init__(self, config: TrainConfig, n_params: int):
        self.config = config
        self.n_params = n_params
        self.state: dict = {}
        ensure_state(config.optimizer, self.state, n_params)
        self.step_count = 0
        self.gradient = np.zeros(n_params)   # the gradient used by the last step (clipped)
        self.update = np.zeros(n_params)     # the last step: theta_after - theta_before

    def set(self, **changes) -> list[str]:
        """Change descent fields live (validated by TrainConfig); returns the changed names."""
        unknown = sorted(set(changes) - set(DESCENT_FIELDS))
        if unknown:
            raise ValueError(f"not an optimizer setting: {', '.join(unknown)}; "
                             f"allowed: {', '.join(DESCENT_FIELDS)}")
        new = TrainConfig.model_validate({**self.config.model_dump(), **changes})
        changed = [k for k in changes if getattr(new, k) != getattr(self.config, k)]
        self.config = new
        ensure_state(new.optimizer, self.state, self.n_params)
        return changed

    def learning_rate(self) -> float:
        """The scheduled rate of the next step."""
        return scheduled_learning_rate(self.config, self.step_count)

    def step(self, theta: np.ndarray, gradient: np.ndarray) -> np.ndarray:
        """One step in place on theta from this gradient; returns the update taken."""
        cfg = self.config
        np.copyto(self.gradient, gradient)
        if cfg.clipping != "none":
            clip_gradient(cfg, self.gradient)
        lr = scheduled_learning_rate(cfg, self.step_count)
        OPTIMIZERS[cfg.optimizer](self.gradient, lr, self.update, self.state, cfg)
        theta += self.update
        self.step_count += 1
        return self.update
