"""Losses on the output layer's pre-activations z (logits), with their exact gradients.

Shapes: z and y are (n, k). The output activation follows the loss: identity for mse, sigmoid
for bce (k = 1), softmax for cce, the step function for perceptron (k = 1). Every gradient here
is of the SUM over examples; the caller divides by n (one multiply on the flat gradient) to get
the gradient of the mean.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .activations import sigmoid


def _log1p_exp(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def mse_value(z: np.ndarray, y: np.ndarray) -> float:
    """sum_i sum_j (y_ij - z_ij)^2 (no 1/2 factor); the output is the identity."""
    d = z - y
    return float(np.vdot(d, d))


def mse_residual(z, y, out):
    """d(sum (y - z)^2)/dz = 2 (z - y)."""
    np.subtract(z, y, out=out)
    out *= 2.0
    return out


def bce_value(z: np.ndarray, y: np.ndarray) -> float:
    """-sum[y log sigma(z) + (1-y) log(1 - sigma(z))] = sum[log(1 + e^z) - y z], stable in z."""
    return float(np.sum(_log1p_exp(z) - y * z))


def bce_residual(z, y, out):
    """d/dz of the summed bce = sigma(z) - y."""
    sigmoid(z, out=out)
    out -= y
    return out


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) row-wise: z - max - log sum exp(z - max)."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row max so that exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cce_value(z: np.ndarray, y: np.ndarray) -> float:
    """-sum_i sum_j y_ij log softmax(z)_ij with one-hot y."""
    return float(-np.vdot(y, _log_softmax(z)))


def cce_residual(z, y, out):
    """d/dz of the summed cce = softmax(z) - y."""
    np.copyto(out, softmax(z))
    out -= y
    return out


def step_output(z: np.ndarray) -> np.ndarray:
    """The perceptron's output: step(z) = 1 where z > 0, else 0."""
    return (z > 0.0).astype(np.float64)


def perceptron_value(z: np.ndarray, y: np.ndarray) -> float:
    """The perceptron criterion: sum_i max(0, -(2 y_i - 1) z_i), y in {0, 1}. Zero exactly when
    every example is on its side of the threshold (z > 0 for y = 1, z <= 0 for y = 0)."""
    return float(np.sum(np.maximum(0.0, -(2.0 * y - 1.0) * z)))


def perceptron_residual(z, y, out):
    """A subgradient of the summed criterion: step(z) - y, i.e. -(2y - 1) on the examples that
    step(z) gets wrong and 0 on the others (at z = 0 step says 0: wrong for y = 1, right for
    y = 0). With SGD at batch size 1 the update -lr (step(z) - y) [x | 1] is exactly Rosenblatt's
    rule w <- w + lr (y - yhat) x, b <- b + lr (y - yhat); a larger batch takes its mean."""
    np.greater(z, 0.0, out=out, casting="unsafe")
    out -= y
    return out


class Loss(NamedTuple):
    value: Callable[[np.ndarray, np.ndarray], float]           # summed loss
    residual: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]  # d(summed loss)/dz
    output: Callable[[np.ndarray], np.ndarray]                 # the model's prediction from z


LOSSES: dict[str, Loss] = {
    "mse": Loss(mse_value, mse_residual, lambda z: z),
    "bce": Loss(bce_value, bce_residual, lambda z: sigmoid(z)),
    "cce": Loss(cce_value, cce_residual, softmax),
    "perceptron": Loss(perceptron_value, perceptron_residual, step_output),
}
