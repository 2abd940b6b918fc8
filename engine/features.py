"""Input features computed from the raw 2-D point (x1, x2), in one table (as in the playground)."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

# name -> f(x1, x2), each (n,) -> (n,)
FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_sq": lambda x1, x2: x1 * x1,
    "x2_sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURE_NAMES = tuple(FEATURES)


def map_features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """X (n, 2) raw inputs -> (n, len(names)) C-contiguous float64, column j = FEATURES[names[j]].
    1-D data, X (n, 1), is returned as is (as C-contiguous float64): features apply to 2-D only."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] not in (1, 2):
        raise ValueError(f"X must have shape (n, 1) or (n, 2), got {X.shape}")
    if X.shape[1] == 1:
        return X
    unknown = [name for name in names if name not in FEATURES]
    if unknown or not names:
        raise ValueError(f"unknown or no features {unknown}; known: {FEATURE_NAMES}")
    out = np.empty((len(X), len(names)))
    x1, x2 = X[:, 0], X[:, 1]
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name](x1, x2)
    return out
