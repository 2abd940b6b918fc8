"""Trainer: a network, its data and its optimizer, stepped by minibatch gradient descent.

Everything the page and the API show comes from here. Live settings (learning rate, batch size,
optimizer, schedule, clipping, regularization) change between any two steps and keep the weights;
data and architecture settings rebuild the run (a reset), and `set` refuses them unless asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from .activations import ACTIVATIONS, SATURATION_THRESHOLD
from .compiled_loop import compiled_loop_for, kernels_ready, uncovered_settings
from .config import RESET_FIELDS, TrainConfig, loss_fits
from .custom_data import CustomData, CustomDataError
from .datasets import INPUT_DOMAIN, generate, split_train_test
from .divergence import UNSTABLE_FACTOR, Evidence, likely_cause, reference_init, unstable_reason
from .features import map_features
from .input_scale import feature_names, largest_feature_scale, standardize_hint
from .network import Network, augment
from .optimizers import OPTIMIZERS, ensure_state
from .penalties import add_penalty_gradient, clip_gradient, gradient_norm, penalty_value
from .schedules import scheduled_learning_rate


class Observation(NamedTuple):
    """Trainer.observe(): a frame's numbers from one pass."""
    metrics: dict
    diagnostics: dict
    gradient: np.ndarray | None            # full_gradient(), when asked for
    preactivations: dict[int, np.ndarray]  # layer -> Z over the training set (n_train, units)


TRAJECTORY_CAPACITY = 512
TRAJECTORY_BYTES = 6 * 2**20  # at most 6 MiB of recorded parameters per run (at least 24 points)
HISTORY_CAPACITY = 2000
# A history row costs one evaluation of both splits, ~(n_train + n_test) * n_params
# multiply-adds; the history's stride starts at the smallest power of two that keeps that under
# HISTORY_ROW_MACS per step (1 up to ~500 parameters on 500 points: every small network).
HISTORY_ROW_MACS = 2**18
# The head: the first HISTORY_HEAD_ROWS rows (at that stride: every step for a small network)
# are always kept. After the head the rows are at multiples of a larger tail stride chosen so
# that evaluating them costs at most about HISTORY_ROW_BUDGET of the training time (a row is
# ~ (n_train + n_test) / (3 batch + 4) + 4 updates: forward passes over both splits against a
# batch's forward and backward, plus the row's Python bookkeeping); when HISTORY_CAPACITY rows
# are reached the tail stride doubles and only its multiples (and the head) stay.
HISTORY_HEAD_ROWS = 256
HISTORY_ROW_BUDGET = 0.02


def tail_stride(n_evaluated: int, batch: int) -> int:
    """The smallest power of two whose rows, after the head, cost at most HISTORY_ROW_BUDGET
    of the updates between them (a row ~ n_evaluated / (3 batch + 4) + 4 updates)."""
    row_cost = n_evaluated / (3 * batch + 4) + 4
    return 1 << max(0, math.ceil(math.log2(row_cost / HISTORY_ROW_BUDGET)))


class ResetRequired(ValueError):
    """A change of data or architecture was asked for without reset=True."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        super().__init__(self.explain("pass reset=True"))

    def explain(self, how: str) -> str:
        """The message, with `how` to ask for the reset in the caller's terms (Python's
        reset=True here; a JSON API says "reset": true)."""
        return (f"changing {', '.join(self.fields)} rebuilds the data or the network and "
                f"resets training; {how} to do it")


@dataclass
class PreparedData:
    """Inputs after feature mapping (and standardization), targets as (n, k) matrices."""
    x_train: np.ndarray
    x_test: np.ndarray
    labels_train: np.ndarray  # (n,) class index or regression target
    labels_test: np.ndarray
    y_train: np.ndarray  # (n, k) training targets in the loss's layout
    y_test: np.ndarray
    mean: np.ndarray     # standardization applied to features: (x - mean) / scale
    scale: np.ndarray
    n_outputs: int


@dataclass
class SharedInputs:
    """What a build makes once from its config and a copy of the same run may share (read-only
    arrays; the caches fill once for all of them): the prepared data, its augmented inputs,
    the augmented grid inputs by resolution, and the step-0 facts (initial loss, start norms)."""
    config: TrainConfig
    custom: CustomData | None
    data: PreparedData
    x_train_aug: np.ndarray
    x_test_aug: np.ndarray
    grid_cache: dict[int | tuple, np.ndarray]   # resolution (float64), (resolution, dtype)
    step0: dict = field(default_factory=dict)


def _same_data(a: TrainConfig, b: TrainConfig) -> bool:
    """Whether two configs make the same data and network shape (RESET_FIELDS agree)."""
    return a is b or all(getattr(a, f) == getattr(b, f) for f in RESET_FIELDS)


def _penalty_of(cfg: TrainConfig) -> tuple:
    """The live settings the step-0 facts depend on beside the data (the penalty's): their
    key in SharedInputs.step0, so a live change of regularization is not served a stale one."""
    return cfg.regularization, cfg.regularization_rate


def _raw_points(cfg: TrainConfig, custom: CustomData | None) -> tuple[np.ndarray, np.ndarray]:
    """The dataset's raw inputs and labels: a custom dataset's points, or generated ones."""
    if custom is not None:
        return custom.x, custom.y
    return generate(cfg.dataset, cfg.n_samples, cfg.noise, cfg.seed, cfg.n_classes)


def _prepare_data(cfg: TrainConfig, custom: CustomData | None = None) -> PreparedData:
    """Generate (or take the custom points), split, map features, standardize on training
    statistics, encode targets."""
    x, labels = _raw_points(cfg, custom)
    task = custom.kind if custom is not None else cfg.task
    x_tr, l_tr, x_te, l_te = split_train_test(x, labels, cfg.train_fraction, cfg.seed)
    f_tr, f_te = map_features(x_tr, cfg.features), map_features(x_te, cfg.features)
    if cfg.standardize:
        mean, scale = f_tr.mean(axis=0), f_tr.std(axis=0)
        scale[scale == 0] = 1.0
    else:
        mean, scale = np.zeros(f_tr.shape[1]), np.ones(f_tr.shape[1])
    f_tr, f_te = (f_tr - mean) / scale, (f_te - mean) / scale
    n_classes = int(labels.max()) + 1 if task != "regression" else 1
    n_outputs = n_classes if _one_hot(cfg, task) else 1
    return PreparedData(np.ascontiguousarray(f_tr), np.ascontiguousarray(f_te), l_tr, l_te,
                        encode_targets(cfg, l_tr, n_outputs, task),
                        encode_targets(cfg, l_te, n_outputs, task),
                        mean, scale, n_outputs)


def _one_hot(cfg: TrainConfig, task: str | None = None) -> bool:
    """Whether targets are one-hot rows (cce, or mse on a multiclass set) rather than (n, 1);
    task: the dataset's (default the config's; a custom dataset's points say it)."""
    task = task or cfg.task
    return cfg.loss == "cce" or (cfg.loss == "mse" and task == "multiclass")


def encode_targets(cfg: TrainConfig, labels: np.ndarray, n_outputs: int,
                   task: str | None = None) -> np.ndarray:
    """Labels (n,) -> targets (n, k) in the loss's layout: one-hot rows or a single column."""
    if _one_hot(cfg, task):
        return np.eye(n_outputs)[labels.astype(int)]
    return labels.reshape(-1, 1).astype(float)


@dataclass
class TrainerState:
    """Everything that makes a Trainer what it is now, as copies: restoring it gives a Trainer
    that continues exactly as the original would (same shuffles, same updates)."""
    config: TrainConfig
    theta: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    optimizer_state: dict
    step_count: int
    epoch: int
    status: str
    reason: str
    position: int
    position_batch: int
    shuffle_state: dict
    x_epoch: np.ndarray
    y_epoch: np.ndarray
    trajectory: np.ndarray
    trajectory_steps: np.ndarray
    trajectory_stride: int
    history: list
    history_stride: int                # the head's stride
    trajectory_jumps: np.ndarray | None = None  # None: no hand edits recorded
    examples_seen: int = 0
    custom: CustomData | None = None   # the points of a custom dataset (immutable, shared)
    grad_stats: np.ndarray | None = None   # [last norm before clipping, largest finite norm]
    clip_counts: tuple[int, int] = (0, 0)  # (steps with clipping on, steps clipped)
    history_tail_stride: int = 0           # the stride after the head (0: as built)
    cause: str | None = None               # a diverged run's likely cause (engine/divergence.py)


class Trainer:
    """Trains a fully connected net on a dataset, one minibatch update per step."""

    def __init__(self, config: TrainConfig | None = None, *,
                 dataset_source: Callable[[str], CustomData | None] | None = None, **overrides):
        """dataset_source(id) gives the points of a custom dataset (dataset="custom",
        custom_dataset=id), or None when it has no such id: the engine never fetches data."""
        config = config or TrainConfig()
        self._config = config.model_copy(update=overrides) if overrides else config
        if overrides:
            self._config = TrainConfig.model_validate(self._config.model_dump())
        self._dataset_source = dataset_source
        self._custom = self._custom_points(self._config)
        self._build()

    def _custom_points(self, cfg: TrainConfig) -> CustomData | None:
        """The custom dataset cfg names (checked against the loss), None for built-in ones;
        CustomDataError if it cannot be had or does not fit."""
        if cfg.dataset != "custom":
            return None
        found = self._dataset_source(cfg.custom_dataset) if self._dataset_source else None
        if found is None:
            raise CustomDataError(f"no custom dataset with id {cfg.custom_dataset!r} (upload "
                                  "one with POST /api/datasets)", field="custom_dataset")
        problem = loss_fits(cfg.loss, found.kind, "custom")
        if problem:
            raise CustomDataError(problem, field="loss")
        return found

    # ------------------------------------------------------------------ construction
    def _build(self, inputs: "SharedInputs | None" = None) -> None:
        """Data, network and training state for the config; `inputs`: prepared data to share
        (from_state's `like`) instead of generating it again; the parameters are then left
        for the caller to set."""
        cfg = self._config
        fresh = inputs is None
        if fresh:
            data = _prepare_data(cfg, self._custom)
            inputs = SharedInputs(cfg, self._custom, data, augment(data.x_train),
                                  augment(data.x_test), {})
        self._inputs = inputs
        self._data = inputs.data
        self.layer_sizes = [self._data.x_train.shape[1], *cfg.hidden, self._data.n_outputs]
        self.net = Network(self.layer_sizes, cfg.activation, cfg.loss)
        if fresh:
            self.net.initialize(cfg.init, np.random.default_rng(cfg.seed), cfg.init_gain)
        self._shuffle_rng = np.random.default_rng([cfg.seed, 1])
        self._x_train_aug = inputs.x_train_aug
        self._x_test_aug = inputs.x_test_aug
        self._x_epoch = np.empty_like(self._x_train_aug)
        self._y_epoch = np.empty_like(self._data.y_train)
        self._batch_views: dict[int, list[tuple]] = {}
        self._position = 0          # index of the next batch within the epoch
        self._position_batch = 0    # the batch size that position counts in (0: none yet)
        p = self.net.n_params
        self._grad = np.zeros(p)       # last minibatch gradient (after penalty and clipping)
        self._grad_blocks = self.net.views(self._grad)
        self._full_grad_blocks = self.net.views(np.zeros(p))  # full_gradient's output buffer
        self._chunk_grad_blocks = self.net.views(np.zeros(p))  # one chunk's part of it
        self._update = np.zeros(p)     # last optimizer step: theta_new - theta_old
        self._opt_state: dict = {}
        ensure_state(cfg.optimizer, self._opt_state, p)
        self.step_count = 0
        self.epoch = 0
        self.examples_seen = 0      # training examples the updates have used, over all epochs
        self.status = "ok"
        self.reason = ""
        self.cause: str | None = None   # a diverged run's likely cause (engine/divergence.py)
        self._grad_stats = np.zeros(2)  # [last minibatch gradient norm before clipping, peak]
        self._clip_counts = (0, 0)      # (steps taken with clipping on, steps it clipped)
        self.history: list[dict] = []
        eval_macs = (self._x_train_aug.shape[0] + self._x_test_aug.shape[0]) * p
        self._history_stride = 1 << max(0, math.ceil(math.log2(max(1, eval_macs / HISTORY_ROW_MACS))))
        self._history_tail_stride = tail_stride(
            self._x_train_aug.shape[0] + self._x_test_aug.shape[0], self.batch_size)
        capacity = int(np.clip(TRAJECTORY_BYTES // (8 * p), 24, TRAJECTORY_CAPACITY))
        self._trajectory = np.empty((capacity, p))
        self._trajectory_steps = np.empty(capacity, dtype=np.int64)
        self._trajectory_jumps = np.zeros(capacity, dtype=bool)
        self._trajectory_len = 0
        self._trajectory_stride = 1
        self._record_trajectory()
        self._grid_cache = inputs.grid_cache
        # the compiled loop over the same buffers (engine/compiled_loop.py); None without numba
        self._compiled = compiled_loop_for(self.net, self._x_train_aug, self._data.y_train,
                                           self._x_epoch, self._y_epoch, self._shuffle_rng,
                                           self._trajectory, self._trajectory_steps,
                                           self._trajectory_jumps,
                                           x_test_aug=self._x_test_aug,
                                           y_test=self._data.y_test,
                                           labels_train=self._data.labels_train,
                                           labels_test=self._data.labels_test,
                                           row_capacity=HISTORY_CAPACITY)

    def capture_state(self, path: bool = True) -> TrainerState:
        """A copy of the whole training state (cheap: a few arrays of the parameters' size);
        path=False leaves out the recorded descent path (up to 6 MiB: a frame's copy, whose
        views do not show it, is made without copying it)."""
        k = self._trajectory_len if path else 0
        return TrainerState(
            self._config, self.net.theta.copy(), self._grad.copy(), self._update.copy(),
            {key: (v.copy() if isinstance(v, np.ndarray) else v)
             for key, v in self._opt_state.items()},
            self.step_count, self.epoch, self.status, self.reason, self._position,
            self._position_batch, self._shuffle_rng.bit_generator.state,
            self._x_epoch.copy(), self._y_epoch.copy(), self._trajectory[:k].copy(),
            self._trajectory_steps[:k].copy(), self._trajectory_stride,
            list(self.history), self._history_stride,  # entries are never mutated
            self._trajectory_jumps[:k].copy(), self.examples_seen, self._custom,
            self._grad_stats.copy(), self._clip_counts, self._history_tail_stride, self.cause)

    @classmethod
    def from_state(cls, state: TrainerState,
                   dataset_source: Callable[[str], CustomData | None] | None = None, *,
                   like: "Trainer | None" = None) -> "Trainer":
        """A new Trainer equal to the captured one (rebuilds the data from the config's seed,
        or from the custom points the state carries). dataset_source serves later rebuilds.
        like: the trainer the state was captured from; while it still has the state's data
        (the same config and points), the new one shares that data instead of rebuilding it
        (a frame's copy of 8x64 on 2,000 points: ~10 ms instead of ~60)."""
        def source(dataset_id: str) -> CustomData | None:
            if state.custom is not None and dataset_id == state.config.custom_dataset:
                return state.custom
            return dataset_source(dataset_id) if dataset_source else None
        inputs = like.shared_inputs() if like is not None else None
        t = cls.__new__(cls)
        t._config, t._dataset_source = state.config, source
        t._custom = t._custom_points(state.config)
        if inputs is not None and not (inputs.custom is t._custom
                                       and _same_data(inputs.config, state.config)):
            inputs = None
        t._build(inputs)
        t.net.theta[:] = state.theta
        t._grad[:], t._update[:] = state.grad, state.update
        t._opt_state = {key: (v.copy() if isinstance(v, np.ndarray) else v)
                        for key, v in state.optimizer_state.items()}
        t.step_count, t.epoch, t.status, t.reason = (state.step_count, state.epoch,
                                                     state.status, state.reason)
        t.cause = state.cause
        t._position, t._position_batch = state.position, state.position_batch
        t._shuffle_rng.bit_generator.state = state.shuffle_state
        t._x_epoch[:], t._y_epoch[:] = state.x_epoch, state.y_epoch
        k = len(state.trajectory_steps)
        t._trajectory[:k], t._trajectory_steps[:k] = state.trajectory, state.trajectory_steps
        t._trajectory_len, t._trajectory_stride = k, state.trajectory_stride
        if k == 0:   # captured without its path: the path starts at this point
            t._record_trajectory()
        if state.trajectory_jumps is not None:
            t._trajectory_jumps[:k] = state.trajectory_jumps
        t.history, t._history_stride = list(state.history), state.history_stride
        if state.history_tail_stride:
            t._history_tail_stride = state.history_tail_stride
        t.examples_seen = state.examples_seen
        if state.grad_stats is not None:
            t._grad_stats[:] = state.grad_stats
        t._clip_counts = tuple(state.clip_counts)
        return t

    def shared_inputs(self) -> SharedInputs:
        """What a copy of this run may share (from_state's like): data, inputs, caches."""
        return self._inputs

    def copy(self) -> "Trainer":
        """An independent Trainer in the same state (deepcopy would break the buffer views)."""
        return Trainer.from_state(self.capture_state(), self._dataset_source)

    def __deepcopy__(self, memo) -> "Trainer":
        return self.copy()

    # ------------------------------------------------------------------ configuration
    @property
    def config(self) -> TrainConfig:
        return self._config

    @property
    def task(self) -> str:
        """'binary', 'multiclass' or 'regression' (a custom dataset's points say which)."""
        return self._custom.kind if self._custom is not None else self._config.task

    @property
    def input_dim(self) -> int:
        """Raw input dimension (1 or 2), before feature mapping."""
        return self._custom.input_dim if self._custom is not None else self._config.input_dim

    @property
    def custom_data(self) -> CustomData | None:
        """The points of the custom dataset in use, None for a built-in one."""
        return self._custom

    @property
    def training_inputs(self) -> np.ndarray:
        """The training inputs after feature mapping, with the trailing ones column: (n, d + 1).
        Read-only for siblings (landscapes); replaced, not changed, on a rebuild."""
        return self._x_train_aug

    @property
    def training_targets(self) -> np.ndarray:
        """The encoded training targets (n, k) the loss compares against; replaced, not
        changed, on a rebuild (so its identity tells whether the data is the same)."""
        return self._data.y_train

    @property
    def n_train(self) -> int:
        return self._x_train_aug.shape[0]

    @property
    def engine(self) -> str:
        """Which path trains the current config: "compiled" or "numpy" (engine/compiled_loop.py)."""
        if (self._compiled is not None and not uncovered_settings(self._config)
                and kernels_ready()):
            return "compiled"
        return "numpy"

    @property
    def batch_size(self) -> int:
        """The batch size in use: the configured one, capped at the training-set size."""
        return min(self._config.batch_size, self.n_train)

    def set(self, reset: bool = False, **changes) -> dict:
        """Change settings. Live ones apply from the next step and keep weights and optimizer
        state; data/architecture ones need reset=True and rebuild the run. Validates first:
        on error nothing changes. Returns {"changed": [...], "reset": bool}."""
        new = self._config.changed(changes)
        changed = [k for k in changes if getattr(new, k) != getattr(self._config, k)]
        needs_reset = sorted(set(changed) & RESET_FIELDS)
        if needs_reset and not reset:
            raise ResetRequired(needs_reset)
        custom = self._custom_points(new) if reset else self._custom
        self._config, self._custom = new, custom
        if reset:
            self._build()
        else:
            ensure_state(new.optimizer, self._opt_state, self.net.n_params)
            if {"clipping", "clip_threshold"} & set(changed):
                self._clip_counts = (0, 0)   # the share clipped is of the current setting
        return {"changed": changed, "reset": bool(reset)}

    def rebuilt_with(self, **changes) -> "Trainer":
        """A new trainer of this config with `changes` (and the same dataset source), as
        set(reset=True, **changes) would rebuild this one; this one is unchanged. Raises what
        set would (ValidationError, CustomDataError)."""
        new = self._config.changed(changes)
        return Trainer(new, dataset_source=self._dataset_source)

    def reset(self) -> dict:
        """Rebuild data, network and optimizer from the current config (same seed: same start)."""
        self._build()
        return self.metrics()

    # ------------------------------------------------------------------ training
    def step(self, n: int = 1) -> dict:
        """Run n minibatch updates (fewer if training diverges); record and return metrics()."""
        self.train(n)
        return self.record_history()

    def train(self, n: int = 1) -> None:
        """Run n minibatch updates (fewer if training diverges). The history gets a row at
        every step that is a row step (_row_stride_at: every step of the head for a small
        network, then multiples of the tail stride), however the steps are asked for; between
        rows the updates run in one call of the hot loop (compiled or NumPy) without metrics.

        Divergence is decided here and only here, the same on both paths and however the
        steps are asked for (train(100), 100 x train(1), train(7) + train(93)): the parameters
        are checked after every update, the training loss at every row step; the first step
        where either is not finite stops training, the reason names that step, and the
        history gets a row there (status "diverged")."""
        if self.status != "ok" or n <= 0:
            return
        left = n
        with np.errstate(all="ignore"):  # divergence is detected and reported, not raised
            while left > 0 and self.status == "ok":
                before = self.step_count
                stride = self._row_stride_at(before + 1)
                if self.engine == "compiled":   # the kernel evaluates the rows itself
                    head_end = self._history_head_end()
                    # one call per stride: the head's, then the tail's
                    chunk = min(left, head_end - before) if before < head_end else left
                    self._train_compiled(chunk, stride)
                else:
                    chunk = min(left, stride - before % stride)
                    if not self._train_numpy(chunk):
                        self._diverge_at_parameters()
                    elif self.step_count % stride == 0:
                        self._record_row(self.metrics())
                left -= self.step_count - before

    def steps_for_epochs(self, n: int) -> int:
        """How many steps complete n more passes over the training set from here."""
        steps_per_epoch = math.ceil(self.n_train / self.batch_size)
        left = steps_per_epoch - self._position if self._position_batch == self.batch_size else 0
        return (left if left > 0 else steps_per_epoch) + (n - 1) * steps_per_epoch

    def step_epochs(self, n: int = 1) -> dict:
        """Run updates until n more passes over the training set are complete."""
        return self.step(self.steps_for_epochs(n))

    def learning_rate(self) -> float:
        """The scheduled learning rate for the next step."""
        return scheduled_learning_rate(self._config, self.step_count)

    def _new_epoch(self) -> None:
        """Reshuffle the training set into the contiguous epoch buffers."""
        order = self._shuffle_rng.permutation(self.n_train)
        np.take(self._x_train_aug, order, axis=0, out=self._x_epoch)
        np.take(self._data.y_train, order, axis=0, out=self._y_epoch)

    def _batches(self) -> list[tuple]:
        """(x rows, y rows, workspace, 1/rows) for each minibatch of an epoch, as fixed views
        into the epoch buffers; the last batch is smaller when batch_size does not divide n."""
        batch = self.batch_size
        cached = self._batch_views.get(batch)
        if cached is None:
            cached = []
            for start in range(0, self.n_train, batch):
                stop = min(start + batch, self.n_train)
                cached.append((self._x_epoch[start:stop], self._y_epoch[start:stop],
                               self.net.workspace(stop - start), 1.0 / (stop - start)))
            self._batch_views[batch] = cached
        return cached

    def _train_numpy(self, n: int) -> bool:
        """The hot loop on the NumPy path: forward, backward, penalty, clipping, update;
        counters. Stops right after an update that leaves a parameter non-finite; returns
        whether every parameter is finite (then all n updates were made)."""
        cfg = self._config
        net, theta, grad, update = self.net, self.net.theta, self._grad, self._update
        grad_blocks, weight_mask = self._grad_blocks, net.weight_mask
        forward, backward = net.forward, net.backward
        rule, state = OPTIMIZERS[cfg.optimizer], self._opt_state
        penalized = cfg.regularization != "none" and cfg.regularization_rate > 0
        clipped = cfg.clipping != "none"
        constant_lr = cfg.schedule == "constant"
        lr = cfg.learning_rate
        batches = self._batches()
        # the position in the epoch is kept in batches; a batch-size change restarts the epoch
        position = self._position if self._position_batch == self.batch_size else len(batches)
        step, epoch = self.step_count, self.epoch
        first_step, first_position = step, position
        trajectory_stride = self._trajectory_stride
        stats = self._grad_stats
        norm, peak = float(stats[0]), float(stats[1])   # written back after the loop
        clip_steps, clipped_steps = self._clip_counts
        n_batches, finite, vdot = len(batches), True, np.vdot
        for _ in range(n):
            if position >= n_batches:
                self._new_epoch()
                position = 0
            xb, yb, ws, scale = batches[position]
            position += 1
            forward(xb, ws)
            backward(xb, yb, ws, grad_blocks)
            grad *= scale
            if penalized:
                add_penalty_gradient(cfg, theta, weight_mask, grad)
            norm = gradient_norm(grad)
            if peak < norm < math.inf:
                peak = norm
            if clipped:
                clip_steps += 1
                clipped_steps += clip_gradient(cfg, grad, norm)
            if not constant_lr:
                lr = scheduled_learning_rate(cfg, step)
            rule(grad, lr, update, state, cfg)
            theta += update
            step += 1
            if position == n_batches:
                epoch += 1
            if step % trajectory_stride == 0:
                self.step_count = step
                self._record_trajectory()
                trajectory_stride = self._trajectory_stride
            # one BLAS dot per update: ||theta||^2 is finite exactly when every parameter is,
            # unless the squares overflow (|theta| > 1e154), which the exact check settles
            if not math.isfinite(vdot(theta, theta)) and not np.isfinite(theta).all():
                finite = False
                break
        self.step_count, self.epoch = step, epoch
        stats[0], stats[1] = norm, peak
        self._position, self._position_batch = position, self.batch_size
        self._clip_counts = (clip_steps, clipped_steps)
        self.examples_seen += self._examples_in(first_position, step - first_step)
        return finite

    def _examples_in(self, position: int, steps: int) -> int:
        """Examples used by `steps` batches taken from batch `position` of an epoch on (batch
        k holds min((k+1) b, n) - min(k b, n) rows; a position at the end starts a new epoch)."""
        n, b = self.n_train, self.batch_size
        per_epoch = len(self._batches())
        rows_before = lambda k: min(k * b, n)   # noqa: E731  rows in the first k batches
        if position >= per_epoch:
            position = 0
        first = min(steps, per_epoch - position)
        rest = steps - first
        return (rows_before(position + first) - rows_before(position)
                + (rest // per_epoch) * n + rows_before(rest % per_epoch))

    def _train_compiled(self, n: int, stride: int) -> None:
        """The same loop in one compiled call (engine/compiled_loop.py), which also evaluates
        the history rows at the multiples of stride (0: none; train()'s rows, without a Python
        call per row) and stops where the NumPy path would: right after an update that leaves a
        parameter non-finite, or at a row whose training loss is not finite."""
        from .compiled_kernels import STOP_PARAMETERS
        position = self._position if self._position_batch == self.batch_size else 1 << 62
        first_step = self.step_count
        free = HISTORY_CAPACITY - len(self.history)
        counters, stop, rows = self._compiled.train(
            n, self._config, self.batch_size, self._grad, self._update, self._opt_state,
            self.step_count, self.epoch, position, self._trajectory_len, self._trajectory_stride,
            self._grad_stats, self._clip_counts, stride, free, self.task == "regression")
        (self.step_count, self.epoch, self._position, self._trajectory_len,
         self._trajectory_stride, *clip_counts) = counters
        self._clip_counts = tuple(clip_counts)
        self._position_batch = self.batch_size
        self.examples_seen += self._examples_in(position, self.step_count - first_step)
        for row in rows:          # a row with a non-finite loss is the last one
            self._record_row(self._row_metrics(row))
        if stop == STOP_PARAMETERS:
            self._diverge_at_parameters()

    def _row_metrics(self, row: np.ndarray) -> dict:
        """metrics() of a history row the compiled loop evaluated (compiled_kernels.R_*)."""
        from .compiled_kernels import (R_EPOCH, R_PENALTY, R_STEP, R_TEST_RIGHT, R_TEST_SUM,
                                       R_TRAIN_RIGHT, R_TRAIN_SUM)
        step, regression = int(row[R_STEP]), self.task == "regression"
        n_train, n_test = self.n_train, self._x_test_aug.shape[0]
        with np.errstate(all="ignore"):
            train_loss = float(row[R_TRAIN_SUM] / n_train + row[R_PENALTY])
            test_loss = float(row[R_TEST_SUM] / n_test + row[R_PENALTY])
        warning = None
        if train_loss >= UNSTABLE_FACTOR * self.initial_loss():
            warning = unstable_reason(train_loss, self.initial_loss(),
                                      likely_cause(self.evidence())[1])
        return {
            "step": step, "epoch": int(row[R_EPOCH]),
            "train_loss": train_loss, "test_loss": test_loss,
            "train_accuracy": None if regression else int(row[R_TRAIN_RIGHT]) / n_train,
            "test_accuracy": None if regression else int(row[R_TEST_RIGHT]) / n_test,
            "status": "ok", "reason": "", "cause": None,
            "warning": "unstable" if warning else None, "warning_reason": warning or "",
            "learning_rate": scheduled_learning_rate(self._config, step),
            "batch_size": self.batch_size,
        }

    def _diverge(self, what: str) -> None:
        """Stop training: status "diverged" with a one-line reason naming the likely cause
        (engine/divergence.py) and what to do. Only train() calls it."""
        self.status = "diverged"
        self.cause, advice = likely_cause(self.evidence())
        self.reason = f"{what} at step {self.step_count}; {advice}"

    def _diverge_at_parameters(self) -> None:
        """The last update left a parameter non-finite: diverge, with a history row there."""
        kind = "nan" if np.isnan(self.net.theta).any() else "inf"
        self._diverge(f"parameters became {kind}")
        self._append_history(self.metrics())

    def _record_row(self, m: dict) -> None:
        """Keep train()'s history row m (metrics at a row step); a non-finite training loss
        there stops training at that step, and the row says so."""
        if not math.isfinite(m["train_loss"]):
            self._diverge(f"loss became {m['train_loss']}")
            m = {**m, "status": self.status, "reason": self.reason, "cause": self.cause,
                 "warning": None, "warning_reason": ""}
        self._append_history(m)

    def _start(self) -> tuple[float, float, float]:
        """(||g0||, ||theta0||, ||g0|| / ||g0 under the usual init at gain 1||) at the start of
        this run (the same draws: the seed's), computed once per build when first needed."""
        key = ("start", *_penalty_of(self._config))
        facts = self._inputs.step0.get(key)
        if facts is None:
            cfg = self._config
            probe = Network(self.layer_sizes, cfg.activation, cfg.loss)
            probe.initialize(cfg.init, np.random.default_rng(cfg.seed), cfg.init_gain)
            theta0 = probe.theta.copy()
            with np.errstate(all="ignore"):
                g0 = gradient_norm(self.full_gradient(theta0))
                probe.initialize(reference_init(cfg.activation), np.random.default_rng(cfg.seed))
                g_ref = gradient_norm(self.full_gradient(probe.theta))
            facts = self._inputs.step0[key] = (g0, float(np.linalg.norm(theta0)),
                                                   g0 / max(g_ref, 1e-300))
        return facts

    def input_scale(self) -> tuple[float, str]:
        """(rms, name) of the network input with the largest root mean square (0 when the
        inputs are standardized: each is then at unit scale)."""
        if self._config.standardize:
            return 0.0, ""
        return largest_feature_scale(self._data.x_train,
                                     feature_names(self.input_dim, self._config.features))

    def evidence(self) -> Evidence:
        """What a blow-up's likely cause is decided from (engine/divergence.py)."""
        cfg = self._config
        g0, theta0, ratio = self._start()
        rms, name = self.input_scale()
        return Evidence(
            learning_rate=self.learning_rate(), init=cfg.init, init_gain=cfg.init_gain,
            reference_init=reference_init(cfg.activation), init_gradient_ratio=ratio,
            first_update_ratio=cfg.learning_rate * g0 / max(theta0, 1e-12),
            clipping=cfg.clipping, input_rms=rms, input_feature=name,
            peak_gradient_norm=float(self._grad_stats[1]), initial_gradient_norm=g0)

    def initial_loss(self) -> float:
        """The training loss at step 0 of this run (the same draws: the seed's)."""
        key = ("loss", *_penalty_of(self._config))
        loss = self._inputs.step0.get(key)
        if loss is None:
            if self.step_count == 0:
                loss = self.training_loss()
            else:
                cfg = self._config
                probe = Network(self.layer_sizes, cfg.activation, cfg.loss)
                probe.initialize(cfg.init, np.random.default_rng(cfg.seed), cfg.init_gain)
                with np.errstate(all="ignore"):
                    loss = float(probe.loss_sum(self._x_train_aug, self._data.y_train)
                                 / self.n_train + penalty_value(cfg, probe.theta,
                                                                probe.weight_mask))
            self._inputs.step0[key] = loss
        return loss

    # ------------------------------------------------------------------ observation
    def _loss_on(self, x_aug: np.ndarray, y: np.ndarray) -> float:
        """Mean data loss + penalty at the current parameters."""
        with np.errstate(all="ignore"):
            data = self.net.loss_sum(x_aug, y) / x_aug.shape[0]
            return data + penalty_value(self._config, self.net.theta, self.net.weight_mask)

    def _accuracy(self, x_aug: np.ndarray, labels: np.ndarray) -> float | None:
        return self._evaluate(x_aug, None, labels)[1]

    def _evaluate(self, x_aug: np.ndarray, y: np.ndarray | None, labels: np.ndarray,
                  compiled: bool = True) -> tuple[float | None, float | None]:
        """(mean data loss + penalty, accuracy) from one chunked forward pass
        (Network.forward_chunks: bounded memory); the loss is None when y is None, the accuracy
        None for regression; compiled=False: NumPy's pass on either engine."""
        regression = self.task == "regression"
        loss_sum, correct = 0.0, 0
        split = self._split_of(x_aug)
        if compiled and split is not None and y is not None and self.engine == "compiled":
            # the same numbers in one compiled pass (a history row per step stays cheap)
            loss_sum, correct = self._compiled.evaluate(self._config, split, regression)
            with np.errstate(all="ignore"):
                loss = loss_sum / x_aug.shape[0] + penalty_value(
                    self._config, self.net.theta, self.net.weight_mask)
            return loss, (None if regression else correct / x_aug.shape[0])
        with np.errstate(all="ignore"):
            for start, stop, z, _ in self.net.forward_chunks(x_aug):
                if y is not None:
                    loss_sum += self.net.loss.value(z, y[start:stop])
                if not regression:
                    correct += self._correct(z, labels[start:stop])
            loss = None
            if y is not None:
                loss = loss_sum / x_aug.shape[0] + penalty_value(
                    self._config, self.net.theta, self.net.weight_mask)
        return loss, (None if regression else correct / x_aug.shape[0])

    def _correct(self, z: np.ndarray, labels: np.ndarray) -> int:
        """How many rows of logits z predict their label (the class of the largest logit; one
        output: z > 0, or z > 0.5 for mse, whose output is z itself)."""
        if z.shape[1] > 1:
            return int((z.argmax(axis=1) == labels).sum())
        threshold = 0.5 if self._config.loss == "mse" else 0.0
        return int(((z[:, 0] > threshold) == labels).sum())

    def _split_of(self, x_aug: np.ndarray) -> str | None:
        """"train" or "test" when x_aug is that split's augmented inputs, else None."""
        if x_aug is self._x_train_aug:
            return "train"
        return "test" if x_aug is self._x_test_aug else None

    def training_loss(self) -> float:
        """Mean training loss + penalty at the current parameters."""
        return self._loss_on(self._x_train_aug, self._data.y_train)

    def metrics(self) -> dict:
        """{"step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
        "status", "reason", "cause", "warning", "warning_reason", "learning_rate",
        "batch_size"}; losses are means over each split (plus the penalty); accuracies are None
        for regression. cause: a diverged run's likely cause; warning: "unstable" while the
        training loss is UNSTABLE_FACTOR times its start or more (training goes on), with
        warning_reason naming the likely cause (engine/divergence.py), else None. Observes
        only: the status is train()'s (a non-finite loss seen here between history rows stops
        training at the next row step, where train() checks it)."""
        d = self._data
        train_loss, train_accuracy = self._evaluate(self._x_train_aug, d.y_train, d.labels_train)
        test_loss, test_accuracy = self._evaluate(self._x_test_aug, d.y_test, d.labels_test)
        return self._metrics_of(train_loss, train_accuracy, test_loss, test_accuracy)

    def _metrics_of(self, train_loss: float, train_accuracy: float | None, test_loss: float,
                    test_accuracy: float | None) -> dict:
        """metrics() from the two splits' losses and accuracies."""
        train_loss = float(train_loss)
        warning = None
        if self.status == "ok" and train_loss >= UNSTABLE_FACTOR * self.initial_loss():
            warning = unstable_reason(train_loss, self.initial_loss(),
                                      likely_cause(self.evidence())[1])
        return {
            "step": self.step_count, "epoch": self.epoch,
            "train_loss": train_loss, "test_loss": float(test_loss),
            "train_accuracy": train_accuracy, "test_accuracy": test_accuracy,
            "status": self.status, "reason": self.reason, "cause": self.cause,
            "warning": "unstable" if warning else None, "warning_reason": warning or "",
            "learning_rate": self.learning_rate(), "batch_size": self.batch_size,
        }

    def diagnostics(self) -> dict:
        """Per layer: the last minibatch gradient's norm, ||last update|| / ||W||; per hidden
        layer: the fraction of (unit, training example) pairs that are saturated (sigmoid/tanh
        with g'(z) < 0.1 max g'; None for other activations)."""
        counts = None
        if self._measures_saturation():
            counts = [0] * (len(self.layer_sizes) - 2)
            with np.errstate(all="ignore"):
                for _, _, _, ws in self.net.forward_chunks(self._x_train_aug):
                    self._count_saturated(ws, counts, from_backward=False)
        return self._diagnostics_of(counts)

    def _measures_saturation(self) -> bool:
        return ACTIVATIONS[self._config.activation].saturates and len(self.layer_sizes) > 2

    def _count_saturated(self, ws, counts: list[int], from_backward: bool) -> None:
        """Add the chunk's saturated (unit, example) pairs per hidden layer to counts: g'(z)
        below SATURATION_THRESHOLD of its peak. After backward() ws.slope holds g'(z) already."""
        limit = SATURATION_THRESHOLD * ACTIVATIONS[self._config.activation].peak_derivative
        for l in range(len(counts)):
            slope = ws.slope[l] if from_backward else self.net.activation.derivative(
                ws.z[l], ws.act_views[l], np.empty_like(ws.z[l]))
            counts[l] += int((slope < limit).sum())

    def _diagnostics_of(self, saturated: list[int] | None) -> dict:
        """diagnostics() from the saturated counts per hidden layer (None: not measured)."""
        grads, updates = self.net.views(self._grad), self.net.views(self._update)
        grad_norms = [float(np.linalg.norm(g)) for g in grads]
        ratios = [float(np.linalg.norm(u) / max(np.linalg.norm(w), 1e-12))
                  for u, w in zip(updates, self.net.blocks)]
        saturation: list[float | None] = [None] * (len(self.layer_sizes) - 2)
        if saturated is not None:
            saturation = [c / (self.n_train * self.layer_sizes[l + 1])
                          for l, c in enumerate(saturated)]
        rms, name = self.input_scale()
        return {"grad_norms": grad_norms, "update_ratios": ratios, "saturation": saturation,
                "clipping": self.clipping_effect(),
                "standardize_hint": standardize_hint(rms, name, self._config.standardize)}

    def clipping_effect(self) -> dict:
        """What clipping did: {"mode", "threshold", "steps" (taken with this clipping setting),
        "clipped" (of those, the steps it changed the gradient), "share" (clipped / steps, None
        before any), "pre_clip_norm" (the last step's gradient norm before clipping),
        "post_clip_norm" (after: the norm of the gradient the optimizer used)}."""
        steps, clipped = self._clip_counts
        cfg = self._config
        return {"mode": cfg.clipping, "threshold": cfg.clip_threshold, "steps": steps,
                "clipped": clipped, "share": clipped / steps if steps else None,
                "pre_clip_norm": float(self._grad_stats[0]),
                "post_clip_norm": gradient_norm(self._grad)}

    def record_history(self, metrics: dict | None = None) -> dict:
        """Metrics now (or `metrics`, computed on a copy of this trainer at an earlier step: a
        frame built in a worker thread), appended to the history if they are a row it keeps
        (_append_history)."""
        m = self.metrics() if metrics is None else metrics
        self._append_history(m)
        return m

    @property
    def history_stride(self) -> int:
        """The stride of the rows being kept from here on (a power of two): the head's (1 for
        a small network) for the first HISTORY_HEAD_ROWS rows, then the tail's; the history
        keeps every row of the head, every step after it that is a multiple of this, and the
        step where the status changed."""
        return self._row_stride_at(self.step_count + 1)

    def _history_head_end(self) -> int:
        """The last step of the head (its rows are never thinned)."""
        return HISTORY_HEAD_ROWS * self._history_stride

    def _row_stride_at(self, step: int) -> int:
        """The stride that decides whether step is a history row."""
        if step <= self._history_head_end():
            return self._history_stride
        return max(self._history_tail_stride, self._history_stride)

    def _append_history(self, m: dict) -> None:
        """Keep m as a history row when its step is a row step (_row_stride_at; train() records
        those) or the status changed (the step it diverged); one row per step. When full, the
        tail stride doubles and only the head, rows on the stride and status changes stay: the
        history spans the whole run in bounded memory."""
        last = self.history[-1] if self.history else None
        status_changed = m["status"] != (last["status"] if last else "ok")
        if m["step"] == 0 and not status_changed:
            return                       # rows are of steps taken
        if last is not None and last["step"] == m["step"]:
            if status_changed:
                self.history[-1] = m
            return
        if m["step"] % self._row_stride_at(m["step"]) and not status_changed:
            return
        self.history.append(m)
        if len(self.history) >= HISTORY_CAPACITY:
            stride = self._history_tail_stride = 2 * self._row_stride_at(1 << 62)
            head_end = self._history_head_end()
            self.history = [h for h in self.history if h["step"] <= head_end
                            or h["step"] % stride == 0 or h["status"] != "ok"]

    def _record_trajectory(self, jump: bool = False) -> None:
        """Append theta to the trajectory; when full, keep every other point and halve the rate.
        ``jump`` marks a point reached by a hand edit (set_params) rather than by training; a
        kept point inherits the mark of a dropped one just before it, so a jump stays marked
        on the segment that contains it."""
        if self._trajectory_len == len(self._trajectory):
            kept = self._trajectory[::2].copy()
            kept_steps = self._trajectory_steps[::2].copy()
            jumps = self._trajectory_jumps
            kept_jumps = jumps[::2].copy()
            kept_jumps[1:] |= jumps[1::2][:len(kept_jumps) - 1]
            half = kept.shape[0]
            self._trajectory[:half], self._trajectory_steps[:half] = kept, kept_steps
            self._trajectory_jumps[:half] = kept_jumps
            self._trajectory_len = half
            self._trajectory_stride *= 2
        i = self._trajectory_len
        self._trajectory[i] = self.net.theta
        self._trajectory_steps[i] = self.step_count
        self._trajectory_jumps[i] = jump
        self._trajectory_len += 1

    def trajectory(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps (k,), thetas (k, P)) recorded so far, ending at the current parameters."""
        k = self._trajectory_len
        steps, thetas = self._trajectory_steps[:k], self._trajectory[:k]
        if steps[-1] != self.step_count:
            steps = np.append(steps, self.step_count)
            thetas = np.vstack([thetas, self.net.theta])
        return steps.copy(), thetas.copy()

    def trajectory_jumps(self) -> np.ndarray:
        """(k,) bools aligned with trajectory(): True where the segment from the previous point
        to this one contains a hand edit of the parameters (set_params), not only descent."""
        k = self._trajectory_len
        jumps = self._trajectory_jumps[:k].copy()
        if self._trajectory_steps[k - 1] != self.step_count:
            jumps = np.append(jumps, False)
        return jumps

    def set_params(self, values: dict) -> list[str]:
        """Set parameters by name, e.g. {"W1[0,1]": 0.5, "b1[0]": -5} (names: engine/
        param_names.py). All entries are checked first (ParameterEditError, a ValueError, names
        every unknown name and non-finite value; nothing changes then). The optimizer's state
        (momentum velocity, Adam's moments, ...) is kept as it is: the next steps continue from
        the new values with the old averages. The trajectory records the point before and after
        the edit, the latter marked as a jump (trajectory_jumps), so the descent path shows a
        jump, not a descent. Returns the names set."""
        from .param_names import parse_assignments
        assignments = parse_assignments(self, values)
        k = self._trajectory_len
        if (self._trajectory_steps[k - 1] != self.step_count
                or not np.array_equal(self._trajectory[k - 1], self.net.theta)):
            self._record_trajectory()
        for index, value in assignments:
            self.net.theta[index] = value
        self._record_trajectory(jump=True)
        return [str(name) for name in values]

    def params(self) -> list[dict]:
        """[{"W": (fan_out, fan_in), "b": (fan_out,)}] per layer, input layer first; copies."""
        return [{"W": blk[:, :-1].copy(), "b": blk[:, -1].copy()} for blk in self.net.blocks]

    def full_gradient(self, theta: np.ndarray | None = None) -> np.ndarray:
        """Flat gradient of the mean training loss + penalty over the whole training set, at
        theta (default: the current parameters). Does not change the training state."""
        net = self.net
        if theta is None:
            blocks, weights, th = None, None, net.theta
        else:
            blocks = net.views(theta)
            weights = [b[:, :-1] for b in blocks]
            th = theta
        # NumPy's chunked BLAS pass on both engines: on the large networks where it matters it
        # beats a compiled pass (8 x 64 on 2,000 points: ~8 ms against ~15), in bounded memory
        total = self._full_grad_blocks[0].base
        x, y = self._x_train_aug, self._data.y_train
        total.fill(0.0)
        with np.errstate(all="ignore"):
            for start, stop, _, ws in net.forward_chunks(x, blocks=blocks):
                self._add_chunk_gradient(x[start:stop], y[start:stop], ws, total, weights)
        return self._mean_gradient(total, th)

    def _add_chunk_gradient(self, x_aug: np.ndarray, y: np.ndarray, ws, total: np.ndarray,
                            weights: list[np.ndarray] | None = None) -> None:
        """total += the summed loss gradient of one chunk (after forward() on ws)."""
        part = self._chunk_grad_blocks
        self.net.backward(x_aug, y, ws, part, weights)
        total += part[0].base

    def _mean_gradient(self, total: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The mean training loss + penalty gradient from the summed data-loss gradient."""
        g = total / self.n_train
        add_penalty_gradient(self._config, theta, self.net.weight_mask, g)
        return g

    def observe(self, layers=(), gradient: bool = True) -> "Observation":
        """What a frame of every view needs: metrics(), diagnostics(), full_gradient() (when
        `gradient`) and the pre-activations Z (n_train, units) of each of `layers` (counted as in
        preactivations) over the training set, from one chunked forward and backward pass over
        the training set and a forward pass over the test set, instead of four passes. The
        numbers are those of the separate calls (the same chunks and sums) on the NumPy
        engine; on the compiled one they agree to rounding: this pass is NumPy's on both, as
        BLAS passes beat the compiled ones on the networks whose frames are costly (8 x 64 on
        2,000 points: 14 ms against 35 for the separate compiled calls)."""
        layers = sorted(set(layers))
        for layer in layers:
            self._check_layer(layer)
        net, d = self.net, self._data
        x, y, labels = self._x_train_aug, d.y_train, d.labels_train
        regression = self.task == "regression"
        zs = {l: np.empty((self.n_train, self.layer_sizes[l])) for l in layers}
        counts = [0] * (len(self.layer_sizes) - 2) if self._measures_saturation() else None
        total = np.zeros(net.n_params) if gradient else None   # its own: metrics may
        loss_sum, correct = 0.0, 0                            # compute other gradients
        with np.errstate(all="ignore"):
            for start, stop, z, ws in net.forward_chunks(x):
                loss_sum += net.loss.value(z, y[start:stop])
                if not regression:
                    correct += self._correct(z, labels[start:stop])
                for l, out in zs.items():
                    out[start:stop] = ws.z[l - 1]
                if gradient:
                    self._add_chunk_gradient(x[start:stop], y[start:stop], ws, total)
                if counts is not None:
                    self._count_saturated(ws, counts, from_backward=gradient)
            train_loss = loss_sum / self.n_train + penalty_value(self._config, net.theta,
                                                                 net.weight_mask)
        mean_gradient = self._mean_gradient(total, net.theta) if gradient else None
        test_loss, test_accuracy = self._evaluate(self._x_test_aug, d.y_test, d.labels_test,
                                                  compiled=False)
        metrics = self._metrics_of(train_loss, None if regression else correct / self.n_train,
                                   test_loss, test_accuracy)
        return Observation(metrics, self._diagnostics_of(counts), mean_gradient, zs)

    def gradients(self) -> list[dict]:
        """Like params(): the gradient of the mean training loss (+ penalty) over the whole
        training set at the current parameters."""
        return [{"W": blk[:, :-1].copy(), "b": blk[:, -1].copy()}
                for blk in self.net.views(self.full_gradient())]

    def example_gradient(self, i: int) -> tuple[float, np.ndarray]:
        """(loss, flat gradient) of training example i's own loss at the current parameters:
        the data loss of that one example (no mean, no penalty), by the same backprop as
        training. Does not change the training state."""
        if not 0 <= i < self.n_train:
            raise IndexError(f"training example {i} is out of range 0..{self.n_train - 1}")
        net = self.net
        x, y = self._x_train_aug[i:i + 1], self._data.y_train[i:i + 1]
        ws = net.workspace(1)
        with np.errstate(all="ignore"):
            z = net.forward(x, ws)
            loss = net.loss.value(z, y)
            net.backward(x, y, ws, self._chunk_grad_blocks)   # a kept buffer: plans cache it
        return loss, self._chunk_grad_blocks[0].base.copy()

    def last_minibatch_gradient(self) -> np.ndarray:
        """Flat gradient used by the last step (after penalty and clipping); a copy."""
        return self._grad.copy()

    def last_update(self) -> np.ndarray:
        """Flat step the optimizer took last: theta_after - theta_before; a copy."""
        return self._update.copy()

    def data(self) -> dict:
        """{"x_train", "y_train", "x_test", "y_test"}: inputs after feature mapping (and
        standardization); y as class indices or regression targets, shape (n,)."""
        d = self._data
        return {"x_train": d.x_train.copy(), "y_train": d.labels_train.copy(),
                "x_test": d.x_test.copy(), "y_test": d.labels_test.copy()}

    def raw_data(self) -> dict:
        """Like data() but the raw 1-D or 2-D inputs before feature mapping (for plotting)."""
        cfg = self._config
        x, labels = _raw_points(cfg, self._custom)
        x_tr, l_tr, x_te, l_te = split_train_test(x, labels, cfg.train_fraction, cfg.seed)
        return {"x_train": x_tr, "y_train": l_tr, "x_test": x_te, "y_test": l_te}

    def map_inputs(self, x_raw: np.ndarray) -> np.ndarray:
        """Raw inputs (n, d) -> the network's inputs (n, n_in): feature mapping, then the
        training set's standardization."""
        return (map_features(x_raw, self._config.features) - self._data.mean) / self._data.scale

    def trace(self, x, y=None) -> dict:
        """One raw input x (d,) forward, and with a target y (a class index or a regression
        value, as in data()) also backward, with every number; see engine/trace.py.
        {"input", "target", "output", "loss", "layers": [{"W", "b", "a_in", "z", "a", "delta",
        "dW", "db"}, ...]} input layer first, W as in params(); the backward keys and "loss"
        only with a target. ValueError for a wrong length or non-finite values."""
        from .trace import trace_features
        d = self.input_dim
        x = np.asarray(x, dtype=float).reshape(-1)
        if x.shape != (d,) or not np.isfinite(x).all():
            raise ValueError(f"x must be {d} finite number(s) (the raw input of "
                             f"'{self._config.dataset}'), got {x.tolist()}")
        target = None
        if y is not None:
            target = encode_targets(self._config, self._check_label(y), self.layer_sizes[-1],
                                    self.task)[0]
        result = trace_features(self, self.map_inputs(x[None, :])[0], target)
        return {"input": x, "target": y, **result}

    def trace_example(self, index: int, split: str = "train") -> dict:
        """trace() of example `index` of the "train" or "test" split, with its label."""
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        raw = self.raw_data()
        xs, labels = raw[f"x_{split}"], raw[f"y_{split}"]
        if not 0 <= index < len(labels):
            raise ValueError(f"example must be 0..{len(labels) - 1} for the {split} split, "
                             f"got {index}")
        from .trace import trace_features
        d = self._data
        features = (d.x_train if split == "train" else d.x_test)[index]
        target = (d.y_train if split == "train" else d.y_test)[index]
        label = labels[index]
        return {"input": xs[index].copy(),
                "target": int(label) if self.task != "regression" else float(label),
                **trace_features(self, features, target)}

    def _check_label(self, y) -> np.ndarray:
        """A target given by a caller as a (1,) label array, checked against the task."""
        if isinstance(y, bool) or not isinstance(y, (int, float, np.integer, np.floating)) \
                or not np.isfinite(y):
            raise ValueError(f"target must be a finite number, got {y!r}")
        if self.task != "regression":
            classes = self.layer_sizes[-1] if _one_hot(self._config, self.task) else 2
            if y != int(y) or not 0 <= y < classes:
                raise ValueError(f"target must be a class index 0..{classes - 1}, got {y!r}")
        return np.array([y], dtype=float)

    def predict(self, x_raw: np.ndarray) -> np.ndarray:
        """The model's output for raw inputs (n, d): probabilities for bce/cce, values for mse."""
        return self._outputs(augment(self.map_inputs(x_raw)))

    # ------------------------------------------------------------------ views over inputs
    def input_domain(self) -> tuple[tuple[float, float], ...]:
        if self._custom is not None:
            return self._custom.domain
        return INPUT_DOMAIN[self._config.dataset]

    def grid_axes(self, resolution: int) -> list[np.ndarray]:
        """The evenly spaced coordinates of each raw input dimension over its plotting range."""
        return [np.linspace(lo, hi, resolution) for lo, hi in self.input_domain()]

    def _grid_inputs(self, resolution: int, dtype=np.float64) -> np.ndarray:
        """Augmented, feature-mapped grid (R^d, n_in + 1), row-major with x1 fastest; cached
        (a float32 copy too when asked for)."""
        if np.dtype(dtype) != np.float64:
            key = (resolution, np.dtype(dtype).name)
            cached = self._grid_cache.get(key)
            if cached is None:
                cached = self._grid_cache[key] = self._grid_inputs(resolution).astype(dtype)
            return cached
        cached = self._grid_cache.get(resolution)
        if cached is None:
            axes = self.grid_axes(resolution)
            if len(axes) == 2:
                gx, gy = np.meshgrid(axes[0], axes[1])
                raw = np.column_stack([gx.ravel(), gy.ravel()])
            else:
                raw = axes[0].reshape(-1, 1)
            x = (map_features(raw, self._config.features) - self._data.mean) / self._data.scale
            cached = self._grid_cache[resolution] = augment(x)
        return cached

    def output_grid(self, resolution: int = 100, dtype=np.float64) -> np.ndarray:
        """The model's prediction over the input grid, (R^d, k), laid out as in neuron_grid;
        dtype=np.float32: computed in float32 (a display grid: ~4x faster tanh, and quantized
        to 1/255 anyway), else float64."""
        return self._outputs(self._grid_inputs(resolution, dtype))

    def _blocks_for(self, x_aug: np.ndarray) -> list[np.ndarray] | None:
        """The parameters in x_aug's dtype (None: the network's own, float64)."""
        return None if x_aug.dtype == np.float64 else self.net.blocks_as(x_aug.dtype)

    def _outputs(self, x_aug: np.ndarray) -> np.ndarray:
        """The model's prediction for augmented inputs, evaluated in chunks (bounded memory)."""
        out = np.empty((x_aug.shape[0], self.layer_sizes[-1]), dtype=x_aug.dtype)
        with np.errstate(all="ignore"):
            for start, stop, z, _ in self.net.forward_chunks(x_aug,
                                                             blocks=self._blocks_for(x_aug)):
                out[start:stop] = self.net.loss.output(z.copy())
        return out

    def neuron_grid(self, resolution: int = 100, dtype=np.float64) -> list[np.ndarray]:
        """Every neuron's output over the input grid: per layer after the input, an array
        (R^d, n_units) of activations (hidden) or predictions (output layer, as in predict).
        For 2-D data row r * R + c is the point (x1 = axes[0][c], x2 = axes[1][r]). dtype: as
        in output_grid."""
        grid = self._grid_inputs(resolution, dtype)
        n = grid.shape[0]
        layers = [np.empty((n, units), dtype=grid.dtype) for units in self.layer_sizes[1:]]
        with np.errstate(all="ignore"):
            for start, stop, z, ws in self.net.forward_chunks(grid, blocks=self._blocks_for(grid)):
                for layer, a in zip(layers, ws.act_views):
                    layer[start:stop] = a
                layers[-1][start:stop] = self.net.loss.output(z.copy())
        return layers

    def _check_layer(self, layer: int) -> None:
        """Layers count from 1 (the first hidden layer) to the output layer."""
        if not 1 <= layer < len(self.layer_sizes):
            raise ValueError(f"layer must be 1..{len(self.layer_sizes) - 1}, got {layer}")

    def preactivations(self, layer: int, neuron: int) -> np.ndarray:
        """z of one neuron over the training set; layer counts from 1 (the first hidden layer)
        to the output layer."""
        self._check_layer(layer)
        if not 0 <= neuron < self.layer_sizes[layer]:
            raise ValueError(f"neuron must be 0..{self.layer_sizes[layer] - 1}, got {neuron}")
        out = np.empty(self.n_train)
        with np.errstate(all="ignore"):
            for start, stop, _, ws in self.net.forward_chunks(self._x_train_aug):
                out[start:stop] = ws.z[layer - 1][:, neuron]
        return out

    def gradient_check(self, eps: float = 1e-5) -> list[float]:
        """Max relative error per layer between full_gradient() and central differences
        (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps), over every parameter;
        relative error = |a - n| / max(|a| + |n|, 1e-8)."""
        from .gradient_check import max_relative_errors
        return max_relative_errors(self, eps)

    def landscape(self, **options) -> dict:
        """The loss surface around the current parameters, the descent path on it and the
        gradient arrows; see engine.landscape.landscape for the options and the result."""
        from .landscape import landscape
        return landscape(self, **options)
