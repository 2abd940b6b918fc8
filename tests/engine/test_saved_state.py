"""A TrainerState as bytes (engine/saved_state.py): the restored trainer continues exactly."""

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.custom_data import drawn_points
from engine.saved_state import state_from_bytes, state_to_bytes


def _equal_runs(a: Trainer, b: Trainer) -> None:
    for pa, pb in zip(a.params(), b.params()):
        np.testing.assert_array_equal(pa["W"], pb["W"])
        np.testing.assert_array_equal(pa["b"], pb["b"])
    assert a.step_count == b.step_count and a.epoch == b.epoch


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "rmsprop", "adagrad"])
def test_restored_state_continues_with_the_same_updates(optimizer):
    cfg = TrainConfig(dataset="spiral", hidden=[6, 4], optimizer=optimizer, batch_size=7,
                      learning_rate=0.01, schedule="cosine", seed=5)
    original = Trainer(cfg)
    original.step(137)          # mid-epoch, so the shuffle position and epoch buffers matter
    restored = Trainer.from_state(state_from_bytes(state_to_bytes(original.capture_state())))
    assert restored.history == original.history
    assert restored.examples_seen == original.examples_seen > 0
    original.step(100)
    restored.step(100)
    _equal_runs(original, restored)
    np.testing.assert_array_equal(original.trajectory()[1], restored.trajectory()[1])


def test_custom_points_travel_with_the_state():
    points = [[x, y, int(x * y > 0)] for x in (-3, -1, 1, 3) for y in (-2.5, 2.5, 4)]
    data = drawn_points(points)
    cfg = TrainConfig(dataset="custom", custom_dataset="abc", hidden=[4])
    original = Trainer(cfg, dataset_source={"abc": data}.get)
    original.step(30)
    restored = Trainer.from_state(state_from_bytes(state_to_bytes(original.capture_state())))
    assert restored.task == "binary" and restored.input_domain() == data.domain
    np.testing.assert_array_equal(restored.raw_data()["x_train"], original.raw_data()["x_train"])
    original.step(50)
    restored.step(50)
    _equal_runs(original, restored)


def test_damaged_bytes_are_refused():
    blob = state_to_bytes(Trainer(TrainConfig()).capture_state())
    with pytest.raises(ValueError, match="not a saved trainer state"):
        state_from_bytes(blob[: len(blob) // 2])


def test_hand_edits_on_the_path_survive_saving():
    t = Trainer(TrainConfig(hidden=[3]))
    t.step(10)
    t.set_params({"W1[0,0]": 0.5})
    t.step(10)
    restored = Trainer.from_state(state_from_bytes(state_to_bytes(t.capture_state())))
    np.testing.assert_array_equal(restored.trajectory_jumps(), t.trajectory_jumps())
    assert restored.trajectory_jumps().any()


def test_a_state_captured_without_its_path_gives_the_same_numbers_and_no_path():
    t = Trainer(TrainConfig(hidden=[4, 3]))
    t.train(30)
    state = t.capture_state(path=False)
    assert state.trajectory.shape[0] == 0 and t.trajectory()[1].shape[0] > 1
    copy = Trainer.from_state(state, like=t)
    assert copy.metrics() == t.metrics() and copy.diagnostics() == t.diagnostics()
    np.testing.assert_array_equal(copy.full_gradient(), t.full_gradient())
