"""Learning outcomes with fixed seeds and a bounded number of steps (the issue's bars)."""

import pytest

from engine import Trainer, TrainConfig

TF_DEFAULT_NET = dict(hidden=[4, 2], activation="tanh", learning_rate=0.03, batch_size=10,
                      loss="bce")


@pytest.mark.parametrize("dataset", ["circle", "xor", "gauss"])
@pytest.mark.parametrize("seed", [1, 2])
def test_tensorflow_playground_default_net_reaches_95_percent(dataset, seed):
    t = Trainer(TrainConfig(dataset=dataset, seed=seed, **TF_DEFAULT_NET))
    assert t.step(5000)["test_accuracy"] >= 0.95


def test_spiral_with_sine_features_and_a_deeper_net_reaches_90_percent():
    t = Trainer(TrainConfig(dataset="spiral", noise=0.0, features=["x1", "x2", "sin_x1", "sin_x2"],
                            hidden=[8, 8, 6], activation="tanh", learning_rate=0.03,
                            batch_size=10, seed=1))
    assert t.step(20000)["test_accuracy"] >= 0.90


def test_three_arm_spiral_with_cross_entropy_reaches_90_percent():
    t = Trainer(TrainConfig(dataset="spiral3", loss="cce", hidden=[16, 16], activation="tanh",
                            learning_rate=0.03, batch_size=10, seed=1))
    assert t.step(20000)["test_accuracy"] >= 0.90


def test_single_sigmoid_neuron_learns_the_threshold():
    t = Trainer(TrainConfig(dataset="threshold", hidden=[], loss="bce", learning_rate=0.3,
                            batch_size=10, seed=1))
    assert t.step(3000)["test_accuracy"] >= 0.95


def test_standardizing_inputs_makes_house_prices_learnable():
    raw = Trainer(TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=0.03))
    standardized = Trainer(TrainConfig(dataset="house", loss="mse", hidden=[],
                                       learning_rate=0.03, standardize=True))
    raw_metrics, std_metrics = raw.step(2000), standardized.step(2000)
    assert std_metrics["status"] == "ok"
    assert raw_metrics["status"] == "diverged" or (
        std_metrics["train_loss"] < 0.1 * raw_metrics["train_loss"])
