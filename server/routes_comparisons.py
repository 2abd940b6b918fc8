"""Comparison groups over REST and one websocket: POST/GET/DELETE /api/comparisons,
POST /api/comparisons/{id}/step, GET /api/comparisons/presets, WS /ws/comparisons/{id}.

Members are ordinary runs (GET /api/runs/{member_id} and the rest work on them). Handlers are
async: they run on the event loop, the one thread that trains. Bounds come from the app's
Settings; errors are FastAPI's 422 shape, naming the field and the allowed range."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response, WebSocket
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from engine import Trainer, TrainConfig
from engine.comparison import VariantError
from engine.custom_data import CustomDataError
from engine.comparison_landscape import shared_landscape
from engine.comparison_presets import PRESETS
from engine.param_names import parameter_names

from .api_models import STRICT, ConfigChanges, LandscapeOptions, changes_of
from .landscape_worker import LandscapeTimeout, LandscapeWorker
from .comparisons import Comparison, ComparisonRegistry
from .latest_sender import LatestSender
from .live_resource import (ControlMessage, Pause, Play, error_message, read_message,
                            serve_live_resource, validation_message)
from .routes_api import as_422, custom_data_422
from .run_access import FORBIDDEN, controlled, grant, socket_may_control, watch_only
from .session_bound import GROUPS, RUNS, SessionDep, check_room, claim
from .runs import RegistryFull
from .settings import Settings
from .snapshot import plain

router = APIRouter(tags=["comparisons"])
BAD_BODY = {400: {"description": "The body is not valid JSON."}}
NOT_FOUND = {404: {"description": "No comparison group with this id."}}
Clock = Literal["epochs", "updates"]


def comparisons_registry(app_state) -> ComparisonRegistry:
    """The app's comparison registry, made on first use beside its run registry."""
    registry = getattr(app_state, "comparisons", None)
    if registry is None:
        registry = app_state.comparisons = ComparisonRegistry(
            app_state.settings, app_state.registry, app_state.encoder)
    return registry


async def comparisons_of(request: Request) -> ComparisonRegistry:
    return comparisons_registry(request.app.state)


async def settings_of(request: Request) -> Settings:
    return request.app.state.settings


async def get_comparison(comparison_id: str, registry: Annotated[ComparisonRegistry,
                                                                Depends(comparisons_of)]):
    c = registry.get(comparison_id)
    if c is None:
        raise HTTPException(404, f"no comparison group with id {comparison_id!r} (deleted, or "
                                 "all its members expired)")
    c.touch()
    return c


ComparisonDep = Annotated[Comparison, Depends(get_comparison)]
ControlledComparison = Annotated[Comparison, Depends(controlled(get_comparison, "comparison group"))]
RegistryDep = Annotated[ComparisonRegistry, Depends(comparisons_of)]
SettingsDep = Annotated[Settings, Depends(settings_of)]


def unprocessable(loc: tuple, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body", *loc),
                                    "msg": message, "input": None}])


def variant_422(exc: VariantError) -> RequestValidationError:
    """A variant that makes an invalid member, as a 422 located at that variant (and at the
    setting of it to blame: body.variants.<i>.loss)."""
    return RequestValidationError([
        {"type": e["type"], "loc": ("body", "variants", exc.index, *e["loc"]), "msg": e["msg"],
         "input": plain(e["input"]) if isinstance(e["input"], (int, float, str, bool, list))
         else None}
        for e in exc.problems])


class ComparisonCreate(BaseModel):
    """A base TrainConfig, 2..6 partial variants (one member each), the clock; labels optional."""
    model_config = STRICT
    base: TrainConfig = Field(default_factory=TrainConfig)
    # minItems and "limit" (server/openapi_bounds.py): the schema states what the handler checks
    variants: list[ConfigChanges] = Field(description="One partial TrainConfig per member; "
                                                      "data fields come from the base only.",
                                          json_schema_extra={"minItems": 2,
                                                             "limit": ["max_comparison_members"]})
    clock: Clock = Field("epochs", description='"epochs": equal examples seen; "updates": '
                                               "equal steps.")
    labels: list[Annotated[str, Field(max_length=60)]] | None = Field(
        None, description="A name per member for legends (default: what differs from base).")


class GroupStep(BaseModel):
    """n more epochs (every member sees n x n_train examples) or n more updates each (exactly
    one of them)."""
    model_config = ConfigDict(**STRICT, json_schema_extra={
        "oneOf": [{"required": ["epochs"]}, {"required": ["updates"]}]})
    # "limit": the bound the schema states (server/openapi_bounds.py); check_step enforces it
    epochs: int | None = Field(None, ge=1, json_schema_extra={"limit": ["max_epochs_per_call"]})
    updates: int | None = Field(None, ge=1, json_schema_extra={"limit": ["max_steps_per_call"]})


def check_step(step: GroupStep, settings: Settings, prefix: tuple = ()) -> None:
    if (step.epochs is None) == (step.updates is None):
        raise unprocessable(prefix, 'send exactly one of "epochs" or "updates"')
    if step.epochs is not None and step.epochs > settings.max_epochs_per_call:
        raise unprocessable((*prefix, "epochs"), f"epochs must be 1..{settings.max_epochs_per_call}")
    if step.updates is not None and step.updates > settings.max_steps_per_call:
        raise unprocessable((*prefix, "updates"),
                            f"updates must be 1..{settings.max_steps_per_call}")


@router.get("/api/comparisons/presets", summary="The one-click comparisons of the course")
def list_presets() -> list[dict]:
    """[{"name", "title", "lesson", "clock", "base", "variants", "labels"}]."""
    return [{"name": name, **p} for name, p in PRESETS.items()]


@router.post("/api/comparisons", status_code=201, responses={**BAD_BODY, 429: {"description": (
    f"{GROUPS.responses[429]['description']} Or too many runs for its members "
    f"(`{RUNS.registry}`, `{RUNS.setting}`).")}})
async def create_comparison(registry: RegistryDep, settings: SettingsDep, session: SessionDep,
                            body: Annotated[ComparisonCreate, Body()]) -> dict:
    bound = settings.max_comparison_members
    if not 2 <= len(body.variants) <= bound:
        raise unprocessable(("variants",), f"a group has 2 to {bound} members; got "
                                           f"{len(body.variants)} variants")
    if body.labels is not None and len(body.labels) != len(body.variants):
        raise unprocessable(("labels",), f"one label per variant: {len(body.variants)} expected, "
                                         f"got {len(body.labels)}")
    variants = [changes_of(v) for v in body.variants]
    registry.sweep()
    check_room(registry.items.values(), session, settings, bound=GROUPS)
    check_room(registry.run_registry.runs.values(), session, settings, adding=len(variants))
    try:
        c = registry.create(body.base, variants, body.clock, body.labels)
    except RegistryFull as exc:
        raise GROUPS.full(exc, settings) from None
    except CustomDataError as exc:
        raise custom_data_422(exc, ("body", "base")) from None
    except VariantError as exc:
        raise variant_422(exc) from None
    except ValidationError as exc:
        raise as_422(exc, ("body", "variants")) from None
    except ValueError as exc:
        raise unprocessable(("variants",), str(exc)) from None
    token = grant(c)
    claim(c, session)
    for run in c.runs:   # members are runs: the group's token controls them too
        grant(run, token)
        claim(run, session)
    out = c.describe()
    return {"id": out["id"], "clock": out["clock"], "control_token": token,
            "same_start": out["same_start"], "members": [{"id": m["id"], "config": m["config"], "label": m["label"]}
                        for m in out["members"]]}


@router.get("/api/comparisons/{comparison_id}", responses=NOT_FOUND)
async def read_comparison(c: ComparisonDep) -> dict:
    return c.describe()


@router.post("/api/comparisons/{comparison_id}/step",
             responses={**BAD_BODY, **NOT_FOUND, **FORBIDDEN})
async def step_comparison(c: ControlledComparison, settings: SettingsDep,
                          body: Annotated[GroupStep, Body()]) -> dict:
    """Train every member n epochs or n updates (from where each is), time-bounded like
    /api/runs/{id}/step: truncated=true if it had to stop."""
    check_step(body, settings)
    done, truncated = await c.step(body.epochs, body.updates, settings.step_time_budget_seconds)
    return {**c.describe(), "steps_run": done, "truncated": truncated}


@router.get("/api/comparisons/{comparison_id}/landscape", responses={
    **NOT_FOUND, 422: {"description": "Bad resolution or parameters, or the members' models "
                                      "differ."}})
async def comparison_landscape(
        c: ComparisonDep, settings: SettingsDep, request: Request,
        resolution: Annotated[int, Query(ge=3, json_schema_extra={
            "limit": ["max_landscape_resolution"]})] = 31,
        mode: Annotated[Literal["pca", "params"], Query(
            description='"pca": the plane of all paths\' two main directions; "params": two '
                        "chosen parameters through the members' start (their average when "
                        "they start apart).")] = "pca",
        params: Annotated[list[Annotated[str, Field(max_length=32)]] | None, Query(
            description='Mode "params": two names like "W1[0,1]", "b2[0]" (see "parameters" '
                        "in any answer).")] = None) -> dict:
    """The loss surface on one plane under every member's path, each path with its plane
    coordinates, true losses and distance from the plane (engine/comparison_landscape.py);
    "parameters" lists the names mode "params" accepts. Computed in one of the app's landscape
    threads on copies of the members, stopped at the landscape time limit (503 saying what
    would fit, with Retry-After)."""
    if resolution > settings.max_landscape_resolution:
        raise HTTPException(422, [{"type": "value_error", "loc": ["query", "resolution"],
                                   "msg": f"resolution must be 3..{settings.max_landscape_resolution}",
                                   "input": resolution}])
    if mode == "params" and (params is None or len(params) != 2):
        raise HTTPException(422, [{"type": "value_error", "loc": ["query", "params"],
                                   "msg": 'mode "params" needs exactly two params, e.g. '
                                          "?params=W1[0,1]&params=b1[0]",
                                   "input": params}])
    live = c.live_members()
    states = [c.runs[i].trainer.capture_state() for i in live]

    def compute(should_stop) -> dict:
        trainers = [Trainer.from_state(s) for s in states]
        result = shared_landscape(trainers, resolution, mode=mode, params=params,
                                  should_stop=should_stop)
        result["parameters"] = parameter_names(trainers[0])
        return result

    # in the app's landscape threads, under their rules: a time limit that stops the work
    # between grid rows (freeing the thread) and says what would fit
    landscapes: LandscapeWorker = request.app.state.landscapes
    surface = LandscapeOptions(resolution=resolution)
    timeout = settings.landscape_timeout_seconds
    first = c.runs[live[0]].trainer
    try:
        result = await landscapes.run_surface(compute, landscapes.is_heavy(first, surface),
                                              surface, timeout, slot_timeout=timeout)
    except ValueError as exc:
        raise HTTPException(422, f"shared surface: {exc}") from None
    except LandscapeTimeout as exc:
        raise HTTPException(503, f"shared surface: {str(exc).removeprefix('landscape: ')}",
                            headers={"Retry-After": str(max(1, round(exc.retry_after)))}) from None
    result.pop("plane")
    result["members"] = live
    return plain(result)


@router.delete("/api/comparisons/{comparison_id}", status_code=204, response_class=Response,
               responses={**NOT_FOUND, **FORBIDDEN})
async def delete_comparison(c: ControlledComparison, registry: RegistryDep) -> Response:
    """Deletes the group and its member runs."""
    registry.delete(c.id)
    return Response(status_code=204)


# ---------------------------------------------------------------------- websocket
class Step(ControlMessage):
    type: Literal["step"]
    epochs: int | None = Field(None, ge=1)
    updates: int | None = Field(None, ge=1)


class Set(ControlMessage):
    type: Literal["set"]
    member: int = Field(ge=0)
    config: ConfigChanges


class SetClock(ControlMessage):
    type: Literal["clock"]
    clock: Clock


class Subscribe(ControlMessage):
    type: Literal["subscribe"]
    fps: int = Field(ge=1)


GroupMessage = TypeAdapter(Annotated[Union[Play, Pause, Step, Set, SetClock, Subscribe],
                                     Field(discriminator="type")])
MESSAGE_TYPES = ("play", "pause", "step", "set", "clock", "subscribe")


async def handle_group_message(text: str, viewer: LatestSender, c: Comparison,
                               settings: Settings, control: bool = True) -> None:
    """control: the socket carries the group's token; else only `subscribe` is allowed."""
    read = read_message(text, viewer, settings, MESSAGE_TYPES)
    if read is None:
        return
    raw, kind = read
    if not control and kind != "subscribe":
        viewer.say(watch_only(kind, "comparison group"))
        return
    try:
        msg = GroupMessage.validate_python(raw)
        c.touch()
        if isinstance(msg, Play):
            c.play()
            ack = {"playing": True}
        elif isinstance(msg, Pause):
            c.pause()
            ack = {"playing": False}
        elif isinstance(msg, Step):
            step = GroupStep(epochs=msg.epochs, updates=msg.updates)
            check_step(step, settings)
            c.pause()
            done, truncated = await c.step(msg.epochs, msg.updates,
                                           settings.step_time_budget_seconds)
            ack = {"steps_run": done, "truncated": truncated}
        elif isinstance(msg, Set):
            ack = c.set_member(msg.member, changes_of(msg.config))
        elif isinstance(msg, SetClock):
            c.set_clock(msg.clock)
            ack = {"clock": c.clock}
        else:
            if msg.fps > settings.max_fps:
                raise ValueError(f"fps must be 1..{settings.max_fps}")
            viewer.fps = msg.fps
            ack = {"fps": viewer.fps}
    except ValidationError as exc:
        viewer.say(error_message(kind, 422, validation_message(exc, MESSAGE_TYPES)))
        return
    except RequestValidationError as exc:
        viewer.say(error_message(kind, 422, "; ".join(e["msg"] for e in exc.errors())))
        return
    except ValueError as exc:
        viewer.say(error_message(kind, 422, str(exc)))
        return
    c.changed(urgent=True)
    viewer.say({"type": "ack", "for": kind, **ack})


@router.websocket("/ws/comparisons/{comparison_id}")
async def live_comparison(websocket: WebSocket, comparison_id: str) -> None:
    settings: Settings = websocket.app.state.settings
    c = comparisons_registry(websocket.app.state).get(comparison_id)
    control = c is not None and socket_may_control(websocket, c)

    def hello(viewer: LatestSender) -> dict:
        return {"type": "hello", "comparison": c.id, "clock": c.clock, "control": control,
                "members": [r.id for r in c.runs], "fps": viewer.fps,
                "limits": {"max_message_bytes": settings.max_message_bytes,
                           "max_fps": settings.max_fps,
                           "max_epochs": settings.max_epochs_per_call,
                           "max_updates": settings.max_steps_per_call}}

    await serve_live_resource(websocket, c, "comparison group", settings, hello,
                              lambda text, viewer: handle_group_message(text, viewer, c, settings,
                                                                        control))
