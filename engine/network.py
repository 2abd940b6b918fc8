"""A fully connected network whose parameters live in one flat float64 buffer.

Layer l computes Z_l = A_{l-1} W_l^T + b_l for a batch of row vectors, i.e. z = W a + b per
example, with W_l of shape (fan_out, fan_in). W_l and b_l are stored together as one contiguous
augmented block [W_l | b_l] of shape (fan_out, fan_in + 1), and every activation matrix carries a
trailing column of ones, so one matmul computes W a + b and one matmul computes both dL/dW and
dL/db. All blocks are views of the flat vector ``theta``; gradients, optimizer state and
landscape directions use the same flat layout.
"""

from __future__ import annotations

import weakref

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES


def augment(x: np.ndarray, dtype=np.float64) -> np.ndarray:
    """[x | 1]: append a column of ones, (n, d) -> (n, d + 1), C-contiguous."""
    out = np.ones((x.shape[0], x.shape[1] + 1), dtype=dtype)
    out[:, :-1] = x
    return out


EVAL_CHUNK = 256
"""Rows per chunk when a whole set is evaluated (metrics, grids): bounds workspace memory."""
MAX_WORKSPACES = 6


class Workspace:
    """Preallocated buffers for one batch size: pre-activations, activations, deltas; and the
    per-layer operand tuples of the forward and backward sweeps (built once, reused each step)."""

    def __init__(self, sizes: list[int], batch: int, rows_of: "Workspace | None" = None,
                 dtype=np.float64):
        n_layers = len(sizes) - 1
        self.batch = batch
        # the workspace whose first `batch` rows these buffers are (weak: no reference cycle)
        self._rows_of = weakref.ref(rows_of) if rows_of is not None else None
        if rows_of is None:
            self.z = [np.empty((batch, sizes[l + 1]), dtype=dtype) for l in range(n_layers)]
            # Hidden activations, augmented with a ones column; acts[l] feeds layer l + 1.
            self.acts = [augment(np.empty((batch, sizes[l + 1]), dtype=dtype), dtype)
                         for l in range(n_layers - 1)]
        else:
            self.z = [z[:batch] for z in rows_of.z]
            self.acts = [a[:batch] for a in rows_of.acts]
        self.act_views = [a[:, :-1] for a in self.acts]
        self._sizes = sizes
        self.delta: list[np.ndarray] = []   # backward buffers: made on the first backward pass,
        self.back: list[np.ndarray] = []    # so forward-only workspaces (the 100 x 100 grid)
        self.slope: list[np.ndarray] = []   # stay small
        self._own_plans: dict[str, list] = {}
        self._prefixes: dict[int, Workspace] = {}

    def rows(self, m: int) -> "Workspace":
        """A workspace of the first m rows of these buffers (views: no new memory), for the last,
        shorter chunk of a chunked pass."""
        if m == self.batch:
            return self
        if not 0 < m < self.batch:
            raise ValueError(f"rows must be 1..{self.batch}, got {m}")
        view = self._prefixes.get(m)
        if view is None:
            if len(self._prefixes) >= MAX_WORKSPACES:
                self._prefixes.clear()
            view = self._prefixes[m] = Workspace(self._sizes, m, rows_of=self,
                                                 dtype=self.z[0].dtype)
        return view

    def _ensure_backward_buffers(self) -> None:
        if not self.delta:
            sizes, batch = self._sizes, self.batch
            parent = self._rows_of() if self._rows_of is not None else None
            if parent is not None:
                parent._ensure_backward_buffers()
                self.delta = [d[:batch] for d in parent.delta]
                self.back = [b[:batch] for b in parent.back]
                self.slope = [s[:batch] for s in parent.slope]
                return
            dtype = self.z[0].dtype
            self.delta = [np.empty((batch, n), dtype=dtype) for n in sizes[1:]]
            self.back = [np.empty((batch, n), dtype=dtype) for n in sizes[1:-1]]
            self.slope = [np.empty((batch, n), dtype=dtype) for n in sizes[1:-1]]

    def forward_plan(self, blocks: list[np.ndarray], cache: bool) -> list[tuple]:
        """Per layer: (W^T view, Z buffer, hidden activation view or None, augmented A or None)."""
        plan = self._own_plans.get("forward") if cache else None
        if plan is None:
            last = len(blocks) - 1
            plan = [(blk.T, self.z[l], self.act_views[l] if l < last else None,
                     self.acts[l] if l < last else None) for l, blk in enumerate(blocks)]
            if cache:
                self._own_plans["forward"] = plan
        return plan

    def backward_plan(self, weights: list[np.ndarray], grad_blocks: list[np.ndarray],
                      cache: bool) -> list[tuple]:
        """From the last layer down to layer 2: (gradient block, A_{l-1}, W_l, buffers for
        delta W, Z_{l-1}, A_{l-1} view, g'(Z_{l-1}) and delta_{l-1})."""
        key = id(grad_blocks[0].base)
        plan = self._own_plans.get(key) if cache else None
        if plan is None:
            self._ensure_backward_buffers()
            plan = [(grad_blocks[l], self.acts[l - 1], weights[l], self.back[l - 1],
                     self.z[l - 1], self.act_views[l - 1], self.slope[l - 1], self.delta[l - 1])
                    for l in range(len(weights) - 1, 0, -1)]
            if cache:
                self._own_plans[key] = plan
        return plan


class Network:
    """Parameters and the forward/backward passes for layer sizes [n_in, h_1, ..., n_out]."""

    def __init__(self, sizes: list[int], activation: str, loss: str):
        self.sizes = list(sizes)
        self.activation = ACTIVATIONS[activation]
        self.loss = LOSSES[loss]
        self.shapes = [(sizes[l + 1], sizes[l] + 1) for l in range(len(sizes) - 1)]
        self.offsets = np.cumsum([0] + [r * c for r, c in self.shapes])
        self.n_params = int(self.offsets[-1])
        self.theta = np.zeros(self.n_params)
        self.blocks = self.views(self.theta)
        self.weights = [blk[:, :-1] for blk in self.blocks]
        self.weight_mask = np.zeros(self.n_params)
        for blk in self.views(self.weight_mask):
            blk[:, :-1] = 1.0
        self._workspaces: dict[int, Workspace] = {}
        self._eval_ws: dict[np.dtype, Workspace] = {}   # forward_chunks' one per dtype

    @property
    def n_layers(self) -> int:
        return len(self.shapes)

    def views(self, flat: np.ndarray) -> list[np.ndarray]:
        """The per-layer (fan_out, fan_in + 1) blocks [W | b] of any flat parameter-shaped vector."""
        return [flat[self.offsets[l]:self.offsets[l + 1]].reshape(shape)
                for l, shape in enumerate(self.shapes)]

    def layer_slices(self) -> list[slice]:
        """Where each layer's block sits in the flat vector."""
        return [slice(int(self.offsets[l]), int(self.offsets[l + 1])) for l in range(self.n_layers)]

    def initialize(self, scheme: str, rng: np.random.Generator, gain: float = 1.0) -> None:
        """Weights by scheme, times gain; biases 0. xavier: N(0, 2/(fan_in+fan_out)); he:
        N(0, 2/fan_in); uniform: U(-0.5, 0.5); zeros: all 0. The same draws for every gain."""
        self.theta.fill(0.0)
        for w in self.weights:
            fan_out, fan_in = w.shape
            if scheme == "xavier":
                w[...] = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), w.shape)
            elif scheme == "he":
                w[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), w.shape)
            elif scheme == "uniform":
                w[...] = rng.uniform(-0.5, 0.5, w.shape)
            elif scheme != "zeros":
                raise ValueError(f"unknown init {scheme!r}")
            if gain != 1.0:
                w *= gain

    def workspace(self, batch: int) -> Workspace:
        """The cached workspace for this batch size (the MAX_WORKSPACES most recently used
        sizes are kept: a run whose batch size changes often does not pile them up)."""
        ws = self._workspaces.pop(batch, None)
        if ws is None:
            ws = Workspace(self.sizes, batch)
        self._workspaces[batch] = ws            # most recently used last
        while len(self._workspaces) > MAX_WORKSPACES:
            del self._workspaces[next(iter(self._workspaces))]
        return ws

    def eval_workspace(self, rows: int, dtype=np.float64) -> Workspace:
        """The one workspace of chunked passes (at most EVAL_CHUNK rows, grown on demand; one
        per dtype), or a view of its first `rows` rows: every set evaluated in chunks (metrics,
        gradients, grids of any resolution) shares the same buffers, apart from training's."""
        dtype = np.dtype(dtype)
        ws = self._eval_ws.get(dtype)
        if ws is None or ws.batch < rows:
            ws = self._eval_ws[dtype] = Workspace(self.sizes, rows, dtype=dtype)
        return ws.rows(rows)

    def blocks_as(self, dtype) -> list[np.ndarray]:
        """The parameters' [W | b] blocks as a copy in another dtype (float32 display grids)."""
        return self.views(self.theta.astype(dtype))

    def forward_chunks(self, x_aug: np.ndarray, chunk: int = EVAL_CHUNK,
                       blocks: list[np.ndarray] | None = None):
        """forward() over the rows of x_aug in chunks of at most `chunk` rows, so evaluating
        a large set (a 100x100 grid, 2,000 points) needs one workspace of `chunk` rows, not of
        the whole set; in x_aug's dtype (float32 inputs need float32 ``blocks``). Yields
        (start, stop, z, ws) per chunk; z and ws are reused by the next one (backward() may
        follow on ws before the next chunk)."""
        n = x_aug.shape[0]
        chunk = min(chunk, EVAL_CHUNK)
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            ws = self.eval_workspace(stop - start, x_aug.dtype)
            yield start, stop, self.forward(x_aug[start:stop], ws, blocks), ws

    def forward(self, x_aug: np.ndarray, ws: Workspace, blocks: list[np.ndarray] | None = None
                ) -> np.ndarray:
        """Output pre-activations (logits) for augmented inputs x_aug (batch, n_in + 1).
        Fills ws.z (every layer's Z) and ws.acts (hidden activations). ``blocks`` defaults to
        the network's own parameters; others (e.g. a point on a loss-surface slice) may be given."""
        forward = self.activation.forward
        plan = ws.forward_plan(self.blocks if blocks is None else blocks, blocks is None)
        a = x_aug
        for w_t, z, act_view, act in plan:
            np.dot(a, w_t, out=z)
            if act is None:
                return z
            forward(z, act_view)
            a = act
        raise AssertionError("unreachable: the last layer has no activation buffer")

    def backward(self, x_aug: np.ndarray, y: np.ndarray, ws: Workspace,
                 grad_blocks: list[np.ndarray], weights: list[np.ndarray] | None = None) -> None:
        """Gradient of the SUMMED loss over the batch, written into ``grad_blocks`` (the
        views() of a flat gradient vector), by the chain rule: delta_L = dL/dZ_L,
        dL/d[W|b]_l = delta_l^T [A_{l-1} | 1], delta_{l-1} = (delta_l W_l) * g'(Z_{l-1}).
        Needs the ws filled by forward() at the same parameters."""
        derivative = self.activation.derivative
        own = weights is None
        plan = ws.backward_plan(self.weights if own else weights, grad_blocks, own)
        delta = self.loss.residual(ws.z[-1], y, ws.delta[-1])
        for grad_block, a_prev, w, back, z_prev, act_prev, slope, delta_prev in plan:
            np.dot(delta.T, a_prev, out=grad_block)
            np.dot(delta, w, out=back)
            derivative(z_prev, act_prev, slope)
            delta = np.multiply(back, slope, out=delta_prev)
        np.dot(delta.T, x_aug, out=grad_blocks[0])

    def loss_sum(self, x_aug: np.ndarray, y: np.ndarray) -> float:
        """Summed data loss over the rows of x_aug at the current parameters."""
        return float(sum(self.loss.value(z, y[start:stop])
                         for start, stop, z, _ in self.forward_chunks(x_aug)))
