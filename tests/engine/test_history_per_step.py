"""The history has one row per step taken, however the steps were asked for."""

from engine import TrainConfig, Trainer
from engine.trainer import HISTORY_CAPACITY, HISTORY_HEAD_ROWS, HISTORY_ROW_BUDGET, tail_stride


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


def test_a_long_history_keeps_the_head_then_every_tail_stride_th_step():
    t = Trainer(TrainConfig(hidden=[2], n_samples=40))
    stride = t._history_tail_stride
    assert stride > 1
    n = HISTORY_HEAD_ROWS + 3 * stride + 5
    t.train(n)
    steps = [h["step"] for h in t.history]
    tail = [s for s in range(stride, n + 1, stride) if s > HISTORY_HEAD_ROWS]
    assert len(tail) >= 3 and steps == list(range(1, HISTORY_HEAD_ROWS + 1)) + tail
    assert t.history_stride == stride


def test_a_full_history_doubles_the_tail_stride_and_keeps_the_head():
    t = Trainer(TrainConfig(hidden=[2], n_samples=40))
    t._history_tail_stride = HISTORY_HEAD_ROWS * 2      # its first tail row: step 512
    t.train(HISTORY_HEAD_ROWS * 2 * (HISTORY_CAPACITY - HISTORY_HEAD_ROWS) + 10)
    steps = [h["step"] for h in t.history]
    assert t.history_stride == HISTORY_HEAD_ROWS * 4 and len(steps) < HISTORY_CAPACITY
    assert steps[:HISTORY_HEAD_ROWS] == list(range(1, HISTORY_HEAD_ROWS + 1))
    assert steps[HISTORY_HEAD_ROWS:] == list(range(1024, steps[-1] + 1, 1024))


def test_rows_after_the_head_cost_a_few_percent_of_training():
    # a row evaluates both splits (500 points) against a batch of 10: ~19 updates' work;
    # at the tail stride those rows are at most HISTORY_ROW_BUDGET of the updates
    t = Trainer(TrainConfig(hidden=[8, 8], batch_size=10))
    t.train(20_000)
    tail = len(t.history) - HISTORY_HEAD_ROWS
    row_cost = 500 / (3 * 10 + 4) + 4
    assert 0 < tail * row_cost <= HISTORY_ROW_BUDGET * 20_000
    assert tail_stride(500, 10) == t.history_stride == 1024


def test_a_costly_network_starts_with_a_stated_stride():
    t = Trainer(TrainConfig(hidden=[64] * 8, n_samples=2000))
    assert t.history_stride > 1
    t.train(3 * t.history_stride)
    assert [h["step"] for h in t.history] == [t.history_stride * k for k in (1, 2, 3)]
