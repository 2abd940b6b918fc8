"""Trainer.set_params: setting weights and biases by name, and what it does to the run."""

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.param_names import ParameterEditError, parameter_names


def test_set_params_by_name_changes_exactly_those_entries():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3, 2]))
    t.step(10)
    before = t.params()
    assert t.set_params({"W1[0,1]": 0.5, "b1[0]": -5, "W3[0,1]": 2.25}) == ["W1[0,1]", "b1[0]",
                                                                           "W3[0,1]"]
    after = t.params()
    assert after[0]["W"][0, 1] == 0.5 and after[0]["b"][0] == -5.0 and after[2]["W"][0, 1] == 2.25
    before[0]["W"][0, 1], before[0]["b"][0], before[2]["W"][0, 1] = 0.5, -5.0, 2.25
    for a, b in zip(after, before):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])


def test_every_name_round_trips():
    t = Trainer(TrainConfig(dataset="circle", hidden=[2]))
    names = parameter_names(t)
    values = {n: float(k) for k, n in enumerate(names)}
    t.set_params(values)
    flat = np.concatenate([np.column_stack([p["W"], p["b"]]).ravel() for p in t.params()])
    assert flat.tolist() == list(values.values())


def test_bad_names_and_values_are_all_named_and_nothing_changes():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3]))
    before = t.params()
    with pytest.raises(ParameterEditError) as e:
        t.set_params({"W1[2,1]": 1.0, "W9[0,0]": 1.0, "b1[7]": 1.0, "W2[0,2]": float("nan"),
                      "b2[0]": float("inf"), "x": 1.0, "b1[1]": "3"})
    message = str(e.value)
    for name in ("W9[0,0]", "b1[7]", "W2[0,2]", "b2[0]", "'x'", "b1[1]"):
        assert name in message
    assert "W1[2,1]" not in message
    assert [n for n, _ in e.value.bad] == ["W9[0,0]", "b1[7]", "W2[0,2]", "b2[0]", "x", "b1[1]"]
    for a, b in zip(t.params(), before):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
    with pytest.raises(ParameterEditError, match="at least one"):
        t.set_params({})


@pytest.mark.parametrize("name, canonical", [
    ("W1[0, 1]", "W1[0,1]"), ("W1[00,1]", "W1[0,1]"), ("W1[0,0] ", "W1[0,0]"),
    (" b2[0]", "b2[0]"), ("W 1[0,1]", "W1[0,1]"), ("b01[0]", "b1[0]"),
])
def test_only_canonical_names_are_accepted_and_the_refusal_says_the_form(name, canonical):
    t = Trainer(TrainConfig(dataset="circle", hidden=[3]))
    before = t.params()
    with pytest.raises(ParameterEditError) as e:
        t.set_params({name: 1.0, "W1[1,0]": 2.0})
    assert [n for n, _ in e.value.bad] == [name]
    message = str(e.value)
    assert repr(name) in message and "'W1[0,1]' or 'b2[0]'" in message
    assert f"write it {canonical}" in message
    for a, b in zip(t.params(), before):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])


def test_one_weight_cannot_be_set_twice_under_two_spellings():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3]))
    with pytest.raises(ParameterEditError) as e:
        t.set_params({"W1[0,0]": 1.0, "W1[0,0] ": 2.0})
    assert [n for n, _ in e.value.bad] == ["W1[0,0] "]
    assert t.set_params({"W1[0,0]": 1.0}) == ["W1[0,0]"]


def test_optimizer_state_is_kept_across_an_edit():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3], optimizer="momentum"))
    t.step(20)
    velocity = t.capture_state().optimizer_state["velocity"].copy()
    t.set_params({"W1[0,0]": 1.5})
    assert np.array_equal(t.capture_state().optimizer_state["velocity"], velocity)
    # the next step is the momentum step from the edited point with the old velocity
    theta = t.capture_state().theta
    t.step(1)
    v = 0.9 * velocity - 0.03 * t.last_minibatch_gradient()
    assert np.allclose(t.capture_state().theta, theta + v, rtol=0, atol=1e-12)


def test_the_path_shows_a_jump_not_a_descent():
    t = Trainer(TrainConfig(dataset="threshold", hidden=[], loss="bce", learning_rate=0.1))
    t.step(7)
    t.set_params({"W1[0,0]": 4.0, "b1[0]": -3.0})
    t.step(5)
    steps, thetas = t.trajectory()
    jumps = t.trajectory_jumps()
    assert len(jumps) == len(steps)
    k = int(np.flatnonzero(jumps)[0])
    assert jumps.sum() == 1
    assert steps[k - 1] == steps[k] == 7          # before and after the edit, at the same step
    assert thetas[k].tolist() == [4.0, -3.0]
    ls = t.landscape(mode="exact", resolution=5)
    assert ls["path"]["jump"].tolist() == jumps.tolist()
    assert (ls["path"]["alpha"][k], ls["path"]["beta"][k]) == (4.0, -3.0)


def test_jump_marks_survive_trajectory_thinning_and_copies():
    t = Trainer(TrainConfig(dataset="threshold", hidden=[], loss="bce"))
    t.step(3)
    t.set_params({"b1[0]": 2.0})
    t.step(3000)  # many thinnings of the trajectory
    assert t.trajectory_jumps().sum() >= 1
    c = t.copy()
    assert np.array_equal(c.trajectory_jumps(), t.trajectory_jumps())
    steps = t.trajectory()[0]
    first = steps[np.flatnonzero(t.trajectory_jumps())[0]]
    assert first >= 3  # the marked segment ends at or after the edit
