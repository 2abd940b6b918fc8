"""Divergence advice names the likely cause (engine/divergence.py), and a finite blow-up raises
an "unstable" warning without stopping training. Runs on both training paths."""

import numpy as np
import pytest

from engine import TrainConfig, Trainer
from engine.divergence import Evidence, likely_cause, remedy


def evidence(**changes) -> Evidence:
    base = dict(learning_rate=0.03, init="xavier", init_gain=1.0, reference_init="xavier",
                init_gradient_ratio=1.0, first_update_ratio=0.01, clipping="none",
                input_rms=3.0, input_feature="x1", peak_gradient_norm=1e6,
                initial_gradient_norm=0.5)
    return Evidence(**{**base, **changes})


@pytest.mark.parametrize("changes, cause, words", [
    (dict(init="uniform", reference_init="he", init_gradient_ratio=17.0), "initialization",
     ["initialization scale", "init 'uniform'", "17x", "'he'", "init_gain"]),
    (dict(init_gain=4.0, init_gradient_ratio=300.0), "initialization",
     ["init_gain 4", "300x"]),
    (dict(input_rms=157.0, input_feature="x"), "input_scale",
     ["unit scale", "157", "standardize"]),
    (dict(first_update_ratio=0.7, learning_rate=3.0), "learning_rate",
     ["learning rate 3 is too large", "0.7 times"]),
    (dict(clipping="norm"), "learning_rate", ["learning rate 0.03"]),
    (dict(), "no_clipping", ["no gradient clipping", "clipping = norm", "1e+06", "2e+06x"]),
])
def test_likely_cause_is_named_from_the_evidence(changes, cause, words):
    got, advice = likely_cause(evidence(**changes))
    assert got == cause
    for w in words:
        assert w in advice, (w, advice)


def test_initialization_is_blamed_when_eight_layers_of_64_explode_with_uniform_init():
    t = Trainer(TrainConfig(hidden=[64] * 8, init="uniform", activation="relu",
                            learning_rate=0.1))
    m = t.step(50)
    assert m["status"] == "diverged" and m["step"] <= 16      # within a few steps
    assert m["cause"] == "initialization"
    assert "initialization scale" in m["reason"] and "learning rate" not in m["reason"]
    # the same network with he init at the same rate trains
    assert Trainer(TrainConfig(hidden=[64] * 8, init="he", activation="relu",
                               learning_rate=0.1)).step(50)["status"] == "ok"


def test_learning_rate_is_blamed_when_the_first_update_overshoots():
    t = Trainer(TrainConfig(dataset="plane", loss="mse", activation="tanh", learning_rate=3.0,
                            hidden=[4, 2]))
    m = t.step(3000)
    assert m["status"] == "diverged" and m["cause"] == "learning_rate"
    assert "learning rate 3 is too large" in m["reason"]


def test_input_scale_is_blamed_for_raw_house_sizes():
    t = Trainer(TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=10))
    m = t.step(500)
    assert m["status"] == "diverged" and m["cause"] == "input_scale"
    assert "standardize" in m["reason"] and "learning rate 10" in m["reason"]


def test_evidence_compares_the_initial_gradient_with_the_usual_init():
    uniform = Trainer(TrainConfig(hidden=[64] * 8, init="uniform", activation="relu"))
    he = Trainer(TrainConfig(hidden=[64] * 8, init="he", activation="relu"))
    assert uniform.evidence().init_gradient_ratio > 10
    assert he.evidence().init_gradient_ratio == pytest.approx(1.0)
    g0 = np.linalg.norm(uniform.full_gradient())
    assert uniform.evidence().initial_gradient_norm == pytest.approx(g0)


def test_a_finite_blow_up_warns_unstable_and_keeps_training():
    t = Trainer(TrainConfig(hidden=[8, 8], activation="relu", learning_rate=100.0))
    start = t.metrics()
    assert start["warning"] is None and start["warning_reason"] == ""
    m = t.step(500)
    assert m["status"] == "ok" and m["train_loss"] > 4 * start["train_loss"]
    assert m["warning"] == "unstable"
    assert "x its start" in m["warning_reason"] and "learning rate 100" in m["warning_reason"]
    assert t.step(10)["step"] == 510                      # training goes on


def test_a_healthy_run_has_no_warning():
    t = Trainer(TrainConfig())
    m = t.step(300)
    assert m["warning"] is None and m["cause"] is None


@pytest.mark.parametrize("config, cause", [
    (dict(hidden=[64] * 8, init="uniform", activation="relu", learning_rate=0.1), "initialization"),
    (dict(dataset="plane", loss="mse", activation="tanh", learning_rate=3.0, hidden=[4, 2]),
     "learning_rate"),
    (dict(dataset="house", loss="mse", hidden=[], learning_rate=10), "input_scale"),
    (dict(dataset="house", loss="mse", hidden=[], learning_rate=0.03), "input_scale"),
])
def test_the_remedy_for_each_cause_is_a_change_after_which_the_run_trains(config, cause):
    t = Trainer(TrainConfig(**config))
    m = t.step(3000)
    assert m["status"] == "diverged" and m["cause"] == cause
    fix = remedy(t.cause, t.config)
    assert fix["label"].endswith("and reset")
    changed = TrainConfig(**{**config, **fix["changes"]})
    assert {k: getattr(changed, k) for k in fix["changes"]} == fix["changes"]
    assert Trainer(changed).step(3000)["status"] == "ok"


def test_no_clipping_is_remedied_by_clipping_by_norm():
    fix = remedy("no_clipping", TrainConfig())
    assert fix["changes"] == {"clipping": "norm", "clip_threshold": 1.0}
    assert remedy(None, TrainConfig()) is None


# Two runs that blow up: a deep relu net with a large uniform init (the parameters turn nan at
# step 6; its rows are 64 steps apart, so only the check after every update sees the step), and
# raw house sizes at rate 10 (the loss overflows at step 27, a row step, before the parameters).
BLOW_UPS = {
    "parameters": (TrainConfig(hidden=[64] * 8, init="uniform", activation="relu",
                               learning_rate=0.1), "parameters became nan"),
    "loss": (TrainConfig(dataset="house", loss="mse", hidden=[], learning_rate=10),
             "loss became inf"),
}
PLANS = {"train(100)": [100], "100 x train(1)": [1] * 100, "train(7) + train(93)": [7, 93]}


@pytest.mark.parametrize("blow_up", sorted(BLOW_UPS))
def test_the_diverged_step_is_the_same_however_the_steps_are_asked_for(blow_up, engine):
    cfg, what = BLOW_UPS[blow_up]
    found = {}
    for name, plan in PLANS.items():
        t = Trainer(cfg)
        assert t.engine == engine
        for n in plan:
            t.train(n)
        assert t.status == "diverged", name
        found[name] = (t.step_count, t.reason)
        # the diverged step has its history row, saying so
        last = t.history[-1]
        assert (last["step"], last["status"], last["reason"]) == (t.step_count, "diverged",
                                                                  t.reason), name
    (step, reason), = set(found.values())
    assert reason.startswith(f"{what} at step {step}; likely cause")
    # the step named is the first where what the reason names is not finite
    before = Trainer(cfg)
    before.train(step - 1)
    assert before.status == "ok" and np.isfinite(before.net.theta).all()
    if blow_up == "loss":
        assert np.isfinite(before.metrics()["train_loss"])


def test_metrics_observe_a_non_finite_loss_and_leave_the_status_to_train():
    cfg, _ = BLOW_UPS["parameters"]
    t = Trainer(cfg)
    t.train(5)        # finite parameters whose loss is not finite; step 5 is not a row step
    m = t.metrics()
    assert np.isfinite(t.net.theta).all() and not np.isfinite(m["train_loss"])
    assert m["status"] == t.status == "ok" and t.reason == "" and t.cause is None
    rows = list(t.history)
    t.record_history()
    assert t.status == "ok" and t.history == rows
    t.train(1)                                # training decides: diverged at the next step
    assert t.status == "diverged" and " at step 6; " in t.reason
    assert t.history[-1]["step"] == 6 and t.history[-1]["status"] == "diverged"
