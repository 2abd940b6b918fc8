"""Classic 2-D test functions for optimizer races: f(x, y), its gradient written next to it,
the plotting domain and the known minima (or saddle points).

Every `value` and `gradient` works on floats and on NumPy arrays alike (elementwise), so the
same formula gives a racer's step and a whole contour grid. The tests check each gradient
against central differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Array = np.ndarray | float


@dataclass(frozen=True)
class TestFunction:
    """One surface: f, its gradient, where to look and what is known about it."""
    __test__ = False  # not a pytest test class, despite the name

    name: str
    title: str
    formula: str
    value: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array], tuple[Array, Array]]
    domain: tuple[tuple[float, float], tuple[float, float]]
    minima: tuple[tuple[float, float], ...]
    saddles: tuple[tuple[float, float], ...] = ()
    start: tuple[float, float] = (0.0, 0.0)   # a suggested start point
    note: str = ""
    log_scale: bool = False                    # contours read better on log(f - f_min + 1)
    options: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)  # a learning rate per optimizer that races well here

    def describe(self) -> dict:
        """Plain data for the API: name, title, formula, domain, minima, saddles, start, note."""
        return {"name": self.name, "title": self.title, "formula": self.formula,
                "domain": [list(self.domain[0]), list(self.domain[1])],
                "minima": [[x, y] for x, y in self.minima],
                "minimum_values": [float(self.value(x, y)) for x, y in self.minima],
                "saddles": [[x, y] for x, y in self.saddles],
                "start": list(self.start), "note": self.note, "log_scale": self.log_scale,
                "options": dict(self.options), "rates": dict(self.rates)}

    def grid(self, resolution: int) -> dict:
        """f on a resolution x resolution grid over the domain: {"x", "y", "z"} with
        z[i, j] = f(x[j], y[i]) (row i = the i-th y, from the bottom)."""
        (x0, x1), (y0, y1) = self.domain
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return {"x": xs, "y": ys, "z": self.value(gx, gy)}


# ---------------------------------------------------------------- the functions

def bowl(condition: float = 10.0) -> TestFunction:
    """Quadratic bowl f = (x^2 + k y^2) / 2 with condition number k (Hessian diag(1, k))."""
    k = float(condition)

    def value(x, y):
        return 0.5 * (x * x + k * y * y)

    def gradient(x, y):
        return x, k * y

    return TestFunction(
        "bowl", f"Quadratic bowl (condition number {k:g})", "f = (x² + k·y²) / 2", value,
        gradient, ((-3.0, 3.0), (-3.0, 3.0)), ((0.0, 0.0),), start=(-2.5, 1.5),
        note="Curvature k times stronger along y than along x: gradient descent zig-zags "
             "across the valley unless the learning rate is below 2/k; momentum and Adam "
             "even out the two directions.", options={"condition": k},
        rates={"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1})


def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_gradient(x, y):
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def _himmelblau(x, y):
    return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2


def _himmelblau_gradient(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def _beale(x, y):
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def _beale_gradient(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3
    dx = 2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y ** 3 - 1.0)
    dy = 2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y
    return dx, dy


def _saddle(x, y):
    return x * x - y * y


def _saddle_gradient(x, y):
    return 2.0 * x, -2.0 * y


def _monkey_saddle(x, y):
    return x ** 3 - 3.0 * x * y * y


def _monkey_saddle_gradient(x, y):
    return 3.0 * x * x - 3.0 * y * y, -6.0 * x * y


RASTRIGIN_A = 10.0


def _rastrigin(x, y):
    two_pi = 2.0 * math.pi
    return (2.0 * RASTRIGIN_A + x * x - RASTRIGIN_A * np.cos(two_pi * x)
            + y * y - RASTRIGIN_A * np.cos(two_pi * y))


def _rastrigin_gradient(x, y):
    two_pi = 2.0 * math.pi
    return (2.0 * x + RASTRIGIN_A * two_pi * np.sin(two_pi * x),
            2.0 * y + RASTRIGIN_A * two_pi * np.sin(two_pi * y))


FUNCTIONS: dict[str, TestFunction] = {f.name: f for f in [
    bowl(),
    TestFunction(
        "rosenbrock", "Rosenbrock", "f = (1 − x)² + 100·(y − x²)²", _rosenbrock,
        _rosenbrock_gradient, ((-2.0, 2.0), (-1.0, 3.0)), ((1.0, 1.0),), start=(-1.5, 2.0), rates={"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "adagrad": 0.05, "rmsprop": 0.005, "adam": 0.02},
        note="A curved, flat-bottomed valley: finding it is easy, following it to (1, 1) is "
             "slow for plain gradient descent.", log_scale=True),
    TestFunction(
        "himmelblau", "Himmelblau", "f = (x² + y − 11)² + (x + y² − 7)²", _himmelblau,
        _himmelblau_gradient, ((-5.0, 5.0), (-5.0, 5.0)),
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        start=(-0.5, 0.0), rates={"sgd": 0.005, "momentum": 0.002, "nesterov": 0.002, "adagrad": 0.2, "rmsprop": 0.02, "adam": 0.05},
        note="Four minima of equal value: where a racer ends depends on "
                               "where it starts and on how it moves.", log_scale=True),
    TestFunction(
        "beale", "Beale", "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        _beale, _beale_gradient, ((-4.5, 4.5), (-4.5, 4.5)), ((3.0, 0.5),), start=(1.0, 1.5), rates={"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.02},
        note="Flat plateaus and steep walls: the gradient's size changes by orders of "
             "magnitude, which adaptive rates (RMSprop, Adam) cope with.", log_scale=True),
    TestFunction(
        "saddle", "Saddle", "f = x² − y²", _saddle, _saddle_gradient,
        ((-2.0, 2.0), (-2.0, 2.0)), (), saddles=((0.0, 0.0),), start=(1.5, 0.0),
        rates={"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.2, "rmsprop": 0.02, "adam": 0.02},
        note="Unbounded below. Started exactly on the ridge y = 0, gradient descent walks into "
             "the saddle point and stays; a little gradient noise pushes it off and away."),
    TestFunction(
        "monkey_saddle", "Monkey saddle", "f = x³ − 3xy²", _monkey_saddle,
        _monkey_saddle_gradient, ((-2.0, 2.0), (-2.0, 2.0)), (), saddles=((0.0, 0.0),),
        start=(1.0, 0.05), rates={"sgd": 0.02, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.2, "rmsprop": 0.02, "adam": 0.02},
        note="Three valleys around a flat point where the gradient and the curvature vanish: "
             "steps shrink to nothing near the origin."),
    TestFunction(
        "rastrigin", "Rastrigin (small range)", "f = 20 + x² − 10cos(2πx) + y² − 10cos(2πy)",
        _rastrigin, _rastrigin_gradient, ((-2.5, 2.5), (-2.5, 2.5)), ((0.0, 0.0),),
        start=(2.2, 1.8), rates={"sgd": 0.002, "momentum": 0.002, "nesterov": 0.002, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05},
        note="A bowl covered in bumps: a local minimum near every integer point; plain "
             "gradient descent stops in the nearest one, momentum can roll over a few."),
]}

BOWL_CONDITION_RANGE = (1.0, 1000.0)


def get_function(name: str, condition: float | None = None) -> TestFunction:
    """The function by name; `condition` picks the bowl's condition number (only the bowl)."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; known: {', '.join(FUNCTIONS)}")
    if condition is not None:
        if name != "bowl":
            raise ValueError("condition applies to the bowl only")
        lo, hi = BOWL_CONDITION_RANGE
        if not lo <= condition <= hi:
            raise ValueError(f"condition must be in [{lo:g}, {hi:g}], got {condition}")
        return bowl(condition)
    return FUNCTIONS[name]
