"""REST API for scripts: thin handlers over runs.py; models in api_models.py.

Every handler and dependency that touches a run is `async def`, so it runs on the event loop,
the one thread that trains (FastAPI would run a plain `def` in a worker thread, racing the
training slices on the trainer's shared buffers). Each is quick; landscapes go to a thread on a
captured copy."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from engine import ResetRequired, Trainer, TrainConfig
from engine.custom_data import CustomDataError

from .api_models import (CreatedRunOut, DatasetOut, LandscapeOptions, LayerArrays, Metrics, RunOut, RunPatch,
                         SetOut, StepOut, StepRequest, changes_of)
from .admission import grid_resolutions
from .limits import enforce_limits
from .landscape_worker import LandscapeTimeout, LandscapeWorker
from .run_access import FORBIDDEN, controlled, grant
from .runs import ComputeBudgetFull, RegistryFull, Run, RunRegistry
from .session_bound import RUNS, TOO_MANY, SessionDep, check_room, claim
from .schema import published_schema
from .settings import Settings
from .snapshot import (DEFAULT_VIEWS, HISTORY_COLUMNS, Sections, activation_points, dataset_sections,
                       frame_header, hidden_grids, landscape_sections, neuron_function,
                       output_grid, parameter_sections, plain, to_json, valid_neuron)

router = APIRouter(prefix="/api", tags=["runs"])

NOT_FOUND = {404: {"description": "No run with this id (never existed, deleted or expired)."}}
BAD_BODY = {400: {"description": "The body is not valid JSON."}}


async def registry_of(request: Request) -> RunRegistry:
    return request.app.state.registry


async def settings_of(request: Request) -> Settings:
    return request.app.state.settings


async def landscapes_of(request: Request) -> LandscapeWorker:
    return request.app.state.landscapes


async def get_run(run_id: str, registry: Annotated[RunRegistry, Depends(registry_of)]) -> Run:
    """The run with this id, or 404."""
    run = registry.get(run_id)
    if run is None:
        raise HTTPException(404, f"no run with id {run_id!r} (it may have expired)")
    run.touch()
    return run


RunDep = Annotated[Run, Depends(get_run)]
ControlledRun = Annotated[Run, Depends(controlled(get_run, "run"))]   # 403 without its token
GUARDED = {**NOT_FOUND, **FORBIDDEN}
SettingsDep = Annotated[Settings, Depends(settings_of)]


async def step_request(settings: SettingsDep,
                       body: Annotated[StepRequest | None, Body()] = None) -> StepRequest:
    """The step body (default: 1 step), within this app's max_steps_per_call /
    max_epochs_per_call (else 422 with the allowed range)."""
    body = body or StepRequest()
    enforce_limits(body, settings, ("body",))
    return body


async def landscape_options(settings: SettingsDep,
                            options: Annotated[LandscapeOptions, Query()]) -> LandscapeOptions:
    """The landscape query, within this app's max_landscape_resolution / max_field_resolution."""
    enforce_limits(options, settings, ("query",))
    return options


def as_422(exc: ValidationError, prefix: tuple = ("body",)) -> RequestValidationError:
    """A pydantic error raised inside a handler, as the same 422 FastAPI gives for bad input."""
    errors = [{"type": e["type"], "loc": (*prefix, *e["loc"]), "msg": e["msg"],
               "input": plain(e.get("input")) if isinstance(e.get("input"), (int, float, str,
                                                                             bool, list)) else None}
              for e in exc.errors(include_url=False)]
    return RequestValidationError(errors)


def custom_data_422(exc: CustomDataError, prefix: tuple = ("body",)) -> RequestValidationError:
    """A custom dataset that cannot be had or does not fit the loss, as a 422 on its field."""
    return RequestValidationError([{"type": "value_error",
                                    "loc": (*prefix, exc.field or "custom_dataset"),
                                    "msg": str(exc), "input": None}])


def run_out(run: Run, metrics: dict | None = None) -> dict:
    return {"id": run.id, "config": run.trainer.config,
            "metrics": plain(run.metrics() if metrics is None else metrics), "status": run.status}


def created_run_out(run: Run) -> dict:
    """run_out plus the new run's control token (server/run_access.py)."""
    return {**run_out(run), "control_token": grant(run)}


def layer_arrays(layers: list[dict]) -> list[dict]:
    return [{"W": plain(layer["W"]), "b": plain(layer["b"])} for layer in layers]


@router.get("/schema", summary="The engine's rules and the server's limits (engine/rules.py)")
async def get_schema(settings: SettingsDep) -> dict:
    """{"fields": every TrainConfig field (default, range or choices, description, live,
    applies_when), "datasets", "losses", "activations", "optimizers", "landscape", "limits"}."""
    return published_schema(settings)


@router.post("/runs", status_code=201, response_model=CreatedRunOut,
             responses={**BAD_BODY, **TOO_MANY,
                        503: {"description": "The server's compute budget is used: the message "
                              "says what this run costs, what is left and what to lower; "
                              "with Retry-After."}})
async def create_run(registry: Annotated[RunRegistry, Depends(registry_of)], settings: SettingsDep,
                     session: SessionDep,
                     config: Annotated[TrainConfig | None, Body()] = None) -> dict:
    check_room(registry.runs.values(), session, settings)
    try:
        run = registry.create(config or TrainConfig())
    except ComputeBudgetFull as exc:
        raise HTTPException(503, str(exc), headers={
            "Retry-After": str(max(1, round(exc.retry_after)))}) from None
    except RegistryFull as exc:
        raise RUNS.full(exc, settings) from None
    except CustomDataError as exc:
        raise custom_data_422(exc) from None
    claim(run, session)
    return created_run_out(run)


@router.get("/runs/{run_id}", response_model=RunOut, responses=NOT_FOUND)
async def read_run(run: RunDep) -> dict:
    """The run's config, status and metrics now (a large run's computed off the event loop)."""
    metrics = await run.metrics_off_the_loop()
    return run_out(run, metrics)


@router.patch("/runs/{run_id}", response_model=SetOut,
              responses={**GUARDED, **BAD_BODY,
                         409: {"description": "The change needs reset=true."},
                         503: {"description": "The rebuilt run would cost more than the "
                               "server's compute budget has left (the message as POST "
                               "/api/runs gives); the run is unchanged; with Retry-After."}})
async def patch_run(run: ControlledRun, patch: RunPatch) -> dict:
    """Change settings. Live fields keep the weights; data/architecture fields answer 409 unless
    "reset": true is sent."""
    try:
        result = run.set(changes_of(patch), reset=patch.reset)
    except ResetRequired as exc:
        raise HTTPException(409, exc.explain('send "reset": true')) from None
    except ComputeBudgetFull as exc:
        raise HTTPException(503, str(exc), headers={
            "Retry-After": str(max(1, round(exc.retry_after)))}) from None
    except ValidationError as exc:
        raise as_422(exc) from None
    except CustomDataError as exc:
        raise custom_data_422(exc) from None
    return {**run_out(run), **result}


@router.post("/runs/{run_id}/step", response_model=StepOut, responses={**GUARDED, **BAD_BODY})
async def step_run(run: ControlledRun, settings: SettingsDep,
                   request: Annotated[StepRequest, Depends(step_request)]) -> dict:
    """Train n steps (or epochs) now, in slices that keep the server responsive; stops after
    about settings.step_time_budget_seconds with truncated=true."""
    if request.epochs is not None:
        steps = run.trainer.steps_for_epochs(request.epochs)
    else:
        steps = request.steps or 1
    done, truncated = await run.advance(steps, settings.step_time_budget_seconds)
    run.request_frame()
    return {"metrics": plain(run.metrics()), "status": run.status, "steps_run": done,
            "truncated": truncated}


@router.post("/runs/{run_id}/reset", response_model=RunOut, responses=GUARDED)
async def reset_run(run: ControlledRun) -> dict:
    run.reset()
    return run_out(run)


@router.delete("/runs/{run_id}", status_code=204, response_class=Response, responses=GUARDED)
async def delete_run(run: ControlledRun, registry: Annotated[RunRegistry, Depends(registry_of)]) -> Response:
    registry.delete(run.id)
    return Response(status_code=204)


@router.post("/runs/{run_id}/release", status_code=204, response_class=Response,
             responses=GUARDED)
async def release_run(run: ControlledRun, settings: SettingsDep) -> Response:
    """The owner is done with the run (the page that created it closed): it expires after
    `release_grace_seconds` (60 s) unless it is used again (a reload comes back to it), and is
    saved then if it trained, like every expired run (GET /api/saved)."""
    run.expire_in(settings.release_grace_seconds)
    return Response(status_code=204)


@router.get("/runs/{run_id}/params", response_model=list[LayerArrays], responses=NOT_FOUND)
async def read_params(run: RunDep) -> list[dict]:
    """Trainer.params(): per layer {"W": (fan_out, fan_in), "b": (fan_out,)}, input layer first."""
    return layer_arrays(run.trainer.params())


@router.get("/runs/{run_id}/gradients", response_model=list[LayerArrays], responses=NOT_FOUND)
async def read_gradients(run: RunDep) -> list[dict]:
    """Trainer.gradients(): the full-training-set gradient, laid out like params."""
    return layer_arrays(run.trainer.gradients())


@router.get("/runs/{run_id}/dataset", response_model=DatasetOut, responses=NOT_FOUND)
async def read_dataset(run: RunDep) -> dict:
    """Trainer.data(): inputs after feature mapping, labels or targets."""
    return plain(run.trainer.data())


HISTORY_STRIDE_HEADER = "X-History-Stride"


@router.get("/runs/{run_id}/history", response_model=list[Metrics], responses={
    **NOT_FOUND, 200: {"headers": {HISTORY_STRIDE_HEADER: {
        "description": "the stride of the rows kept from now on (a power of two): 1 "
                       "for the first 256 steps (every row kept), then the tail stride, "
                       "sized so rows cost ~2% of training and doubling at 2,000 rows; "
                       "plus the step where the run diverged", "schema": {"type": "integer"}}}}})
async def read_history(run: RunDep, response: Response) -> list[dict]:
    """One row of metrics per step taken for the first 256 steps, however the steps were asked
    for (REST, websocket play or step, one train(n) call); after them every stride-th step
    (the X-History-Stride header says which)."""
    response.headers[HISTORY_STRIDE_HEADER] = str(run.trainer.history_stride)
    return plain(run.trainer.history)


@router.get("/runs/{run_id}/landscape", responses={
    **NOT_FOUND, 422: {"description": "Bad options (also: options the network does not allow)."},
    503: {"description": "The surface took longer than the server's landscape_timeout_seconds "
                         "(it was stopped; the message says what resolution would fit) or "
                         "every landscape thread stayed busy; with Retry-After."}})
async def read_landscape(run: RunDep, settings: SettingsDep,
                         landscapes: Annotated[LandscapeWorker, Depends(landscapes_of)],
                         options: Annotated[LandscapeOptions, Depends(landscape_options)]) -> dict:
    """The loss surface around the current parameters (computed in a worker thread)."""
    timeout = settings.landscape_timeout_seconds
    try:
        result = await landscapes.compute(run, options, timeout, slot_timeout=timeout)
    except ValueError as exc:
        raise HTTPException(422, f"landscape: {exc}") from None
    except LandscapeTimeout as exc:
        raise HTTPException(503, str(exc), headers={
            "Retry-After": str(max(1, round(exc.retry_after)))}) from None
    meta, sections = landscape_sections(result)
    return {**meta, "sections": {k: plain(v) for k, v in sections.arrays.items()}}


@router.get("/runs/{run_id}/snapshot", responses=NOT_FOUND)
async def read_snapshot(run: RunDep, settings: Annotated[Settings, Depends(settings_of)],
                  layer: Annotated[int, Query(ge=1, le=9)] = 1,
                  neuron: Annotated[int, Query(ge=0, le=63)] = 0) -> dict:
    """What a frame carries (default views, plus the dataset and history), as JSON; grids are
    not quantized. Built in a worker thread from a captured copy: on large networks the grids
    take a few hundred ms, which must not stall the event loop."""
    run_fields = {**run.frame_fields(), "views": list(DEFAULT_VIEWS)}
    source = run.trainer
    state = source.capture_state(path=False)   # no path in a snapshot

    def build() -> dict:
        trainer = Trainer.from_state(state, like=source)   # shares the run's data
        header = frame_header(trainer, run_fields)
        sections = Sections()
        sections.update(parameter_sections(trainer, DEFAULT_VIEWS))
        out_res, hid_res = grid_resolutions(trainer, settings)
        sections.update(output_grid(trainer, out_res, exact=True))     # JSON: not quantized
        sections.update(hidden_grids(trainer, hid_res, exact=True))
        chosen = valid_neuron(trainer, (layer, neuron))
        sections.update(activation_points(trainer, *chosen))
        sections.update(dataset_sections(trainer))
        header.update(grid={"output_resolution": out_res, "hidden_resolution": hid_res},
                      neuron=list(chosen), neuron_function=neuron_function(trainer, chosen[0]),
                      history_columns=list(HISTORY_COLUMNS))
        return to_json(header, sections)

    return await asyncio.to_thread(build)
