"""The compiled training loop against the NumPy reference: same numbers, same semantics.

Each case trains one Trainer with NNP_ENGINE=numpy and one with NNP_ENGINE=compiled from the
same config and compares everything a caller can see: parameters (1e-9 relative after 1,000
updates), the last gradient and update, optimizer state, counters, epoch buffers, the shuffle
generator's state, trajectory, status and reason. (The folder's `engine` fixture runs the whole
engine suite on both paths as well.)
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import engine.compiled_loop as compiled_loop
from engine import Trainer, TrainConfig
from engine.compiled_loop import ENGINE_ENV
from engine.compiled_shuffle import pack_state, permutation_into, unpack_state

RTOL = 1e-9


@pytest.fixture(autouse=True)
def engine():
    """These tests choose the path per trainer; they run once (not on both paths)."""
    return None


def train_on(path: str, monkeypatch, cfg: TrainConfig, *calls) -> Trainer:
    """A Trainer on `path`, driven by calls: an int n trains n updates, a dict is a live set()."""
    monkeypatch.setenv(ENGINE_ENV, path)
    t = Trainer(cfg)
    assert t.engine == path
    for call in calls:
        if isinstance(call, dict):
            t.set(**call)
        else:
            t.train(call)
    return t


def assert_same_run(a: Trainer, b: Trainer, rtol: float = RTOL) -> None:
    """Everything observable about two trainers agrees (floats to rtol of their scale)."""
    def close(x, y, what):
        x, y = np.asarray(x, float), np.asarray(y, float)
        scale = max(np.abs(x).max(initial=0.0), 1e-300)
        assert x.shape == y.shape, what
        assert np.abs(x - y).max(initial=0.0) <= rtol * scale, (what, np.abs(x - y).max() / scale)

    assert (a.step_count, a.epoch, a.status) == (b.step_count, b.epoch, b.status)
    assert a.examples_seen == b.examples_seen
    assert a.reason == b.reason
    close(a.net.theta, b.net.theta, "theta")
    close(a.last_minibatch_gradient(), b.last_minibatch_gradient(), "gradient")
    close(a.last_update(), b.last_update(), "update")
    sa, sb = a.capture_state(), b.capture_state()
    assert sa.optimizer_state.keys() == sb.optimizer_state.keys()
    for key, value in sa.optimizer_state.items():
        close(value, sb.optimizer_state[key], key)
    assert (sa.position, sa.position_batch) == (sb.position, sb.position_batch)
    assert sa.shuffle_state == sb.shuffle_state
    np.testing.assert_array_equal(sa.x_epoch, sb.x_epoch)
    np.testing.assert_array_equal(sa.y_epoch, sb.y_epoch)
    steps_a, thetas_a = a.trajectory()
    steps_b, thetas_b = b.trajectory()
    np.testing.assert_array_equal(steps_a, steps_b)
    close(thetas_a, thetas_b, "trajectory")


# Stable configurations covering every activation, loss (with each kind of dataset), optimizer,
# schedule, clipping, penalty and batch sizes from 1 to full batch.
CASES = {
    "tanh-bce-sgd-b10": dict(),
    "tanh-bce-sgd-b1": dict(batch_size=1),
    "tanh-bce-sgd-full": dict(batch_size=500),
    "sigmoid-bce-momentum-b7": dict(activation="sigmoid", optimizer="momentum", batch_size=7),
    "relu-bce-nesterov-b25": dict(activation="relu", optimizer="nesterov", batch_size=25,
                                  hidden=[8, 8], learning_rate=0.01),
    "leaky-cce-adagrad-b16": dict(activation="leaky_relu", loss="cce", dataset="spiral3",
                                  optimizer="adagrad", batch_size=16, hidden=[6]),
    "linear-mse-rmsprop-b32": dict(activation="linear", loss="mse", dataset="plane",
                                   optimizer="rmsprop", learning_rate=0.003, batch_size=32),
    "step-bce-sgd-b5": dict(activation="step", batch_size=5),
    "tanh-cce-adam-b10": dict(loss="cce", dataset="xor", optimizer="adam", learning_rate=0.01),
    "sigmoid-mse-sgd-blobs": dict(activation="sigmoid", loss="mse", dataset="blobs",
                                  n_classes=4, hidden=[5, 4], learning_rate=0.1),
    "relu-mse-house-b1": dict(activation="relu", loss="mse", dataset="house", hidden=[3],
                              standardize=True, learning_rate=1e-6, batch_size=1),
    "tanh-bce-threshold-nohidden": dict(dataset="threshold", hidden=[], batch_size=3),
    "schedule-step": dict(schedule="step", decay_steps=150, decay_rate=0.7),
    "schedule-exponential": dict(schedule="exponential", decay_steps=200, optimizer="momentum"),
    "schedule-cosine": dict(schedule="cosine", decay_steps=600, optimizer="adam",
                            learning_rate=0.01),
    "schedule-warmup": dict(schedule="warmup", warmup_steps=300, optimizer="nesterov"),
    "clip-norm": dict(clipping="norm", clip_threshold=0.05, learning_rate=0.3),
    "clip-value": dict(clipping="value", clip_threshold=0.02, optimizer="rmsprop",
                       learning_rate=0.003),
    "l1": dict(regularization="l1", regularization_rate=0.003, activation="relu"),
    "l2": dict(regularization="l2", regularization_rate=0.01, optimizer="adam",
               learning_rate=0.005, loss="cce", dataset="blobs"),
    "features-standardized": dict(features=["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1",
                                            "sin_x2"], standardize=True, hidden=[6, 3],
                                  n_samples=300, batch_size=9),
    "deep-uniform-init": dict(hidden=[5, 5, 5, 5], init="uniform", batch_size=13),
    "zeros-init": dict(init="zeros", hidden=[3], loss="mse", dataset="gauss"),
    "perceptron-b1": dict(loss="perceptron", hidden=[], batch_size=1, dataset="gauss",
                          learning_rate=0.1),
    "perceptron-b20-l2": dict(loss="perceptron", hidden=[], batch_size=20, dataset="xor",
                              features=["x1", "x2", "x1x2"], regularization="l2"),
}


@pytest.mark.parametrize("case", CASES)
def test_thousand_updates_agree_with_the_numpy_engine(case, monkeypatch):
    cfg = TrainConfig(**CASES[case])
    a = train_on("numpy", monkeypatch, cfg, 400, 600)
    b = train_on("compiled", monkeypatch, cfg, 400, 600)
    assert a.step_count == 1000
    assert_same_run(a, b)


def test_live_changes_between_steps_agree(monkeypatch):
    calls = [37, {"learning_rate": 0.1}, 50, {"batch_size": 1}, 120, {"optimizer": "momentum"},
             60, {"optimizer": "nesterov", "momentum": 0.5}, 45, {"batch_size": 250}, 7,
             {"optimizer": "adam", "learning_rate": 0.01}, 80, {"optimizer": "rmsprop"}, 33,
             {"optimizer": "adam"}, 20, {"schedule": "cosine", "decay_steps": 300}, 90,
             {"clipping": "norm", "clip_threshold": 0.1, "regularization": "l2"}, 64,
             {"batch_size": 17, "optimizer": "adagrad", "schedule": "warmup"}, 101]
    cfg = TrainConfig(hidden=[6, 4])
    a = train_on("numpy", monkeypatch, cfg, *calls)
    b = train_on("compiled", monkeypatch, cfg, *calls)
    assert_same_run(a, b)


def test_switching_paths_between_calls_continues_the_same_run(monkeypatch):
    cfg = TrainConfig(optimizer="adam", learning_rate=0.01, batch_size=7)
    reference = train_on("numpy", monkeypatch, cfg, *([13] * 20))
    t = Trainer(cfg)
    for i in range(20):
        monkeypatch.setenv(ENGINE_ENV, "compiled" if i % 2 else "numpy")
        assert t.engine == ("compiled" if i % 2 else "numpy")
        t.train(13)
    assert_same_run(reference, t)


@pytest.mark.parametrize("lr, loss, dataset, activation", [
    (60.0, "mse", "plane", "relu"), (100.0, "mse", "house", "relu"),
    (90.0, "cce", "spiral3", "linear"), (50.0, "mse", "gauss", "tanh")])
def test_divergence_stops_at_the_same_step_with_the_same_reason(lr, loss, dataset, activation,
                                                                monkeypatch):
    cfg = TrainConfig(learning_rate=lr, loss=loss, dataset=dataset, activation=activation,
                      hidden=[8, 8], batch_size=4)
    a = train_on("numpy", monkeypatch, cfg, 500)
    b = train_on("compiled", monkeypatch, cfg, 500)
    assert a.status == b.status == "diverged"
    assert a.step_count == b.step_count < 500   # the first step that is not finite
    assert a.reason == b.reason
    a.step(10), b.step(10)  # a diverged run stays where it stopped
    assert a.step_count == b.step_count


@pytest.mark.parametrize("cfg", [
    TrainConfig(hidden=[64] * 8, init="uniform", activation="relu", learning_rate=0.1),
    TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=10),
    TrainConfig(learning_rate=90.0, loss="cce", dataset="spiral3", activation="linear",
                hidden=[8, 8], batch_size=4)], ids=["parameters", "loss-inf", "loss-nan"])
def test_both_paths_name_the_same_diverged_step_however_the_steps_are_asked_for(cfg,
                                                                               monkeypatch):
    seen = set()
    for path in ("numpy", "compiled"):
        for calls in ([100], [1] * 100, [7, 93]):
            t = train_on(path, monkeypatch, cfg, *calls)
            last = t.history[-1]
            assert t.status == "diverged" and (last["step"], last["status"]) == (
                t.step_count, "diverged"), (path, calls)
            seen.add((t.step_count, t.reason))
    (step, reason), = seen
    assert f" at step {step}; " in reason


def test_history_and_trajectory_of_a_long_run_agree(monkeypatch):
    cfg = TrainConfig(batch_size=5)
    runs = []
    for path in ("numpy", "compiled"):
        monkeypatch.setenv(ENGINE_ENV, path)
        t = Trainer(cfg)
        for _ in range(30):
            t.step(97)   # 2,910 steps: the trajectory has thinned several times
        runs.append(t)
    a, b = runs
    assert_same_run(a, b)
    assert a.capture_state().trajectory_stride > 1
    assert [h["step"] for h in a.history] == [h["step"] for h in b.history]
    np.testing.assert_allclose([h["train_loss"] for h in a.history],
                               [h["train_loss"] for h in b.history], rtol=RTOL)


def test_hand_edits_keep_their_jump_marks_through_compiled_training(monkeypatch):
    cfg = TrainConfig(hidden=[3], batch_size=4, optimizer="momentum")
    runs = []
    for path in ("numpy", "compiled"):
        t = train_on(path, monkeypatch, cfg, 40)
        t.set_params({"W1[0,1]": 0.5, "b1[0]": -1.0})
        t.train(700)                      # the trajectory thins twice past the edit
        t.set_params({"W2[0,2]": -0.25})
        t.train(300)
        runs.append(t)
    a, b = runs
    assert_same_run(a, b)
    assert a.trajectory_jumps().sum() == 2
    np.testing.assert_array_equal(a.trajectory_jumps(), b.trajectory_jumps())


def test_capture_and_restore_mid_epoch_continue_identically(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    t = Trainer(TrainConfig(optimizer="momentum", batch_size=9))
    t.train(123)
    restored = Trainer.from_state(t.capture_state())
    t.train(321)
    restored.train(321)
    np.testing.assert_array_equal(t.net.theta, restored.net.theta)
    assert_same_run(t, restored, rtol=0.0)


def test_compiled_minibatch_gradient_at_full_batch_is_the_full_gradient(monkeypatch):
    """The training kernel's gradient (not only full_gradient's) against the NumPy reference."""
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    t = Trainer(TrainConfig(batch_size=10_000 // 5, n_samples=200, regularization="l2",
                            regularization_rate=0.01, hidden=[5, 3]))
    t.train(50)
    monkeypatch.setenv(ENGINE_ENV, "numpy")
    expected = t.full_gradient()
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    t.train(1)
    np.testing.assert_allclose(t.last_minibatch_gradient(), expected, rtol=1e-12, atol=1e-15)


def test_full_gradient_agrees_between_paths_at_other_parameters(monkeypatch):
    t = Trainer(TrainConfig(activation="sigmoid", loss="cce", dataset="spiral3", hidden=[4, 4]))
    theta = np.random.default_rng(3).normal(0, 1, t.net.n_params)
    monkeypatch.setenv(ENGINE_ENV, "numpy")
    expected = t.full_gradient(theta).copy()
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    np.testing.assert_allclose(t.full_gradient(theta), expected, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 - 1])
@pytest.mark.parametrize("n", [1, 2, 3, 250, 500, 1800])
def test_compiled_shuffle_is_numpys_permutation_stream(seed, n):
    ours, theirs = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 1])
    ours.random(3), theirs.random(3)
    ours.integers(0, 10), theirs.integers(0, 10)   # leaves a buffered 32-bit half
    words = pack_state(ours.bit_generator)
    order = np.empty(n, dtype=np.int64)
    for _ in range(3):
        permutation_into(words, order)
        np.testing.assert_array_equal(order, theirs.permutation(n))
    unpack_state(words, ours.bit_generator)
    assert ours.bit_generator.state == theirs.bit_generator.state
    assert ours.random() == theirs.random()


def test_numpy_is_forced_by_the_environment(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "numpy")

    def fail(*args):
        raise AssertionError("the compiled kernel ran")

    assert compiled_loop._load_kernels()
    monkeypatch.setattr(compiled_loop.kernels, "train_steps", fail)
    t = Trainer(TrainConfig())
    assert t.engine == "numpy"
    t.train(30)
    t.gradients()
    assert t.step_count == 30


def test_an_unknown_engine_name_is_refused(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "fortran")
    t = Trainer(TrainConfig())
    with pytest.raises(ValueError, match="NNP_ENGINE='fortran'"):
        t.train(1)


def test_without_numba_the_numpy_path_runs_with_one_warning(monkeypatch, caplog):
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    monkeypatch.setattr(compiled_loop, "_import_error", ImportError("No module named 'numba'"))
    monkeypatch.setattr(compiled_loop, "_warned", False)
    with caplog.at_level("WARNING", logger="engine"):
        trainers = [Trainer(TrainConfig()) for _ in range(3)]
        for t in trainers:
            t.train(20)
    assert all(t.engine == "numpy" and t.step_count == 20 for t in trainers)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "numba is not available" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()


def test_a_setting_the_compiled_loop_does_not_cover_trains_on_numpy(monkeypatch):
    covered = dict(compiled_loop.COVERED)
    covered["optimizer"] = covered["optimizer"] - {"adam"}
    monkeypatch.setattr(compiled_loop, "COVERED", covered)
    cfg = TrainConfig(optimizer="momentum")
    calls = [100, {"optimizer": "adam"}, 100, {"optimizer": "momentum"}, 100]
    reference = train_on("numpy", monkeypatch, cfg, *calls)
    monkeypatch.setenv(ENGINE_ENV, "compiled")
    t = Trainer(cfg)
    seen = []
    for call in calls:
        if isinstance(call, dict):
            t.set(**call)
        else:
            seen.append(t.engine)
            t.train(call)
    assert seen == ["compiled", "numpy", "compiled"]
    assert compiled_loop.uncovered_settings(TrainConfig(optimizer="adam")) == ["optimizer"]
    assert_same_run(reference, t)


def test_auto_trains_on_numpy_until_the_background_compile_is_done(monkeypatch):
    release = threading.Event()
    ready = threading.Event()

    def slow_compile():
        release.wait(10)
        ready.set()

    monkeypatch.setattr(compiled_loop, "_ready", ready)
    monkeypatch.setattr(compiled_loop, "_warm_thread", None)
    monkeypatch.setattr(compiled_loop, "_compile", slow_compile)
    monkeypatch.setenv(ENGINE_ENV, "auto")
    t = Trainer(TrainConfig())
    assert t.engine == "numpy"     # starts the warm-up thread, does not wait for it
    t.train(25)
    assert t.engine == "numpy" and t.step_count == 25
    release.set()
    compiled_loop._warm_thread.join(10)
    assert t.engine == "compiled"
    t.train(25)
    assert t.step_count == 50


def test_every_kernel_keeps_one_signature(monkeypatch):
    """Nothing recompiles mid-run: every buffer the Trainer passes has the warm-up's types."""
    for case in ("tanh-bce-sgd-b1", "leaky-cce-adagrad-b16", "l2", "relu-mse-house-b1"):
        t = train_on("compiled", monkeypatch, TrainConfig(**CASES[case]), 30)
        t.full_gradient(np.ones(t.net.n_params))
        t.landscape(mode="random", resolution=5)
    assert len(compiled_loop.kernels.train_steps.signatures) == 1
