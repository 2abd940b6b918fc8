"""Clipping's effect: the share of steps clipped and the gradient norm before and after,
counted by both training paths alike."""

import numpy as np
import pytest

from engine import TrainConfig, Trainer
from engine.penalties import gradient_norm


@pytest.mark.parametrize("mode, threshold", [("norm", 0.5), ("value", 0.2)])
def test_both_paths_count_the_same_clipped_steps(mode, threshold, monkeypatch):
    cfg = TrainConfig(clipping=mode, clip_threshold=threshold, batch_size=5, hidden=[6, 3])
    got = {}
    for path in ("numpy", "compiled"):
        monkeypatch.setenv("NNP_ENGINE", path)
        t = Trainer(cfg)
        t.train(400)
        got[path] = t.diagnostics()["clipping"]
    a, b = got["numpy"], got["compiled"]
    assert a["steps"] == b["steps"] == 400
    assert a["clipped"] == b["clipped"] and 0 < a["clipped"] < 400
    assert a["share"] == pytest.approx(a["clipped"] / 400)
    assert a["pre_clip_norm"] == pytest.approx(b["pre_clip_norm"], rel=1e-9)
    assert a["post_clip_norm"] == pytest.approx(b["post_clip_norm"], rel=1e-9)


def test_norm_clipping_reports_the_norm_before_and_after():
    t = Trainer(TrainConfig(clipping="norm", clip_threshold=1e-3))
    t.train(20)
    c = t.diagnostics()["clipping"]
    assert c["clipped"] == c["steps"] == 20 and c["share"] == 1.0
    assert c["post_clip_norm"] == pytest.approx(1e-3)
    assert c["pre_clip_norm"] > 1e-3
    assert c["post_clip_norm"] == pytest.approx(gradient_norm(t.last_minibatch_gradient()))


def test_counts_are_of_the_current_setting_and_survive_a_copy():
    t = Trainer(TrainConfig())
    t.train(30)
    assert t.diagnostics()["clipping"]["steps"] == 0          # clipping off: nothing counted
    assert t.diagnostics()["clipping"]["share"] is None
    t.set(clipping="norm", clip_threshold=1e-3)
    t.train(10)
    assert t.diagnostics()["clipping"]["steps"] == 10
    assert t.copy().diagnostics()["clipping"] == t.diagnostics()["clipping"]
    t.set(clip_threshold=1e6)
    t.train(5)
    c = t.diagnostics()["clipping"]
    assert (c["steps"], c["clipped"]) == (5, 0)
