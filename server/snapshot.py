"""Trainer -> snapshot: plain data (JSON-able header values and NumPy arrays), what the views need.

Nothing here knows about bytes or sockets: `frames.py` encodes a snapshot, the REST API turns it
into JSON with `to_json`. Section names and shapes are documented in docs/protocol.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine import Trainer
from engine.activations import ACTIVATIONS
from engine.divergence import remedy
from engine.rules import LOSS_OUTPUT

# Views a client can subscribe to, and the sections each adds (metrics etc. are always in the header).
# "hidden_means": one number per hidden neuron instead of its picture ("hidden"), for a page
# whose squares are too small to show pictures
VIEWS = ("weights", "gradients", "output", "hidden", "hidden_means", "activation", "landscape")
DEFAULT_VIEWS = ("weights", "gradients", "output", "hidden", "activation")
HISTORY_COLUMNS = ("step", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
PATH_COLUMNS = ("step", "alpha", "beta", "loss", "distance")   # columns of the `path` section
OUTPUT_FUNCTION = LOSS_OUTPUT   # the output unit of each loss (engine/rules.py)
BOUNDED_RANGE = {name: a.output_range for name, a in ACTIVATIONS.items()
                 if None not in a.output_range}


def plain(value):
    """JSON-safe copy: NumPy scalars/arrays to Python, non-finite floats to None."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            obj = value.astype(object)
            obj[~np.isfinite(value)] = None
            return obj.tolist()
        return value.tolist()
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclass
class Sections:
    """Named arrays plus, for those to be quantized to u8, their display range (lo, hi)."""
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def update(self, other: "Sections") -> None:
        self.arrays.update(other.arrays)
        self.ranges.update(other.ranges)


def _finite_range(a: np.ndarray) -> tuple[float, float]:
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def state_header(trainer: Trainer, metrics: dict | None = None,
                 diagnostics: dict | None = None) -> dict:
    """What every frame's header says about the trainer (plain, JSON-safe); `metrics`,
    `diagnostics`: the trainer's current metrics() and diagnostics() if the caller has them."""
    cfg = trainer.config
    net = trainer.net
    return plain({
        "metrics": trainer.metrics() if metrics is None else metrics,
        "diagnostics": trainer.diagnostics() if diagnostics is None else diagnostics,
        "config": cfg.model_dump(),
        "layer_sizes": list(trainer.layer_sizes),
        "layers": [{"shape": list(shape), "offset": int(net.offsets[l])}
                   for l, shape in enumerate(net.shapes)],
        "n_params": int(net.n_params),
        "task": trainer.task,
        "input_dim": trainer.input_dim,
        "domain": [list(d) for d in trainer.input_domain()],
        "n_train": trainer.n_train,
        "effective_learning_rate": trainer.learning_rate(),
        "path_columns": list(PATH_COLUMNS),
        "remedy": remedy(trainer.cause, cfg) if trainer.status == "diverged" else None,
    })


def frame_header(trainer: Trainer, run_fields: dict, metrics: dict | None = None,
                 diagnostics: dict | None = None) -> dict:
    """The header of a frame and of GET /api/runs/{id}/snapshot: the trainer's state
    (state_header) and the run's fields (Run.frame_fields, captured on the event loop)."""
    header = state_header(trainer, metrics, diagnostics)
    header.update(run_fields)
    return header


def parameter_sections(trainer: Trainer, views, gradient: np.ndarray | None = None) -> Sections:
    """weights (flat theta) and gradients (full-batch gradient, or `gradient` if the caller
    has it already), flat [W|b] block layout."""
    out = Sections()
    if "weights" in views:
        out.arrays["weights"] = trainer.net.theta.copy()
    if "gradients" in views:
        out.arrays["gradients"] = trainer.full_gradient() if gradient is None else gradient
    return out


def output_grid(trainer: Trainer, resolution: int, exact: bool = False) -> Sections:
    """The model's output over the input grid: (R, R, K) for 2-D data (quantized in frames, so
    computed in float32 unless `exact`: the REST snapshot's JSON), (R, K) for 1-D."""
    two_d = trainer.input_dim == 2
    out = trainer.output_grid(resolution, np.float32 if two_d and not exact else np.float64)
    k = out.shape[1]
    sections = Sections()
    if two_d:
        sections.arrays["output_grid"] = out.reshape(resolution, resolution, k)
        sections.ranges["output_grid"] = ((0.0, 1.0) if trainer.config.loss != "mse"
                                          else _finite_range(out))
    else:
        sections.arrays["output_grid"] = out
    return sections


def hidden_grids(trainer: Trainer, resolution: int, exact: bool = False) -> Sections:
    """Every hidden neuron's activation over the grid: (N, r, r) for 2-D (quantized in frames:
    computed in float32 unless `exact`), (N, r) for 1-D."""
    two_d = trainer.input_dim == 2
    layers = trainer.neuron_grid(resolution, np.float32 if two_d and not exact
                                 else np.float64)[:-1]
    sections = Sections()
    if not layers:
        return sections
    if two_d:   # quantized to u8 in frames: float32 halves what a snapshot holds
        acts = np.concatenate(layers, axis=1).T  # (N, r^d)
        sections.arrays["hidden_grids"] = acts.reshape(-1, resolution, resolution)
        activation = trainer.config.activation
        sections.ranges["hidden_grids"] = BOUNDED_RANGE.get(activation) or _finite_range(acts)
    else:
        sections.arrays["hidden_grids"] = np.concatenate(layers, axis=1).T
    return sections


def hidden_means(grids: Sections) -> Sections:
    """Each hidden neuron's mean activation over the grid, (N,), on the grids' colour range (so
    it is quantized as they are: its u8 code is the mean of the picture's codes, up to rounding):
    the one colour a neuron's square shows when it is too small for its picture. `grids` is what
    hidden_grids() returned."""
    out = Sections()
    acts = grids.arrays.get("hidden_grids")
    if acts is None:
        return out
    flat = acts.reshape(len(acts), -1)
    with np.errstate(all="ignore"):   # a diverged run's inf/nan: non-finite means, code 0
        out.arrays["hidden_means"] = flat.mean(axis=1, dtype=np.float64)
    out.ranges["hidden_means"] = grids.ranges.get("hidden_grids") or _finite_range(flat)
    return out


def valid_neuron(trainer: Trainer, neuron) -> tuple[int, int]:
    """The requested [layer, index] if it exists in this network, else [1, 0]."""
    sizes = trainer.layer_sizes
    if neuron is not None:
        layer, index = neuron
        if 1 <= layer < len(sizes) and 0 <= index < sizes[layer]:
            return int(layer), int(index)
    return 1, 0


def neuron_function(trainer: Trainer, layer: int) -> str:
    if layer == len(trainer.layer_sizes) - 1:
        return OUTPUT_FUNCTION[trainer.config.loss]
    return trainer.config.activation


def activation_points(trainer: Trainer, layer: int, index: int,
                      layer_z: np.ndarray | None = None) -> Sections:
    """z and g(z) of one neuron over the training set (the points on its activation curve);
    `layer_z`: the layer's Z over the training set (Trainer.observe) if the caller has it."""
    sizes = trainer.layer_sizes
    if layer == len(sizes) - 1:
        z_all = layer_z if layer_z is not None else np.column_stack(
            [trainer.preactivations(layer, k) for k in range(sizes[layer])])
        with np.errstate(all="ignore"):
            a = trainer.net.loss.output(z_all.copy())[:, index]
        z = z_all[:, index].copy()
    else:
        z = (layer_z[:, index].copy() if layer_z is not None
             else trainer.preactivations(layer, index))
        with np.errstate(all="ignore"):
            a = ACTIVATIONS[trainer.config.activation].forward(z, np.empty_like(z))
    return Sections({"preactivations": z, "activations": a})


def dataset_sections(trainer: Trainer) -> Sections:
    """Raw train/test inputs (n, d) and labels (n,), plus the per-step history (k, 5)."""
    raw = trainer.raw_data()
    arrays = {f"dataset_{k}": np.asarray(v, dtype=float) for k, v in raw.items()}
    arrays["history"] = history_array(trainer)
    return Sections(arrays)


def history_array(trainer: Trainer) -> np.ndarray:
    """(k, 5): step, train_loss, test_loss, train_accuracy, test_accuracy (NaN for None)."""
    rows = [[np.nan if m.get(c) is None else m[c] for c in HISTORY_COLUMNS]
            for m in trainer.history]
    return np.array(rows, dtype=float).reshape(-1, len(HISTORY_COLUMNS))


def landscape_sections(result: dict) -> tuple[dict, Sections]:
    """Split a Trainer.landscape result into header metadata and arrays."""
    meta = plain({k: result.get(k) for k in ("mode", "note", "labels", "center", "center_loss",
                                             "explained_variance", "arrows", "log_scale",
                                             "seconds")})
    alpha, beta = np.asarray(result["alpha"]), np.asarray(result["beta"])
    meta["resolution"] = int(alpha.shape[0])
    arrays = {"landscape_loss": np.asarray(result["loss"]), "landscape_alpha": alpha,
              "landscape_beta": beta}
    path = result.get("path")
    if path and "jump" in path:  # indices of path points reached by a hand edit (a jump)
        meta["path_jumps"] = [int(i) for i in np.flatnonzero(path["jump"])]
    if path:
        keys = {"step": "steps"}   # the engine's path dict says "steps"
        arrays["path"] = np.column_stack([np.asarray(path[keys.get(c, c)], dtype=float)
                                          for c in PATH_COLUMNS])
    fld = result.get("field")
    if fld:
        for key in ("alpha", "beta", "d_alpha", "d_beta"):
            arrays[f"field_{key}"] = np.asarray(fld[key])
    return meta, Sections(arrays)


def to_json(header: dict, sections: Sections) -> dict:
    """A snapshot as JSON: the header plus every section as nested lists (not quantized)."""
    return {**header, "sections": {name: plain(a) for name, a in sections.arrays.items()}}
