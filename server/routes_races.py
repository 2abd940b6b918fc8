"""Optimizer races over REST and a websocket: GET /api/functions (and a function's surface),
POST /api/races, GET/DELETE /api/races/{id}, POST /api/races/{id}/step, PATCH a racer,
POST /api/races/{id}/restart, WS /ws/races/{id}. Bounds from the app's Settings; racer settings
are TrainConfig's descent fields, with TrainConfig's bounds and messages."""

from __future__ import annotations

import copy
from typing import Annotated, Literal, Union

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response, WebSocket
from pydantic import BaseModel, Field, Strict, TypeAdapter, ValidationError, create_model

from engine import TrainConfig
from engine.descent import DESCENT_FIELDS
from engine.race import Race
from engine.test_functions import BOWL_CONDITION_RANGE, FUNCTIONS, get_function

from .api_models import STRICT
from .latest_sender import LatestSender
from .live_resource import (ControlMessage, Pause, Play, error_message, read_message,
                            serve_live_resource, validation_message)
from .races import RaceRegistry, RaceSession
from .routes_api import as_422
from .routes_comparisons import unprocessable
from .run_access import FORBIDDEN, controlled, grant, socket_may_control, watch_only
from .runs import RegistryFull
from .session_bound import RACES, SessionDep, check_room, claim
from .settings import Settings
from .snapshot import plain

router = APIRouter(tags=["races"])
BAD_BODY = {400: {"description": "The body is not valid JSON."}}
NOT_FOUND = {404: {"description": "No race with this id."}}
FunctionName = Literal[tuple(FUNCTIONS)]


def _descent_fields() -> dict:
    fields = {}
    for name in DESCENT_FIELDS:
        info = copy.copy(TrainConfig.model_fields[name])
        info.default = None
        info.default_factory = None
        fields[name] = (info.annotation, info)
    return fields


RacerSettings = create_model(
    "RacerSettings", __config__=STRICT,
    __doc__="One racer: an optimizer and its settings (TrainConfig's fields; omitted = default).",
    **_descent_fields())


def sent(model: BaseModel) -> dict:
    return {k: getattr(model, k) for k in DESCENT_FIELDS if k in model.model_fields_set}


def races_registry(app_state) -> RaceRegistry:
    registry = getattr(app_state, "races", None)
    if registry is None:
        registry = app_state.races = RaceRegistry(app_state.settings)
    return registry


async def races_of(request: Request) -> RaceRegistry:
    return races_registry(request.app.state)


async def settings_of(request: Request) -> Settings:
    return request.app.state.settings


async def get_race(race_id: str, registry: Annotated[RaceRegistry, Depends(races_of)]):
    s = registry.get(race_id)
    if s is None:
        raise HTTPException(404, f"no race with id {race_id!r} (it may have expired)")
    s.touch()
    return s


RaceDep = Annotated[RaceSession, Depends(get_race)]
ControlledRace = Annotated[RaceSession, Depends(controlled(get_race, "race"))]
GUARDED = {**NOT_FOUND, **FORBIDDEN}
SettingsDep = Annotated[Settings, Depends(settings_of)]


# a JSON array is not a tuple to strict mode: the pair is lax (Field(strict=False)), its items
# strict ("1" or true is not a coordinate) and finite (STRICT's allow_inf_nan=False)
Point = tuple[Annotated[float, Strict()], Annotated[float, Strict()]]


class RaceCreate(BaseModel):
    model_config = STRICT
    function: FunctionName = Field(description="A name from GET /api/functions.")
    start: Point | None = Field(None, strict=False, description="[x, y] inside the function's "
                                "domain (default: its suggested start).")
    # "limit": the bound the schema states (server/openapi_bounds.py); the handler enforces it
    racers: list[RacerSettings] = Field(min_length=1, json_schema_extra={"limit": ["max_racers"]})
    noise: float = Field(0.0, ge=0.0, le=100.0, description="Std of the Gaussian noise added "
                                                             "to each gradient coordinate.")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Seed of the noise.")
    condition: float | None = Field(None, ge=BOWL_CONDITION_RANGE[0], le=BOWL_CONDITION_RANGE[1],
                                    description="The bowl's condition number.")


class RaceStep(BaseModel):
    model_config = STRICT
    steps: int = Field(1, ge=1, json_schema_extra={"limit": ["max_race_steps_per_call"]})


class RaceRestart(BaseModel):
    model_config = STRICT
    start: Point | None = Field(None, strict=False, description="[x, y] inside the function's "
                                "domain (default: the race's start).")


def check_start(function, start, loc=("start",)) -> None:
    (x0, x1), (y0, y1) = function.domain
    x, y = start
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        raise unprocessable(loc, f"start must lie in the domain x in [{x0:g}, {x1:g}], "
                                 f"y in [{y0:g}, {y1:g}]; got [{x:g}, {y:g}]")


def check_steps(n: int, settings: Settings, loc=("steps",)) -> None:
    if n > settings.max_race_steps_per_call:
        raise unprocessable(loc, f"steps must be 1..{settings.max_race_steps_per_call}")


def race_result(s: RaceSession) -> dict:
    out = s.describe()
    return {"step": out["step"], "racers": out["racers"]}


@router.get("/api/functions", summary="The 2-D test functions: name, domain, minima")
def list_functions() -> list[dict]:
    return plain([f.describe() for f in FUNCTIONS.values()])


@router.get("/api/functions/{name}/surface", summary="f on a grid over the domain",
            responses={422: {"description": "Unknown function, bad resolution or condition."}})
async def function_surface(name: FunctionName, settings: SettingsDep,
                           resolution: Annotated[int, Query(ge=3, json_schema_extra={
                               "limit": ["max_function_resolution"]})] = 101,
                           condition: Annotated[float | None, Query(
                               ge=BOWL_CONDITION_RANGE[0], le=BOWL_CONDITION_RANGE[1])] = None
                           ) -> dict:
    """{"name", "x" (R,), "y" (R,), "z" (R, R) with z[i][j] = f(x[j], y[i]), "log_scale"}."""
    if resolution > settings.max_function_resolution:
        raise HTTPException(422, [{"type": "value_error", "loc": ["query", "resolution"],
                                   "msg": f"resolution must be 3..{settings.max_function_resolution}",
                                   "input": resolution}])
    try:
        f = get_function(name, condition)
    except ValueError as exc:
        raise HTTPException(422, [{"type": "value_error", "loc": ["query", "condition"],
                                   "msg": str(exc), "input": condition}]) from None
    g = f.grid(resolution)
    return plain({"name": f.name, "x": g["x"], "y": g["y"], "z": g["z"],
                  "log_scale": f.log_scale, "domain": f.describe()["domain"]})


@router.post("/api/races", status_code=201, responses={**BAD_BODY, **RACES.responses})
async def create_race(request: Request, settings: SettingsDep, session: SessionDep,
                      body: Annotated[RaceCreate, Body()]) -> dict:
    if len(body.racers) > settings.max_racers:
        raise unprocessable(("racers",), f"a race has 1 to {settings.max_racers} racers; got "
                                         f"{len(body.racers)}")
    try:
        function = get_function(body.function, body.condition)
    except ValueError as exc:
        raise unprocessable(("condition",), str(exc)) from None
    start = body.start if body.start is not None else function.start
    check_start(function, start)
    try:
        race = Race(function, start, [sent(r) for r in body.racers], body.noise, body.seed)
    except ValidationError as exc:
        raise as_422(exc, ("body", "racers")) from None
    registry = races_registry(request.app.state)
    registry.sweep()
    check_room(registry.items.values(), session, settings, bound=RACES)
    try:
        s = registry.create(race, function)
    except RegistryFull as exc:
        raise RACES.full(exc, settings) from None
    claim(s, session)
    out = s.describe(with_paths=False)
    return {"id": s.id, "control_token": grant(s), "function": out["function"], "options": out["options"],
            "start": out["start"], "noise": out["noise"],
            "racers": [{"index": r["index"], "config": r["config"]} for r in out["racers"]]}


@router.get("/api/races/{race_id}", responses=NOT_FOUND)
async def read_race(s: RaceDep) -> dict:
    return s.describe()


@router.post("/api/races/{race_id}/step", responses={**BAD_BODY, **GUARDED})
async def step_race(s: ControlledRace, settings: SettingsDep,
                    body: Annotated[RaceStep | None, Body()] = None) -> dict:
    """n more steps for every racer; {"step", "racers": [{"position", "value", "path", ...}]}."""
    body = body or RaceStep()
    check_steps(body.steps, settings)
    s.step(body.steps)
    return race_result(s)


@router.patch("/api/races/{race_id}/racers/{index}", responses={**BAD_BODY, **GUARDED})
async def patch_racer(s: ControlledRace, index: int, body: Annotated[RacerSettings, Body()]) -> dict:
    """A live change of one racer's settings (its position and optimizer state are kept)."""
    if not 0 <= index < len(s.race.racers):
        raise HTTPException(404, f"no racer {index}: this race has racers 0..{len(s.race.racers) - 1}")
    try:
        changed = s.race.set_racer(index, **sent(body))
    except ValidationError as exc:
        raise as_422(exc) from None
    s.changed(urgent=True)
    return {"changed": changed, "racer": s.describe()["racers"][index]}


@router.post("/api/races/{race_id}/restart", responses={**BAD_BODY, **GUARDED})
async def restart_race(s: ControlledRace, body: Annotated[RaceRestart | None, Body()] = None) -> dict:
    """Every racer back to the start (or a new start), optimizer state and noise from scratch."""
    start = body.start if body is not None else None
    if start is not None:
        check_start(s.function, start)
    s.restart(start)
    return s.describe()


@router.delete("/api/races/{race_id}", status_code=204, response_class=Response,
               responses=GUARDED)
async def delete_race(s: ControlledRace, request: Request) -> Response:
    races_registry(request.app.state).delete(s.id)
    return Response(status_code=204)


# ---------------------------------------------------------------------- websocket
class Step(ControlMessage):
    type: Literal["step"]
    n: int = Field(1, ge=1)


class Set(ControlMessage):
    type: Literal["set"]
    racer: int = Field(ge=0)
    config: RacerSettings


class Noise(ControlMessage):
    type: Literal["noise"]
    noise: float = Field(ge=0.0, le=100.0)


class Restart(ControlMessage):
    type: Literal["restart"]
    start: Point | None = Field(None, strict=False)


class Subscribe(ControlMessage):
    type: Literal["subscribe"]
    fps: int | None = Field(None, ge=1)
    speed: int | None = Field(None, ge=1)


RaceMessage = TypeAdapter(Annotated[Union[Play, Pause, Step, Set, Noise, Restart, Subscribe],
                                    Field(discriminator="type")])
MESSAGE_TYPES = ("play", "pause", "step", "set", "noise", "restart", "subscribe")


async def handle_race_message(text: str, viewer: LatestSender, s: RaceSession,
                              settings: Settings, control: bool = True) -> None:
    """control: the socket carries the race's token; else only `subscribe` (without the
    race-wide `speed`) is allowed."""
    read = read_message(text, viewer, settings, MESSAGE_TYPES)
    if read is None:
        return
    raw, kind = read
    if not control and (kind != "subscribe" or raw.get("speed") is not None):
        viewer.say(watch_only(kind, "race", " (speed is the race's)" if kind == "subscribe" else ""))
        return
    try:
        msg = RaceMessage.validate_python(raw)
        s.touch()
        ack: dict = {}
        if isinstance(msg, Play):
            s.play()
        elif isinstance(msg, Pause):
            s.pause()
        elif isinstance(msg, Step):
            if msg.n > settings.max_race_steps_per_call:
                raise ValueError(f"n must be 1..{settings.max_race_steps_per_call}")
            s.pause()
            s.step(msg.n)
            ack = {"step": s.race.step_count}
        elif isinstance(msg, Set):
            if msg.racer >= len(s.race.racers):
                raise ValueError(f"racer must be 0..{len(s.race.racers) - 1}, got {msg.racer}")
            ack = {"racer": msg.racer, "changed": s.race.set_racer(msg.racer, **sent(msg.config))}
        elif isinstance(msg, Noise):
            s.race.set_noise(msg.noise)
            ack = {"noise": s.race.noise}
        elif isinstance(msg, Restart):
            if msg.start is not None:
                try:
                    check_start(s.function, msg.start)
                except Exception as exc:
                    raise ValueError(exc.errors()[0]["msg"]) from None
            s.restart(msg.start)
            ack = {"start": list(s.race.start)}
        else:
            if msg.fps is not None:
                if msg.fps > settings.max_fps:
                    raise ValueError(f"fps must be 1..{settings.max_fps}")
                viewer.fps = msg.fps
            if msg.speed is not None:
                if msg.speed > settings.max_race_speed:
                    raise ValueError(f"speed must be 1..{settings.max_race_speed}")
                s.speed = msg.speed
            ack = {"fps": viewer.fps, "speed": s.speed}
    except ValidationError as exc:
        viewer.say(error_message(kind, 422, validation_message(exc, MESSAGE_TYPES)))
        return
    except ValueError as exc:
        viewer.say(error_message(kind, 422, str(exc)))
        return
    s.changed(urgent=True)
    viewer.say({"type": "ack", "for": kind, "playing": s.playing, **plain(ack)})


@router.websocket("/ws/races/{race_id}")
async def live_race(websocket: WebSocket, race_id: str) -> None:
    settings: Settings = websocket.app.state.settings
    s = races_registry(websocket.app.state).get(race_id)
    control = s is not None and socket_may_control(websocket, s)

    def hello(viewer: LatestSender) -> dict:
        return {"type": "hello", "race": s.id, "fps": viewer.fps, "control": control,
                "limits": {"max_message_bytes": settings.max_message_bytes,
                           "max_fps": settings.max_fps,
                           "max_steps": settings.max_race_steps_per_call,
                           "max_speed": settings.max_race_speed}}

    await serve_live_resource(websocket, s, "race", settings, hello,
                              lambda text, viewer: handle_race_message(text, viewer, s, settings,
                                                                       control))
