"""Behaviour of the dataset generators, the train/test split and the feature map."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from engine.config import DATASET_KIND, FeatureName
from engine.datasets import INPUT_DOMAIN, THRESHOLD, generate, split_train_test
from engine.features import FEATURE_NAMES, map_features

ALL = sorted(DATASET_KIND)
CLASSIFICATION = [n for n in ALL if DATASET_KIND[n][0] != "regression"]
SQUARE_2D = [n for n in ALL if DATASET_KIND[n][1] == 2]


def n_classes_of(name: str, n_classes: int = 3) -> int:
    return {"binary": 2, "multiclass": n_classes}[DATASET_KIND[name][0]]


@pytest.mark.parametrize("name", ALL)
def test_same_seed_gives_identical_arrays(name):
    X1, y1 = generate(name, 300, 0.2, seed=7)
    X2, y2 = generate(name, 300, 0.2, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", ALL)
def test_different_seeds_give_different_data(name):
    X1, _ = generate(name, 300, 0.2, seed=1)
    X2, _ = generate(name, 300, 0.2, seed=2)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("name", ALL)
def test_every_dataset_has_the_kind_and_dimension_of_the_config_table(name):
    kind, dim = DATASET_KIND[name]
    X, y = generate(name, 101, 0.1, seed=3)
    assert X.shape == (101, dim) and y.shape == (101,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.flags.c_contiguous and np.isfinite(X).all() and np.isfinite(y).all()
    assert len(INPUT_DOMAIN[name]) == dim
    if kind == "regression":
        assert len(np.unique(y)) > 50  # a real-valued target, not labels
    else:
        assert set(np.unique(y)) == set(range(n_classes_of(name)))


def test_input_domain_covers_exactly_the_config_datasets():
    assert set(INPUT_DOMAIN) == set(DATASET_KIND)


@pytest.mark.parametrize("name, k", [("blobs", 3), ("blobs", 4), ("blobs", 5), ("spiral3", 3)])
def test_multiclass_sets_have_k_classes_balanced_to_one_point(name, k):
    _, y = generate(name, 503, 0.3, seed=4, n_classes=k)
    counts = np.bincount(y.astype(int))
    assert len(counts) == k and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("noise", [0.0, 0.25])
def test_classes_are_roughly_balanced(name, noise):
    """Within 15 points of 1/K (threshold at x = 1 is 58/42 by design; circle's label noise,
    as in TF, relabels more inner points as outer than the reverse)."""
    _, y = generate(name, 1000, noise, seed=5)
    share = np.bincount(y.astype(int)) / len(y)
    assert np.all(np.abs(share - 1 / n_classes_of(name)) < 0.15), share


@pytest.mark.parametrize("name", SQUARE_2D)
def test_noiseless_2d_points_lie_in_the_plotting_square(name):
    X, _ = generate(name, 2000, 0.0, seed=6)
    assert INPUT_DOMAIN[name] == ((-6.0, 6.0), (-6.0, 6.0))
    assert np.abs(X).max() <= 6.0


@pytest.mark.parametrize("name", ["circle", "xor", "plane", "multigauss"])
def test_label_noise_only_datasets_keep_points_inside_the_square_at_max_noise(name):
    X, _ = generate(name, 2000, 0.5, seed=6)
    assert np.abs(X).max() <= 6.0


@pytest.mark.parametrize("name", ALL)
def test_noise_changes_the_data(name):
    X0, y0 = generate(name, 400, 0.0, seed=8)
    X1, y1 = generate(name, 400, 0.4, seed=8)
    assert not (np.array_equal(X0, X1) and np.array_equal(y0, y1))


def nearest_neighbour_labels(X_ref, y_ref, X):
    """Label of the nearest point of (X_ref, y_ref) for each row of X."""
    d = ((X[:, None, :] - X_ref[None, :, :]) ** 2).sum(-1)
    return y_ref[d.argmin(axis=1)]


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_more_noise_mixes_the_classes_more(name):
    """Clean data from another seed labels clean points almost perfectly, noisy ones less so."""
    X_ref, y_ref = generate(name, 1500, 0.0, seed=90)
    acc = [np.mean(nearest_neighbour_labels(X_ref, y_ref, X) == y)
           for X, y in (generate(name, 1000, noise, seed=9) for noise in (0.0, 0.25, 0.5))]
    assert acc[0] > 0.99 and acc[0] > acc[1] > acc[2] and acc[2] < acc[0] - 0.03, acc


def test_circle_labels_follow_the_radius_rule_without_noise():
    X, y = generate("circle", 1000, 0.0, seed=10)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(float))
    assert r.max() <= 5.0 and not np.any((r > 2.5) & (r < 3.5))  # the gap between classes


def test_xor_labels_follow_the_sign_of_x1_x2_without_noise():
    X, y = generate("xor", 1000, 0.0, seed=11)
    assert np.abs(X).min() >= 0.3  # the padding keeps points off the axes
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))


def test_gauss_classes_sit_on_either_side_of_the_diagonal_without_noise():
    X, y = generate("gauss", 1000, 0.0, seed=12)
    assert np.mean((X.sum(axis=1) > 0) == (y == 1)) > 0.99


def test_threshold_labels_step_at_the_threshold_without_noise():
    X, y = generate("threshold", 1000, 0.0, seed=13)
    np.testing.assert_array_equal(y, (X[:, 0] > THRESHOLD).astype(float))
    assert X.min() >= -6 and X.max() <= 6


def test_threshold_noise_flips_mostly_near_the_threshold():
    X, y = generate("threshold", 5000, 0.3, seed=14)
    wrong = y != (X[:, 0] > THRESHOLD)
    near = np.abs(X[:, 0] - THRESHOLD) < 1.0
    assert wrong[near].mean() > 0.15 and wrong[~near].mean() < 0.05


def test_regression_targets_lie_in_minus_one_to_one():
    for name in ("plane", "multigauss"):
        for noise in (0.0, 0.5):
            _, y = generate(name, 2000, noise, seed=15)
            assert y.min() >= -1 and y.max() <= 1
            assert y.min() < -0.9 and y.max() > 0.9  # and use the range


def test_noiseless_plane_target_is_the_scaled_sum_of_inputs():
    X, y = generate("plane", 500, 0.0, seed=16)
    np.testing.assert_allclose(y, np.clip(X.sum(axis=1) / 10, -1, 1))


def test_house_is_in_raw_units_and_nearly_linear():
    X, y = generate("house", 1000, 0.0, seed=17)
    size = X[:, 0]
    assert size.mean() > 40 and 40 <= size.min() and size.max() <= 250
    assert 50 <= y.min() and y.max() <= 850 and y.mean() > 200
    slope, intercept = np.polyfit(size, y, 1)
    residual = y - (slope * size + intercept)
    assert 2 < residual.std() < 30  # jitter even without noise, but a clear line
    _, y_noisy = generate("house", 1000, 0.5, seed=17)
    assert (y_noisy - (slope * size + intercept)).std() > 3 * residual.std()


@pytest.mark.parametrize("arms", [("spiral", 2), ("spiral3", 3)])
def test_spiral_arms_start_at_the_centre_and_reach_radius_five(arms):
    name, k = arms
    X, y = generate(name, 600, 0.0, seed=18)
    r = np.hypot(X[:, 0], X[:, 1])
    for c in range(k):
        rc = r[y == c]
        assert rc.min() < 0.1 and 4.9 < rc.max() <= 5.0


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="unknown dataset"):
        generate("mnist", 10, 0.0, seed=0)


@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
def test_split_sizes_follow_the_fraction_and_parts_are_disjoint(fraction):
    X = np.arange(2 * 437, dtype=float).reshape(437, 2)
    y = np.arange(437, dtype=float)
    X_tr, y_tr, X_te, y_te = split_train_test(X, y, fraction, seed=3)
    assert len(X_tr) == len(y_tr) == round(fraction * 437)
    assert len(X_te) == len(y_te) == 437 - len(X_tr)
    assert not set(y_tr) & set(y_te) and set(y_tr) | set(y_te) == set(y)
    np.testing.assert_array_equal(X_tr[:, 1], 2 * y_tr + 1)  # rows stay paired with labels


def test_split_is_seeded_and_shuffles():
    X, y = generate("circle", 200, 0.0, seed=1)  # generated class by class
    a = split_train_test(X, y, 0.5, seed=2)
    b = split_train_test(X, y, 0.5, seed=2)
    c = split_train_test(X, y, 0.5, seed=3)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])
    assert 0.3 < a[1].mean() < 0.7  # both classes in the training part


def test_split_keeps_at_least_one_row_in_each_part():
    X, y = np.zeros((3, 2)), np.arange(3.0)
    assert len(split_train_test(X, y, 0.1, seed=0)[0]) == 1
    assert len(split_train_test(X, y, 0.9, seed=0)[2]) == 1


def test_feature_names_match_the_config():
    assert FEATURE_NAMES == typing.get_args(FeatureName)


def test_map_features_columns_are_correct_and_in_the_requested_order():
    X = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -4.0]])
    x1, x2 = X.T
    expected = {"x1": x1, "x2": x2, "x1_sq": x1**2, "x2_sq": x2**2, "x1x2": x1 * x2,
                "sin_x1": np.sin(x1), "sin_x2": np.sin(x2)}
    names = ["sin_x2", "x1x2", "x1", "x2_sq", "sin_x1", "x2", "x1_sq"]
    out = map_features(X, names)
    assert out.shape == (3, 7) and out.dtype == np.float64 and out.flags.c_contiguous
    for j, name in enumerate(names):
        np.testing.assert_allclose(out[:, j], expected[name], err_msg=name)


def test_map_features_accepts_a_fortran_ordered_grid():
    g = np.linspace(-6, 6, 100)
    grid = np.asfortranarray(np.stack(np.meshgrid(g, g), -1).reshape(-1, 2))
    out = map_features(grid, ["x1", "x2"])
    assert out.flags.c_contiguous and out.shape == (10_000, 2)
    np.testing.assert_array_equal(out, grid)


def test_map_features_leaves_1d_data_unchanged():
    X = np.linspace(40, 250, 7)[:, None]
    out = map_features(X, ["x1_sq", "sin_x2"])
    np.testing.assert_array_equal(out, X)
    assert out.shape == (7, 1) and out.flags.c_contiguous


def test_map_features_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown"):
        map_features(np.zeros((2, 2)), ["x3"])
