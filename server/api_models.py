"""Pydantic models at the edge: request bodies, queries and responses of the REST API, and the
option models the websocket shares. Bounds come from TrainConfig and from the serving app's
Settings (fields made with `limited`, checked per request by server/limits.py), never restated."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from engine import TrainConfig
from engine.landscape import MODES

from .limits import limited

# Every model a client's JSON is read into (REST bodies, websocket messages): fields exactly,
# no coercion ("5" is not 5, true is not 1), finite numbers only.
STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _changes_fields() -> dict:
    """Every TrainConfig field, optional (omitted = unchanged), with its bounds and description."""
    fields = {}
    for name, info in TrainConfig.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[name] = (info.annotation, optional)
    return fields


ConfigChanges = create_model(
    "ConfigChanges", __config__=STRICT,
    __doc__="A partial TrainConfig: only the fields sent change.", **_changes_fields())


class RunPatch(ConfigChanges):
    """A partial TrainConfig plus `reset`: data/architecture changes need reset=true (else 409)."""
    reset: bool = Field(False, description="Rebuild data, network and optimizer (needed for "
                                           "non-live fields).")


def changes_of(model: BaseModel) -> dict:
    """The config fields a client actually sent, in TrainConfig's order."""
    sent = model.model_fields_set
    return {k: getattr(model, k) for k in TrainConfig.model_fields if k in sent}


class StepRequest(BaseModel):
    """Train `steps` minibatch updates or `epochs` passes (one of them, not both; default 1
    step)."""
    model_config = ConfigDict(**STRICT, json_schema_extra={"not": {"required": ["steps",
                                                                              "epochs"]}})
    steps: int | None = limited(None, "max_steps_per_call", ge=1)
    epochs: int | None = limited(None, "max_epochs_per_call", ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> "StepRequest":
        if self.steps is not None and self.epochs is not None:
            raise ValueError("send either steps or epochs, not both")
        return self


LandscapeMode = Literal[MODES]


class LandscapeOptions(BaseModel):
    """Options of Trainer.landscape (see engine/landscape.py)."""
    model_config = ConfigDict(extra="forbid")
    mode: LandscapeMode = Field("auto", description="Plane of the slice: random filter-"
                                "normalized directions, PCA of the path, two parameters, or "
                                "exact (a network with exactly two parameters); auto picks.")
    resolution: int = limited(21, "max_landscape_resolution", ge=3,
                              description="Points per axis of the loss surface (up to the "
                                          "server's max_landscape_resolution).")
    span: float | None = Field(None, gt=0.0, le=1e3, description="Half-width of the plane "
                               "(default: chosen by the mode).")
    params: list[str] | None = Field(None, min_length=2, max_length=2,
                                     description='Mode "params": two names like "W1[0,1]", "b2[0]".')
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Seed of the random directions.")
    log_scale: bool = Field(False, description="Show log10 of the loss.")
    field_resolution: int = limited(0, "max_field_resolution", ge=0,
                                    description="Points per axis of the gradient-field arrows: "
                                                "0 (none) or 2 up to the server's "
                                                "max_field_resolution.")

    @model_validator(mode="after")
    def _param_names_short(self) -> "LandscapeOptions":
        if self.field_resolution == 1:
            raise ValueError("field_resolution must be 0 (no field) or at least 2")
        for name in self.params or []:
            if len(name) > 32:
                raise ValueError(f"parameter name too long: {name[:40]!r}")
        return self


class StrictLandscapeOptions(LandscapeOptions):
    """LandscapeOptions read from JSON (a websocket subscribe), strictly typed; the REST query
    form stays LandscapeOptions (query values are text)."""
    model_config = STRICT


class Metrics(BaseModel):
    """Trainer.metrics(); losses are null when not finite (a diverged run)."""
    step: int
    epoch: int
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    status: str
    reason: str
    cause: str | None = Field(None, description="a diverged run's likely cause: initialization, "
                              "input_scale, learning_rate or no_clipping (engine/divergence.py)")
    warning: str | None = Field(None, description='"unstable" while the training loss is far '
                                "above its start (training goes on), else null")
    warning_reason: str = ""
    learning_rate: float | None
    batch_size: int


RunStatus = Literal["paused", "playing", "diverged"]


class RunOut(BaseModel):
    id: str
    config: TrainConfig
    metrics: Metrics
    status: RunStatus = Field(description='"diverged" when training blew up (see metrics.reason).')


class CreatedRunOut(RunOut):
    control_token: str = Field(description="Send it as the X-Run-Token header with every change "
                                           "(PATCH, step, reset, delete, params, save) and as "
                                           "?token= on the websocket; without it the run is "
                                           "read-only. Returned only here.")


class SetOut(RunOut):
    changed: list[str]
    reset: bool


class StepOut(BaseModel):
    metrics: Metrics
    status: RunStatus
    steps_run: int = Field(description="Steps actually taken (fewer if diverged or truncated).")
    truncated: bool = Field(description="The time bound stopped the call before n was reached.")


class LayerArrays(BaseModel):
    W: list[list[float | None]] = Field(description="(fan_out, fan_in)")
    b: list[float | None] = Field(description="(fan_out,)")


class DatasetOut(BaseModel):
    x_train: list[list[float | None]]
    y_train: list[float | None]
    x_test: list[list[float | None]]
    y_test: list[float | None]


class ProblemOut(BaseModel):
    detail: Any

