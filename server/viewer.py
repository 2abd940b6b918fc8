"""Viewer: one websocket watching a run, with its subscription and a "latest snapshot" slot.

Its own sender task encodes (through the stream, cached per snapshot: identical viewers share
the bytes) and sends, at most fps times a second, at once after a control message; a slow viewer
skips snapshots and never holds anyone else up."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket, WebSocketDisconnect

from .settings import Settings
from .snapshot import DEFAULT_VIEWS

if TYPE_CHECKING:
    from .stream import RunStream, Snapshot

log = logging.getLogger("nn-playground")


async def wait_at_most(event: asyncio.Event, seconds: float) -> None:
    """Until the event is set or the time is up (cheaper than wait_for: no extra task)."""
    handle = asyncio.get_running_loop().call_later(seconds, event.set)
    try:
        await event.wait()
    finally:
        handle.cancel()


class Viewer:
    """One websocket watching a run: its subscription, its latest-snapshot slot, its sender."""

    def __init__(self, websocket: WebSocket, settings: Settings):
        self.websocket = websocket
        self.views: set[str] = set(DEFAULT_VIEWS)
        self.fps = settings.default_fps
        self.neuron: tuple[int, int] | None = None
        self.latest: "Snapshot | None" = None
        self.event = asyncio.Event()
        self.urgent = False
        self._urgent_event = asyncio.Event()   # cuts the fps wait short
        self.outbox: collections.deque[dict] = collections.deque(maxlen=64)
        self.sent_seq = -1
        self.sent_generation = -1
        self.sent_landscape_id: int | None = None
        self.landscape_refused: str | None = None   # why this viewer has no live surface (503)
        self.last_sent = 0.0
        self.frames_sent = 0

    def offer(self, snapshot: "Snapshot", urgent: bool = False) -> None:
        """Replace the slot's snapshot (an unsent older one is simply dropped)."""
        self.latest = snapshot
        if urgent:
            self.urgent = True
            self._urgent_event.set()
        self.event.set()

    def say(self, message: dict) -> None:
        """Queue a JSON text message (ack, error); sent before the next frame."""
        self.outbox.append(message)
        self.urgent = True
        self._urgent_event.set()
        self.event.set()

    async def send_loop(self, stream: "RunStream") -> None:
        """Send the newest frame at most fps times a second (at once after a control message).
        Returns when the connection fails (the endpoint then closes it)."""
        try:
            await self._send_forever(stream)
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:   # the client went away
            log.debug("viewer of run %s gone: %r", stream.run.id, exc)
        except Exception as exc:   # websockets' ConnectionClosed and kin
            if type(exc).__name__.startswith("ConnectionClosed"):
                return
            raise

    async def _send_forever(self, stream: "RunStream") -> None:
        ws = self.websocket
        while True:
            await self.event.wait()
            # at most fps frames a second (a little slack so a late tick does not skip a frame)
            delay = self.last_sent + 0.85 / self.fps - time.monotonic()
            if delay > 0 and not self.urgent:
                self._urgent_event.clear()
                await wait_at_most(self._urgent_event, delay)
            self.event.clear()
            self.urgent = False
            while self.outbox:
                await ws.send_text(json.dumps(self.outbox.popleft()))
            frame = stream.frame_for(self) if self.latest is not None else None
            if frame is not None:
                await ws.send_bytes(frame)
                self.last_sent = time.monotonic()
                self.frames_sent += 1
