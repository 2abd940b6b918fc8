"""Every lesson's claim (its front matter's `claim`), shown by the engine with fixed seeds.

One test per lesson, named test_claim_<slug with _>; test_every_lesson_has_a_claim_test keeps
the course from saying something no test shows."""

from __future__ import annotations

import math
import sys

import numpy as np

from engine import Trainer, TrainConfig
from engine.activations import ACTIVATIONS
from engine.autograd import Value
from engine.features import map_features
from engine.losses import LOSSES
from server.lessons import load_lessons


def step(z):
    return ACTIVATIONS["step"].forward(np.asarray(z, float), np.empty(np.shape(z)))


def sigmoid(z):
    return ACTIVATIONS["sigmoid"].forward(np.asarray(z, float), np.empty(np.shape(z)))


SWEETS_W, SWEETS_THRESHOLD = np.array([2.0, 6.0, 2.0]), 5.0
BINARY_INPUTS = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], float)


def test_every_lesson_has_a_claim_test():
    here = sys.modules[__name__]
    missing = [l.slug for l in load_lessons()
               if not callable(getattr(here, f"test_claim_{l.slug.replace('-', '_')}", None))]
    assert not missing, f"lessons whose claim no test shows: {missing}"


def test_claim_perceptron():
    out = step(BINARY_INPUTS @ SWEETS_W - SWEETS_THRESHOLD)
    assert out.tolist() == BINARY_INPUTS[:, 1].tolist()
    # and the claim is not a property of any weights: lowering w2 to 4 breaks it
    assert step(BINARY_INPUTS @ np.array([2.0, 4.0, 2.0]) - 5.0).tolist() != BINARY_INPUTS[:, 1].tolist()


def test_claim_sigmoid_neuron():
    z = BINARY_INPUTS @ SWEETS_W - SWEETS_THRESHOLD
    perceptron = step(z)
    for c in (0.1, 1.0, 3.0, 10.0, 100.0):
        assert step(c * z).tolist() == perceptron.tolist()        # the perceptron never changes
    gaps = [np.abs(sigmoid(c * z) - perceptron).max() for c in (1.0, 3.0, 10.0)]
    assert gaps[0] > gaps[1] > gaps[2]                             # the sigmoid approaches it
    assert gaps[0] > 0.01 and gaps[2] < 0.01


def test_claim_forward_propagation():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3], learning_rate=0.1, seed=4))
    t.train(200)
    rng = np.random.default_rng(0)
    x_raw = rng.uniform(-6, 6, size=(50, 2))
    a = map_features(x_raw, t.config.features).T                  # (features, n)
    layers = t.params()
    for l, p in enumerate(layers):
        z = p["W"] @ a + p["b"][:, None]                          # Z = W A + b
        a = np.tanh(z) if l < len(layers) - 1 else sigmoid(z)     # A = g(Z); bce: sigmoid output
    np.testing.assert_allclose(a[0], t.predict(x_raw).ravel(), rtol=1e-12, atol=1e-12)


def neuron(w1: float = -3.0) -> float:
    return math.tanh(2.0 * w1 + 0.0 * 1.0 + 6.8813735870195432)


def test_claim_derivatives():
    exact = 1.0                                                   # do/dw1 = x1 (1 - o^2) = 2 * 0.5
    n1, x1 = Value(-3.0), Value(2.0)
    o = (x1 * n1 + Value(0.0) * Value(1.0) + Value(6.8813735870195432)).tanh()
    o.backward()
    assert abs(n1.grad - exact) < 1e-12
    err = {h: abs((neuron(-3.0 + h) - neuron(-3.0)) / h - exact) for h in (0.1, 1e-6, 1e-13)}
    assert err[0.1] > 0.1 and err[1e-6] < 1e-5 and err[1e-13] > 1e-4


def chain(a=2.0, b=-3.0, c=10.0, f=-2.0):
    leaves = {k: Value(v, label=k) for k, v in dict(a=a, b=b, c=c, f=f).items()}
    e = leaves["a"] * leaves["b"]
    d = e + leaves["c"]
    L = d * leaves["f"]
    return L, leaves


def test_claim_chain_rule():
    L, leaves = chain()
    L.backward()
    assert L.data == -8.0
    grads = {k: v.grad for k, v in leaves.items()}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    assert grads["a"] == (-2.0) * 1.0 * (-3.0)                   # dL/dd * dd/de * de/da
    h = 1e-6
    base = dict(a=2.0, b=-3.0, c=10.0, f=-2.0)
    for k in base:
        up, down = dict(base), dict(base)
        up[k] += h
        down[k] -= h
        numeric = (chain(**up)[0].data - chain(**down)[0].data) / (2 * h)
        assert abs(numeric - grads[k]) < 1e-6


def test_claim_backpropagation():
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    o = (x1 * w1 + x2 * w2 + Value(6.8813735870195432)).tanh()
    o.backward()
    assert round(o.data, 4) == 0.7071
    assert [round(v.grad, 10) for v in (w1, x1, w2, x2)] == [1.0, -1.5, 0.0, 0.5]
    t = Trainer(TrainConfig(dataset="circle", hidden=[4, 3], seed=2))
    t.train(50)
    assert max(t.gradient_check()) < 1e-6


def test_claim_loss_functions():
    z, y = np.array([[-6.0]]), np.array([[1.0]])
    p = sigmoid(z)
    slope = ACTIVATIONS["sigmoid"].derivative(z, p, np.empty_like(z))
    mse_through_sigmoid = 2.0 * (p - y) * slope                   # d(p - y)^2/dz
    bce = LOSSES["bce"].residual(z, y, np.empty_like(z))          # d BCE/dz = p - y
    assert abs(mse_through_sigmoid.item()) < 0.01
    assert bce.item() < -0.99
    # the engine's bce value is -log p for y = 1 (what the figure plots)
    assert abs(LOSSES["bce"].value(z, y) + math.log(p.item())) < 1e-9


def test_claim_learning_rate():
    losses = {}
    for lr in (0.01, 0.1, 1.0):
        t = Trainer(TrainConfig(dataset="plane", loss="mse", hidden=[], activation="linear",
                                learning_rate=lr, seed=1))
        start = t.metrics()["train_loss"]
        t.train(200)
        losses[lr] = (start, t.metrics())
    start = losses[0.01][0]
    assert 4.0 < start < 4.8
    assert losses[0.01][1]["train_loss"] < 1e-3
    assert losses[0.1][1]["train_loss"] > 1e6 and losses[0.1][1]["status"] == "ok"
    assert losses[1.0][1]["status"] == "diverged"


def test_claim_batch_size():
    final, per_epoch = {}, {}
    for bs in (1, 10, 250):
        t = Trainer(TrainConfig(dataset="circle", hidden=[8], learning_rate=0.1, batch_size=bs,
                                seed=1))
        assert t.n_train == 250
        t.step_epochs(1)
        per_epoch[bs] = t.metrics()["step"]
        t.step_epochs(9)
        final[bs] = t.metrics()["train_loss"]
    assert per_epoch == {1: 250, 10: 25, 250: 1}
    assert final[1] < final[10] < final[250]


def loss_wobble(schedule: str) -> tuple[float, float]:
    t = Trainer(TrainConfig(dataset="circle", noise=0.3, hidden=[8], learning_rate=0.3,
                            batch_size=1, seed=1, schedule=schedule, decay_steps=1000,
                            decay_rate=0.5))
    t.train(3000)
    losses = []
    for _ in range(100):
        t.train(10)
        losses.append(t.metrics()["train_loss"])
    return float(np.std(losses)), float(np.mean(losses))


def test_claim_learning_rate_decay():
    const_std, const_mean = loss_wobble("constant")
    step_std, step_mean = loss_wobble("step")
    assert step_std * 5 < const_std and step_mean < const_mean
    t = Trainer(TrainConfig(schedule="step", learning_rate=0.3, decay_steps=1000, decay_rate=0.5))
    t.train(3000)
    assert abs(t.metrics()["learning_rate"] - 0.0375) < 1e-12


def test_claim_momentum_adam():
    loss = {}
    for opt in ("sgd", "momentum", "adam"):
        t = Trainer(TrainConfig(dataset="xor", hidden=[4], optimizer=opt, learning_rate=0.01,
                                momentum=0.9, batch_size=10, seed=1))
        t.train(2000)
        loss[opt] = t.metrics()["train_loss"]
    assert loss["momentum"] < loss["sgd"] / 3 and loss["adam"] < loss["sgd"] / 3


def test_claim_local_minima_saddles():
    t = Trainer(TrainConfig(dataset="circle", hidden=[4, 2], init="zeros", seed=1))
    assert all(np.all(g["W"] == 0.0) for g in t.gradients())
    t.train(2000)
    assert all(np.all(g["W"] == 0.0) for g in t.gradients())
    assert all(np.all(p["W"] == 0.0) for p in t.params())
    assert t.metrics()["train_loss"] > 0.68
    acc = {}
    for seed in (1, 2, 3):
        t = Trainer(TrainConfig(dataset="xor", hidden=[4, 2], seed=seed, learning_rate=0.03))
        t.train(5000)
        acc[seed] = t.metrics()["train_accuracy"]
    assert acc[1] == 1.0 and acc[2] == 1.0 and 0.7 <= acc[3] <= 0.8


def first_step_grad_norms(activation: str) -> list[float]:
    t = Trainer(TrainConfig(dataset="circle", hidden=[8] * 6, activation=activation, seed=1,
                            learning_rate=0.1))
    t.step(1)
    return t.diagnostics()["grad_norms"]


def test_claim_vanishing_exploding():
    sig = first_step_grad_norms("sigmoid")
    assert len(sig) == 7 and sig[0] < 0.01 * sig[-1]
    tanh = first_step_grad_norms("tanh")
    assert tanh[-1] / 10 < tanh[0] < tanh[-1] * 10


def test_claim_gradient_clipping():
    status = {}
    for clipping in ("none", "norm"):
        t = Trainer(TrainConfig(dataset="plane", loss="mse", hidden=[4], activation="linear",
                                learning_rate=1.0, clipping=clipping, clip_threshold=1.0, seed=1))
        t.train(200)
        m = t.metrics()
        status[clipping] = (m["status"], m["train_loss"])
    assert status["none"][0] == "diverged"
    assert status["norm"][0] == "ok" and math.isfinite(status["norm"][1])


def test_claim_regularization():
    result = {}
    for reg in ("none", "l2"):
        t = Trainer(TrainConfig(dataset="circle", noise=0.5, n_samples=60, hidden=[16, 16],
                                learning_rate=0.1, batch_size=5, seed=1, regularization=reg,
                                regularization_rate=0.01))
        t.train(5000)
        result[reg] = t.metrics()
    assert result["none"]["train_loss"] < 0.01 and result["none"]["test_loss"] > 1
    assert result["l2"]["test_loss"] < result["none"]["test_loss"] / 2
