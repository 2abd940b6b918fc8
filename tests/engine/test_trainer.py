"""Trainer behaviour: batching, live changes, resets, divergence, observability."""

import math

import numpy as np
import pytest

from engine import ResetRequired, Trainer, TrainConfig


def flat(params):
    return np.concatenate([np.concatenate([p["W"].ravel(), p["b"]]) for p in params])


def test_public_api_example_runs_and_reports_metrics():
    t = Trainer(TrainConfig(dataset="circle", hidden=[8, 8], activation="tanh", loss="bce",
                            optimizer="sgd", learning_rate=0.03, batch_size=10, seed=1))
    m = t.step(100)
    assert {"step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
            "status"} <= set(m)
    assert m["step"] == 100 and m["status"] == "ok"
    shapes = [(p["W"].shape, p["b"].shape) for p in t.params()]
    assert shapes == [((8, 2), (8,)), ((8, 8), (8,)), ((1, 8), (1,))]
    assert [g["W"].shape for g in t.gradients()] == [s[0] for s in shapes]
    d = t.data()
    assert d["x_train"].shape == (250, 2) and d["x_test"].shape == (250, 2)


def test_steps_and_epochs_are_counted_with_a_partial_last_batch():
    t = Trainer(TrainConfig(n_samples=100, train_fraction=0.5, batch_size=20))  # 50 train
    t.step(3)  # batches of 20, 20, 10 complete the first epoch
    assert (t.step_count, t.epoch) == (3, 1)
    t.step(1)
    assert (t.step_count, t.epoch) == (4, 1)
    m = t.step_epochs(2)  # finishes epoch 2 (2 more steps), then epoch 3 (3 steps)
    assert (m["step"], m["epoch"]) == (9, 3)


def test_full_batch_takes_one_step_per_epoch_and_large_batches_are_capped():
    t = Trainer(TrainConfig(n_samples=100, batch_size=2000))
    assert t.batch_size == 50
    t.step(7)
    assert t.epoch == 7


def test_each_epoch_visits_every_training_example_once(monkeypatch):
    # instruments the NumPy path's forward; test_compiled_loop.py holds the compiled loop's
    # shuffles, batches and epoch buffers to this path's
    monkeypatch.setenv("NNP_ENGINE", "numpy")
    t = Trainer(TrainConfig(n_samples=60, batch_size=7))
    seen = []
    t._batches()  # make the batch views, then record each batch's rows as it is used
    original_forward = t.net.forward

    def recording_forward(x, ws, blocks=None):
        if ws.batch <= 7:
            seen.extend(map(tuple, x[:, :-1]))
        return original_forward(x, ws, blocks)

    t.net.forward = recording_forward
    t.step_epochs(1)
    assert sorted(seen) == sorted(map(tuple, t.data()["x_train"]))


def test_same_seed_gives_identical_runs_and_another_seed_differs():
    cfg = TrainConfig(hidden=[5], seed=7)
    a, b = Trainer(cfg), Trainer(cfg)
    a.step(123), b.step(123)
    assert np.array_equal(flat(a.params()), flat(b.params()))
    c = Trainer(cfg.model_copy(update={"seed": 8}))
    c.step(123)
    assert not np.allclose(flat(a.params()), flat(c.params()))


def test_changing_lr_mid_run_keeps_weights_and_counters():
    t = Trainer(TrainConfig(hidden=[4]))
    t.step(50)
    before = flat(t.params())
    result = t.set(learning_rate=0.3, batch_size=25)
    assert result == {"changed": ["learning_rate", "batch_size"], "reset": False}
    assert np.array_equal(before, flat(t.params()))
    assert t.step_count == 50
    t.step(1)
    assert t.step_count == 51 and t.batch_size == 25


def test_live_lr_change_scales_the_next_sgd_update():
    a = Trainer(TrainConfig(hidden=[4]))
    b = Trainer(TrainConfig(hidden=[4]))
    a.step(10), b.step(10)
    b.set(learning_rate=0.06)
    a.step(1), b.step(1)
    np.testing.assert_allclose(b.last_update(), 2 * a.last_update(), rtol=1e-12)


def test_switching_momentum_to_nesterov_keeps_the_velocity():
    t = Trainer(TrainConfig(hidden=[4], optimizer="momentum"))
    t.step(20)
    velocity = t._opt_state["velocity"].copy()
    t.set(optimizer="nesterov")
    assert np.array_equal(t._opt_state["velocity"], velocity)
    t.set(optimizer="adam")
    assert np.all(t._opt_state["adam_m"] == 0)


def test_architecture_change_needs_reset_and_says_so():
    t = Trainer(TrainConfig(hidden=[4]))
    t.step(10)
    with pytest.raises(ResetRequired, match="hidden.*reset=True"):
        t.set(hidden=[6], learning_rate=0.1)
    assert t.config.hidden == [4] and t.config.learning_rate == 0.03  # nothing applied
    assert t.step_count == 10
    out = t.set(hidden=[6], reset=True)
    assert out["reset"] and t.step_count == 0 and t.params()[0]["W"].shape == (6, 2)


def test_invalid_change_is_rejected_without_side_effects():
    t = Trainer(TrainConfig())
    with pytest.raises(ValueError, match="learning_rate"):
        t.set(learning_rate=-1)
    with pytest.raises(ValueError, match="batch_size"):
        t.set(batch_size=0)
    assert t.config.learning_rate == 0.03


def test_reset_restores_the_seeded_initial_state():
    t = Trainer(TrainConfig(hidden=[4]))
    start = flat(t.params())
    t.step(30)
    t.reset()
    assert t.step_count == 0 and t.epoch == 0
    assert np.array_equal(start, flat(t.params()))


def test_divergence_stops_training_with_a_reason_and_reset_recovers():
    t = Trainer(TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=10,
                            batch_size=10))
    m = t.step(500)
    assert m["status"] == "diverged"
    assert m["step"] < 500
    assert "learning rate 10" in m["reason"] and "at step" in m["reason"]
    assert t.step(10)["step"] == m["step"]  # no more training while diverged
    t.set(learning_rate=1e-6)
    m = t.reset()
    assert m["status"] == "ok" and math.isfinite(m["train_loss"])
    assert t.step(50)["status"] == "ok"


def test_metrics_report_regression_accuracy_as_none():
    m = Trainer(TrainConfig(dataset="plane", loss="mse")).step(5)
    assert m["train_accuracy"] is None and m["test_accuracy"] is None


def test_diagnostics_are_per_layer():
    t = Trainer(TrainConfig(hidden=[8, 8], activation="sigmoid"))
    t.step(20)
    d = t.diagnostics()
    assert len(d["grad_norms"]) == 3 and len(d["update_ratios"]) == 3
    assert len(d["saturation"]) == 2 and all(0 <= s <= 1 for s in d["saturation"])
    # the norms and ratios of the last step, computed here from the gradient and update
    blocks = t.net.views(t.last_minibatch_gradient())
    updates = t.net.views(t.last_update())
    np.testing.assert_allclose(d["grad_norms"], [np.linalg.norm(b) for b in blocks], rtol=1e-12)
    np.testing.assert_allclose(d["update_ratios"], [np.linalg.norm(u) / np.linalg.norm(w)
                                                    for u, w in zip(updates, t.net.blocks)],
                               rtol=1e-12)
    relu = Trainer(TrainConfig(hidden=[3], activation="relu")).diagnostics()
    assert relu["saturation"] == [None]


def test_saturation_reaches_one_when_weights_are_huge():
    t = Trainer(TrainConfig(hidden=[6], activation="tanh", init="uniform"))
    t.net.blocks[0][:, :-1] *= 1000
    assert t.diagnostics()["saturation"][0] > 0.95


def test_preactivations_are_the_neurons_z_over_the_training_set():
    t = Trainer(TrainConfig(hidden=[3, 2]))
    t.step(10)
    x = t.data()["x_train"]
    p = t.params()
    z1 = x @ p[0]["W"].T + p[0]["b"]
    np.testing.assert_allclose(t.preactivations(1, 2), z1[:, 2], rtol=1e-12)
    z2 = np.tanh(z1) @ p[1]["W"].T + p[1]["b"]
    np.testing.assert_allclose(t.preactivations(2, 1), z2[:, 1], rtol=1e-12)
    with pytest.raises(ValueError, match="neuron must be 0..1"):
        t.preactivations(2, 5)


def test_neuron_grid_output_matches_predict():
    t = Trainer(TrainConfig(hidden=[8, 8], features=["x1", "x2", "x1x2"], standardize=True))
    t.step(50)
    layers = t.neuron_grid(40)
    assert [a.shape for a in layers] == [(1600, 8), (1600, 8), (1600, 1)]
    xs, ys = t.grid_axes(40)
    point = np.array([[xs[7], ys[31]]])
    np.testing.assert_allclose(layers[-1][31 * 40 + 7], t.predict(point)[0], rtol=1e-12)
    np.testing.assert_array_equal(t.output_grid(40), layers[-1])


def test_one_dimensional_data_uses_a_curve_grid():
    t = Trainer(TrainConfig(dataset="threshold", hidden=[]))
    assert [a.shape for a in t.neuron_grid(50)] == [(50, 1)]


def test_gradients_leave_the_training_state_alone():
    a, b = Trainer(TrainConfig(hidden=[4])), Trainer(TrainConfig(hidden=[4]))
    a.step(7), b.step(7)
    a.gradients(), a.metrics(), a.diagnostics(), a.neuron_grid(20), a.preactivations(1, 0)
    a.step(13), b.step(13)
    assert np.array_equal(flat(a.params()), flat(b.params()))


def test_trajectory_is_bounded_and_ends_at_the_current_parameters():
    t = Trainer(TrainConfig(hidden=[2]))
    t.step(3000)
    steps, thetas = t.trajectory()
    assert len(steps) <= 513 and steps[0] == 0 and steps[-1] == 3000
    assert np.all(np.diff(steps) > 0)
    np.testing.assert_array_equal(thetas[-1], t.net.theta)


def test_history_records_every_step_across_calls():
    t = Trainer(TrainConfig())
    for _ in range(5):
        t.step(10)
    assert [h["step"] for h in t.history] == list(range(1, 51))


def test_a_copy_continues_exactly_like_the_original_and_independently():
    t = Trainer(TrainConfig(hidden=[5, 3], optimizer="adam", batch_size=7))
    t.step(123)
    clone = t.copy()
    assert clone.step_count == 123 and np.array_equal(flat(clone.params()), flat(t.params()))
    a, b = t.step(77), clone.step(77)
    assert a == b
    assert np.array_equal(flat(clone.params()), flat(t.params()))
    clone.step(5)
    assert t.step_count == 200 and clone.step_count == 205
    # the clone's full gradient is its own loss's: central differences at the clone's parameters
    g, theta = clone.full_gradient().copy(), clone.net.theta
    eps = 1e-6
    for i in np.random.default_rng(0).choice(theta.size, 8, replace=False):
        keep = theta[i]
        theta[i] = keep + eps
        up = clone.training_loss()
        theta[i] = keep - eps
        down = clone.training_loss()
        theta[i] = keep
        assert g[i] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9)
    assert not np.allclose(g, t.full_gradient())   # 5 more steps: another point


def test_a_copy_made_like_its_source_shares_the_data_and_continues_exactly_like_it():
    t = Trainer(TrainConfig(hidden=[6, 4], optimizer="momentum", batch_size=9, noise=0.2))
    t.step(40)
    t.output_grid(20)
    alike = Trainer.from_state(t.capture_state(), like=t)
    rebuilt = Trainer.from_state(t.capture_state())
    assert alike.training_inputs is t.training_inputs or \
        np.shares_memory(alike.training_inputs, t.training_inputs)
    assert not np.shares_memory(rebuilt.training_inputs, t.training_inputs)
    assert alike.metrics() == rebuilt.metrics() == t.metrics()
    np.testing.assert_array_equal(alike.output_grid(20), rebuilt.output_grid(20))
    assert alike.initial_loss() == rebuilt.initial_loss()
    a, b, c = alike.step(33), rebuilt.step(33), t.step(33)
    assert a == b == c
    np.testing.assert_array_equal(alike.net.theta, t.net.theta)
    assert t.step_count == 73     # training the copy did not move the source


def test_a_copy_like_its_source_after_a_live_penalty_change_has_the_step0_facts_of_its_config():
    t = Trainer(TrainConfig(hidden=[8]))
    t.step(20)
    t.metrics()                                  # the source's step-0 facts, without a penalty
    t.set(regularization="l2", regularization_rate=1.0)
    state = t.capture_state()
    alike, rebuilt = Trainer.from_state(state, like=t), Trainer.from_state(state)
    assert alike.initial_loss() == pytest.approx(rebuilt.initial_loss(), rel=1e-12)
    assert alike._start() == pytest.approx(rebuilt._start(), rel=1e-12)
    assert alike.metrics() == rebuilt.metrics()


def test_a_copy_like_a_source_whose_data_changed_rebuilds_its_own():
    t = Trainer(TrainConfig(hidden=[4], n_samples=200))
    state = t.capture_state()
    t.set(reset=True, n_samples=300)           # the source now holds other data
    copy = Trainer.from_state(state, like=t)
    assert copy.n_train == Trainer.from_state(state).n_train != t.n_train
    assert not np.shares_memory(copy.training_inputs, t.training_inputs)


def test_deepcopy_gives_a_working_independent_trainer():
    import copy
    t = Trainer(TrainConfig(hidden=[3]))
    t.step(10)
    c = copy.deepcopy(t)
    c.step(10)
    assert t.step_count == 10 and c.step_count == 20
    assert c.net.blocks[0].base is c.net.theta or np.shares_memory(c.net.blocks[0], c.net.theta)


def test_steps_for_epochs_matches_step_epochs():
    t = Trainer(TrainConfig(n_samples=100, batch_size=15))
    t.step(2)
    planned = t.steps_for_epochs(3)
    before = t.step_count
    t.step_epochs(3)
    assert t.step_count - before == planned and t.epoch == 3


def test_history_keeps_recording_after_thinning():
    from engine import trainer as trainer_module
    t = Trainer(TrainConfig())
    t._history_stride = 8  # as after thinning
    for _ in range(40):
        t.step(3)
    steps = [h["step"] for h in t.history]
    assert len(steps) >= 12 and all(b - a >= 8 for a, b in zip(steps, steps[1:]))
    assert trainer_module.HISTORY_CAPACITY > len(steps)


def test_trajectory_memory_is_bounded_for_the_largest_network():
    t = Trainer(TrainConfig(hidden=[64] * 8, n_samples=40))
    assert t._trajectory.nbytes <= 8 * 2**20 + 64 * 65 * 8 * 8


def test_train_updates_and_records_history_like_step():
    a, b = Trainer(TrainConfig(hidden=[4])), Trainer(TrainConfig(hidden=[4]))
    a.train(40)
    b.step(40)
    assert a.history == b.history and len(b.history) == 40
    assert np.array_equal(flat(a.params()), flat(b.params()))
    assert a.record_history() == b.metrics() and len(a.history) == 40


def test_train_detects_divergence_at_the_first_history_row_after_it():
    t = Trainer(TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=10))
    t.train(500)
    assert t.status == "diverged" and t.reason.startswith(f"loss became inf at step {t.step_count}")
    assert t.history[-1]["status"] == "diverged" and t.history[-1]["step"] == t.step_count
    assert [h["step"] for h in t.history] == list(range(1, t.step_count + 1))
