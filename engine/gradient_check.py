"""Central-difference check of backpropagation."""

from __future__ import annotations

import numpy as np


def max_relative_errors(trainer, eps: float = 1e-5) -> list[float]:
    """Per layer, max over its parameters of |a - n| / max(|a| + |n|, 1e-8), where a is the
    backprop gradient of the mean training loss (+ penalty) and n the central difference
    (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps). The training state is unchanged."""
    net = trainer.net
    analytic = trainer.full_gradient()
    theta = net.theta
    numeric = np.empty_like(analytic)
    saved = theta.copy()
    try:
        for i in range(theta.size):
            theta[i] = saved[i] + eps
            plus = trainer.training_loss()
            theta[i] = saved[i] - eps
            minus = trainer.training_loss()
            theta[i] = saved[i]
            numeric[i] = (plus - minus) / (2 * eps)
    finally:
        theta[:] = saved
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return [float(rel[s].max()) for s in net.layer_slices()]
