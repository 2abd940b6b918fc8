"""A TrainerState as bytes and back: what a saved run is, exactly enough to continue it.

The bytes are one NumPy .npz archive (no pickles, not compressed): every array of the state bit for bit
(parameters, last gradient and update, optimizer buffers, the shuffled epoch, the trajectory
and its jumps, a custom dataset's points) plus ``meta``, UTF-8 JSON of the rest (config, counters, the
shuffle generator's state, the history). ``state_from_bytes(state_to_bytes(s))`` restores a
Trainer whose next updates are the original's (tested).
"""

from __future__ import annotations

import io
import json

import numpy as np

from .config import TrainConfig
from .custom_data import CustomData
from .trainer import TrainerState

FORMAT = "nn-playground/trainer-state/1"
_ARRAYS = ("theta", "grad", "update", "x_epoch", "y_epoch", "trajectory", "trajectory_steps")


def state_to_bytes(state: TrainerState) -> bytes:
    """The state as an .npz archive."""
    arrays = {name: getattr(state, name) for name in _ARRAYS}
    scalars = {}
    for key, value in state.optimizer_state.items():
        if isinstance(value, np.ndarray):
            arrays[f"opt_{key}"] = value
        else:
            scalars[key] = value.item() if isinstance(value, np.generic) else value
    if state.trajectory_jumps is not None:
        arrays["trajectory_jumps"] = state.trajectory_jumps
    custom = None
    if state.custom is not None:
        arrays["custom_x"], arrays["custom_y"] = state.custom.x, state.custom.y
        custom = {"kind": state.custom.kind, "domain": [list(d) for d in state.custom.domain]}
    meta = {
        "format": FORMAT, "config": state.config.model_dump(), "optimizer_scalars": scalars,
        "step_count": state.step_count, "epoch": state.epoch, "status": state.status,
        "reason": state.reason, "position": state.position,
        "position_batch": state.position_batch, "shuffle_state": state.shuffle_state,
        "trajectory_stride": state.trajectory_stride, "history": state.history,
        "history_stride": state.history_stride,
        "history_tail_stride": state.history_tail_stride, "examples_seen": state.examples_seen,
        "custom": custom, "cause": state.cause,
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)   # not compressed: float noise hardly shrinks, and zlib is slow
    return out.getvalue()


def state_from_bytes(blob: bytes) -> TrainerState:
    """The TrainerState state_to_bytes wrote; ValueError if the bytes are not one."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except Exception as exc:  # noqa: BLE001  (any damage means: not a saved state)
        raise ValueError(f"not a saved trainer state: {exc}") from None
    if meta.get("format") != FORMAT:
        raise ValueError(f"not a saved trainer state (format {meta.get('format')!r})")
    optimizer_state = dict(meta["optimizer_scalars"])
    optimizer_state.update({k[4:]: v for k, v in arrays.items() if k.startswith("opt_")})
    custom = None
    if meta["custom"] is not None:
        custom = CustomData(arrays["custom_x"], arrays["custom_y"], meta["custom"]["kind"],
                            tuple(tuple(d) for d in meta["custom"]["domain"]))
    return TrainerState(
        config=TrainConfig.from_saved(meta["config"]), theta=arrays["theta"],
        grad=arrays["grad"], update=arrays["update"], optimizer_state=optimizer_state,
        step_count=meta["step_count"], epoch=meta["epoch"], status=meta["status"],
        reason=meta["reason"], position=meta["position"], position_batch=meta["position_batch"],
        shuffle_state=meta["shuffle_state"], x_epoch=arrays["x_epoch"], y_epoch=arrays["y_epoch"],
        trajectory=arrays["trajectory"], trajectory_steps=arrays["trajectory_steps"],
        trajectory_stride=meta["trajectory_stride"], history=meta["history"],
        history_stride=meta["history_stride"], trajectory_jumps=arrays.get("trajectory_jumps"),
        examples_seen=meta.get("examples_seen", 0),
        history_tail_stride=meta.get("history_tail_stride", 0),
        custom=custom, cause=meta.get("cause"))
