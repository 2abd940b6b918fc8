"""init_gain scales the initial weights, identically on both training paths."""

import numpy as np
import pytest
from pydantic import ValidationError

from engine import TrainConfig, Trainer
from engine.config import MAX_INIT_GAIN, RESET_FIELDS, config_schema


@pytest.mark.parametrize("init", ["xavier", "he", "uniform"])
def test_gain_multiplies_every_initial_weight_and_no_bias(init):
    one = Trainer(TrainConfig(init=init, hidden=[5, 3]))
    three = Trainer(TrainConfig(init=init, hidden=[5, 3], init_gain=3.0))
    for a, b in zip(one.params(), three.params()):
        np.testing.assert_allclose(b["W"], 3.0 * a["W"], rtol=1e-15)
        assert not b["b"].any()


def test_gain_changes_training_the_same_way_on_both_paths(engine, monkeypatch):
    cfg = TrainConfig(init="xavier", init_gain=2.5, hidden=[6, 4], batch_size=7)
    ran = {}
    for path in ("numpy", "compiled"):
        monkeypatch.setenv("NNP_ENGINE", path)
        t = Trainer(cfg)
        t.train(300)
        ran[path] = np.concatenate([np.concatenate([p["W"].ravel(), p["b"]])
                                    for p in t.params()])
    np.testing.assert_allclose(ran["numpy"], ran["compiled"], rtol=1e-9, atol=1e-12)
    # and it is not the gain-1 run
    assert not np.allclose(ran["numpy"], np.concatenate(
        [np.concatenate([p["W"].ravel(), p["b"]])
         for p in (lambda t: (t.train(300), t.params())[1])(Trainer(cfg, init_gain=1.0))]))


def test_gain_is_a_bounded_reset_field_in_the_schema():
    assert "init_gain" in RESET_FIELDS
    field = next(f for f in config_schema() if f["name"] == "init_gain")
    assert field["type"] == "float" and field["default"] == 1.0
    assert field["minimum"] > 0 and field["maximum"] == MAX_INIT_GAIN
    assert field["applies_when"] == {"init": ["xavier", "he", "uniform"]}
    for bad in (0.0, -1.0, MAX_INIT_GAIN * 2):
        with pytest.raises(ValidationError):
            TrainConfig(init_gain=bad)
    with pytest.raises(Exception, match="init_gain"):
        Trainer(TrainConfig()).set(init_gain=2.0)        # ResetRequired names it
