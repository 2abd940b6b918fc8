"""Update rules, schedules, clipping and penalties against scalar reference formulas."""

import math

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.optimizers import OPTIMIZERS, ensure_state
from engine.penalties import add_penalty_gradient, clip_gradient, penalty_value
from engine.schedules import scheduled_learning_rate


def reference_steps(name, grads, lr, cfg):
    """The textbook rules, one scalar at a time, written independently of engine/optimizers."""
    out, v, acc, m, s = [], 0.0, 0.0, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        if name == "sgd":
            step = -lr * g
        elif name == "momentum":
            v = cfg.momentum * v - lr * g
            step = v
        elif name == "nesterov":  # PyTorch's form: buf = mu buf + g; step = -lr (g + mu buf)
            acc = cfg.momentum * acc + g
            step = -lr * (g + cfg.momentum * acc)
        elif name == "adagrad":
            acc += g * g
            step = -lr * g / (math.sqrt(acc) + cfg.epsilon)
        elif name == "rmsprop":
            s = cfg.rho * s + (1 - cfg.rho) * g * g
            step = -lr * g / (math.sqrt(s) + cfg.epsilon)
        elif name == "adam":
            m = cfg.beta1 * m + (1 - cfg.beta1) * g
            s = cfg.beta2 * s + (1 - cfg.beta2) * g * g
            m_hat, s_hat = m / (1 - cfg.beta1 ** t), s / (1 - cfg.beta2 ** t)
            step = -lr * m_hat / (math.sqrt(s_hat) + cfg.epsilon)
        out.append(step)
    return out


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_update_rule_matches_the_textbook_formula(name):
    cfg = TrainConfig(optimizer=name, momentum=0.8, rho=0.85, beta1=0.7, beta2=0.95)
    grads = [0.5, -1.5, 2.0, 0.25, -0.75]
    expected = reference_steps(name, grads, 0.1, cfg)
    state, update = {}, np.zeros(1)
    ensure_state(name, state, 1)
    for g, want in zip(grads, expected):
        OPTIMIZERS[name](np.array([g]), 0.1, update, state, cfg)
        assert update[0] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_lowers_the_training_loss(name):
    lr = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1, "rmsprop": 0.01,
          "adam": 0.01}[name]
    t = Trainer(TrainConfig(optimizer=name, learning_rate=lr, hidden=[6], batch_size=25))
    start = t.metrics()["train_loss"]
    assert t.step(300)["train_loss"] < 0.7 * start


@pytest.mark.parametrize("kind, t, want", [
    ("constant", 5000, 0.1),
    ("step", 999, 0.1), ("step", 1000, 0.05), ("step", 2500, 0.025),
    ("exponential", 500, 0.1 * 0.5 ** 0.5),
    ("cosine", 0, 0.1), ("cosine", 500, 0.05), ("cosine", 1000, 0.0), ("cosine", 4000, 0.0),
    ("warmup", 0, 0.001), ("warmup", 49, 0.05), ("warmup", 99, 0.1), ("warmup", 500, 0.1),
])
def test_learning_rate_schedules(kind, t, want):
    cfg = TrainConfig(learning_rate=0.1, schedule=kind, decay_rate=0.5, decay_steps=1000,
                      warmup_steps=100)
    assert scheduled_learning_rate(cfg, t) == pytest.approx(want, abs=1e-15)


def test_trainer_uses_the_scheduled_rate_live():
    t = Trainer(TrainConfig(schedule="step", decay_steps=10, decay_rate=0.5, learning_rate=0.2))
    t.step(25)
    assert t.metrics()["learning_rate"] == pytest.approx(0.05)
    t.train(1)   # step 25 uses lr = 0.2 * 0.5^floor(25/10): SGD's step is -lr g
    np.testing.assert_allclose(t.last_update(), -0.05 * t.last_minibatch_gradient(),
                               rtol=1e-12, atol=1e-15)
    assert np.linalg.norm(t.last_update()) > 0


def test_clip_by_norm_rescales_only_large_gradients():
    cfg = TrainConfig(clipping="norm", clip_threshold=1.0)
    g = np.array([3.0, 4.0])
    clip_gradient(cfg, g)
    np.testing.assert_allclose(g, [0.6, 0.8])
    small = np.array([0.3, 0.4])
    clip_gradient(cfg, small)
    np.testing.assert_allclose(small, [0.3, 0.4])


def test_clip_by_value_clamps_each_entry():
    g = np.array([-5.0, 0.5, 2.0])
    clip_gradient(TrainConfig(clipping="value", clip_threshold=1.0), g)
    np.testing.assert_allclose(g, [-1.0, 0.5, 1.0])


def test_clipping_bounds_every_training_update():
    t = Trainer(TrainConfig(clipping="norm", clip_threshold=0.01, learning_rate=1.0,
                            hidden=[8]))
    for _ in range(20):
        t.step(1)
        assert np.linalg.norm(t.last_update()) <= 0.01 + 1e-12


def test_penalties_spare_the_biases():
    theta = np.array([2.0, -3.0, 5.0])
    mask = np.array([1.0, 1.0, 0.0])  # the last entry is a bias
    l2 = TrainConfig(regularization="l2", regularization_rate=0.1)
    l1 = TrainConfig(regularization="l1", regularization_rate=0.1)
    assert penalty_value(l2, theta, mask) == pytest.approx(0.1 * 13)
    assert penalty_value(l1, theta, mask) == pytest.approx(0.1 * 5)
    g = np.zeros(3)
    add_penalty_gradient(l2, theta, mask, g)
    np.testing.assert_allclose(g, [0.4, -0.6, 0.0])
    g = np.zeros(3)
    add_penalty_gradient(l1, theta, mask, g)
    np.testing.assert_allclose(g, [0.1, -0.1, 0.0])


def test_l2_shrinks_weights_compared_to_no_penalty():
    plain = Trainer(TrainConfig(hidden=[8], regularization="none"))
    l2 = Trainer(TrainConfig(hidden=[8], regularization="l2", regularization_rate=0.05))
    plain.step(2000), l2.step(2000)
    norm = lambda t: sum(np.sum(p["W"] ** 2) for p in t.params())
    assert norm(l2) < 0.8 * norm(plain)
