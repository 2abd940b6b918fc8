"""The `ring` dataset: added as one row of engine/datasets.py's table (plus its generator), with
no change to the server's or the page's code."""

import numpy as np

from engine import Trainer, TrainConfig, rules
from engine.datasets import generate


def test_ring_points_lie_on_the_ring_inside_disc_or_outer_band():
    x, y = generate("ring", 400, 0.0, 3)
    r = np.hypot(x[:, 0], x[:, 1])
    assert set(np.unique(y)) == {0.0, 1.0} and y.sum() == 200
    assert ((r[y == 1] >= 2.5) & (r[y == 1] <= 4.0)).all()
    inside, outside = r[y == 0] <= 1.5, r[y == 0] >= 5.0
    assert (inside | outside).all() and inside.sum() == 100
    assert np.abs(x).max() <= 6.0


def test_noise_flips_ring_labels_near_the_edges_only():
    x0, y0 = generate("ring", 2000, 0.0, 5)
    x1, y1 = generate("ring", 2000, 0.3, 5)
    np.testing.assert_array_equal(x0, x1)       # the points stay, labels flip
    flipped = y0 != y1
    assert 0 < flipped.mean() < 0.4
    r = np.hypot(*x0.T)
    to_edge = np.minimum(np.abs(r - 2.0), np.abs(r - 4.5))   # the label's edges
    assert np.median(to_edge[flipped]) < np.median(to_edge[~flipped])


def test_ring_is_described_by_the_rules_and_learnable_with_a_hidden_layer():
    info = rules()["datasets"]["ring"]
    assert (info["kind"], info["input_dim"], info["usual_loss"]) == ("binary", 2, "bce")
    assert info["domain"] == [[-6.0, 6.0], [-6.0, 6.0]]
    t = Trainer(TrainConfig(dataset="ring", hidden=[8, 8], learning_rate=0.1, batch_size=10))
    t.train(3000)
    assert t.metrics()["test_accuracy"] > 0.95
    # not linearly separable in the squares: x1^2 + x2^2 splits a disc, not a ring
    linear = Trainer(TrainConfig(dataset="ring", hidden=[], features=["x1_sq", "x2_sq"],
                                 learning_rate=0.1, batch_size=10))
    linear.train(3000)
    assert linear.metrics()["test_accuracy"] < 0.75
