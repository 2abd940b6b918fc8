"""Seeded dataset generators, following TensorFlow Playground's ``src/dataset.ts``.

Every generator draws from one ``np.random.default_rng(seed)``, so the same arguments give the
same arrays. 2-D sets live in [-6, 6]^2 like the playground's; ``noise`` is in [0, 0.5] and means
what it means there (per set below). Labels are class indices as float64: 0/1 for binary sets
(1 is the playground's +1), 0..K-1 for multiclass sets, real targets for regression.

The sets are returned class by class, not shuffled; ``split_train_test`` shuffles.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

_SQUARE = ((-6.0, 6.0), (-6.0, 6.0))
HOUSE_SIZE = (40.0, 250.0)  # m^2
HOUSE_PRICE_PER_M2, HOUSE_BASE_PRICE = 3.0, 40.0  # thousands per m^2, thousands
THRESHOLD = 1.0

def _halves(n: int) -> tuple[int, int]:
    """Sizes of the two classes of a binary set: (n - n//2, n//2)."""
    return n - n // 2, n // 2


def _circle(rng, n, noise):
    """Class 1: radius r ~ U(0, 2.5); class 0: r ~ U(3.5, 5); angle ~ U(0, 2 pi).
    The label is |p + e| < 2.5 with e ~ U(-5, 5)^2 * noise: noise flips labels, points stay."""
    n1, n0 = _halves(n)
    r = np.concatenate([rng.uniform(0.0, 2.5, n1), rng.uniform(3.5, 5.0, n0)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    return X, (np.hypot(*(X + jitter).T) < 2.5).astype(np.float64)


def _ring(rng, n, noise):
    """Class 1: a ring, radius r ~ U(2.5, 4); class 0: half inside it (r ~ U(0, 1.5)), half
    outside (r ~ U(5, 6)); angle ~ U(0, 2 pi). The label is 2 <= |p + e| <= 4.5 with
    e ~ U(-5, 5)^2 * noise: noise flips labels near the edges, the points stay."""
    n1, n0 = _halves(n)
    inner = n0 // 2
    r = np.concatenate([rng.uniform(2.5, 4.0, n1), rng.uniform(0.0, 1.5, inner),
                        rng.uniform(5.0, 6.0, n0 - inner)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    radius = np.hypot(*(X + rng.uniform(-5.0, 5.0, (n, 2)) * noise).T)
    return X, ((radius >= 2.0) & (radius <= 4.5)).astype(np.float64)


def _xor(rng, n, noise):
    """x1, x2 ~ U(-5, 5), each pushed 0.3 away from 0 (padding). The label is
    (x1 + e1)(x2 + e2) >= 0 with e ~ U(-5, 5)^2 * noise."""
    X = rng.uniform(-5.0, 5.0, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    Xn = X + rng.uniform(-5.0, 5.0, (n, 2)) * noise
    return X, (Xn[:, 0] * Xn[:, 1] >= 0).astype(np.float64)


def _gauss(rng, n, noise):
    """Class 1 ~ N((2, 2), v I), class 0 ~ N((-2, -2), v I), variance v = 0.5 + 7 noise
    (0.5 to 4). Not clipped: at noise 0.5 a few points fall outside [-6, 6]^2, as in TF."""
    n1, n0 = _halves(n)
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n1, n0], axis=0)
    X = centres + rng.normal(0.0, np.sqrt(0.5 + 7.0 * noise), (n, 2))
    return X, np.repeat([1.0, 0.0], [n1, n0])


def _spiral_arms(rng, n, noise, offsets, turns):
    """Arm k (label k) has n_k points i = 0..n_k-1 at radius r = 5 i / n_k and angle
    t = 2 pi turns i / n_k + offsets[k]: p = (r sin t, r cos t) + U(-1, 1)^2 * noise."""
    k = len(offsets)
    sizes = [n // k + (j < n % k) for j in range(k)]
    frac = np.concatenate([np.arange(m) / m for m in sizes])
    label = np.repeat(np.arange(k, dtype=np.float64), sizes)
    r = 5.0 * frac
    t = 2 * np.pi * turns * frac + np.repeat(offsets, sizes)
    X = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return X + rng.uniform(-1.0, 1.0, (n, 2)) * noise, label


def _spiral(rng, n, noise):
    """TF's two-arm spiral, 1.75 turns: label 1 has offset 0, label 0 offset pi."""
    return _spiral_arms(rng, n, noise, offsets=(np.pi, 0.0), turns=1.75)


def _spiral3(rng, n, noise):
    """Three arms, labels 0, 1, 2 at offsets 0, 2pi/3, 4pi/3, one turn each (TF's 1.75 turns
    with three arms leaves gaps too narrow for a small network); noise as in TF's spiral."""
    return _spiral_arms(rng, n, noise, offsets=(0.0, 2 * np.pi / 3, 4 * np.pi / 3), turns=1.0)


def _moons(rng, n, noise):
    """Two interleaving half circles, angle t ~ U(0, pi): label 0 on (cos t, sin t), label 1 on
    (1 - cos t, 0.5 - sin t); centred and scaled by 3.5 (x in [-5.25, 5.25], y in [-2.6, 2.6]),
    plus N(0, (2 noise)^2) jitter on each coordinate."""
    n0, n1 = _halves(n)
    t = rng.uniform(0.0, np.pi, n)
    c, s = np.cos(t), np.sin(t)
    upper = np.arange(n) < n0
    X = np.column_stack([np.where(upper, c, 1.0 - c), np.where(upper, s, 0.5 - s)])
    X = 3.5 * (X - [0.5, 0.25]) + rng.normal(0.0, 2.0 * noise, (n, 2))
    return X, (~upper).astype(np.float64)


def _blobs(rng, n, noise, n_classes):
    """K gaussian blobs, class k ~ N(c_k, s^2 I) with c_k = 3.5 (cos a_k, sin a_k),
    a_k = pi/2 + 2 pi k / K, and s = 0.6 + 2 noise (0.6 to 1.6). Class sizes differ by <= 1."""
    sizes = [n // n_classes + (k < n % n_classes) for k in range(n_classes)]
    angle = np.pi / 2 + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = np.repeat(centres, sizes, axis=0) + rng.normal(0.0, 0.6 + 2.0 * noise, (n, 2))
    return X, np.repeat(np.arange(n_classes, dtype=np.float64), sizes)


def _plane(rng, n, noise):
    """x ~ U(-6, 6)^2, target (x1 + x2 + e1 + e2) / 10 with e ~ U(-6, 6)^2 * noise, clipped to
    [-1, 1] (TF does not clip; its corners reach +-1.2 even without noise)."""
    X = rng.uniform(-6.0, 6.0, (n, 2))
    Xn = X + rng.uniform(-6.0, 6.0, (n, 2)) * noise
    return X, np.clip(Xn.sum(axis=1) / 10.0, -1.0, 1.0)


_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                       [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _multigauss(rng, n, noise):
    """x ~ U(-6, 6)^2. Each of six bumps gives sign_j * max(0, 1 - d_j / 2), d_j the distance
    from x + e (e ~ U(-6, 6)^2 * noise) to its centre; the target is the one largest in |.|."""
    X = rng.uniform(-6.0, 6.0, (n, 2))
    Xn = X + rng.uniform(-6.0, 6.0, (n, 2)) * noise
    d = np.hypot(Xn[:, None, 0] - _GAUSSIANS[:, 0], Xn[:, None, 1] - _GAUSSIANS[:, 1])
    bumps = _GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # (n, 6)
    return X, bumps[np.arange(n), np.abs(bumps).argmax(axis=1)]


def _house(rng, n, noise):
    """Size x ~ U(40, 250) m^2, price y = 3.0 x + 40 + N(0, (10 + 120 noise)^2) thousands,
    floored at 20. Raw units on purpose: unstandardized, gradient descent struggles."""
    size = rng.uniform(*HOUSE_SIZE, n)
    price = HOUSE_PRICE_PER_M2 * size + HOUSE_BASE_PRICE + rng.normal(0.0, 10 + 120 * noise, n)
    return size[:, None], np.maximum(price, 20.0)


def _threshold(rng, n, noise):
    """x ~ U(-6, 6), P(y = 1 | x) = sigmoid((x - 1) / (2 noise)): a hard step at x = 1 for
    noise 0; with noise, labels near the step flip with probability sigmoid(-|x - 1| / (2 noise)),
    which a single sigmoid neuron (w = 1 / (2 noise), b = -w) models exactly."""
    x = rng.uniform(-6.0, 6.0, n)
    u = rng.uniform(0.0, 1.0, n)
    if noise == 0:
        y = x > THRESHOLD
    else:
        y = u < 0.5 * (1.0 + np.tanh((x - THRESHOLD) / (4.0 * noise)))  # sigmoid(z) form
    return x[:, None], y.astype(np.float64)


class DatasetSpec(NamedTuple):
    """What a dataset is: its task kind, raw input dimension, the plotting range of each input
    dimension, a one-line description, and its generator (rng, n, noise) -> (X, y)."""
    kind: str            # "binary" | "multiclass" | "regression"
    input_dim: int       # 1 or 2
    domain: tuple[tuple[float, float], ...]
    description: str
    generate: Callable | None   # None: blobs, which also takes n_classes (see generate())


# The one table of datasets: TrainConfig's choices, the loss rules, the page's controls and the
# published schema all come from it. Adding a dataset is adding a row (and its generator).
DATASETS: dict[str, DatasetSpec] = {
    "circle": DatasetSpec("binary", 2, _SQUARE, "A disc inside a ring.", _circle),
    "xor": DatasetSpec("binary", 2, _SQUARE, "Opposite quadrants share a class.", _xor),
    "ring": DatasetSpec("binary", 2, _SQUARE, "A ring between a disc and an outer band.",
                        _ring),
    "gauss": DatasetSpec("binary", 2, _SQUARE, "Two gaussian clouds.", _gauss),
    "spiral": DatasetSpec("binary", 2, _SQUARE, "Two interleaved spiral arms.", _spiral),
    "moons": DatasetSpec("binary", 2, _SQUARE, "Two interleaving half circles.", _moons),
    "blobs": DatasetSpec("multiclass", 2, _SQUARE, "K gaussian blobs (n_classes).", None),
    "spiral3": DatasetSpec("multiclass", 2, _SQUARE, "Three spiral arms.", _spiral3),
    "plane": DatasetSpec("regression", 2, _SQUARE, "A tilted plane: y = (x1 + x2) / 10.",
                         _plane),
    "multigauss": DatasetSpec("regression", 2, _SQUARE, "Six signed bumps.", _multigauss),
    "house": DatasetSpec("regression", 1, (HOUSE_SIZE,), "House prices against size, raw "
                         "units (standardize the inputs).", _house),
    "threshold": DatasetSpec("binary", 1, ((-6.0, 6.0),), "1-D: class 1 above x = 1.",
                             _threshold),
}

# Plotting range of each raw input dimension, per dataset (from DATASETS).
INPUT_DOMAIN: dict[str, tuple[tuple[float, float], ...]] = {
    name: spec.domain for name, spec in DATASETS.items()}


def generate(name: str, n_samples: int, noise: float, seed: int,
             n_classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """X (n_samples, d) float64 raw inputs and y (n_samples,) float64: the class index 0..K-1
    for classification, the real target for regression. n_classes is used by blobs only."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    rng = np.random.default_rng(seed)
    if name == "blobs":
        X, y = _blobs(rng, n_samples, noise, n_classes)
    else:
        X, y = DATASETS[name].generate(rng, n_samples, noise)
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)


def split_train_test(X: np.ndarray, y: np.ndarray, train_fraction: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded shuffle, then the first n_train = round(train_fraction * n) rows (clamped to
    1..n-1, so each part has at least one) train and the rest test. Returns copies:
    (X_train, y_train, X_test, y_test)."""
    n = len(X)
    if n < 2 or len(y) != n:
        raise ValueError(f"need >= 2 rows and len(y) == len(X); got {n} and {len(y)}")
    order = np.random.default_rng(seed).permutation(n)
    n_train = min(max(round(train_fraction * n), 1), n - 1)
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]
