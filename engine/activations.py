"""Hidden-layer activations as (forward, derivative) pairs, in one table.

Each forward writes g(z) into ``out``. Each derivative writes g'(z) into ``out``, given both the
pre-activation z and the activation a = g(z) (whichever is cheaper to use). Shapes are equal.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    forward: Callable[[np.ndarray, np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    saturates: bool  # True for sigmoid/tanh: their derivative vanishes for large |z|
    output_range: tuple[float | None, float | None]  # (lo, hi) of g; None: unbounded that way
    peak_derivative: float  # max over z of g'(z) (saturation is measured against it)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), computed as (1 + tanh(z/2)) / 2, which never overflows."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _sigmoid_derivative(z, a, out):
    """sigma'(z) = a (1 - a)."""
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh_derivative(z, a, out):
    """tanh'(z) = 1 - a^2."""
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(z, out):
    """max(z, 0)."""
    return np.maximum(z, 0.0, out=out)


def _relu_derivative(z, a, out):
    """1 where z > 0, else 0 (0 at z = 0)."""
    return np.greater(z, 0.0, out=out, casting="unsafe")


def _leaky_relu(z, out):
    """z for z > 0, 0.01 z otherwise."""
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def _leaky_relu_derivative(z, a, out):
    """1 where z > 0, else 0.01."""
    np.greater(z, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _linear(z, out):
    """Identity."""
    np.copyto(out, z)
    return out


def _one(z, a, out):
    """Derivative of the identity: 1."""
    out.fill(1.0)
    return out


def _step(z, out):
    """The perceptron's threshold: 1 where z > 0, else 0."""
    return np.greater(z, 0.0, out=out, casting="unsafe")


def _zero(z, a, out):
    """Derivative of the step function: 0 everywhere (undefined at 0, taken as 0), so backprop
    passes no gradient through a step unit and nothing below it learns."""
    out.fill(0.0)
    return out


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, _sigmoid_derivative, True, (0.0, 1.0), 0.25),
    "tanh": Activation(lambda z, out: np.tanh(z, out=out), _tanh_derivative, True, (-1.0, 1.0),
                       1.0),
    "relu": Activation(_relu, _relu_derivative, False, (0.0, None), 1.0),
    "leaky_relu": Activation(_leaky_relu, _leaky_relu_derivative, False, (None, None), 1.0),
    "linear": Activation(_linear, _one, False, (None, None), 1.0),
    "step": Activation(_step, _zero, False, (0.0, 1.0), 0.0),
}

SATURATION_THRESHOLD = 0.1
"""A sigmoid/tanh unit counts as saturated when g'(z) < 0.1 * max g' (|z| > ~3.6 for sigmoid)."""
