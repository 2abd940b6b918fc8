"""One example traced through a run, and parameters set by hand: POST /trace, PATCH /params.

Thin handlers over Trainer.trace / trace_example / set_params (engine/trace.py,
engine/param_names.py). Both are `async` (they touch the trainer: they run on the event loop,
the thread that trains) and quick: one example, or a few assignments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.config import MAX_SAMPLES
from engine.param_names import ParameterEditError

from .routes_api import BAD_BODY, GUARDED, NOT_FOUND, ControlledRun, RunDep, layer_arrays, settings_of
from .settings import Settings
from .snapshot import plain

router = APIRouter(prefix="/api", tags=["runs"])


class TraceRequest(BaseModel):
    """Either a raw input `x` (before feature mapping; optionally its target `y`) or a data
    point `example` of `split`, traced with its own label. Strict like the rest of the API: no
    string, bool or float is coerced to a number or an index."""
    model_config = ConfigDict(extra="forbid", strict=True)
    x: list[float] | None = Field(None, min_length=1, max_length=2,
                                  description="Raw input (1 or 2 numbers, the dataset's input).")
    y: float | None = Field(None, description="Target for x: a class index or a regression "
                            "value; without it the backward keys are absent.")
    example: int | None = Field(None, ge=0, le=MAX_SAMPLES,
                                description="Index of a data point of `split`.")
    split: Literal["train", "test"] = "train"

    @model_validator(mode="after")
    def _one_of(self) -> "TraceRequest":
        if (self.x is None) == (self.example is None):
            raise ValueError('send either "x" (a raw input) or "example" (an index), not both '
                             "or neither")
        if self.example is not None and self.y is not None:
            raise ValueError('"y" goes with "x"; an example is traced with its own label')
        return self


class TraceLayer(BaseModel):
    W: list[list[float | None]] = Field(description="(fan_out, fan_in), as in params()")
    b: list[float | None]
    a_in: list[float | None] = Field(description="A[l-1]: the layer's input (features for l=1)")
    z: list[float | None] = Field(description="Z[l] = W A[l-1] + b")
    a: list[float | None] = Field(description="A[l] = g(Z[l]); the output for the last layer")
    delta: list[float | None] | None = Field(None, description="dloss/dZ[l] (with a target)")
    dW: list[list[float | None]] | None = Field(None, description="delta A[l-1]^T")
    db: list[float | None] | None = Field(None, description="delta")


class TraceOut(BaseModel):
    input: list[float | None]
    target: float | None
    output: list[float | None]
    loss: float | None = Field(description="This example's loss (null without a target)")
    layers: list[TraceLayer] = Field(description="Input layer first")


class ParamsOut(BaseModel):
    changed: list[str]
    params: list[dict] = Field(description="All parameters after the edit, as GET /params")


@router.post("/runs/{run_id}/trace", response_model=TraceOut, response_model_exclude_none=False,
             responses={**NOT_FOUND, **BAD_BODY,
                        422: {"description": "Bad input, target or example index."}})
async def trace(run: RunDep, body: TraceRequest) -> dict:
    """One example forward (W, b, a_in, z, a per layer) and, with a target, backward (delta,
    dW, db), with the current parameters."""
    try:
        if body.example is not None:
            result = run.trainer.trace_example(body.example, body.split)
        else:
            result = run.trainer.trace(body.x, body.y)
    except ValueError as exc:
        raise HTTPException(422, f"trace: {exc}") from None
    return plain(result)


@router.patch("/runs/{run_id}/params", response_model=ParamsOut,
              responses={**GUARDED, **BAD_BODY,
                         422: {"description": "Unknown names or non-finite values "
                                              "(each named; nothing changes)."}})
async def set_params(run: ControlledRun, settings: Annotated[Settings, Depends(settings_of)],
                     values: Annotated[dict[str, Any], Body(
                         examples=[{"W1[0,1]": 0.5, "b1[0]": -5}])]) -> dict:
    """Set weights and biases by name ("W{l}[{i},{j}]", "b{l}[{i}]"); the optimizer's state is
    kept and a playing run continues from the new values."""
    if len(values) > settings.max_param_edits:
        raise HTTPException(422, f"at most {settings.max_param_edits} parameters per call, "
                                 f"got {len(values)}")
    try:
        changed = run.set_params(values)
    except ParameterEditError as exc:
        raise HTTPException(422, {"message": str(exc), "names": [n for n, _ in exc.bad]}) from None
    return {"changed": changed, "params": layer_arrays(run.trainer.params())}
