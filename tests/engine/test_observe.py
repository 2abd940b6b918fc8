"""Trainer.observe: one chunked pass gives a frame's numbers, equal to the separate calls
(metrics, diagnostics, full_gradient, preactivations) on both engines; chunks share one
workspace (the last, shorter chunk is a view of its rows)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.network import EVAL_CHUNK, Network, Workspace, augment

CASES = {
    "tanh, several chunks, a remainder": dict(hidden=[6, 5], activation="tanh",
                                               n_samples=1300, regularization="l2",
                                               regularization_rate=0.01),
    "relu: no saturation": dict(hidden=[4], activation="relu"),
    "softmax, three classes": dict(dataset="blobs", loss="cce", hidden=[5, 3], n_samples=700),
    "regression": dict(dataset="plane", loss="mse", hidden=[3], activation="sigmoid"),
    "no hidden layer": dict(hidden=[]),
}


def same(a: dict, b: dict, exact: bool) -> None:
    """Equal dicts; on the compiled engine the losses agree to rounding (its own passes)."""
    assert a.keys() == b.keys()
    for key in a:
        if exact or not isinstance(a[key], float):
            assert a[key] == b[key], key
        else:
            assert a[key] == pytest.approx(b[key], rel=1e-12), key


@pytest.mark.parametrize("case", CASES)
def test_observe_equals_the_separate_calls(case, engine):
    t = Trainer(TrainConfig(**CASES[case]))
    t.train(40)
    output = len(t.layer_sizes) - 1
    layers = {1, output}
    seen = t.observe(layers)
    same(seen.metrics, t.metrics(), exact=t.engine == "numpy")
    assert seen.diagnostics == t.diagnostics()
    np.testing.assert_allclose(seen.gradient, t.full_gradient(), rtol=1e-10, atol=1e-14)
    for layer in layers:
        for unit in range(t.layer_sizes[layer]):
            np.testing.assert_array_equal(seen.preactivations[layer][:, unit],
                                          t.preactivations(layer, unit))


def test_observe_without_the_gradient_still_measures_saturation():
    t = Trainer(TrainConfig(hidden=[8, 8], activation="tanh", init_gain=4.0))
    t.train(5)
    seen = t.observe(gradient=False)
    assert seen.gradient is None and seen.preactivations == {}
    assert seen.diagnostics == t.diagnostics()
    assert all(s > 0 for s in seen.diagnostics["saturation"])   # a gain of 4 saturates tanh


def test_observe_refuses_a_layer_the_network_does_not_have():
    t = Trainer(TrainConfig(hidden=[3]))
    with pytest.raises(ValueError, match="layer must be 1..2, got 3"):
        t.observe({3})


def test_the_chunked_full_gradient_equals_one_pass_over_the_whole_set():
    t = Trainer(TrainConfig(dataset="blobs", loss="cce", hidden=[5, 3], n_samples=1300, seed=3))
    t.train(20)
    x, y = t.training_inputs, t.training_targets
    assert x.shape[0] > 2 * EVAL_CHUNK and x.shape[0] % EVAL_CHUNK   # a remainder chunk
    ws = Workspace(t.net.sizes, x.shape[0])
    whole = np.zeros(t.net.n_params)
    t.net.forward(x, ws)
    t.net.backward(x, y, ws, t.net.views(whole))
    np.testing.assert_allclose(t.full_gradient(), whole / x.shape[0], rtol=1e-10, atol=1e-14)


def test_chunks_of_any_length_share_one_workspace():
    net = Network([2, 4, 1], "tanh", "bce")
    net.initialize("xavier", np.random.default_rng(0))
    x = augment(np.random.default_rng(1).normal(size=(EVAL_CHUNK * 2 + 7, 2)))
    seen = [ws for *_, ws in net.forward_chunks(x)]
    full, short = seen[0], seen[-1]
    assert full.batch == EVAL_CHUNK and short.batch == 7
    assert all(np.shares_memory(a, b) for a, b in zip(short.z, full.z))
    assert net.eval_workspace(7) is short                  # views are made once
    short._ensure_backward_buffers()                       # backward on the short chunk
    assert all(np.shares_memory(a, b) for a, b in zip(short.delta, full.delta))
    with pytest.raises(ValueError, match="rows must be 1..256"):
        full.rows(EVAL_CHUNK + 1)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu"])
def test_float32_display_grids_match_float64_to_far_below_a_quantization_step(activation):
    t = Trainer(TrainConfig(dataset="spiral", hidden=[16, 16], activation=activation,
                            features=["x1", "x2", "x1_sq", "x2_sq"]))
    t.train(60)
    fine, coarse = t.output_grid(30), t.output_grid(30, np.float32)
    assert coarse.dtype == np.float32 and fine.dtype == np.float64
    np.testing.assert_allclose(coarse, fine, atol=1e-5)          # a u8 step is 1/255
    for a32, a64 in zip(t.neuron_grid(20, np.float32), t.neuron_grid(20)):
        assert a32.dtype == np.float32
        np.testing.assert_allclose(a32, a64, atol=1e-4, rtol=1e-5)


def test_observe_of_an_unstable_run_gives_its_own_gradient_not_the_starts():
    """An unstable run's metrics work out its start facts (gradients at step 0 and at a
    reference init) in the middle of observe: found in review, they overwrote the result."""
    t = Trainer(TrainConfig(hidden=[8, 8], activation="relu", learning_rate=100.0, seed=2))
    t.train(20)
    t.set(regularization="l2", regularization_rate=1e-3)   # start facts for a new penalty
    copy = Trainer.from_state(t.capture_state(path=False), like=t)
    seen = copy.observe([1])
    assert seen.metrics["warning"] == "unstable"
    np.testing.assert_allclose(seen.gradient, t.full_gradient(), rtol=1e-10, atol=1e-12)
    assert copy.trajectory()[1].shape[0] == 1            # a path-less copy's path starts here
