"""Comparison groups: a shared start and shared data, fair clocks, marks, presets."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.comparison import HISTORY_COLUMNS, ComparisonGroup, VariantError, member_configs
from engine.comparison_presets import PRESETS, preset

BASE = TrainConfig(dataset="circle", hidden=[4, 2], activation="tanh", learning_rate=0.05,
                   n_samples=120, seed=4)


def test_members_sharing_an_architecture_start_identical_and_see_the_same_data():
    group = ComparisonGroup(BASE, [{"learning_rate": 0.001}, {"optimizer": "adam"},
                                   {"batch_size": 1}, {"activation": "relu"}])
    thetas = [np.concatenate([np.r_[l["W"].ravel(), l["b"]] for l in m.params()])
              for m in group.members]
    for theta in thetas[1:]:
        assert np.array_equal(theta, thetas[0])
    data = [m.data() for m in group.members]
    for d in data[1:]:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            assert np.array_equal(d[key], data[0][key])


def test_different_architectures_differ_but_share_the_data():
    group = ComparisonGroup(BASE, [{"hidden": [4, 2]}, {"hidden": [8]}])
    a, b = group.members
    assert a.layer_sizes != b.layer_sizes
    assert np.array_equal(a.data()["x_train"], b.data()["x_train"])


def test_equal_batch_sizes_see_the_same_shuffles():
    """Members with batch size 10 but different rules: their first minibatch gradients (all at
    theta_0) are equal only if they drew the same first batch; a third epoch too."""
    group = ComparisonGroup(BASE, [{"optimizer": "sgd"}, {"optimizer": "adam"},
                                   {"batch_size": 7}])
    group.advance(updates=1)
    g = [m.last_minibatch_gradient() for m in group.members]
    assert np.array_equal(g[0], g[1])
    assert not np.array_equal(g[0], g[2])
    # same shuffles later on: fresh trainers at the same parameters as each other
    twin = ComparisonGroup(BASE, [{"learning_rate": 0.05}, {"learning_rate": 0.05}])
    twin.advance(epochs=3)
    assert np.array_equal(twin.members[0].net.theta, twin.members[1].net.theta)


def test_epoch_clock_full_batch_makes_one_update_and_batch_one_makes_n_train():
    group = ComparisonGroup(BASE, [{"batch_size": 2000}, {"batch_size": 1},
                                   {"batch_size": 7}], clock="epochs")
    n = group.members[0].n_train
    theta0 = group.members[0].net.theta.copy()
    grad0 = group.members[0].full_gradient().copy()
    group.advance(epochs=1)
    full, sgd, mini = group.members
    assert full.step_count == 1
    assert sgd.step_count == n
    assert mini.step_count == -(-n // 7)
    for m in group.members:
        assert m.examples_seen == n
        assert group.member_clock(group.members.index(m))["epochs"] == 1.0
    # full batch: theta_1 = theta_0 - lr * gradient(theta_0)
    assert np.allclose(full.net.theta, theta0 - BASE.learning_rate * grad0, rtol=0, atol=1e-14)
    # and gradients() is that same gradient, laid out per layer
    fresh = Trainer(BASE)
    flat = np.concatenate([np.c_[l["W"], l["b"]].ravel() for l in fresh.gradients()])
    assert np.allclose(flat, grad0, atol=1e-15)


def test_updates_clock_gives_every_member_the_same_steps():
    group = ComparisonGroup(BASE, [{"batch_size": 2000}, {"batch_size": 1}], clock="updates")
    group.advance(updates=17)
    assert [m.step_count for m in group.members] == [17, 17]
    n = group.members[0].n_train
    assert [m.examples_seen for m in group.members] == [17 * n, 17]


def test_steps_to_reach_keeps_a_playing_group_in_step():
    group = ComparisonGroup(BASE, [{"batch_size": 2000}, {"batch_size": 1},
                                   {"batch_size": 25}], clock="epochs")
    assert group.targets_from_here() == [0.0, 0.0, 0.0]
    for target in (0.3, 1.0, 2.5):
        for _ in range(4):   # smaller last batches: a second round tops up
            for m, k in zip(group.members, group.steps_to_reach([target] * 3)):
                m.train(k)
        assert group.steps_to_reach([target] * 3) == [0, 0, 0]
        for i, m in enumerate(group.members):
            epochs = group.member_clock(i)["epochs"]
            assert target <= epochs < target + m.batch_size / m.n_train + 1e-12


def test_examples_seen_counts_partial_batches_and_survives_copy():
    t = Trainer(BASE.model_copy(update={"batch_size": 7}))
    n = t.n_train
    t.train(3)
    assert t.examples_seen == 21
    per_epoch = -(-n // 7)
    t.train(per_epoch)          # wraps into the next epoch
    assert t.examples_seen == n + 21
    t.set(batch_size=5)         # a batch-size change restarts the epoch
    t.train(2)
    assert t.examples_seen == n + 31
    assert t.copy().examples_seen == n + 31


def test_record_fills_every_column_and_marks_live_changes():
    group = ComparisonGroup(BASE, [{"learning_rate": 0.05}, {"learning_rate": 0.2}],
                            clock="updates")
    group.record()
    group.advance(updates=10)
    group.set_member(1, learning_rate=0.01)
    group.record()
    rows = group.curves[1].array()
    assert rows.shape == (2, len(HISTORY_COLUMNS))
    col = {c: i for i, c in enumerate(HISTORY_COLUMNS)}
    assert rows[1, col["updates"]] == 10 and rows[1, col["learning_rate"]] == 0.01
    assert rows[0, col["learning_rate"]] == 0.2
    assert np.isfinite(rows[:, col["gradient_norm"]]).all()
    marks = group.curves[1].marks
    assert marks == [{"updates": 10, "epochs": 10 * 10 / group.members[1].n_train,
                      "examples": 100, "field": "learning_rate", "value": 0.01}]
    assert group.curves[0].marks == []


def test_a_change_made_directly_on_a_member_is_marked_too():
    group = ComparisonGroup(BASE, [{}, {}], clock="updates")
    group.members[0].set(batch_size=3)
    group.record()
    assert [m["field"] for m in group.curves[0].marks] == ["batch_size"]


def test_bad_groups_are_refused_with_reasons():
    with pytest.raises(ValueError, match="2 to 6 members"):
        member_configs(BASE, [{}])
    with pytest.raises(ValueError, match="2 to 6 members"):
        member_configs(BASE, [{}] * 7)
    with pytest.raises(ValueError, match="variants\\[1\\] sets dataset, seed"):
        member_configs(BASE, [{}, {"dataset": "xor", "seed": 3}])
    with pytest.raises(ValueError, match="learning_rate"):
        member_configs(BASE, [{}, {"learning_rate": -1}])
    with pytest.raises(VariantError) as refused:   # the variant, and its setting, to blame
        member_configs(BASE, [{"learning_rate": 0.1}, {}, {"loss": "perceptron"}])
    assert refused.value.index == 2 and [e["loc"] for e in refused.value.problems] == [("loss",)]
    with pytest.raises(ValueError, match="clock"):
        ComparisonGroup(BASE, [{}, {}], clock="minutes")
    group = ComparisonGroup(BASE, [{}, {}])
    with pytest.raises(ValueError, match="hidden cannot change in a group"):
        group.set_member(0, hidden=[3])


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_a_valid_group(name):
    p = preset(name)
    group = ComparisonGroup(p["base"], p["variants"], p["clock"])
    assert len(p["labels"]) == len(group.members)
    assert len({c.model_dump_json() for c in group.configs}) == len(group.configs)


def test_shared_landscape_puts_every_path_on_one_plane_honestly():
    from engine.comparison_landscape import shared_landscape
    from engine.landscape_surface import parameter_losses
    group = ComparisonGroup(BASE, [{"learning_rate": 0.05}, {"optimizer": "adam"},
                                   {"batch_size": 1}], clock="updates")
    group.advance(updates=60)
    ls = shared_landscape(group.members, resolution=9)
    assert ls["loss"].shape == (9, 9)
    assert len(ls["paths"]) == 3
    # all start at the origin of the plane (the shared theta_0)
    for p in ls["paths"]:
        assert abs(p["alpha"][0]) < 1e-9 and abs(p["beta"][0]) < 1e-9 and p["distance"][0] < 1e-9
        assert p["steps"][-1] == 60
    # the grid is the loss on the plane: one node against a direct evaluation
    plane = ls["plane"]
    node = plane["origin"] + ls["alpha"][2] * plane["d1"] + ls["beta"][6] * plane["d2"]
    assert ls["loss"][6, 2] == pytest.approx(
        float(parameter_losses(group.members[0], node[None, :])[0]), rel=1e-9)
    steps, thetas = group.members[1].trajectory()
    theta0 = thetas[0]
    # a path point: its stated loss is the true loss there
    assert ls["paths"][1]["loss"][-1] == pytest.approx(group.members[1].training_loss(), rel=1e-9)
    assert 0 < sum(ls["explained_variance"]) <= 1 + 1e-12
    assert "explained variance" in ls["note"] and "centred on the common start" in ls["note"]
    assert np.isfinite(ls["loss"]).all()
    assert float(parameter_losses(group.members[0], theta0[None, :])[0]) == pytest.approx(
        ls["origin_loss"])


@pytest.mark.parametrize("mode, params", [("pca", None), ("params", ["W1[0,1]", "b2[0]"])])
def test_shared_landscape_of_members_with_different_inits_says_it_is_centred_on_their_average(
        mode, params):
    from engine.comparison_landscape import shared_landscape
    group = ComparisonGroup(BASE, [{"init": "xavier"}, {"init": "he"}, {"init": "uniform"}],
                            clock="updates")
    group.advance(updates=30)
    ls = shared_landscape(group.members, resolution=5, mode=mode, params=params)
    starts = np.array([m.trajectory()[1][0] for m in group.members])
    assert not np.array_equal(starts[0], starts[1])          # they do start apart
    np.testing.assert_allclose(ls["plane"]["origin"], starts.mean(axis=0), rtol=0, atol=1e-15)
    assert "common start" not in ls["note"]
    assert "the average of the members' starts" in ls["note"]
    # no path starts at the plane's centre: each is its own start's offset from the average
    assert all(p["distance"][0] > 0 or abs(p["alpha"][0]) + abs(p["beta"][0]) > 0
               for p in ls["paths"])
    if mode == "params":
        assert "its average starting value" in ls["note"] and "moved" not in ls["note"]


def test_shared_landscape_refuses_members_with_different_models():
    from engine.comparison_landscape import shared_landscape
    group = ComparisonGroup(BASE, [{"activation": "tanh"}, {"activation": "relu"}])
    group.advance(updates=5)
    with pytest.raises(ValueError, match="differ in activation"):
        shared_landscape(group.members)
    fresh = ComparisonGroup(BASE, [{}, {}])
    with pytest.raises(ValueError, match="train a few steps"):
        shared_landscape(fresh.members)


def test_shared_landscape_on_two_chosen_parameters_slices_through_the_common_start():
    from engine.comparison_landscape import shared_landscape
    from engine.landscape_surface import parameter_losses
    from engine.param_names import parse_parameter
    group = ComparisonGroup(BASE, [{"learning_rate": 0.05}, {"optimizer": "adam"}],
                            clock="updates")
    ls = shared_landscape(group.members, resolution=7, mode="params", params=["W1[0,1]", "b2[0]"])
    assert ls["paths"][0]["alpha"].tolist() == [0.0]   # before training: one point, at the start
    group.advance(updates=40)
    ls = shared_landscape(group.members, resolution=7, mode="params", params=["W1[0,1]", "b2[0]"])
    assert ls["mode"] == "params" and ls["labels"] == ["ΔW1[0,1]", "Δb2[0]"]
    assert ls["explained_variance"] is None and "W1[0,1] and b2[0]" in ls["note"]
    assert "through the common start" in ls["note"] and "its starting value" in ls["note"]
    i, j = (parse_parameter(group.members[0], n) for n in ("W1[0,1]", "b2[0]"))
    theta0 = group.members[0].trajectory()[1][0]
    for member, p in zip(group.members, ls["paths"]):
        _, thetas = member.trajectory()
        # coordinates: the two parameters' offsets from the start; distance: how far the others moved
        assert np.allclose(p["alpha"], thetas[:, i] - theta0[i], atol=1e-12)
        assert np.allclose(p["beta"], thetas[:, j] - theta0[j], atol=1e-12)
        others = np.delete(thetas - theta0, [i, j], axis=1)
        assert np.allclose(p["distance"], np.linalg.norm(others, axis=1), atol=1e-12)
        assert p["distance"][-1] > 0                # the paths leave this slice: said, not hidden
    # a grid node: every other parameter at its starting value, these two moved
    node = theta0.copy()
    node[i] += ls["alpha"][1]
    node[j] += ls["beta"][5]
    assert ls["loss"][5, 1] == pytest.approx(
        float(parameter_losses(group.members[0], node[None, :])[0]), rel=1e-9)
    with pytest.raises(ValueError, match="two different parameters"):
        shared_landscape(group.members, mode="params", params=["b2[0]", "b2[0]"])
    with pytest.raises(ValueError, match="W9"):
        shared_landscape(group.members, mode="params", params=["W9[0,0]", "b2[0]"])
    with pytest.raises(ValueError, match=r"needs params=\[name1, name2\]"):
        shared_landscape(group.members, mode="params")


def test_same_start_says_whether_the_members_started_from_the_same_weights():
    base = TrainConfig(hidden=[4])
    rates = ComparisonGroup(base, [{"learning_rate": 0.01}, {"learning_rate": 0.3}], "updates")
    inits = ComparisonGroup(base, [{"init": "xavier"}, {"init": "zeros"}], "updates")
    assert rates.same_start() is True and inits.same_start() is False
    for group in (rates, inits):      # it is about the start: training does not change it
        for m in group.members:
            m.train(20)
    assert rates.same_start() is True and inits.same_start() is False
