"""Whether a run's inputs are far from unit scale, so that standardizing them would help.

Decided from the data alone: the root mean square of each input feature (after feature mapping,
before standardization) over the training split. A feature whose rms is above INPUT_RMS_LIMIT
(engine/divergence.py; the `house` sizes are ~150, every square-domain feature, squares
included, stays below 17) makes the first layer's gradient that many times larger than the
others', and a learning rate that suits the rest of the network moves it too far or, for the
others, not at all: `house` at the default settings flat-lines at its mean price, and learns
once standardized (tests/engine/test_input_scale.py).
"""

from __future__ import annotations

import numpy as np

from .divergence import INPUT_RMS_LIMIT


def feature_names(input_dim: int, features: list[str]) -> list[str]:
    """The network's input columns by name: the features for 2-D data, "x" for 1-D."""
    return list(features) if input_dim == 2 else ["x"]


def largest_feature_scale(x: np.ndarray, names: list[str]) -> tuple[float, str]:
    """(rms, name) of the input column with the largest root mean square; x: (n, d)."""
    rms = np.sqrt(np.mean(np.square(x), axis=0))
    j = int(np.argmax(rms))
    return float(rms[j]), names[j] if j < len(names) else f"input {j + 1}"


def standardize_hint(rms: float, name: str, standardized: bool) -> str | None:
    """The page's hint when standardizing inputs would fix the run, else None."""
    if standardized or not rms > INPUT_RMS_LIMIT:
        return None
    return (f"The inputs are far from unit scale ({name} has root mean square {rms:.3g}): "
            "standardize them (standardize = true, a reset) so the first layer learns at the "
            "same rate as the rest.")
