"""The vectorized engine's backpropagation against the scalar autograd, to round-off.

For each configuration the network is rebuilt from `Trainer.params()` out of `Value`s, the mean
training loss (+ penalty) is written out from its textbook definition over `Trainer.data()`, and
`backward()` gives every dL/dW and dL/db independently of the engine's hand-derived deltas and
residuals. They must agree with `Trainer.gradients()` to ~1e-9 relative.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.autograd import Value, log_sigmoid, logsumexp
from engine.config import TrainConfig
from engine.trainer import Trainer

RTOL, ATOL = 1e-9, 1e-12
LEAKY_SLOPE = 0.01  # what the config's "leaky_relu" means

HIDDEN_ACTIVATION = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "leaky_relu": lambda v: v.leaky_relu(LEAKY_SLOPE),
    "linear": lambda v: v,
}

# (loss, dataset): every loss with every kind of dataset it accepts.
LOSS_DATASETS = [
    ("bce", "circle"),
    ("cce", "xor"),      # binary data, two softmax outputs
    ("cce", "spiral3"),  # three classes
    ("mse", "plane"),    # regression
    ("mse", "gauss"),    # binary: one output, 0/1 target
    ("mse", "blobs"),    # multiclass: one-hot target over K outputs
]
HIDDEN = {"none": [], "one": [4], "two": [3, 2]}
REGULARIZATION = ["none", "l1", "l2"]
SEEDS = [1, 3, 7]


def expected_n_outputs(cfg: TrainConfig) -> int:
    """bce: 1 sigmoid output; cce: one per class (2 for binary data); mse: one-hot over K outputs
    for multiclass data, else 1."""
    n_classes = {"binary": 2, "multiclass": cfg.n_classes if cfg.dataset == "blobs" else 3}
    if cfg.loss == "bce":
        return 1
    if cfg.loss == "cce" or (cfg.loss == "mse" and cfg.task == "multiclass"):
        return n_classes[cfg.task]
    return 1


def example_loss(z: list[Value], y: float, cfg: TrainConfig) -> Value:
    """The loss of one example from its output pre-activations z (K,) and its label y."""
    if cfg.loss == "bce":  # -[y log p + (1 - y) log(1 - p)], p = sigmoid(z)
        (z0,) = z
        return -(y * log_sigmoid(z0) + (1.0 - y) * log_sigmoid(-z0))
    if cfg.loss == "cce":  # -log softmax(z)_y
        return logsumexp(z) - z[int(y)]
    if len(z) == 1:  # mse, identity output against the target (or the 0/1 label)
        return (y - z[0]) ** 2
    target = [1.0 if j == int(y) else 0.0 for j in range(len(z))]  # mse, one-hot
    return sum(((t - zj) ** 2 for t, zj in zip(target, z)), Value(0.0))


def mean_training_loss(params: list[dict], x: np.ndarray, y: np.ndarray, cfg: TrainConfig
                       ) -> tuple[Value, list[list[list[Value]]], list[list[Value]]]:
    """(1/n) sum_i loss(net(x_i), y_i) + penalty, with z = W a + b per layer, the configured
    activation on hidden layers and the loss's output. Returns (loss, W Values, b Values)."""
    W = [[[Value(w, label=f"W{l}[{j},{k}]") for k, w in enumerate(row)]
          for j, row in enumerate(p["W"])] for l, p in enumerate(params)]
    b = [[Value(bj, label=f"b{l}[{j}]") for j, bj in enumerate(p["b"])]
         for l, p in enumerate(params)]
    g = HIDDEN_ACTIVATION[cfg.activation]
    last = len(params) - 1
    total = Value(0.0)
    for xi, yi in zip(x, y):
        a: list = [float(v) for v in xi]
        for l in range(len(params)):
            z = [sum((w * ak for w, ak in zip(W[l][j], a)), b[l][j]) for j in range(len(b[l]))]
            a = z if l == last else [g(zj) for zj in z]
        total = total + example_loss(a, float(yi), cfg)
    loss = total * (1.0 / len(x))
    weights = [w for layer in W for row in layer for w in row]
    if cfg.regularization == "l2":
        loss = loss + cfg.regularization_rate * sum((w ** 2 for w in weights), Value(0.0))
    elif cfg.regularization == "l1":
        loss = loss + cfg.regularization_rate * sum((abs(w) for w in weights), Value(0.0))
    return loss, W, b


def assert_engine_gradients_match_autograd(cfg: TrainConfig) -> None:
    t = Trainer(cfg)
    params, data = t.params(), t.data()
    assert params[-1]["W"].shape[0] == expected_n_outputs(cfg)
    assert params[0]["W"].shape[1] == data["x_train"].shape[1]
    loss, W, b = mean_training_loss(params, data["x_train"], data["y_train"], cfg)
    loss.backward()
    assert loss.data == pytest.approx(t.metrics()["train_loss"], rel=1e-10)
    for l, engine in enumerate(t.gradients()):
        dW = np.array([[w.grad for w in row] for row in W[l]])
        db = np.array([bj.grad for bj in b[l]])
        np.testing.assert_allclose(engine["W"], dW, rtol=RTOL, atol=ATOL,
                                   err_msg=f"dL/dW of layer {l} (input layer = 0)")
        np.testing.assert_allclose(engine["b"], db, rtol=RTOL, atol=ATOL,
                                   err_msg=f"dL/db of layer {l} (input layer = 0)")


GRID = list(itertools.product(HIDDEN_ACTIVATION, LOSS_DATASETS, REGULARIZATION, HIDDEN))


@pytest.mark.parametrize(
    "activation, loss_dataset, regularization, depth", GRID,
    ids=[f"{a}-{l}-{d}-reg_{r}-hidden_{h}" for a, (l, d), r, h in GRID])
def test_engine_gradient_matches_autograd(activation, loss_dataset, regularization, depth):
    loss, dataset = loss_dataset
    seed = SEEDS[GRID.index((activation, loss_dataset, regularization, depth)) % len(SEEDS)]
    cfg = TrainConfig(dataset=dataset, loss=loss, activation=activation, hidden=HIDDEN[depth],
                      regularization=regularization, regularization_rate=0.05,
                      n_samples=40, seed=seed, init="uniform", noise=0.1)
    assert_engine_gradients_match_autograd(cfg)


VARIANTS = {
    "seed_1": dict(seed=1),
    "seed_2": dict(seed=2),
    "seed_12345": dict(seed=12345),
    "xavier": dict(init="xavier"),
    "he_relu": dict(init="he", activation="relu"),
    "all_features_standardized": dict(
        features=["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"], standardize=True),
    "squares_only": dict(features=["x1_sq", "x2_sq"]),
    "house_1d_regression": dict(dataset="house", loss="mse", standardize=True),
    "threshold_1d_bce": dict(dataset="threshold", loss="bce"),
    "threshold_1d_cce": dict(dataset="threshold", loss="cce"),
    "blobs_5_classes_cce": dict(dataset="blobs", n_classes=5, loss="cce"),
    "multigauss_mse_l1": dict(dataset="multigauss", loss="mse", regularization="l1"),
    "spiral_deep": dict(dataset="spiral", hidden=[5, 4, 3]),
    "moons_wide_leaky": dict(dataset="moons", hidden=[8], activation="leaky_relu"),
    # zero weights: every z is exactly 0, where relu'(0) = 0, leaky'(0) = slope, sign(0) = 0
    "zeros_init_relu_l1": dict(init="zeros", activation="relu", regularization="l1"),
    "zeros_init_leaky_bce": dict(init="zeros", activation="leaky_relu"),
    "zeros_init_cce": dict(init="zeros", dataset="spiral3", loss="cce"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_engine_gradient_matches_autograd_on_data_and_init_variants(variant):
    base = dict(dataset="circle", loss="bce", activation="tanh", hidden=[3, 2], n_samples=30,
                seed=3, regularization="l2", regularization_rate=0.01, init="uniform")
    assert_engine_gradients_match_autograd(TrainConfig(**{**base, **VARIANTS[variant]}))


@pytest.mark.parametrize("batch_size", [7, 20])
def test_gradients_leave_training_state_unchanged(batch_size):
    cfg = TrainConfig(dataset="circle", hidden=[3, 2], n_samples=40, seed=3, optimizer="adam",
                      batch_size=batch_size, regularization="l2", learning_rate=0.1)
    observed, untouched = Trainer(cfg), Trainer(cfg)
    observed.step(5)
    untouched.step(5)
    before = observed.params()
    first = observed.gradients()
    second = observed.gradients()
    for p0, p1, g1, g2 in zip(before, observed.params(), first, second):
        for key in ("W", "b"):
            np.testing.assert_array_equal(p0[key], p1[key])
            np.testing.assert_array_equal(g1[key], g2[key])
    assert (observed.step_count, observed.epoch) == (untouched.step_count, untouched.epoch)
    np.testing.assert_array_equal(observed.last_minibatch_gradient(),
                                  untouched.last_minibatch_gradient())
    observed.step(5)  # shuffling, optimizer state and workspaces must be as if never observed
    untouched.step(5)
    for p_obs, p_ref in zip(observed.params(), untouched.params()):
        for key in ("W", "b"):
            np.testing.assert_array_equal(p_obs[key], p_ref[key])
    assert observed.metrics() == untouched.metrics()
