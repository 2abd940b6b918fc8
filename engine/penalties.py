"""Weight penalties (never on biases) and gradient clipping, on flat vectors."""

from __future__ import annotations

import math

import numpy as np


def penalty_value(cfg, theta: np.ndarray, weight_mask: np.ndarray) -> float:
    """l2: rate * sum w^2; l1: rate * sum |w|; none: 0 (w = the weights, not the biases)."""
    if cfg.regularization == "l2":
        w = theta * weight_mask
        return cfg.regularization_rate * float(np.vdot(w, w))
    if cfg.regularization == "l1":
        return cfg.regularization_rate * float(np.abs(theta * weight_mask).sum())
    return 0.0


def add_penalty_gradient(cfg, theta: np.ndarray, weight_mask: np.ndarray, g: np.ndarray) -> None:
    """g += d(penalty)/dtheta: l2 adds 2 rate w; l1 adds rate sign(w) (0 at w = 0)."""
    if cfg.regularization == "l2":
        g += (2.0 * cfg.regularization_rate) * theta * weight_mask
    elif cfg.regularization == "l1":
        g += cfg.regularization_rate * np.sign(theta) * weight_mask


def gradient_norm(g: np.ndarray) -> float:
    """||g||_2 of a flat gradient."""
    return math.sqrt(float(np.vdot(g, g)))


def clip_gradient(cfg, g: np.ndarray, norm: float | None = None) -> bool:
    """norm: rescale g to norm c when ||g||_2 > c; value: clamp each entry to [-c, c].
    `norm`: ||g||_2 if the caller has it. Returns whether anything was clipped."""
    c = cfg.clip_threshold
    if cfg.clipping == "norm":
        norm = gradient_norm(g) if norm is None else norm
        if norm > c:
            g *= c / norm
            return True
    elif cfg.clipping == "value":
        if np.abs(g).max() > c:
            np.clip(g, -c, c, out=g)
            return True
    return False
