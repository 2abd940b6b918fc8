"""Memory of a run is bounded: evaluating whole sets (metrics, grids) goes in chunks, so even
the largest network holds small workspaces. Measured with tracemalloc (NumPy reports its
allocations to it), never by timing."""

from __future__ import annotations

import tracemalloc

import numpy as np

from engine import Trainer, TrainConfig
from engine.network import EVAL_CHUNK, MAX_WORKSPACES, Workspace, augment

ALL_FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
LIMIT_MIB = 15


def test_a_viewed_max_size_run_holds_at_most_15_mib_beyond_parameters_and_data():
    from engine.compiled_loop import warm_up
    warm_up()   # the kernels load once per process, not per run: run alone, the test counted them
    tracemalloc.start()
    try:
        t = Trainer(TrainConfig(dataset="spiral", n_samples=2000, hidden=[64] * 8,
                                features=ALL_FEATURES, batch_size=10))
        t.train(5)
        for _ in range(2):                 # what frames of every view ask for, both ways
            t.metrics()
            t.diagnostics()
            t.full_gradient()
            t.observe([1, 9])
            t.output_grid(100)
            t.neuron_grid(25)
            t.preactivations(1, 0)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    own = t.net.theta.nbytes + sum(v.nbytes for v in t.data().values())
    beyond = (current - own) / 2**20
    print(f"{beyond:.1f} MiB beyond parameters and data")
    assert beyond <= LIMIT_MIB, f"{beyond:.1f} MiB beyond parameters and data"


def full_forward(t: Trainer, x_aug: np.ndarray) -> np.ndarray:
    return t.net.forward(x_aug, Workspace(t.net.sizes, x_aug.shape[0])).copy()


def test_chunked_evaluation_equals_one_pass_over_the_whole_set():
    t = Trainer(TrainConfig(dataset="blobs", loss="cce", hidden=[5, 3], n_samples=1300, seed=3))
    t.train(30)
    d = t.data()
    x, y = augment(d["x_train"]), np.eye(3)[d["y_train"].astype(int)]   # cce: one-hot targets
    assert x.shape[0] > 2 * EVAL_CHUNK                       # several chunks and a remainder
    z = full_forward(t, x)
    assert np.isclose(t.training_loss(), t.net.loss.value(z, y) / x.shape[0], rtol=1e-12)
    grid = t._grid_inputs(100)
    np.testing.assert_allclose(t.output_grid(100), t.net.loss.output(full_forward(t, grid)),
                               rtol=1e-12, atol=1e-15)
    layers = t.neuron_grid(25)
    ws = Workspace(t.net.sizes, t._grid_inputs(25).shape[0])
    t.net.forward(t._grid_inputs(25), ws)
    for mine, theirs in zip(layers[:-1], ws.act_views):
        np.testing.assert_array_equal(mine, theirs)


def test_workspaces_for_many_batch_sizes_do_not_pile_up():
    t = Trainer(TrainConfig(hidden=[8]))
    for bs in range(1, 40):
        t.set(batch_size=bs)
        t.train(2)
    assert len(t.net._workspaces) <= MAX_WORKSPACES
