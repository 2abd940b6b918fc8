"""The network's graph on one training example against the engine's vectorized backprop, and
the one-neuron graph; Trainer.example_gradient against the full-batch gradient."""

from __future__ import annotations

import numpy as np
import pytest

from engine import TrainConfig, Trainer
from engine.graph_lab import network_graph, single_neuron_graph
from engine.landscape import parameter_names
from engine.network_graph import GraphTooLarge, graph_size

CONFIGS = {
    "tanh_bce_2_3_1": dict(hidden=[3]),
    "relu_cce_spiral3": dict(dataset="spiral3", loss="cce", hidden=[3, 2], activation="relu"),
    "leaky_mse_plane": dict(dataset="plane", loss="mse", hidden=[4], activation="leaky_relu"),
    "sigmoid_mse_blobs_onehot": dict(dataset="blobs", loss="mse", hidden=[3], activation="sigmoid"),
    "linear_bce_features": dict(hidden=[2], activation="linear",
                                features=["x1", "x2", "x1_sq", "x1x2"]),
    "step_bce": dict(hidden=[2], activation="step"),
    "no_hidden_house": dict(dataset="house", loss="mse", hidden=[], standardize=True),
}


def trained(cfg: dict, seed: int = 3) -> Trainer:
    t = Trainer(TrainConfig(**cfg, seed=seed, n_samples=60))
    t.step(25)
    return t


def leaf_grads(graph: dict) -> dict:
    return {n["label"]: n["grad"] for n in graph["nodes"] if not n["inputs"]}


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("example", [0, 7, 29])
def test_network_graph_leaf_grads_equal_the_engine_per_example_gradient(name, example):
    t = trained(CONFIGS[name])
    g = network_graph(t, example, max_nodes=10_000)
    loss, grad = t.example_gradient(example)
    grads = leaf_grads(g)
    names = parameter_names(t)
    assert set(names) <= set(grads)
    np.testing.assert_allclose([grads[n] for n in names], grad, rtol=1e-9, atol=1e-12)
    assert g["nodes"][g["output"]]["data"] == pytest.approx(loss, rel=1e-12, abs=1e-14)
    assert g["check"]["matches"] and g["check"]["compared"] == len(names)
    x = t.data()["x_train"][example]
    labels = {n["label"]: n["data"] for n in g["nodes"]}
    assert [labels[f"x{j + 1}"] for j in range(len(x))] == list(x)
    assert graph_size(t) >= len(g["nodes"]) >= graph_size(t) - 12


def test_target_leaves_are_y_or_one_hot():
    binary = network_graph(trained(CONFIGS["tanh_bce_2_3_1"]), 0)
    assert "y" in leaf_grads(binary)
    multi = network_graph(trained(CONFIGS["relu_cce_spiral3"]), 0)
    assert {"y[0]", "y[1]", "y[2]"} <= set(leaf_grads(multi))


def test_example_gradients_average_to_the_full_batch_gradient():
    t = trained(dict(hidden=[4, 3], regularization="none"))
    total = sum(t.example_gradient(i)[1] for i in range(t.n_train)) / t.n_train
    np.testing.assert_allclose(total, t.full_gradient(), rtol=1e-10, atol=1e-13)


def test_example_gradient_matches_central_differences_of_the_example_loss():
    t = trained(dict(hidden=[3]))
    i = 4
    _, grad = t.example_gradient(i)
    theta = t.net.theta
    eps = 1e-6
    for k in range(theta.size):
        old = theta[k]
        theta[k] = old + eps
        up = t.example_gradient(i)[0]
        theta[k] = old - eps
        down = t.example_gradient(i)[0]
        theta[k] = old
        assert grad[k] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8)


def test_too_large_network_says_its_size():
    t = Trainer(TrainConfig(hidden=[8, 8, 8]))
    with pytest.raises(GraphTooLarge) as info:
        network_graph(t, 0, max_nodes=320)
    assert info.value.nodes == graph_size(t) > 320


@pytest.mark.parametrize("layer, neuron", [(1, 0), (2, 5), (3, 7), (4, 0)])
def test_one_neuron_graph_gives_that_neurons_gradients(layer, neuron):
    t = trained(dict(hidden=[8, 8, 8], activation="tanh"))
    g = single_neuron_graph(t, 11, layer, neuron)
    _, grad = t.example_gradient(11)
    grads = leaf_grads(g)
    names = [n for n in parameter_names(t) if n.startswith((f"W{layer}[{neuron},",
                                                            f"b{layer}[{neuron}]"))]
    index = {n: k for k, n in enumerate(parameter_names(t))}
    assert len(names) == t.layer_sizes[layer - 1] + 1
    for n in names:
        assert grads[n] == pytest.approx(grad[index[n]], rel=1e-9, abs=1e-13), n
    assert g["check"]["matches"] and g["check"]["compared"] == len(names)
    assert "upstream" in g["note"]


def test_neuron_out_of_range_is_an_index_error():
    t = trained(dict(hidden=[3]))
    with pytest.raises(IndexError, match="neurons 0..2"):
        single_neuron_graph(t, 0, 1, 3)
    with pytest.raises(IndexError, match="out of range"):
        network_graph(t, 10_000)


def test_what_if_graph_uses_the_changed_weights_and_leaves_the_trainer_alone():
    t = trained(CONFIGS["tanh_bce_2_3_1"])
    theta, step, jumps = t.net.theta.copy(), t.step_count, t.trajectory_jumps().copy()
    plain = network_graph(t, 7)
    g = network_graph(t, 7, what_if={"W1[0,1]": 0.5, "b2[0]": -1.0})
    assert np.array_equal(t.net.theta, theta) and t.step_count == step
    assert np.array_equal(t.trajectory_jumps(), jumps)
    data = {n["label"]: n["data"] for n in g["nodes"] if not n["inputs"]}
    assert data["W1[0,1]"] == 0.5 and data["b2[0]"] == -1.0
    assert g["what_if"] == {"W1[0,1]": 0.5, "b2[0]": -1.0} and plain["what_if"] is None
    assert "what-if" in g["note"] and "unchanged" in g["note"]
    # the grads are the engine's at the changed weights, not at the run's
    other = t.copy()
    other.set_params({"W1[0,1]": 0.5, "b2[0]": -1.0})
    loss, grad = other.example_gradient(7)
    grads = leaf_grads(g)
    for name, value in zip(parameter_names(t), grad):
        assert grads[name] == pytest.approx(value, abs=1e-12)
    assert g["nodes"][g["output"]]["data"] == pytest.approx(loss, abs=1e-12)
    assert g["nodes"][g["output"]]["data"] != pytest.approx(plain["nodes"][plain["output"]]["data"])
    assert g["check"]["matches"]


def test_what_if_on_one_neuron_and_bad_entries_named():
    from engine.param_names import ParameterEditError
    t = trained(CONFIGS["relu_cce_spiral3"])
    theta = t.net.theta.copy()
    g = single_neuron_graph(t, 3, 1, 0, what_if={"W1[0,0]": 2.0})
    assert g["check"]["matches"] and g["what_if"] == {"W1[0,0]": 2.0}
    assert np.array_equal(t.net.theta, theta)
    with pytest.raises(ParameterEditError, match="W9"):
        network_graph(t, 3, max_nodes=10_000, what_if={"W9[0,0]": 1.0})
    assert np.array_equal(t.net.theta, theta)
