"""GET /api/runs/{id}/export?format=json|csv|npz: a run's configuration, weights and history
as a file.

- json: {"format", "config", "layer_sizes", "metrics", "params": [{"W", "b"}], "history"}.
- csv: one long table `section,name,step,value`: a row per config field (value as JSON), per
  weight or bias (name as in the loss surface: W1[i,j] is layer 1's weight from input j to
  neuron i, b1[i] its bias) and per history value (name = the metric, step = its step).
- npz: arrays W1, b1, W2, ... (as /params), history_<metric> (NaN for none), layer_sizes,
  and config (a JSON string): `np.load(f)["W1"]`, no pickles.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Response

from .routes_api import NOT_FOUND, RunDep
from .snapshot import plain

router = APIRouter(prefix="/api", tags=["runs"])

FORMAT = "nn-playground/export/1"
HISTORY_FIELDS = ("step", "epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy",
                  "learning_rate", "batch_size")
MEDIA = {"json": "application/json", "csv": "text/csv", "npz": "application/octet-stream"}


def export_json(trainer) -> dict:
    return plain({"format": FORMAT, "config": trainer.config.model_dump(),
                  "layer_sizes": list(trainer.layer_sizes), "metrics": trainer.metrics(),
                  "params": trainer.params(),
                  "history": [{k: m.get(k) for k in HISTORY_FIELDS} for m in trainer.history]})


def export_csv(trainer) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "name", "step", "value"])
    for name, value in trainer.config.model_dump().items():
        w.writerow(["config", name, "", json.dumps(value)])
    for layer, p in enumerate(trainer.params(), start=1):
        for (i, j), v in np.ndenumerate(p["W"]):
            w.writerow(["param", f"W{layer}[{i},{j}]", "", repr(float(v))])
        for i, v in enumerate(p["b"]):
            w.writerow(["param", f"b{layer}[{i}]", "", repr(float(v))])
    for m in trainer.history:
        for k in HISTORY_FIELDS[1:]:
            v = m.get(k)
            w.writerow(["history", k, m["step"], "" if v is None else repr(float(v))])
    return out.getvalue()


def export_npz(trainer) -> bytes:
    arrays = {}
    for layer, p in enumerate(trainer.params(), start=1):
        arrays[f"W{layer}"], arrays[f"b{layer}"] = p["W"], p["b"]
    for k in HISTORY_FIELDS:
        arrays[f"history_{k}"] = np.array([np.nan if m.get(k) is None else m[k]
                                           for m in trainer.history], dtype=float)
    arrays["layer_sizes"] = np.array(trainer.layer_sizes)
    arrays["config"] = np.array(json.dumps(trainer.config.model_dump()))
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


@router.get("/runs/{run_id}/export", responses={**NOT_FOUND, 200: {"content": {
    "application/json": {}, "text/csv": {}, "application/octet-stream": {}}}})
async def export_run(run: RunDep,
                     format: Annotated[Literal["json", "csv", "npz"], Query(
                         description="json, csv (one long table) or npz (NumPy arrays)")] = "json"
                     ) -> Response:
    """The run's configuration, weights and history as a downloadable file."""
    run.metrics()   # the history ends at the current step
    trainer = run.trainer
    if format == "json":
        body = json.dumps(export_json(trainer), indent=1).encode()
    elif format == "csv":
        body = export_csv(trainer).encode()
    else:
        body = export_npz(trainer)
    name = f"nn-playground-{trainer.config.dataset}-step{trainer.step_count}.{format}"
    return Response(body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
