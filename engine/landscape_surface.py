"""The mean training loss (+ penalty) at many parameter vectors at once, for the loss landscape.

Two entry points, both over the WHOLE training set and both returning float64 losses:

- ``plane_losses``: at theta(a, b) = theta_c + a d1 + b d2 for many (a, b) (the landscape grid).
  theta is affine in (a, b), so the first layer's pre-activations are too:
  ``Z1(a, b) = X W1(a, b)^T = Z1c + a (X D1^T) + b (X E1^T)`` with X the augmented inputs and
  D1, E1 the first-layer blocks of d1, d2. The three (n, h1) products are computed once per call
  (in float64), after which a grid point costs two multiply-adds per first-layer value instead
  of a matmul. Every later layer's input depends on the grid point, so each point gets its own
  small matmul with its own weights W_l + a D_l + b E_l, done as one batched ``np.matmul`` per
  chunk of grid points. Chunks are sized to keep the activations in cache.
- ``parameter_losses``: at arbitrary parameter vectors (the recorded trajectory); the first layer
  is a batched matmul as well.

Hidden layers may run in float32 (twice as fast for tanh and the matmuls); the output logits are
always converted to float64 and the loss uses per-row formulas without cancellation, so float32
only perturbs the forward pass (relative deviation ~1e-7 on the benchmark net, bar 1e-4).
The penalty is evaluated in float64: L2 as an exact quadratic form in (a, b), L1 directly.
Non-finite parameters give non-finite losses, never warnings or exceptions.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS

CHUNK_ELEMENTS = 1 << 17  # activation values per chunk: (points, n, widest layer) ~ 0.5 MB f32
DTYPES = {"float32": np.float32, "float64": np.float64}


# ---------------------------------------------------------------------- losses per point
def _summed_losses(z: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """Summed data loss of each point's logits z (m, n, k) against y (n, k), in float64; (m,).
    mse: sum (z - y)^2. bce: log(1 + e^-|z|) + (1 - y) max(z, 0) + y max(-z, 0), which equals
    log(1 + e^z) - y z with every term >= 0 (no cancellation when the fit is good). cce (one-hot
    y): (m - z_y) + log1p(sum_{j != argmax} e^(z_j - m)) with m the row max, = lse(z) - z_y."""
    z = z.astype(np.float64, copy=False)
    if loss == "mse":
        d = z - y
        return np.einsum("mnk,mnk->m", d, d)
    if loss == "bce":
        z, y = z[..., 0], y[:, 0]
        v = np.log1p(np.exp(-np.abs(z)))
        v += (1.0 - y) * np.maximum(z, 0.0)
        v += y * np.maximum(-z, 0.0)
        return v.sum(axis=1)
    if loss == "cce":
        top = z.max(axis=2, keepdims=True)
        e = np.exp(z - top)
        np.put_along_axis(e, z.argmax(axis=2)[..., None], 0.0, axis=2)
        rows = np.log1p(e.sum(axis=2)) + (top[..., 0] - np.einsum("mnk,nk->mn", z, y))
        return rows.sum(axis=1)
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
class _Forward:
    """The layers after the first, for chunks of points that each carry their own weights."""

    def __init__(self, trainer, dtype):
        self.net = trainer.net
        self.dtype = dtype
        self.y = trainer._data.y_train
        self.n = trainer.n_train
        self.loss = trainer.config.loss
        self.act = ACTIVATIONS[trainer.config.activation].forward
        widest = max(self.net.sizes[1:])
        self.chunk = max(1, CHUNK_ELEMENTS // (self.n * widest))
        # preallocated per-layer buffers for one chunk: hidden activations and pre-activations
        self.acts = [np.empty((self.chunk, self.n, h), dtype) for h in self.net.sizes[1:-1]]
        self.zs = [np.empty((self.chunk, self.n, h), dtype) for h in self.net.sizes[1:]]

    def transposed(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per layer (W^T (fan_in, fan_out), b (fan_out,)) of a flat vector, in self.dtype."""
        return [(np.ascontiguousarray(blk[:, :-1].T, dtype=self.dtype),
                 blk[:, -1].astype(self.dtype)) for blk in self.net.views(flat)]

    def summed_losses(self, z1: np.ndarray, layers) -> np.ndarray:
        """z1: (m, n, h1) first-layer pre-activations of m points; layers: per later layer
        (W^T (m, fan_in, fan_out), b (m, fan_out)). Returns the summed data loss (m,)."""
        m = z1.shape[0]
        z = z1
        for l, (wt, b) in enumerate(layers):
            a = self.act(z, self.acts[l][:m])
            z = np.matmul(a, wt, out=self.zs[l + 1][:m])
            z += b[:, None, :]
        return _summed_losses(z, self.y, self.loss)


def plane_losses(trainer, center: np.ndarray, d1: np.ndarray, d2: np.ndarray,
                 a: np.ndarray, b: np.ndarray, dtype: str = "float32") -> np.ndarray:
    """Mean training loss + penalty at center + a_i d1 + b_i d2 for each i; a, b: (m,).
    Returns (m,) float64. dtype ("float32" or "float64") is the hidden layers' precision."""
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    net, x = trainer.net, trainer._x_train_aug
    fwd = _Forward(trainer, DTYPES[dtype])
    out = np.empty(a.shape[0])
    with np.errstate(all="ignore"):
        first_c, first_d, first_e = (np.asarray(x @ net.views(v)[0].T, dtype=fwd.dtype)
                                     for v in (center, d1, d2))
        later_c, later_d, later_e = (fwd.transposed(v)[1:] for v in (center, d1, d2))
        tmp = np.empty_like(fwd.zs[0])
        for s in range(0, a.shape[0], fwd.chunk):
            ac = a[s:s + fwd.chunk].astype(fwd.dtype)
            bc = b[s:s + fwd.chunk].astype(fwd.dtype)
            m = ac.shape[0]
            z1 = np.multiply(ac[:, None, None], first_d, out=fwd.zs[0][:m])
            z1 += first_c
            z1 += np.multiply(bc[:, None, None], first_e, out=tmp[:m])
            layers = [(wc + ac[:, None, None] * wd + bc[:, None, None] * we,
                       bc_ + ac[:, None] * bd + bc[:, None] * be)
                      for (wc, bc_), (wd, bd), (we, be) in zip(later_c, later_d, later_e)]
            out[s:s + m] = fwd.summed_losses(z1, layers)
        out /= fwd.n
        out += _plane_penalties(trainer.config, center, d1, d2, net.weight_mask, a, b)
    return out


def parameter_losses(trainer, thetas: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """Mean training loss + penalty at each row of thetas (m, P); (m,) float64."""
    return parameter_data_losses(trainer, thetas, dtype) + penalty_rows(
        trainer.config, thetas, trainer.net.weight_mask)


def parameter_data_losses(trainer, thetas: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """Mean training data loss (no penalty) at each row of thetas (m, P); (m,) float64."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    net, x = trainer.net, trainer._x_train_aug.astype(DTYPES[dtype])
    fwd = _Forward(trainer, DTYPES[dtype])
    out = np.empty(thetas.shape[0])
    with np.errstate(all="ignore"):
        for s in range(0, thetas.shape[0], fwd.chunk):
            rows = thetas[s:s + fwd.chunk]
            m = rows.shape[0]
            blocks = [np.stack(v) for v in zip(*(net.views(r) for r in rows))]  # (m, out, in+1)
            first = blocks[0].astype(fwd.dtype).transpose(0, 2, 1)
            z1 = np.matmul(x, first, out=fwd.zs[0][:m])
            layers = [(blk[:, :, :-1].transpose(0, 2, 1).astype(fwd.dtype),
                       blk[:, :, -1].astype(fwd.dtype)) for blk in blocks[1:]]
            out[s:s + m] = fwd.summed_losses(z1, layers)
    return out / fwd.n
