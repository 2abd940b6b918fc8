"""The history has one row per step taken, however the steps were asked for."""

from engine import TrainConfig, Trainer
from engine.trainer import HISTORY_CAPACITY


def test_one_call_of_fifty_steps_gives_fifty_rows():
    for run in (lambda t: t.step(50), lambda t: t.train(50)):
        t = Trainer(TrainConfig())
        run(t)
        assert [h["step"] for h in t.history] == list(range(1, 51))
        assert t.history_stride == 1


def test_rows_hold_each_steps_own_metrics():
    a, b = Trainer(TrainConfig()), Trainer(TrainConfig())
    a.train(20)
    losses = []
    for _ in range(20):
        losses.append(b.step(1)["train_loss"])
    assert [h["train_loss"] for h in a.history] == losses


def test_a_long_history_keeps_every_stride_th_step():
    t = Trainer(TrainConfig(hidden=[2], n_samples=40))
    t.train(HISTORY_CAPACITY + 10)
    steps = [h["step"] for h in t.history]
    assert t.history_stride == 2 and len(steps) < HISTORY_CAPACITY
    assert steps == list(range(2, HISTORY_CAPACITY + 11, 2))


def test_a_costly_network_starts_with_a_stated_stride():
    t = Trainer(TrainConfig(hidden=[64] * 8, n_samples=2000))
    assert t.history_stride > 1
    t.train(3 * t.history_stride)
    assert [h["step"] for h in t.history] == [t.history_stride * k for k in (1, 2, 3)]
