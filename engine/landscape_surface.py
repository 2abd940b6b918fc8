"""The mean training loss (+ penalty) at many parameter vectors at once, for the loss landscape.

Two entry points, both over the WHOLE training set and both returning float64 losses:

- ``plane_losses``: at theta(a, b) = theta_c + a d1 + b d2 over a grid of (a, b).
  theta is affine in (a, b), so the first layer's pre-activations are too:
  ``Z1(a, b) = W1(a, b) X^T = Z1c + a (D1 X^T) + b (E1 X^T)`` with X the augmented inputs and
  D1, E1 the first-layer blocks [W | b] of d1, d2. The three (h1, n) products are computed once
  per call in float64; along a grid row (fixed b) the first layer then costs one multiply and
  one add per value instead of a matmul. Every later layer's input depends on the grid point,
  so each point gets its own small matmul with its own blocks B_c + a D + b E, done as one
  batched ``np.matmul`` per chunk of grid points. Chunks are sized to keep a chunk's activations
  in cache (~0.5 MB in float32).
- ``parameter_losses``: at arbitrary parameter vectors (the recorded trajectory); the first layer
  is a batched matmul as well.

The forward pass may run in float32 (2.5x faster for tanh and the matmuls). Each example's loss
is then computed with a formula whose terms are all non-negative (no cancellation, so a near
perfect fit keeps its relative accuracy) and summed over examples in float64: float32 only
perturbs the logits (relative deviation ~1e-7 on the benchmark net; bar 1e-4). The penalty is
evaluated in float64: L2 as the exact quadratic form in (a, b), L1 directly.
Non-finite parameters give non-finite losses, never warnings or exceptions.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS

CHUNK_ELEMENTS = 1 << 17  # activation values per chunk: (points, n, widest layer) ~ 0.5 MB f32
DTYPES = {"float32": np.float32, "float64": np.float64}


# ---------------------------------------------------------------------- losses per point
def _summed_losses(z: np.ndarray, yt: np.ndarray, loss: str) -> np.ndarray:
    """Summed data loss of each point's logits z (m, k, n) against the targets yt (k, n), as
    float64 (m,). Each row's loss is a sum of non-negative terms, so float32 logits lose nothing
    to cancellation (a well-fitted loss stays accurate to ~1e-7 relative):
    mse: sum (z - y)^2. bce: log(1 + e^-|z|) + (1 - y) max(z, 0) + y max(-z, 0), which equals
    log(1 + e^z) - y z. cce (one-hot y): (t - z_y) + log1p(sum_{j != argmax} e^(z_j - t)) with t
    the row max, which equals logsumexp(z) - z_y. perceptron: max(0, -(2y - 1) z)."""
    if loss == "mse":
        d = z - yt
        d *= d
        return d.sum(axis=(1, 2), dtype=np.float64)
    if loss == "bce":
        z, y = z[:, 0, :], yt[0]
        v = np.abs(z)
        np.negative(v, out=v)
        np.exp(v, out=v)
        np.log1p(v, out=v)
        total = v.sum(axis=1, dtype=np.float64)
        np.maximum(z, 0.0, out=v)
        total += v @ (1.0 - y)
        np.negative(z, out=v)
        np.maximum(v, 0.0, out=v)
        total += v @ y
        return total
    if loss == "perceptron":  # max(0, -(2y - 1) z): non-negative terms as well
        return np.maximum(-(2.0 * yt[0] - 1.0) * z[:, 0, :], 0.0).sum(axis=1, dtype=np.float64)
    if loss == "cce":
        top = z.max(axis=1, keepdims=True)
        e = np.exp(z - top)
        np.put_along_axis(e, z.argmax(axis=1)[:, None, :], 0.0, axis=1)
        rows = top[:, 0, :] - np.einsum("mkn,kn->mn", z, yt)  # exactly 0 where y is the max
        rows += np.log1p(e.sum(axis=1))
        return rows.sum(axis=1, dtype=np.float64)
    raise ValueError(f"unknown loss {loss!r}")


def penalty_rows(cfg, thetas: np.ndarray, weight_mask: np.ndarray) -> np.ndarray:
    """penalties.penalty_value for each row of thetas (m, P); (m,) float64."""
    if cfg.regularization == "none" or cfg.regularization_rate == 0:
        return np.zeros(thetas.shape[0])
    w = thetas * weight_mask
    if cfg.regularization == "l2":
        return cfg.regularization_rate * np.einsum("mp,mp->m", w, w)
    return cfg.regularization_rate * np.abs(w).sum(axis=1)


def _plane_penalties(cfg, center, d1, d2, weight_mask, a, b) -> np.ndarray:
    """penalty_value at center + a d1 + b d2 for each (a, b); a, b: (m,). L2 is the quadratic
    form rate |w_c + a u + b v|^2 expanded; L1 sums |w| over the weights the plane moves (the
    others add a constant), in chunks."""
    if cfg.regularization == "none" or cfg.regularization_rate == 0:
        return np.zeros(a.shape[0])
    c, u, v = center * weight_mask, d1 * weight_mask, d2 * weight_mask
    rate = cfg.regularization_rate
    if cfg.regularization == "l2":
        return rate * (c @ c + 2 * a * (c @ u) + 2 * b * (c @ v)
                       + a * a * (u @ u) + 2 * a * b * (u @ v) + b * b * (v @ v))
    moved = (u != 0) | (v != 0)
    fixed = float(np.abs(c[~moved]).sum())
    c, u, v = c[moved], u[moved], v[moved]
    out = np.empty(a.shape[0])
    step = max(1, CHUNK_ELEMENTS // max(1, c.size))
    for s in range(0, a.shape[0], step):
        w = c + a[s:s + step, None] * u + b[s:s + step, None] * v
        out[s:s + step] = np.abs(w).sum(axis=1)
    return rate * (out + fixed)


# ---------------------------------------------------------------------- the batched forward pass
# Layout: a chunk of m points keeps each layer's values as (m, units, n), examples last. Hidden
# activations carry a trailing row of ones, so a layer with its bias is one batched matmul
# [W | b] (m, fan_out, fan_in + 1) @ [A; 1] (m, fan_in + 1, n), and the activation function
# writes rows of n contiguous values.
class _Forward:
    """Layers 2..L for chunks of points that each carry their own weights."""

    def __init__(self, trainer, dtype, chunk_hint: int | None = None):
        net = trainer.net
        self.dtype = dtype
        self.yt = np.ascontiguousarray(trainer.training_targets.T, dtype=dtype)  # (k, n)
        self.n = trainer.n_train
        self.loss = trainer.config.loss
        self.act = ACTIVATIONS[trainer.config.activation].forward
        self.chunk = max(1, CHUNK_ELEMENTS // (self.n * max(net.sizes[1:])))
        if chunk_hint is not None:  # split rows of chunk_hint points into equal chunks
            self.chunk = -(-chunk_hint // -(-chunk_hint // self.chunk))
        self.zs = [np.empty((self.chunk, h, self.n), dtype) for h in net.sizes[1:]]
        self.acts = [np.ones((self.chunk, h + 1, self.n), dtype) for h in net.sizes[1:-1]]

    def summed_losses(self, z1: np.ndarray, later_blocks: list[np.ndarray]) -> np.ndarray:
        """z1: (m, h1, n) first-layer pre-activations of m points; later_blocks: per later
        layer, the points' [W | b] (m, fan_out, fan_in + 1). Returns the summed loss (m,)."""
        m = z1.shape[0]
        z = z1
        for l, blk in enumerate(later_blocks):
            a = self.acts[l][:m]
            self.act(z, a[:, :-1])
            z = np.matmul(blk, a, out=self.zs[l + 1][:m])
        return _summed_losses(z, self.yt, self.loss)


class LandscapeCancelled(Exception):
    """A landscape computation stopped between chunks because its should_stop said so;
    `fraction`: the share of the grid that was done (for estimates of what would fit)."""

    def __init__(self, fraction: float):
        super().__init__(f"cancelled with {fraction:.0%} of the grid done")
        self.fraction = fraction


def check_stop(should_stop, fraction: float) -> None:
    """Raise LandscapeCancelled(fraction) if should_stop(fraction) says so (None: never)."""
    if should_stop is not None and should_stop(fraction):
        raise LandscapeCancelled(fraction)


def plane_losses(trainer, center: np.ndarray, d1: np.ndarray, d2: np.ndarray,
                 alpha: np.ndarray, beta: np.ndarray, dtype: str = "float32",
                 should_stop=None) -> np.ndarray:
    """Mean training loss + penalty over the grid: out[i, j] = L(center + alpha[j] d1 +
    beta[i] d2); alpha (Ra,), beta (Rb,) -> (Rb, Ra) float64. dtype ("float32" or "float64")
    is the forward pass's precision. should_stop(fraction done) is asked before every grid row
    (cooperative cancellation: LandscapeCancelled).

    Per grid row (fixed beta): Z1 = (Z1c + beta E1 X^T) + alpha (D1 X^T), two passes over the
    first layer's values; layers 2..L use the points' own blocks B_c + alpha D + beta E."""
    alpha = np.asarray(alpha, dtype=np.float64).ravel()
    beta = np.asarray(beta, dtype=np.float64).ravel()
    net, xt = trainer.net, trainer.training_inputs.T
    fwd = _Forward(trainer, DTYPES[dtype], chunk_hint=alpha.shape[0])
    out = np.empty((beta.shape[0], alpha.shape[0]))
    with np.errstate(all="ignore"):
        # Z1 (h1, n) at the centre and along each direction: exact products in float64
        first_c, first_d, first_e = (net.views(v)[0] @ xt for v in (center, d1, d2))
        first_d = first_d.astype(fwd.dtype)
        later = list(zip(*(net.views(v)[1:] for v in (center, d1, d2))))
        a_col = alpha.astype(fwd.dtype)[:, None, None]
        for i, b in enumerate(beta):
            check_stop(should_stop, i / beta.shape[0])
            row_first = (first_c + b * first_e).astype(fwd.dtype)
            row_blocks = [(c + b * e).astype(fwd.dtype) + a_col * d.astype(fwd.dtype)
                          for c, d, e in later]  # (Ra, fan_out, fan_in + 1)
            for s in range(0, alpha.shape[0], fwd.chunk):
                a = a_col[s:s + fwd.chunk]
                z1 = np.multiply(a, first_d, out=fwd.zs[0][:a.shape[0]])
                z1 += row_first
                out[i, s:s + a.shape[0]] = fwd.summed_losses(
                    z1, [blk[s:s + fwd.chunk] for blk in row_blocks])
        out /= fwd.n
        b_grid, a_grid = np.meshgrid(beta, alpha, indexing="ij")
        out += _plane_penalties(trainer.config, center, d1, d2, net.weight_mask,
                                a_grid.ravel(), b_grid.ravel()).reshape(out.shape)
    return out


def parameter_losses(trainer, thetas: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """Mean training loss + penalty at each row of thetas (m, P); (m,) float64."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    return parameter_data_losses(trainer, thetas, dtype) + penalty_rows(
        trainer.config, thetas, trainer.net.weight_mask)


def parameter_data_losses(trainer, thetas: np.ndarray, dtype: str = "float64",
                          should_stop=None) -> np.ndarray:
    """Mean training data loss (no penalty) at each row of thetas (m, P); (m,) float64.
    should_stop(0.0) is asked before every chunk (LandscapeCancelled)."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    net = trainer.net
    fwd = _Forward(trainer, DTYPES[dtype])
    xt = np.ascontiguousarray(trainer.training_inputs.T, dtype=fwd.dtype)  # (d + 1, n)
    out = np.empty(thetas.shape[0])
    with np.errstate(all="ignore"):
        for s in range(0, thetas.shape[0], fwd.chunk):
            check_stop(should_stop, 0.0)
            rows = thetas[s:s + fwd.chunk]
            m = rows.shape[0]
            blocks = [np.stack(v).astype(fwd.dtype) for v in zip(*map(net.views, rows))]
            z1 = np.matmul(blocks[0], xt, out=fwd.zs[0][:m])  # (m, h1, n)
            out[s:s + m] = fwd.summed_losses(z1, blocks[1:])
    return out / fwd.n
