"""Rosenblatt's perceptron: the `perceptron` loss, its rule, its limits and its refusals."""

import numpy as np
import pytest
from pydantic import ValidationError

from engine import Trainer, TrainConfig
from engine.losses import LOSSES


def perceptron(**kw) -> Trainer:
    cfg = dict(hidden=[], loss="perceptron", optimizer="sgd", batch_size=1, learning_rate=0.1)
    return Trainer(TrainConfig(**{**cfg, **kw}))


def flat(t: Trainer) -> np.ndarray:
    p = t.params()[0]
    return np.concatenate([p["W"].ravel(), p["b"]])


def test_criterion_is_mean_of_max_zero_minus_signed_z():
    z = np.array([[2.0], [-1.5], [0.0], [0.3], [-4.0]])
    y = np.array([[1.0], [1.0], [1.0], [0.0], [0.0]])
    value = LOSSES["perceptron"].value(z, y)
    assert value == pytest.approx(0 + 1.5 + 0 + 0.3 + 0)
    residual = LOSSES["perceptron"].residual(z, y, np.empty_like(z))
    # step(z) - y: -1 where a positive example has z <= 0, +1 where a negative one has z > 0
    assert residual.ravel().tolist() == [0.0, -1.0, -1.0, 1.0, 0.0]
    assert LOSSES["perceptron"].output(z).ravel().tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("dataset", ["gauss", "threshold", "xor"])
def test_sgd_at_batch_one_is_rosenblatts_rule_step_by_step(dataset):
    """Every update is lr (y - yhat) [x | 1] of one example not yet visited in the epoch, with
    yhat = step(w . x + b) at the parameters before the step."""
    t = perceptron(dataset=dataset, noise=0.2, learning_rate=0.25)
    d = t.data()
    x = np.column_stack([d["x_train"], np.ones(len(d["y_train"]))])
    y = d["y_train"]
    unvisited = set(range(len(y)))
    moved = 0
    for _ in range(len(y)):  # one epoch, one example per step
        theta = flat(t)
        yhat = (x @ theta > 0).astype(float)
        rosenblatt = 0.25 * (y - yhat)[:, None] * x  # the rule for each example
        t.step(1)
        update = flat(t) - theta
        fits = [i for i in unvisited if np.allclose(rosenblatt[i], update, rtol=0, atol=1e-12)]
        assert fits, f"update {update} is Rosenblatt's for no unvisited example"
        if np.any(update):  # a mistake: exactly one example explains it, visited once
            moved += 1
            assert len(fits) == 1
            unvisited.discard(fits[0])
        # a zero update: some unvisited example was already right (which one is not identified)
    assert moved > 0


def test_a_larger_batch_takes_the_mean_of_the_rule():
    t = perceptron(dataset="gauss", noise=0.3, batch_size=2000)  # full batch
    d = t.data()
    x = np.column_stack([d["x_train"], np.ones(len(d["y_train"]))])
    theta = flat(t)
    yhat = (x @ theta > 0).astype(float)
    expected = theta + 0.1 * ((d["y_train"] - yhat)[:, None] * x).mean(axis=0)
    t.step(1)
    assert np.allclose(flat(t), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dataset", ["gauss", "threshold"])
def test_separable_data_reaches_full_accuracy_then_stops_changing(dataset):
    t = perceptron(dataset=dataset)
    for _ in range(200):
        if t.step(10)["train_accuracy"] == 1.0:
            break
    assert t.metrics()["train_accuracy"] == 1.0
    assert t.metrics()["train_loss"] == 0.0
    theta = flat(t)
    t.step(2000)  # every example is now on its side: step(z) - y = 0, so nothing moves
    assert np.array_equal(flat(t), theta)


def best_line_accuracy(x: np.ndarray, y: np.ndarray) -> float:
    """The best accuracy any line (w . x > c) reaches, by brute force over directions and cuts."""
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, 721):
        s = x @ np.array([np.cos(angle), np.sin(angle)])
        order = np.argsort(s)
        ys = y[order]
        # cut after position k: predicted 1 for the n - k largest scores
        ones_above = np.concatenate([[ys.sum()], ys.sum() - np.cumsum(ys)])
        zeros_below = np.concatenate([[0], np.cumsum(1 - ys)])
        best = max(best, float(((ones_above + zeros_below) / len(y)).max()))
    return best


def test_xor_never_reaches_full_accuracy():
    """One line cannot separate xor: four points allow at most 3 of 4 right (75%); on the
    sampled quadrants the best line is below that, and training never gets past it."""
    t = perceptron(dataset="xor")
    d = t.data()
    ceiling = best_line_accuracy(d["x_train"], d["y_train"])
    assert ceiling <= 0.75
    accuracies = [t.step(25)["train_accuracy"] for _ in range(200)]
    assert max(accuracies) < 1.0
    assert max(accuracies) <= ceiling + 1e-12
    assert t.metrics()["train_loss"] > 0


def test_hidden_layers_are_refused_with_the_reason():
    with pytest.raises(ValidationError) as e:
        TrainConfig(dataset="xor", hidden=[4], loss="perceptron")
    message = str(e.value)
    assert "hidden=[]" in message and "no gradient" in message


@pytest.mark.parametrize("dataset", ["blobs", "plane", "house"])
def test_non_binary_data_is_refused(dataset):
    with pytest.raises(ValidationError, match="needs a binary dataset"):
        TrainConfig(dataset=dataset, hidden=[], loss="perceptron")


def test_exact_loss_surface_is_the_criterion_over_w_and_b():
    t = perceptron(dataset="threshold", noise=0.1)
    t.step(30)
    ls = t.landscape(mode="exact", resolution=11)
    assert ls["mode"] == "exact"
    d = t.data()
    x, y = d["x_train"][:, 0], d["y_train"]
    for bi in (0, 5, 10):
        for ai in (0, 3, 10):
            w, b = ls["alpha"][ai], ls["beta"][bi]
            z = w * x + b
            expected = np.maximum(0.0, -(2 * y - 1) * z).mean()
            assert ls["loss"][bi, ai] == pytest.approx(expected, rel=1e-6, abs=1e-9)
    # the path is the recorded (w, b) themselves
    assert ls["path"]["alpha"][-1] == pytest.approx(t.params()[0]["W"][0, 0])
    assert ls["path"]["beta"][-1] == pytest.approx(t.params()[0]["b"][0])
