"""The 2-D test functions: gradients against central differences, known minima, races."""

from __future__ import annotations

import numpy as np
import pytest

from engine.race import Race, racer_config
from engine.test_functions import FUNCTIONS, bowl, get_function


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_gradient_matches_central_differences(name):
    f = FUNCTIONS[name]
    rng = np.random.default_rng(7)
    (x0, x1), (y0, y1) = f.domain
    h = 1e-6
    for x, y in zip(rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25)):
        gx, gy = f.gradient(x, y)
        nx = (f.value(x + h, y) - f.value(x - h, y)) / (2 * h)
        ny = (f.value(x, y + h) - f.value(x, y - h)) / (2 * h)
        scale = max(1.0, abs(gx) + abs(gy))
        assert abs(gx - nx) / scale < 1e-6 and abs(gy - ny) / scale < 1e-6, (name, x, y)


def test_bowl_gradient_follows_its_condition_number():
    f = bowl(50.0)
    gx, gy = f.gradient(1.0, 1.0)
    assert (gx, gy) == (1.0, 50.0)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_listed_minima_are_stationary_and_lowest_nearby(name):
    f = FUNCTIONS[name]
    for x, y in f.minima + f.saddles:
        g = np.hypot(*f.gradient(x, y))
        assert g < 1e-3, (name, x, y, g)
    for x, y in f.minima:
        v = f.value(x, y)
        for dx, dy in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
            assert f.value(x + dx, y + dy) > v


def test_grid_values_are_the_function():
    f = FUNCTIONS["himmelblau"]
    g = f.grid(7)
    assert g["z"].shape == (7, 7)
    assert g["z"][2, 5] == pytest.approx(f.value(g["x"][5], g["y"][2]))


def test_unknown_function_and_bad_condition_are_refused():
    with pytest.raises(ValueError, match="known:"):
        get_function("nope")
    with pytest.raises(ValueError, match="bowl only"):
        get_function("saddle", condition=3)
    with pytest.raises(ValueError, match=r"\[1, 1000\]"):
        get_function("bowl", condition=1e6)


def test_adam_on_rosenbrock_approaches_the_minimum():
    race = Race(FUNCTIONS["rosenbrock"], (-1.5, 2.0),
                [{"optimizer": "adam", "learning_rate": 0.02}])
    start = np.hypot(-1.5 - 1, 2.0 - 1)
    race.step(10_000)
    x, y = race.racers[0].position
    assert np.hypot(x - 1, y - 1) < 0.05 * start
    assert race.value(race.racers[0].position) < 1e-3


def test_gradient_descent_on_the_ridge_converges_to_the_saddle():
    race = Race(FUNCTIONS["saddle"], (1.5, 0.0), [{"optimizer": "sgd", "learning_rate": 0.1}])
    race.step(300)
    x, y = race.racers[0].position
    assert abs(x) < 1e-6 and y == 0.0
    assert race.racers[0].status == "ok"


def test_gradient_noise_escapes_the_saddle():
    race = Race(FUNCTIONS["saddle"], (1.5, 0.0), [{"optimizer": "sgd", "learning_rate": 0.1}],
                noise=0.05, seed=3)
    race.step(300)
    r = race.racers[0]
    assert r.status == "escaped" or abs(r.position[1]) > 2.0
    assert race.value(r.position) < -1.0      # far below the saddle's value 0


def test_noise_is_seeded_and_shared_by_racers():
    spec = {"optimizer": "sgd", "learning_rate": 0.05}
    a = Race(FUNCTIONS["bowl"], (1.0, 1.0), [spec, spec], noise=0.3, seed=5)
    b = Race(FUNCTIONS["bowl"], (1.0, 1.0), [spec], noise=0.3, seed=5)
    a.step(40)
    b.step(40)
    assert np.array_equal(a.racers[0].position, a.racers[1].position)
    assert np.array_equal(a.racers[0].position, b.racers[0].position)


def test_race_steps_are_the_trainers_update_rules():
    """One racer step equals optimizers.OPTIMIZERS applied by hand (momentum, two steps)."""
    from engine.optimizers import OPTIMIZERS, ensure_state
    f = FUNCTIONS["beale"]
    cfg = racer_config({"optimizer": "momentum", "learning_rate": 0.01, "momentum": 0.8})
    race = Race(f, (1.0, 1.5), [cfg.model_dump(include={"optimizer", "learning_rate",
                                                        "momentum"})])
    race.step(2)
    theta, state, update = np.array([1.0, 1.5]), {}, np.zeros(2)
    ensure_state("momentum", state, 2)
    for _ in range(2):
        g = np.array(f.gradient(*theta))
        OPTIMIZERS["momentum"](g, 0.01, update, state, cfg)
        theta += update
    assert np.allclose(race.racers[0].position, theta, rtol=0, atol=1e-15)
    # independent: momentum by its formula v <- mu v - lr g
    v, p = np.zeros(2), np.array([1.0, 1.5])
    for _ in range(2):
        v = 0.8 * v - 0.01 * np.array(f.gradient(*p))
        p = p + v
    assert np.allclose(theta, p, atol=1e-15)


def test_live_change_keeps_position_and_clipping_bounds_steps():
    race = Race(FUNCTIONS["rosenbrock"], (-1.5, 2.0), [{"optimizer": "sgd",
                                                       "learning_rate": 1e-4}])
    race.step(5)
    before = race.racers[0].position.copy()
    assert race.set_racer(0, learning_rate=1e-3, clipping="norm", clip_threshold=0.5) == [
        "learning_rate", "clipping", "clip_threshold"]
    assert np.array_equal(race.racers[0].position, before)
    race.step(1)
    assert np.linalg.norm(race.racers[0].descent.update) <= 1e-3 * 0.5 + 1e-15


def test_bad_racer_settings_are_refused_with_the_configs_bounds():
    with pytest.raises(ValueError, match="not an optimizer setting: hidden"):
        racer_config({"hidden": [3]})
    with pytest.raises(ValueError, match="learning_rate"):
        racer_config({"learning_rate": -1})


def test_paths_are_bounded_and_end_at_the_position():
    race = Race(FUNCTIONS["bowl"], (2.0, 1.0), [{"optimizer": "sgd", "learning_rate": 0.01}])
    race.step(10_000)
    path = race.racers[0].points()
    assert len(path) <= 4097
    assert np.array_equal(path[-1], race.racers[0].position)
    assert np.array_equal(path[0], [2.0, 1.0])


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - {"rastrigin"}))
def test_gradient_matches_the_scalar_autograd(name):
    """The polynomial functions evaluated on engine.autograd Values: backward() gives the
    gradient independently of the hand-written derivative (rastrigin needs cos, which the
    micrograd-style Value does not have: central differences cover it)."""
    from engine.autograd import Value
    f = FUNCTIONS[name]
    rng = np.random.default_rng(11)
    (x0, x1), (y0, y1) = f.domain
    for x, y in zip(rng.uniform(x0, x1, 10), rng.uniform(y0, y1, 10)):
        vx, vy = Value(float(x)), Value(float(y))
        out = f.value(vx, vy)
        out.backward()
        gx, gy = f.gradient(x, y)
        assert vx.grad == pytest.approx(gx, rel=1e-12, abs=1e-9)
        assert vy.grad == pytest.approx(gy, rel=1e-12, abs=1e-9)
