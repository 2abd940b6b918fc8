"""Backprop against central differences on many random configurations."""

import numpy as np
import pytest

from engine import Trainer, TrainConfig

LOSS_DATASETS = [("bce", "circle"), ("bce", "threshold"), ("cce", "spiral3"), ("cce", "xor"),
                 ("mse", "plane"), ("mse", "blobs"), ("mse", "gauss"), ("mse", "house")]
ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


def _random_case(index: int) -> tuple[TrainConfig, np.random.Generator]:
    rng = np.random.default_rng(index)
    loss, dataset = LOSS_DATASETS[index % len(LOSS_DATASETS)]
    activation = ACTIVATIONS[index % len(ACTIVATIONS)]
    regularization = ["none", "l1", "l2"][index % 3]
    hidden = [int(n) for n in rng.integers(1, 6, size=rng.integers(0, 4))]
    features = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
    chosen = sorted(rng.choice(features, size=rng.integers(1, 8), replace=False).tolist())
    cfg = TrainConfig(dataset=dataset, loss=loss, activation=activation, hidden=hidden,
                      regularization=regularization, regularization_rate=0.01, n_samples=40,
                      features=chosen, standardize=True, seed=int(rng.integers(1000)))
    return cfg, rng


@pytest.mark.parametrize("index", range(60))
def test_backprop_matches_central_differences(index):
    cfg, rng = _random_case(index)
    trainer = Trainer(cfg)
    # A random, kink-free point (no pre-activation exactly at a ReLU's corner, no |w| = 0).
    trainer.net.theta[:] = rng.normal(0.0, 0.7, trainer.net.n_params)
    errors = trainer.gradient_check()
    assert len(errors) == len(cfg.hidden) + 1
    # Central differences carry ~1e-10 of round-off, so tiny entries (|g| ~ 1e-6) show relative
    # errors up to ~1e-5; the exact comparison is against the scalar autograd (1e-9).
    assert max(errors) < 1e-4, (cfg, errors)


def test_gradient_check_detects_a_wrong_gradient(monkeypatch):
    trainer = Trainer(TrainConfig(hidden=[3], n_samples=40))
    trainer.net.theta[:] = np.random.default_rng(0).normal(0, 0.7, trainer.net.n_params)
    original = trainer.full_gradient

    def off_by_ten_percent(theta=None):
        return original(theta) * 1.1

    monkeypatch.setattr(trainer, "full_gradient", off_by_ten_percent)
    assert max(trainer.gradient_check()) > 0.04


def test_step_activation_passes_no_gradient_below_it():
    trainer = Trainer(TrainConfig(activation="step", hidden=[4, 3], n_samples=60))
    grads = trainer.gradients()
    assert np.all(grads[0]["W"] == 0) and np.all(grads[1]["W"] == 0)
    assert np.abs(grads[2]["W"]).sum() > 0  # the output layer still learns


def test_gradient_check_leaves_parameters_unchanged():
    trainer = Trainer(TrainConfig(hidden=[4], n_samples=40))
    before = trainer.net.theta.copy()
    trainer.gradient_check()
    assert np.array_equal(before, trainer.net.theta)
