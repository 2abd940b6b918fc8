"""WS /ws/runs/{id}: the live endpoint. Client messages are pydantic models; controls apply to
the run (so to every viewer), subscriptions to this viewer. See docs/protocol.md."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel, Field, Strict, TypeAdapter, ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from engine import ResetRequired
from engine.param_names import ParameterEditError
from engine.config import MAX_HIDDEN_LAYERS, MAX_NEURONS
from engine.custom_data import CustomDataError

from .api_models import STRICT, ConfigChanges, LandscapeOptions, StrictLandscapeOptions, changes_of
from .landscape_admission import LandscapeRefused
from .limits import limit_errors, limited
from .validation_errors import short_text
from .run_access import socket_may_control, watch_only
from .runs import ComputeBudgetFull, Run
from .settings import Settings
from .snapshot import DEFAULT_VIEWS, VIEWS
from .stream import RunStream
from .viewer import Viewer

log = logging.getLogger("nn_playground")

router = APIRouter()


class _Message(BaseModel):
    model_config = STRICT


class Play(_Message):
    type: Literal["play"]


class Pause(_Message):
    type: Literal["pause"]


class Reset(_Message):
    type: Literal["reset"]


class Step(_Message):
    type: Literal["step"]
    n: int = limited(1, "max_ws_steps", "max_steps_per_call", ge=1)


class Set(_Message):
    type: Literal["set"]
    config: ConfigChanges
    reset: bool = False


class SetParams(_Message):
    """Set weights/biases by name, as PATCH /api/runs/{id}/params: {"W1[0,1]": 0.5, ...}."""
    type: Literal["params"]
    values: dict[str, Any] = Field(min_length=1)  # at most settings.max_param_edits names


class Subscribe(_Message):
    type: Literal["subscribe"]
    views: list[Literal[VIEWS]] | None = Field(None, max_length=len(VIEWS))
    fps: int | None = limited(None, "max_fps", ge=1)
    # a JSON array is not a tuple to strict mode: the pair is lax, its items strict
    neuron: tuple[Annotated[int, Strict(), Field(ge=1, le=MAX_HIDDEN_LAYERS + 1)],
                  Annotated[int, Strict(), Field(ge=0, le=MAX_NEURONS - 1)]] | None = Field(
        None, strict=False)
    landscape: StrictLandscapeOptions | None = None
    speed: int | None = limited(None, "max_speed", ge=1)


ClientMessage = TypeAdapter(Annotated[Union[Play, Pause, Reset, Step, Set, SetParams, Subscribe],
                                      Field(discriminator="type")])
MESSAGE_TYPES = ("play", "pause", "step", "reset", "set", "params", "subscribe")


MESSAGE_LIMIT = 2000   # characters of an error message (advice is a few hundred)


def _error(for_type, status: int, message: str, fields: list[str] | None = None) -> dict:
    """An error message; what came from the client in it (its type, field names) is cut short."""
    return {"type": "error", "for": short_text(for_type) if isinstance(for_type, str) else for_type,
            "status": status, "message": short_text(message, MESSAGE_LIMIT),
            "fields": [short_text(str(f)) for f in fields or []]}


def _without_tag(loc, message_types) -> tuple:
    """An error's location without the union's tag in front (a field may share a type's
    name: set's `reset`, a race's `noise`)."""
    return tuple(loc[1:]) if loc and loc[0] in message_types else tuple(loc)


def _validation_error(for_type, exc: ValidationError | list[dict]) -> dict:
    """A 422 error message naming each bad field (pydantic's errors, or limit_errors')."""
    parts, fields = [], []
    for err in (exc if isinstance(exc, list) else exc.errors(include_url=False)):
        loc = short_text(".".join(str(p) for p in _without_tag(err["loc"], MESSAGE_TYPES)))
        fields.append(loc)
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return _error(for_type, 422, "; ".join(parts), fields)


async def _handle(text: str, viewer: Viewer, stream: RunStream, settings: Settings,
                  control: bool = True) -> None:
    """Apply one client message; answer with an ack or an error (the socket stays open).
    control: the socket carries the run's token (server/run_access.py); else it only watches."""
    run = stream.run
    if len(text.encode()) > settings.max_message_bytes:
        viewer.say(_error(None, 413, f"message too large: at most {settings.max_message_bytes} bytes"))
        return
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:   # RecursionError: absurdly nested JSON
        viewer.say(_error(None, 400, f"not JSON: {exc}"))
        return
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in MESSAGE_TYPES:
        viewer.say(_error(kind if isinstance(kind, str) else None, 400,
                          f"unknown message type {short_text(repr(kind), 60)}; known: "
                          f"{', '.join(MESSAGE_TYPES)}",
                          ["type"]))
        return
    if not control and kind != "subscribe":
        viewer.say(watch_only(kind, "run"))
        return
    try:
        msg = ClientMessage.validate_python(raw)
    except ValidationError as exc:
        viewer.say(_validation_error(kind, exc))
        return
    over = limit_errors(msg, settings)   # the bounds of this app's Settings
    if over:
        viewer.say(_validation_error(kind, over))
        return
    if not control and ({"speed", "landscape"} & msg.model_fields_set):
        viewer.say(watch_only(kind, "run", " (speed and landscape options are the run's)"))
        return
    run.touch()
    if isinstance(msg, Subscribe):
        await _subscribe(msg, viewer, stream)
        return
    try:
        ack = await _control(msg, run, settings)
    except ResetRequired as exc:
        viewer.say(_error("set", 409, exc.explain('send "reset": true'), list(exc.fields)))
        return
    except ComputeBudgetFull as exc:   # the run keeps its config
        viewer.say(_error("set", 503, str(exc)))
        return
    except ValidationError as exc:
        viewer.say(_validation_error("set", exc))
        return
    except ParameterEditError as exc:
        viewer.say(_error("params", 422, str(exc), [name for name, _ in exc.bad]))
        return
    except CustomDataError as exc:
        viewer.say(_error("set", 422, str(exc), [exc.field or "custom_dataset"]))
        return
    # the frame showing the change is in every viewer's slot before the ack is queued, so the
    # first frame after the ack reflects it
    await stream.publish(urgent=True)
    viewer.say(ack)


async def _control(msg, run: Run, settings: Settings) -> dict:
    """Apply a control message to the run; returns the ack."""
    if isinstance(msg, Play):
        run.play()
        return {"type": "ack", "for": "play", "status": run.status}
    if isinstance(msg, Pause):
        run.pause()
        return {"type": "ack", "for": "pause", "status": run.status}
    if isinstance(msg, Reset):
        run.reset()
        return {"type": "ack", "for": "reset", "generation": run.generation,
                "config_version": run.config_version}
    if isinstance(msg, Step):
        run.pause()
        done, truncated = await run.advance(msg.n, settings.step_time_budget_seconds)
        return {"type": "ack", "for": "step", "steps_run": done, "truncated": truncated,
                "step": run.trainer.step_count}
    if isinstance(msg, SetParams):
        if len(msg.values) > settings.max_param_edits:
            raise ParameterEditError([("", f"at most {settings.max_param_edits} parameters per "
                                           f"message, got {len(msg.values)}")])
        return {"type": "ack", "for": "params", "changed": run.set_params(msg.values),
                "step": run.trainer.step_count}
    result = run.set(changes_of(msg.config), reset=msg.reset)
    return {"type": "ack", "for": "set", "changed": result["changed"], "reset": result["reset"],
            "config_version": run.config_version}


async def _subscribe(msg: Subscribe, viewer: Viewer, stream: RunStream) -> None:
    """Change this viewer's subscription (and the run's landscape options and speed)."""
    sent = msg.model_fields_set
    views = set(msg.views) if msg.views is not None else set(viewer.views)
    current = stream.landscape_options
    new_options = (LandscapeOptions(**msg.landscape.model_dump())
                   if msg.landscape is not None and msg.landscape.model_dump() != current.model_dump()
                   else None)
    refused: LandscapeRefused | None = None
    # new options for a surface someone shows need room; refused, the surface (if the run has
    # one) stays at the options it has, and this viewer shares it
    if new_options is not None and ("landscape" in views or stream.shows_landscape(viewer)):
        try:
            stream.admit_landscape(new_options)
        except LandscapeRefused as exc:
            refused, new_options = exc, None
    if "landscape" in views and refused is None and not stream.holds_landscape():
        try:
            stream.admit_landscape(new_options or current)
        except LandscapeRefused as exc:
            refused = exc
    if refused is not None and not stream.holds_landscape():
        views.discard("landscape")
    kept = refused is not None and "landscape" in views
    viewer.views = views
    viewer.landscape_refused = str(refused) if refused is not None and not kept else None
    if msg.fps is not None:
        viewer.fps = msg.fps
    if "neuron" in sent:
        viewer.neuron = tuple(msg.neuron) if msg.neuron is not None else None
    if "speed" in sent:
        stream.run.set_speed(msg.speed)
    if new_options is not None:
        stream.set_landscape_options(new_options)
    stream.release_unwanted_landscape()
    if kept:   # not the options asked for: the run's surface as it is
        r = current.resolution
        viewer.say({**_error("subscribe", 503, f"landscape: the run's surface stays at {r}x{r} "
                                                f"(its options are unchanged): "
                                                f"{str(refused).removeprefix('landscape: ')}",
                             ["landscape"]), "kept": True})
    elif refused is not None:
        viewer.say({**_error("subscribe", 503, str(refused), ["landscape"]),
                    "retry_after": refused.retry_after})
    stream.subscriptions_changed()
    await stream.publish(urgent=True)
    viewer.say({"type": "ack", "for": "subscribe", "views": sorted(viewer.views),
                "fps": viewer.fps, "neuron": viewer.neuron, "speed": stream.run.speed,
                "landscape": stream.landscape_options.model_dump()})


@router.websocket("/ws/runs/{run_id}")
async def live_run(websocket: WebSocket, run_id: str) -> None:
    state = websocket.app.state
    settings: Settings = state.settings
    # Host and Origin were checked by server.request_guard before this handler runs
    run = state.registry.get(run_id)
    await websocket.accept()
    if run is None:
        await websocket.close(code=4404, reason="no run with this id")
        return
    stream = state.streams.of(run)
    if len(stream.viewers) >= settings.max_viewers_per_run:
        await websocket.close(code=4429, reason=f"at most {settings.max_viewers_per_run} "
                                                "viewers per run")
        return
    viewer = Viewer(websocket, settings)
    control = socket_may_control(websocket, run)
    viewer.say({"type": "hello", "run": run.id, "views": list(DEFAULT_VIEWS),
                "fps": viewer.fps, "control": control, "limits": {"max_message_bytes": settings.max_message_bytes,
                                              "max_fps": settings.max_fps,
                                              "max_steps": settings.max_ws_steps,
                                              "max_speed": settings.max_speed,
                                              "max_queued_messages": settings.max_queued_messages}})
    stream.attach(viewer)
    loop = asyncio.get_running_loop()
    sender = loop.create_task(viewer.send_loop(stream))
    # The socket is read all the time, also while a long control (a step of many steps) is being
    # applied: messages wait in `inbox` for the worker, which applies them in order. Reading on
    # keeps the transport's reading on, so keepalive pings and pongs go through meanwhile.
    inbox: asyncio.Queue[str] = asyncio.Queue(settings.max_queued_messages)
    worker = loop.create_task(_apply_in_order(inbox, viewer, stream, settings, control))
    forget_close = run.on_close(sender.cancel)
    try:
        while True:
            receiver = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receiver, sender, worker},
                                         return_when=asyncio.FIRST_COMPLETED)
            if receiver not in done:   # the run closed, sending failed, or a handler failed
                receiver.cancel()
                if worker in done:
                    worker.result()    # a handler's exception: logged below, closes with 1011
                break
            message = receiver.result()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                viewer.say(_error(None, 400, "binary messages are not understood; send JSON text"))
                continue
            if inbox.full():
                viewer.say(_busy_error(text, settings))
                continue
            inbox.put_nowait(text)
    except (WebSocketDisconnect, RuntimeError):
        pass   # the client went away (Starlette raises RuntimeError on a closed transport)
    except Exception:
        log.exception("websocket for run %s failed", run.id)
        if websocket.application_state == WebSocketState.CONNECTED:
            try:
                await websocket.close(code=1011, reason="server error; see the server log")
            except (RuntimeError, WebSocketDisconnect, OSError):
                pass
    finally:
        forget_close()
        stream.detach(viewer)
        sender.cancel()
        worker.cancel()
        if websocket.application_state == WebSocketState.CONNECTED and run.closed:
            try:
                await websocket.send_text(json.dumps(
                    {"type": "closed", "message": "the run was deleted or expired"}))
                await websocket.close(code=4410, reason="the run was deleted or expired")
            except (RuntimeError, WebSocketDisconnect, OSError):
                pass   # the client went away first: there is no one left to tell


async def _apply_in_order(inbox: "asyncio.Queue[str]", viewer: Viewer, stream: RunStream,
                          settings: Settings, control: bool) -> None:
    """The viewer's messages, one after another, as the reader queued them."""
    while True:
        text = await inbox.get()
        await _handle(text, viewer, stream, settings, control)


def _busy_error(text: str, settings: Settings) -> dict:
    """The answer to a message that found the inbox full (it is dropped, not applied)."""
    try:
        kind = json.loads(text).get("type") if len(text) <= settings.max_message_bytes else None
    except (ValueError, AttributeError, RecursionError):
        kind = None
    return _error(kind if kind in MESSAGE_TYPES else None, 429,
                  f"too many messages waiting: at most {settings.max_queued_messages} are queued "
                  f"while earlier ones are applied (a step takes up to "
                  f"{settings.step_time_budget_seconds:g} s); this one was dropped: wait for "
                  "the acks before sending more")
