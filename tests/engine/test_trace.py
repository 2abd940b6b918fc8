"""Trainer.trace: one example forward and backward, checked against params() and gradients()."""

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.activations import ACTIVATIONS

CONFIGS = [
    dict(dataset="circle", hidden=[3, 2], activation="tanh", loss="bce"),
    dict(dataset="spiral3", hidden=[4], activation="relu", loss="cce", n_samples=120),
    dict(dataset="blobs", hidden=[3, 3], activation="sigmoid", loss="mse", n_samples=90),
    dict(dataset="plane", hidden=[5], activation="leaky_relu", loss="mse", regularization="l2",
         regularization_rate=0.01, n_samples=100),
    dict(dataset="xor", hidden=[2, 3, 2], activation="tanh", loss="bce", features=["x1", "x2", "x1x2"],
         regularization="l1", regularization_rate=0.003, standardize=True, n_samples=100),
    dict(dataset="threshold", hidden=[], loss="perceptron", noise=0.2, n_samples=60),
    dict(dataset="house", hidden=[2], activation="linear", loss="mse", n_samples=60, standardize=True,
         learning_rate=0.001),
]


def random_config(rng, base):
    return TrainConfig(**base, seed=int(rng.integers(1, 10_000)), init="uniform")


@pytest.mark.parametrize("base", CONFIGS)
def test_forward_is_z_equals_w_a_plus_b_from_params(base):
    rng = np.random.default_rng(5)
    t = Trainer(random_config(rng, base))
    assert t.step(7)["status"] == "ok"
    params = t.params()
    raw = t.raw_data()
    for i in rng.integers(0, len(raw["y_train"]), 4):
        tr = t.trace(raw["x_train"][i])
        assert len(tr["layers"]) == len(params)
        assert np.allclose(tr["layers"][0]["a_in"], t.data()["x_train"][i], rtol=0, atol=1e-12)
        g = ACTIVATIONS[t.config.activation].forward
        for l, (layer, p) in enumerate(zip(tr["layers"], params)):
            assert np.array_equal(layer["W"], p["W"]) and np.array_equal(layer["b"], p["b"])
            z = p["W"] @ layer["a_in"] + p["b"]
            assert np.allclose(layer["z"], z, rtol=1e-12, atol=1e-12)
            if l < len(params) - 1:
                assert np.allclose(layer["a"], g(z, np.empty_like(z)))
                assert np.array_equal(layer["a"], tr["layers"][l + 1]["a_in"])
        # the output is what predict() says for the same raw input
        assert np.allclose(tr["output"], t.predict(raw["x_train"][i:i + 1])[0])
        assert tr["loss"] is None and "delta" not in tr["layers"][0]


@pytest.mark.parametrize("base", CONFIGS)
def test_mean_of_per_example_gradients_plus_penalty_is_gradients(base):
    rng = np.random.default_rng(11)
    t = Trainer(random_config(rng, base))
    assert t.step(5)["status"] == "ok"
    n = t.n_train
    traces = [t.trace_example(i) for i in range(n)]
    cfg = t.config
    for l, (g, p) in enumerate(zip(t.gradients(), t.params())):
        dW = sum(tr["layers"][l]["dW"] for tr in traces) / n
        db = sum(tr["layers"][l]["db"] for tr in traces) / n
        if cfg.regularization == "l2":
            dW = dW + 2 * cfg.regularization_rate * p["W"]
        elif cfg.regularization == "l1":
            dW = dW + cfg.regularization_rate * np.sign(p["W"])
        assert np.allclose(dW, g["W"], rtol=1e-9, atol=1e-12)
        assert np.allclose(db, g["b"], rtol=1e-9, atol=1e-12)
    # the per-example losses average to the training loss (minus the penalty)
    mean_loss = np.mean([tr["loss"] for tr in traces])
    if cfg.regularization == "none":
        assert mean_loss == pytest.approx(t.metrics()["train_loss"], rel=1e-12)
    else:
        assert mean_loss < t.metrics()["train_loss"]


def test_backward_keys_follow_the_chain_rule_layer_by_layer():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3, 2], activation="sigmoid", seed=3))
    t.step(20)
    tr = t.trace_example(4)
    layers = tr["layers"]
    out = layers[-1]
    y = tr["target"]
    assert out["delta"] == pytest.approx(out["a"] - y)  # sigma(z) - y for bce
    for l in range(len(layers) - 1):
        below, above = layers[l], layers[l + 1]
        slope = below["a"] * (1 - below["a"])
        assert np.allclose(below["delta"], (above["W"].T @ above["delta"]) * slope)
        assert np.allclose(below["dW"], np.outer(below["delta"], below["a_in"]))
        assert np.array_equal(below["db"], below["delta"])


def test_trace_takes_raw_inputs_through_the_feature_mapping():
    t = Trainer(TrainConfig(dataset="circle", features=["x1", "x2", "x1_sq", "x1x2"],
                            standardize=True, hidden=[2]))
    tr = t.trace([1.5, -2.0], 1)
    d = t.map_inputs(np.array([[1.5, -2.0]]))[0]
    assert np.allclose(tr["layers"][0]["a_in"], d)
    assert tr["input"].tolist() == [1.5, -2.0] and tr["target"] == 1
    assert tr["layers"][0]["W"].shape == (2, 4)


@pytest.mark.parametrize("x, y, message", [
    ([1.0], None, "x must be 2 finite"),
    ([1.0, float("nan")], None, "x must be 2 finite"),
    ([1.0, 2.0], 2, "class index 0..1"),
    ([1.0, 2.0], 0.5, "class index 0..1"),
])
def test_bad_trace_inputs_are_refused_with_the_allowed_range(x, y, message):
    t = Trainer(TrainConfig(dataset="circle", hidden=[2]))
    with pytest.raises(ValueError, match=message):
        t.trace(x, y)


def test_trace_example_checks_split_and_index():
    t = Trainer(TrainConfig(dataset="circle", n_samples=100, hidden=[2]))
    with pytest.raises(ValueError, match="0..49"):
        t.trace_example(50, "test")
    with pytest.raises(ValueError, match="'train' or 'test'"):
        t.trace_example(0, "validation")
