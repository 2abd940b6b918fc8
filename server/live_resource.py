"""The websocket of a live resource (a comparison group, an optimizer race): one viewer's whole
socket around serve_socket (server/latest_sender.py), and the first reading of every control
message. Runs have their own, richer socket (server/websocket.py).

A live resource has `id`, `closed`, `viewers` (a set of LatestSender), `attach(viewer)`,
`detach(viewer)` and `frame_for(viewer)`; its kind names it in the messages ("comparison group",
"race": `no race with this id`, `at most 8 viewers per race`, `the race was deleted`).
"""

from __future__ import annotations

import json
import logging
from typing import Awaitable, Callable, Literal, Protocol

from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .api_models import STRICT
from .latest_sender import LatestSender, serve_socket
from .settings import Settings

log = logging.getLogger("nn_playground")

NOT_FOUND, TOO_MANY, DELETED = 4404, 4429, 4410   # websocket close codes


class LiveResource(Protocol):
    id: str
    closed: bool
    viewers: set

    def attach(self, viewer: LatestSender) -> None: ...
    def detach(self, viewer: LatestSender) -> None: ...
    def frame_for(self, viewer: LatestSender) -> bytes | str | None: ...


class ControlMessage(BaseModel):
    """A control message: its fields exactly, strictly typed (anything else is a 422)."""
    model_config = STRICT


class Play(ControlMessage):
    type: Literal["play"]


class Pause(ControlMessage):
    type: Literal["pause"]


def error_message(for_type, status: int, message: str) -> dict:
    """{"type": "error", "for", "status", "message"}: the answer to a refused message."""
    return {"type": "error", "for": for_type, "status": status, "message": message}


def validation_message(exc: ValidationError, message_types: tuple[str, ...]) -> str:
    """A pydantic error of a message as 'field: what is wrong; ...' (the union's tag dropped)."""
    parts = []
    for err in exc.errors(include_url=False):
        # the union's tag leads; a field may share a type's name (a race's `noise`)
        where = err["loc"][1:] if err["loc"] and err["loc"][0] in message_types else err["loc"]
        loc = ".".join(str(p) for p in where)
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def read_message(text: str, viewer: LatestSender, settings: Settings,
                 message_types: tuple[str, ...]) -> tuple[dict, str] | None:
    """(the message as a dict, its type), or None after telling the viewer why not: larger
    than settings.max_message_bytes (413), not JSON (400), or an unknown type (400)."""
    if len(text.encode()) > settings.max_message_bytes:
        viewer.say(error_message(None, 413, f"message too large: at most "
                                            f"{settings.max_message_bytes} bytes"))
        return None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        viewer.say(error_message(None, 400, f"not JSON: {exc}"))
        return None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in message_types:
        viewer.say(error_message(kind if isinstance(kind, str) else None, 400,
                                 f"unknown message type {kind!r}; known: "
                                 f"{', '.join(message_types)}"))
        return None
    return raw, kind


async def serve_live_resource(websocket: WebSocket, resource: LiveResource | None, kind: str,
                              settings: Settings, hello: Callable[[LatestSender], dict],
                              handle: Callable[[str, LatestSender], Awaitable[None]]) -> None:
    """Accept; refuse an unknown resource (4404) or one at settings.max_viewers_per_run
    viewers (4429); else send hello(viewer) first, attach, stream the resource's frames and
    `await handle(text, viewer)` for every text message until either side ends; detach; and if
    the resource was deleted meanwhile, say so ({"type": "closed"}) and close with 4410."""
    await websocket.accept()
    if resource is None:
        await websocket.close(code=NOT_FOUND, reason=f"no {kind} with this id")
        return
    noun = kind.split()[-1]          # "comparison group" -> "group"
    if len(resource.viewers) >= settings.max_viewers_per_run:
        await websocket.close(code=TOO_MANY, reason=f"at most {settings.max_viewers_per_run} "
                                                    f"viewers per {noun}")
        return
    viewer = LatestSender(websocket, settings.default_fps)
    viewer.say(hello(viewer))
    resource.attach(viewer)
    try:
        await serve_socket(websocket, viewer, resource.frame_for,
                           lambda text: handle(text, viewer))
    except Exception:
        log.exception("websocket for %s %s failed", kind, resource.id)
    finally:
        resource.detach(viewer)
        if websocket.application_state == WebSocketState.CONNECTED and resource.closed:
            try:
                await websocket.send_text(json.dumps({"type": "closed",
                                                      "message": f"the {noun} was deleted"}))
                await websocket.close(code=DELETED, reason=f"the {noun} was deleted")
            except (RuntimeError, WebSocketDisconnect, OSError):
                pass    # the viewer went away first: nothing to tell it
