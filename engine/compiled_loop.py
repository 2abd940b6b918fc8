"""Which engine trains, and the compiled loop the Trainer delegates to.

The NumPy engine (engine/trainer.py and the modules it calls) is the readable reference. When
numba is importable, `Trainer.train(n)` runs its n updates in ONE compiled call instead
(engine/compiled_kernels.py: shuffles from the same PCG64 stream, forward, backward, penalty,
clipping, schedule, optimizer, trajectory, history rows and the divergence check after every
update), and the full-batch gradient uses the same compiled forward/backward. Both paths read
and write the same buffers (parameters, gradient, optimizer state, epoch buffers, shuffle
generator, trajectory), so a run may switch between them between any two calls, and they agree
to round-off (tests/engine).

- `NNP_ENGINE` (read whenever a Trainer asks): `auto` (the default) trains on the NumPy path
  until the kernels are ready, compiling or loading them from numba's disk cache in a
  background thread meanwhile, so no train() waits for a compiler; `compiled` waits for the
  kernels (the tests use it: a run is then compiled from its first step); `numpy` never
  compiles.
- Without numba the engine uses the NumPy path and logs one warning line, once.
- COVERED below is the one place that says which settings the compiled loop implements; a
  configuration outside it trains on the NumPy path (`Trainer.engine` says which one runs).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import time

import numpy as np

from .activations import LEAKY_SLOPE

ENGINE_ENV = "NNP_ENGINE"
EVAL_COLUMNS = 128   # examples per compiled evaluation pass (history rows, metrics)
ENGINES = ("auto", "compiled", "numpy")

# Codes of the config's choices in the kernels. These tables are the one place that says what
# the compiled loop covers: a setting outside them trains on the NumPy path.
ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "linear": 4, "step": 5}
LOSS_CODES = {"mse": 0, "bce": 1, "cce": 2, "perceptron": 3}
OPTIMIZER_CODES = {"sgd": 0, "momentum": 1, "nesterov": 2, "adagrad": 3, "rmsprop": 4, "adam": 5}
SCHEDULE_CODES = {"constant": 0, "step": 1, "exponential": 2, "cosine": 3, "warmup": 4}
CLIPPING_CODES = {"none": 0, "norm": 1, "value": 2}
REGULARIZATION_CODES = {"none": 0, "l1": 1, "l2": 2}
COVERED: dict[str, frozenset] = {
    "activation": frozenset(ACTIVATION_CODES), "loss": frozenset(LOSS_CODES),
    "optimizer": frozenset(OPTIMIZER_CODES), "schedule": frozenset(SCHEDULE_CODES),
    "clipping": frozenset(CLIPPING_CODES), "regularization": frozenset(REGULARIZATION_CODES),
}

# numba is imported by the first compile (in the warm-up thread), not with the engine: the
# server starts as fast as before.
kernels = None                    # engine.compiled_kernels once imported
_import_error: Exception | None = (
    None if importlib.util.find_spec("numba") else ImportError("No module named 'numba'"))
_log = logging.getLogger("engine")
_warned = False
_ready = threading.Event()       # set once every kernel is compiled or loaded from the cache
_compile_lock = threading.Lock()
_thread_lock = threading.Lock()
_warm_thread: threading.Thread | None = None
compile_seconds: float | None = None  # how long the kernels took to compile or load


def _load_kernels() -> bool:
    """Import the kernels (and with them numba) once; False if that fails."""
    global kernels, _import_error
    if kernels is None and _import_error is None:
        try:
            from . import compiled_kernels
            kernels = compiled_kernels
        except Exception as error:  # numba or llvmlite missing or broken
            _import_error = error
    return kernels is not None


def requested_engine() -> str:
    """The engine asked for by NNP_ENGINE: "auto" (the default), "compiled" or "numpy"."""
    value = os.environ.get(ENGINE_ENV, "").strip().lower() or "auto"
    if value not in ENGINES:
        raise ValueError(f"{ENGINE_ENV}={value!r}: use one of {', '.join(ENGINES)}")
    return value


def compiled_available() -> bool:
    """True when the compiled kernels imported (numba is installed and works); the first
    False logs one warning line."""
    global _warned
    if _import_error is not None and not _warned:
        _warned = True
        _log.warning("nn-playground: numba is not available (%s); training uses the NumPy "
                     "engine", _import_error)
    return _import_error is None


def uncovered_settings(cfg) -> list[str]:
    """The settings of cfg that the compiled loop does not implement (empty: it covers cfg)."""
    return [name for name, allowed in COVERED.items() if getattr(cfg, name) not in allowed]


def kernels_ready() -> bool:
    """Whether a Trainer may train compiled now: per NNP_ENGINE, compiling first (compiled),
    or starting the background warm-up and answering False until it is done (auto)."""
    mode = requested_engine()
    if mode == "numpy" or not compiled_available():
        return False
    if _ready.is_set():
        return True
    if mode == "compiled":
        _compile()
        return _ready.is_set()
    warm_up(background=True)
    return False


class CompiledLoop:
    """The compiled training loop over one Trainer's buffers (the same arrays the NumPy path
    uses: parameters, gradient, update, epoch buffers, shuffle Generator, trajectory), plus its
    own transposed copies and per-batch-size scratch. Built by the Trainer, owned by it."""

    def __init__(self, net, x_train_aug, y_train, x_epoch, y_epoch, shuffle_rng,
                 trajectory, trajectory_steps, trajectory_jumps,
                 x_test_aug=None, y_test=None, labels_train=None, labels_test=None,
                 row_capacity: int = 4000):
        """The test split and both splits' labels (class indices, or targets) are what the
        history rows are evaluated on; without them the training split stands in."""
        self._net = net
        self._theta, self._mask = net.theta, net.weight_mask
        self._x, self._y = x_train_aug, y_train
        self._x_epoch, self._y_epoch, self._rng = x_epoch, y_epoch, shuffle_rng
        self._trajectory, self._trajectory_steps = trajectory, trajectory_steps
        self._trajectory_jumps = trajectory_jumps
        sizes = np.array(net.sizes, dtype=np.int64)
        self._sizes = sizes
        self._offsets = np.array(net.offsets, dtype=np.int64)
        self._rows = np.concatenate([[0], np.cumsum(sizes[1:])]).astype(np.int64)
        n, n_in, n_out = x_train_aug.shape[0], sizes[0], sizes[-1]
        self._xt = np.empty((n_in, n))
        self._yt = np.empty((n_out, n))
        self._order = np.empty(n, dtype=np.int64)
        self._train_xt = np.ascontiguousarray(x_train_aug[:, :-1].T)  # for full_gradient
        self._train_yt = np.ascontiguousarray(y_train.T)
        if x_test_aug is None:
            x_test_aug, y_test = x_train_aug, y_train
        if labels_train is None:
            labels_train = labels_test = np.zeros(n)
        self._splits = {   # for evaluate and the history rows: (xt, yt, labels as floats)
            "train": (self._train_xt, self._train_yt,
                      np.ascontiguousarray(labels_train, dtype=np.float64)),
            "test": (np.ascontiguousarray(x_test_aug[:, :-1].T), np.ascontiguousarray(y_test.T),
                     np.ascontiguousarray(labels_test, dtype=np.float64))}
        # z and activations for evaluating EVAL_COLUMNS examples per pass (bounded memory)
        self._eval_columns = min(EVAL_COLUMNS, max(n, x_test_aug.shape[0]))
        self._eval_buffers: tuple[np.ndarray, np.ndarray] | None = None
        self._evaluated = np.zeros(2)
        self._history_rows = None      # (row_capacity, N_ROW), made on first use
        self._row_capacity = row_capacity
        self._scratch: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._ic = self._fc = self._counters = None  # the settings vectors, made on first use
        self._none = np.zeros(0)

    def _buffers(self, batch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """z, activations and deltas for every layer's units, (units, batch); made once."""
        bufs = self._scratch.get(batch)
        if bufs is None:
            units = int(self._rows[-1])
            bufs = self._scratch[batch] = tuple(np.zeros((units, batch)) for _ in range(3))
        return bufs

    def _evaluation_buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """z and activations for evaluating a split, (units, EVAL_COLUMNS); made once."""
        if self._eval_buffers is None:
            units = int(self._rows[-1])
            self._eval_buffers = (np.zeros((units, self._eval_columns)),
                                  np.zeros((units, self._eval_columns)))
        return self._eval_buffers

    def _load_settings(self, cfg, batch: int) -> None:
        k = kernels
        if self._ic is None:
            self._ic = np.zeros(k.N_INT, dtype=np.int64)
            self._fc = np.zeros(k.N_FLOAT)
            self._counters = np.zeros(k.N_COUNTERS, dtype=np.int64)
        ic, fc = self._ic, self._fc
        ic[k.I_ACTIVATION] = ACTIVATION_CODES[cfg.activation]
        ic[k.I_LOSS] = LOSS_CODES[cfg.loss]
        ic[k.I_OPTIMIZER] = OPTIMIZER_CODES[cfg.optimizer]
        ic[k.I_SCHEDULE] = SCHEDULE_CODES[cfg.schedule]
        ic[k.I_CLIPPING] = CLIPPING_CODES[cfg.clipping]
        ic[k.I_REGULARIZATION] = REGULARIZATION_CODES[cfg.regularization]
        ic[k.I_DECAY_STEPS], ic[k.I_WARMUP_STEPS] = cfg.decay_steps, cfg.warmup_steps
        ic[k.I_BATCH] = batch
        fc[k.F_LR], fc[k.F_MOMENTUM] = cfg.learning_rate, cfg.momentum
        fc[k.F_BETA1], fc[k.F_BETA2], fc[k.F_RHO] = cfg.beta1, cfg.beta2, cfg.rho
        fc[k.F_EPSILON], fc[k.F_DECAY_RATE] = cfg.epsilon, cfg.decay_rate
        fc[k.F_CLIP], fc[k.F_REG_RATE] = cfg.clip_threshold, cfg.regularization_rate
        fc[k.F_LEAKY] = LEAKY_SLOPE

    def train(self, n: int, cfg, batch: int, grad: np.ndarray, update: np.ndarray,
              opt_state: dict, step: int, epoch: int, position: int,
              trajectory_len: int, trajectory_stride: int, grad_stats: np.ndarray,
              clip_counts: tuple[int, int], history_stride: int = 0, free_rows: int = 0,
              regression: bool = False) -> tuple[tuple[int, ...], int, np.ndarray]:
        """Run up to n updates in one compiled call (stops early where the NumPy path would:
        right after an update that leaves a parameter non-finite). Updates grad, update,
        opt_state, grad_stats ([last norm before clipping, largest finite norm]) and the epoch
        and trajectory buffers in place; clip_counts: (steps with clipping on, steps clipped)
        so far. At each multiple of history_stride (0: none) a history row is evaluated, at
        most free_rows of them (the call stops then, or at a row with a non-finite loss).
        Returns ((step, epoch, position, trajectory_len, trajectory_stride, clip steps, clipped
        steps), why it stopped early (compiled_kernels.STOP_*), rows (k, N_ROW))."""
        k = kernels
        self._load_settings(cfg, batch)
        c = self._counters
        c[k.C_STEP], c[k.C_EPOCH], c[k.C_POSITION] = step, epoch, position
        c[k.C_ADAM_T] = opt_state.get("adam_t", 0)
        c[k.C_TRAJ_LEN], c[k.C_TRAJ_STRIDE] = trajectory_len, trajectory_stride
        c[k.C_CLIP_STEPS], c[k.C_CLIPPED] = clip_counts
        c[k.C_ROWS] = 0
        if self._history_rows is None:
            self._history_rows = np.zeros((self._row_capacity, k.N_ROW))
        self._ic[k.I_HISTORY_STRIDE] = history_stride if free_rows > 0 else 0
        self._ic[k.I_REGRESSION] = int(regression)
        rows = self._history_rows[:max(1, min(free_rows, self._row_capacity))]
        ez, eact = self._evaluation_buffers()
        (train_xt, train_yt, train_labels), (test_xt, test_yt, test_labels) = (
            self._splits["train"], self._splits["test"])
        z, act, delta = self._buffers(batch)
        none = self._none
        rng_state = k.pack_state(self._rng.bit_generator)
        k.train_steps(n, self._theta, grad, update, self._mask, self._sizes, self._offsets,
                      self._rows, self._ic, self._fc, c, rng_state, self._order, self._x,
                      self._y, self._x_epoch, self._y_epoch, self._xt, self._yt, z, act, delta,
                      self._trajectory, self._trajectory_steps, self._trajectory_jumps,
                      opt_state.get("velocity", none), opt_state.get("sum_sq", none),
                      opt_state.get("mean_sq", none), opt_state.get("adam_m", none),
                      opt_state.get("adam_v", none), grad_stats, train_xt, train_yt,
                      train_labels, test_xt, test_yt, test_labels, ez, eact, rows,
                      self._evaluated)
        if c[k.C_SHUFFLES]:
            k.unpack_state(rng_state, self._rng.bit_generator)
        if "adam_t" in opt_state:
            opt_state["adam_t"] = int(c[k.C_ADAM_T])
        return ((int(c[k.C_STEP]), int(c[k.C_EPOCH]), int(c[k.C_POSITION]),
                 int(c[k.C_TRAJ_LEN]), int(c[k.C_TRAJ_STRIDE]), int(c[k.C_CLIP_STEPS]),
                 int(c[k.C_CLIPPED])), int(c[k.C_STOP]), rows[:int(c[k.C_ROWS])].copy())

    def evaluate(self, cfg, split: str, regression: bool) -> tuple[float, int]:
        """(summed data loss, examples classified right) over a split ("train" or "test") at
        the current parameters, in one compiled forward pass (Trainer._evaluate's numbers)."""
        k = kernels
        xt, yt, labels = self._splits[split]
        n = xt.shape[1]
        if n == 0:
            return 0.0, 0
        z, act = self._evaluation_buffers()
        k.evaluate(self._theta, self._sizes, self._offsets, self._rows, xt, yt, labels, z, act,
                   ACTIVATION_CODES[cfg.activation], LOSS_CODES[cfg.loss], LEAKY_SLOPE,
                   regression, self._evaluated)
        return float(self._evaluated[0]), int(self._evaluated[1])


def compiled_loop_for(*buffers, **test_split) -> CompiledLoop | None:
    """CompiledLoop(*buffers), or None when numba is missing (then, unless NNP_ENGINE=numpy,
    the one warning line is logged, once per process)."""
    if _import_error is not None:
        if requested_engine() != "numpy":
            compiled_available()
        return None
    return CompiledLoop(*buffers, **test_split)


def _compile() -> None:
    """Compile every kernel (or load it from numba's disk cache) by running each once on a
    tiny net; every kernel has one signature, so nothing compiles later."""
    global compile_seconds
    with _compile_lock:
        if _ready.is_set():
            return
        start = time.perf_counter()
        if not _load_kernels():
            compiled_available()  # warns once: the import failed
            return
        from .config import TrainConfig
        from .network import Network, augment
        net = Network([2, 2, 1], "tanh", "bce")
        x = augment(np.zeros((4, 2)))
        y = np.zeros((4, 1))
        p = net.n_params
        loop = CompiledLoop(net, x, y, x.copy(), y.copy(), np.random.default_rng(0),
                            np.zeros((4, p)), np.zeros(4, dtype=np.int64),
                            np.zeros(4, dtype=bool))
        loop.train(2, TrainConfig(), 2, np.zeros(p), np.zeros(p), {}, 0, 0, 1 << 62, 0, 1,
                   np.zeros(kernels.N_STATS), (0, 0), 1, 2)
        loop.evaluate(TrainConfig(), "train", False)
        compile_seconds = time.perf_counter() - start
        _ready.set()


def _compile_in_background() -> None:
    try:
        _compile()
    except Exception:  # the NumPy path goes on; say why once
        _log.exception("nn-playground: compiling the training loop failed; training uses the "
                       "NumPy engine")


def warm_up(background: bool = False) -> threading.Thread | None:
    """Get the kernels ready: now, or in a daemon thread (returned; started once). A no-op
    when NNP_ENGINE=numpy or numba is missing."""
    global _warm_thread
    if requested_engine() == "numpy" or not compiled_available() or _ready.is_set():
        return None
    if not background:
        _compile()
        return None
    with _thread_lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_compile_in_background,
                                            name="nnp-compile", daemon=True)
            _warm_thread.start()
    return _warm_thread
