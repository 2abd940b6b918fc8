"""Loss landscape: exact surfaces, slices through the current point, honest paths, exact arrows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine import TrainConfig, Trainer
from engine.landscape import (filter_normalized_direction, landscape, parameter_names,
                              parse_parameter, pca_directions, plane_coordinates)
from engine.landscape_surface import parameter_losses, plane_losses

# (name, config): the losses, activations and penalties a slice has to get right
SLICE_CONFIGS = [
    ("circle_tanh_bce", dict(dataset="circle", hidden=[8, 8], n_samples=400)),
    ("spiral3_leaky_cce_l1", dict(dataset="spiral3", loss="cce", hidden=[5, 4],
                                  activation="leaky_relu", regularization="l1",
                                  regularization_rate=0.01)),
    ("plane_sigmoid_mse_l2", dict(dataset="plane", loss="mse", hidden=[3], activation="sigmoid",
                                  regularization="l2", regularization_rate=0.01)),
    ("blobs_relu_mse_onehot", dict(dataset="blobs", loss="mse", hidden=[4, 3],
                                   activation="relu")),
    ("xor_linear_logistic", dict(dataset="xor", hidden=[])),
]


def trained(steps: int = 200, **config) -> Trainer:
    t = Trainer(TrainConfig(**{"batch_size": 10, **config}))
    t.step(steps)
    return t


def loss_at(trainer: Trainer, theta: np.ndarray) -> float:
    """The training loss (+ penalty) at theta, the engine's own way; restores the parameters."""
    saved = trainer.net.theta.copy()
    try:
        trainer.net.theta[:] = theta
        return trainer.training_loss()
    finally:
        trainer.net.theta[:] = saved


def theta_at(result: dict, trainer: Trainer, i: int, j: int, d1, d2) -> np.ndarray:
    return trainer.net.theta + result["alpha"][j] * d1 + result["beta"][i] * d2


def random_directions(trainer: Trainer, seed: int = 0):
    rng = np.random.default_rng(seed)
    d1, _ = filter_normalized_direction(trainer.net, trainer.net.theta, rng)
    d2, _ = filter_normalized_direction(trainer.net, trainer.net.theta, rng)
    return d1, d2


# ---------------------------------------------------------------------- exact surfaces
@pytest.mark.parametrize("config", [
    dict(dataset="threshold", hidden=[]),
    dict(dataset="threshold", hidden=[], regularization="l2", regularization_rate=0.05),
    dict(dataset="house", hidden=[], loss="mse", learning_rate=1e-5),
])
def test_exact_surface_equals_point_by_point_evaluation(config):
    t = trained(100, **config)
    r = landscape(t, mode="exact", resolution=9, dtype="float64")
    assert r["mode"] == "exact" and r["labels"] == ["w", "b"]
    expected = np.array([[loss_at(t, np.array([w, b])) for w in r["alpha"]] for b in r["beta"]])
    np.testing.assert_allclose(r["loss"], expected, rtol=1e-12)
    assert r["center"] == pytest.approx(list(t.net.theta), abs=0)
    assert r["center_loss"] == t.training_loss()


def test_exact_path_is_the_recorded_w_and_b_with_their_losses():
    t = trained(60, dataset="threshold", hidden=[])
    steps, thetas = t.trajectory()
    r = landscape(t, mode="auto")
    assert r["mode"] == "exact"
    np.testing.assert_array_equal(r["path"]["steps"], steps)
    np.testing.assert_allclose(r["path"]["alpha"], thetas[:, 0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(r["path"]["beta"], thetas[:, 1], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(r["path"]["distance"], 0.0)
    expected = [loss_at(t, th) for th in thetas]
    np.testing.assert_allclose(r["path"]["loss"], expected, rtol=1e-12)


def test_exact_arrows_are_the_negative_gradients_and_the_step():
    t = trained(30, dataset="threshold", hidden=[])
    r = landscape(t, mode="exact")
    np.testing.assert_allclose(r["arrows"]["full_batch"], -t.full_gradient(), rtol=1e-12)
    np.testing.assert_allclose(r["arrows"]["minibatch"], -t.last_minibatch_gradient(),
                               rtol=1e-12)
    np.testing.assert_allclose(r["arrows"]["update"], t.last_update(), rtol=1e-12)


def test_exact_mode_refuses_a_model_with_more_than_two_parameters():
    t = trained(1, dataset="circle", hidden=[2])
    with pytest.raises(ValueError, match="two-parameter model"):
        landscape(t, mode="exact")


# ---------------------------------------------------------------------- slices
@pytest.mark.parametrize("name, config", SLICE_CONFIGS, ids=[c[0] for c in SLICE_CONFIGS])
@pytest.mark.parametrize("mode", ["random", "pca", "params"])
def test_every_slice_passes_through_the_current_loss_at_its_centre(name, config, mode):
    t = trained(150, **config)
    names = parameter_names(t)
    for dtype, rtol in (("float64", 1e-12), ("float32", 1e-5)):
        r = landscape(t, mode=mode, resolution=11, params=[names[0], names[-1]], dtype=dtype)
        assert r["mode"] == mode and r["center"] == [0.0, 0.0]
        assert r["alpha"][5] == 0.0 and r["beta"][5] == 0.0
        assert r["center_loss"] == t.training_loss()
        assert r["loss"][5, 5] == pytest.approx(t.training_loss(), rel=rtol)


@pytest.mark.parametrize("name, config", SLICE_CONFIGS, ids=[c[0] for c in SLICE_CONFIGS])
def test_slice_equals_point_by_point_evaluation(name, config):
    t = trained(150, **config)
    d1, d2 = random_directions(t, seed=3)
    r = landscape(t, mode="random", seed=3, resolution=5, span=(0.7, 1.3), dtype="float64")
    expected = np.array([[loss_at(t, theta_at(r, t, i, j, d1, d2)) for j in range(5)]
                         for i in range(5)])
    np.testing.assert_allclose(r["loss"], expected, rtol=1e-11)
    r32 = landscape(t, mode="random", seed=3, resolution=5, span=(0.7, 1.3), dtype="float32")
    np.testing.assert_allclose(r32["loss"], expected, rtol=1e-5)


def test_float32_grid_stays_within_1e4_of_float64_on_the_benchmark_net():
    t = trained(500, dataset="circle", hidden=[8, 8], n_samples=1000)
    for mode in ("random", "pca"):
        r64 = landscape(t, mode=mode, resolution=31, dtype="float64")
        r32 = landscape(t, mode=mode, resolution=31, dtype="float32")
        assert np.max(np.abs(r32["loss"] - r64["loss"]) / r64["loss"]) <= 1e-4


@pytest.mark.parametrize("config", [
    dict(dataset="blobs", loss="cce", hidden=[8], n_classes=5, learning_rate=0.3),
    dict(dataset="gauss", hidden=[4], learning_rate=1.0),
])
def test_float32_keeps_near_zero_losses_of_a_good_fit_accurate(config):
    t = trained(3000, **config)
    lowest = []
    for mode in ("random", "pca"):
        r64 = landscape(t, mode=mode, resolution=11, dtype="float64")
        r32 = landscape(t, mode=mode, resolution=11, dtype="float32")
        lowest.append(r64["loss"].min())
        assert np.max(np.abs(r32["loss"] - r64["loss"]) / r64["loss"]) <= 1e-5
        assert "float64" not in r32["note"]
    assert min(lowest) < 1e-5


def test_float32_grid_falls_back_to_float64_when_residuals_vanish():
    t = Trainer(TrainConfig(dataset="plane", loss="mse", hidden=[]))
    x = t._x_train_aug
    t._data.y_train[:] = x @ np.array([[0.3], [-0.2], [0.05]])  # an exactly linear target
    t.net.theta[:] = [0.3, -0.2, 0.05 + 1e-6]  # loss 1e-12
    r64 = landscape(t, mode="random", resolution=5, span=1e-5, dtype="float64")
    r32 = landscape(t, mode="random", resolution=5, span=1e-5, dtype="float32")
    assert "evaluated in float64" in r32["note"]
    np.testing.assert_allclose(r32["loss"], r64["loss"], rtol=1e-12)


def test_batched_parameter_losses_match_the_engine():
    t = trained(100, dataset="spiral3", loss="cce", hidden=[6, 3])
    _, thetas = t.trajectory()
    expected = [loss_at(t, th) for th in thetas[::7]]
    np.testing.assert_allclose(parameter_losses(t, thetas[::7]), expected, rtol=1e-12)


def test_params_slice_moves_exactly_the_two_named_parameters():
    t = trained(50, dataset="circle", hidden=[3])
    i, j = parse_parameter(t, "W1[2,0]"), parse_parameter(t, "b2[0]")
    r = landscape(t, mode="params", params=["W1[2,0]", "b2[0]"], resolution=3, span=0.5,
                  dtype="float64")
    theta = t.net.theta.copy()
    theta[i] += 0.5
    theta[j] -= 0.5
    assert r["loss"][0, 2] == pytest.approx(loss_at(t, theta), rel=1e-12)
    assert r["labels"] == ["ΔW1[2,0]", "Δb2[0]"]


# ---------------------------------------------------------------------- directions
def test_filter_normalized_directions_match_each_neurons_weight_norm():
    t = trained(50, dataset="circle", hidden=[5, 4])
    d, zero_rows = filter_normalized_direction(t.net, t.net.theta, np.random.default_rng(7))
    assert zero_rows == 0
    for blk, ref in zip(t.net.views(d), t.net.blocks):
        np.testing.assert_allclose(np.linalg.norm(blk[:, :-1], axis=1),
                                   np.linalg.norm(ref[:, :-1], axis=1), rtol=1e-12)
        np.testing.assert_array_equal(blk[:, -1], 0.0)
    again, _ = filter_normalized_direction(t.net, t.net.theta, np.random.default_rng(7))
    other, _ = filter_normalized_direction(t.net, t.net.theta, np.random.default_rng(8))
    np.testing.assert_array_equal(d, again)
    assert not np.allclose(d, other)


def test_random_slice_is_seeded():
    t = trained(50, dataset="circle", hidden=[4])
    a, b = landscape(t, seed=5), landscape(t, seed=5)
    c = landscape(t, seed=6)
    np.testing.assert_array_equal(a["loss"], b["loss"])
    assert not np.allclose(a["loss"], c["loss"])


def test_zero_weight_rows_get_unit_norm_directions_and_a_note():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3], init="zeros"))
    r = landscape(t, mode="random", resolution=3)
    assert "all-zero incoming weights" in r["note"]
    assert np.isfinite(r["loss"]).all()


def test_pca_explained_variance_and_an_in_plane_path_has_zero_distance():
    t = trained(2, dataset="circle", hidden=[4])  # 3 recorded points: offsets span a plane
    r = landscape(t, mode="pca", dtype="float64")
    assert r["mode"] == "pca"
    np.testing.assert_allclose(r["path"]["distance"], 0.0, atol=1e-12)
    assert sum(r["explained_variance"]) == pytest.approx(1.0, abs=1e-12)
    assert r["path"]["alpha"][0] <= 0 and r["path"]["beta"][0] <= 0


def test_pca_explained_variance_is_one_minus_the_relative_squared_distance():
    t = trained(300, dataset="circle", hidden=[4, 4])
    _, thetas = t.trajectory()
    r = landscape(t, mode="pca")
    offsets = np.sum((thetas - t.net.theta) ** 2)
    assert sum(r["explained_variance"]) == pytest.approx(
        1 - np.sum(r["path"]["distance"] ** 2) / offsets, rel=1e-9)


@pytest.mark.parametrize("k, p", [(40, 12), (12, 40)])
def test_pca_directions_are_the_top_right_singular_vectors(k, p):
    offsets = np.random.default_rng(1).standard_normal((k, p)) * np.linspace(3, 0.1, p)
    d1, d2, explained = pca_directions(offsets)
    _, s, vt = np.linalg.svd(offsets, full_matrices=False)
    assert abs(d1 @ vt[0]) == pytest.approx(1, abs=1e-12)
    assert abs(d2 @ vt[1]) == pytest.approx(1, abs=1e-12)
    np.testing.assert_allclose(explained, s[:2] ** 2 / np.sum(s ** 2), rtol=1e-10)
    assert offsets[0] @ d1 <= 0 and offsets[0] @ d2 <= 0


def test_plane_coordinates_are_least_squares_in_a_non_orthogonal_basis():
    rng = np.random.default_rng(0)
    d1, d2 = rng.standard_normal(30), rng.standard_normal(30) + 0.5
    normal = rng.standard_normal(30)
    normal -= np.column_stack([d1, d2]) @ np.linalg.lstsq(np.column_stack([d1, d2]), normal,
                                                          rcond=None)[0]
    c = rng.standard_normal((6, 2))
    in_plane = c @ np.vstack([d1, d2])
    coords, dist = plane_coordinates(d1, d2, in_plane)
    np.testing.assert_allclose(coords, c, rtol=1e-10)
    np.testing.assert_allclose(dist, 0.0, atol=1e-12)
    coords, dist = plane_coordinates(d1, d2, in_plane + 2.0 * normal)
    np.testing.assert_allclose(coords, c, rtol=1e-10)
    np.testing.assert_allclose(dist, 2.0 * np.linalg.norm(normal), rtol=1e-12)


def test_pca_falls_back_to_random_without_enough_trajectory():
    t = trained(1, dataset="circle", hidden=[4])
    r = landscape(t, mode="pca")
    assert r["mode"] == "random" and r["explained_variance"] is None
    assert "PCA directions unavailable" in r["note"]
    assert landscape(t, mode="auto")["mode"] == "random"
    assert landscape(trained(20, dataset="circle", hidden=[4]), mode="auto")["mode"] == "pca"


# ---------------------------------------------------------------------- gradients
@pytest.mark.parametrize("mode", ["random", "pca", "params"])
def test_projected_gradients_match_finite_differences_along_the_slice(mode):
    t = trained(100, dataset="circle", hidden=[5, 3], regularization="l2",
                regularization_rate=0.01)
    names = parameter_names(t)
    r = landscape(t, mode=mode, params=[names[1], names[7]], field_resolution=3,
                  dtype="float64")
    d1, d2 = _directions(t, r, mode, names)
    gram = np.array([[d1 @ d1, d1 @ d2], [d2 @ d1, d2 @ d2]])
    h = 1e-5

    def slope(a, b):
        """[df/dalpha, df/dbeta] by central differences of the slice itself."""
        f = plane_losses(t, t.net.theta, d1, d2, [a - h, a, a + h], [b - h, b, b + h],
                         "float64")
        return np.array([f[1, 2] - f[1, 0], f[2, 1] - f[0, 1]]) / (2 * h)

    # arrows are least-squares coordinates c of -grad: G c = -[d1.g, d2.g] = -slope
    np.testing.assert_allclose(gram @ r["arrows"]["full_batch"], -slope(0.0, 0.0), rtol=1e-6,
                               atol=1e-9)
    fld = r["field"]
    for i, b in enumerate(fld["beta"]):
        for j, a in enumerate(fld["alpha"]):
            c = np.array([fld["d_alpha"][i, j], fld["d_beta"][i, j]])
            np.testing.assert_allclose(gram @ c, -slope(a, b), rtol=1e-6, atol=1e-9)


def _directions(t, r, mode, names):
    if mode == "random":
        return random_directions(t, seed=0)
    if mode == "params":
        d1, d2 = np.zeros(t.net.n_params), np.zeros(t.net.n_params)
        d1[parse_parameter(t, names[1])] = d2[parse_parameter(t, names[7])] = 1.0
        return d1, d2
    _, thetas = t.trajectory()
    d1, d2, _ = pca_directions(thetas - t.net.theta)
    return d1, d2


def test_update_arrow_is_the_optimizers_step_not_the_gradient():
    sgd = trained(40, dataset="circle", hidden=[4], learning_rate=0.1)
    r = landscape(sgd, mode="random")
    np.testing.assert_allclose(r["arrows"]["update"], 0.1 * np.array(r["arrows"]["minibatch"]),
                               rtol=1e-9)
    adam = trained(40, dataset="circle", hidden=[4], optimizer="adam")
    r = landscape(adam, mode="random")
    u, g = np.array(r["arrows"]["update"]), np.array(r["arrows"]["minibatch"])
    assert abs(u @ g) / (np.linalg.norm(u) * np.linalg.norm(g)) < 0.9999


def test_no_minibatch_or_update_arrow_before_the_first_step():
    r = landscape(Trainer(TrainConfig(dataset="circle", hidden=[3])), mode="random")
    assert r["arrows"]["minibatch"] is None and r["arrows"]["update"] is None
    assert r["arrows"]["full_batch"] is not None


# ---------------------------------------------------------------------- grid, path, result
def test_automatic_range_covers_the_path_and_span_sets_it():
    t = trained(200, dataset="circle", hidden=[4])
    r = landscape(t, mode="pca")
    assert r["alpha"][0] < r["path"]["alpha"].min() and r["path"]["alpha"].max() < r["alpha"][-1]
    assert r["beta"][0] < r["path"]["beta"].min() and r["path"]["beta"].max() < r["beta"][-1]
    assert r["alpha"][-1] >= 1.0 and r["beta"][-1] >= 1.0
    r = landscape(t, mode="random", span=0.25, resolution=101)
    assert r["loss"].shape == (101, 101)
    np.testing.assert_allclose(r["alpha"], np.linspace(-0.25, 0.25, 101))
    np.testing.assert_allclose(r["beta"], np.linspace(-0.25, 0.25, 101))


def test_path_loss_is_the_true_loss_of_each_recorded_point_and_follows_live_settings():
    t = trained(100, dataset="circle", hidden=[4, 2])
    r = landscape(t, mode="random")  # fills the trajectory loss cache
    t.step(50)
    t.set(regularization="l2", regularization_rate=0.1)
    steps, thetas = t.trajectory()
    r = landscape(t, mode="random")
    np.testing.assert_array_equal(r["path"]["steps"], steps)
    expected = [loss_at(t, th) for th in thetas]
    np.testing.assert_allclose(r["path"]["loss"], expected, rtol=1e-12)
    t.set(dataset="xor", reset=True)
    t.step(20)
    r = landscape(t, mode="random")
    np.testing.assert_allclose(r["path"]["loss"], [loss_at(t, th) for th in t.trajectory()[1]],
                               rtol=1e-12)


def test_log_scale_reports_log10_of_every_loss():
    t = trained(100, dataset="circle", hidden=[4])
    lin = landscape(t, mode="random", dtype="float64")
    log = landscape(t, mode="random", dtype="float64", log_scale=True)
    assert log["log_scale"] and not lin["log_scale"]
    np.testing.assert_allclose(log["loss"], np.log10(lin["loss"]), rtol=1e-12)
    np.testing.assert_allclose(log["path"]["loss"], np.log10(lin["path"]["loss"]), rtol=1e-12)
    assert log["center_loss"] == pytest.approx(np.log10(lin["center_loss"]), rel=1e-12)


def test_result_has_the_documented_shapes():
    t = trained(100, dataset="circle", hidden=[4])
    r = t.landscape(mode="pca", resolution=15, field_resolution=4)
    assert set(r) == {"mode", "note", "labels", "alpha", "beta", "loss", "center",
                      "center_loss", "path", "arrows", "field", "explained_variance",
                      "log_scale", "seconds"}
    assert r["alpha"].shape == r["beta"].shape == (15,) and r["loss"].shape == (15, 15)
    k = len(t.trajectory()[0])
    assert all(np.asarray(v).shape == (k,) for v in r["path"].values())
    assert r["field"]["d_alpha"].shape == r["field"]["d_beta"].shape == (4, 4)
    assert len(r["explained_variance"]) == 2 and r["seconds"] > 0


def test_diverged_run_gives_a_picture_at_the_last_finite_point_without_warnings():
    t = Trainer(TrainConfig(dataset="house", hidden=[], loss="mse", learning_rate=1.0))
    t.step(200)
    assert t.status == "diverged"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for mode in ("auto", "random", "pca", "params"):
            r = landscape(t, mode=mode, params=["W1[0,0]", "b1[0]"], field_resolution=3)
            assert "diverged" in r["note"]
            assert np.isfinite(r["center"]).all() and np.isfinite(r["center_loss"])
            assert np.isfinite(r["loss"]).any()
            assert r["arrows"]["update"] is None
    big = Trainer(TrainConfig(dataset="circle", hidden=[8], learning_rate=100.0, loss="mse"))
    big.step(300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = landscape(big, mode="auto", log_scale=True, field_resolution=3)
    assert r["loss"].shape == (21, 21)


def test_parameter_names_round_trip_through_parse_parameter():
    t = Trainer(TrainConfig(dataset="circle", hidden=[3, 2]))
    names = parameter_names(t)
    assert len(names) == t.net.n_params
    assert [parse_parameter(t, n) for n in names] == list(range(t.net.n_params))
    assert names[:3] == ["W1[0,0]", "W1[0,1]", "b1[0]"]
    blk = t.net.views(np.arange(t.net.n_params))[1]
    assert parse_parameter(t, "W2[1,2]") == blk[1, 2] and parse_parameter(t, "b2[1]") == blk[1, 3]


@pytest.mark.parametrize("name, message", [
    ("w1[0,0]", "of the form"), ("W0[0,0]", "layer must be 1..3"), ("W1[3,0]", "neurons 0..2"),
    ("W1[0,2]", "inputs 0..1"), ("W1[0]", "two indices"), ("b1[0,0]", "one index"),
])
def test_parse_parameter_explains_bad_names(name, message):
    with pytest.raises(ValueError, match=message):
        parse_parameter(Trainer(TrainConfig(dataset="circle", hidden=[3, 2])), name)


@pytest.mark.parametrize("options, message", [
    (dict(mode="hessian"), "mode must be"), (dict(resolution=2), "resolution"),
    (dict(resolution=102), "resolution"), (dict(field_resolution=22), "field_resolution"),
    (dict(field_resolution=1), "field_resolution"), (dict(dtype="float16"), "dtype"),
    (dict(span=0), "span"), (dict(span=(1, float("nan"))), "span"),
    (dict(mode="params"), "params="), (dict(mode="params", params=["b1[0]", "b1[0]"]),
                                       "two different"),
])
def test_bad_options_raise_clear_errors(options, message):
    with pytest.raises(ValueError, match=message):
        landscape(Trainer(TrainConfig(dataset="circle", hidden=[3])), **options)


def test_should_stop_is_asked_between_chunks_and_stops_the_computation():
    """Cooperative cancellation: the server's worker thread ends within one chunk of its
    deadline. should_stop sees the fraction of the grid done, rising; True raises
    LandscapeCancelled carrying that fraction; None or always-False changes nothing."""
    from engine.landscape import LandscapeCancelled

    t = trained(dataset="circle", hidden=[8, 8], n_samples=200)
    seen = []

    def stop_at_half(fraction):
        seen.append(fraction)
        return fraction >= 0.5

    with pytest.raises(LandscapeCancelled) as info:
        landscape(t, mode="random", resolution=21, should_stop=stop_at_half)
    assert 0.5 <= info.value.fraction < 0.6
    grid_fractions = [f for f in seen if f > 0]
    assert grid_fractions == sorted(grid_fractions) and len(grid_fractions) == 11
    plain = landscape(t, mode="random", resolution=21)
    asked = landscape(t, mode="random", resolution=21, should_stop=lambda f: False)
    np.testing.assert_array_equal(plain["loss"], asked["loss"])
    # the path's losses and the gradient field are chunked too
    with pytest.raises(LandscapeCancelled):
        landscape(t, mode="random", resolution=5, field_resolution=4,
                  should_stop=lambda f: f >= 1.0)
