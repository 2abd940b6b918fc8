"""LatestSender: one websocket viewer that always gets the newest state, never a backlog.

The owner calls `offer()` when something changed; the sender task wakes, waits until the
viewer's next frame is due (unless a control asked for a frame now), then asks `build(viewer)` for the frame
to send (bytes or text, built at send time from the newest state, so a slow viewer simply skips
states) and sends queued JSON messages (acks, errors) first. Used by comparison groups and races;
runs have their own, richer viewer (server/viewer.py)."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
from typing import Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger("nn_playground")


class LatestSender:
    def __init__(self, websocket: WebSocket, fps: int):
        self.websocket = websocket
        self.fps = fps
        self.outbox: collections.deque[dict] = collections.deque(maxlen=64)
        self.event = asyncio.Event()
        self.urgent = False
        self.last_sent = 0.0
        self.next_due = 0.0       # when the next frame may go: a steady 1/fps cadence
        self.frames_sent = 0
        self.state: dict = {}     # what this viewer was sent (the owner's bookkeeping)
        self.closing = False      # the owner is gone: the sender returns, the socket closes

    def close(self) -> None:
        self.closing = True
        self.event.set()

    def offer(self, urgent: bool = False) -> None:
        self.urgent = self.urgent or urgent
        self.event.set()

    def say(self, message: dict) -> None:
        self.outbox.append(message)
        self.offer(urgent=True)

    async def send_loop(self, build: Callable[["LatestSender"], bytes | str | None]) -> None:
        """Until the connection fails; returns then (the endpoint closes it)."""
        try:
            while True:
                await self.event.wait()
                if self.closing:
                    return
                delay = self.next_due - time.monotonic()
                if delay > 0 and not self.urgent:
                    await asyncio.sleep(delay)
                self.event.clear()
                self.urgent = False
                while self.outbox:
                    await self.websocket.send_text(json.dumps(self.outbox.popleft()))
                frame = build(self)
                if frame is None:
                    continue
                if isinstance(frame, bytes):
                    await self.websocket.send_bytes(frame)
                else:
                    await self.websocket.send_text(frame)
                self.last_sent = time.monotonic()
                self.next_due = next_due(self.next_due, self.last_sent, self.fps)
                self.frames_sent += 1
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:
            log.debug("viewer gone: %r", exc)
        except Exception as exc:   # websockets' ConnectionClosed and kin
            if type(exc).__name__.startswith("ConnectionClosed"):
                return
            raise


def next_due(due: float, sent: float, fps: float) -> float:
    """When the frame after one sent at `sent` (due at `due`) may go: one interval after the
    previous due time, so that a late wake-up (the event loop was training) or the time to build
    a frame does not stretch every interval (fps frames a second, not fewer). Up to one interval
    behind is made up (the next frame goes at once); after a longer stall the cadence restarts
    from now: at most two frames back to back, never a backlog."""
    interval = 1.0 / fps
    return due + interval if due + interval > sent - interval else sent


async def serve_socket(websocket: WebSocket, viewer: LatestSender, build, handle) -> None:
    """Run one viewer's socket: the sender task, and `await handle(text)` for every text
    message, until either side ends. Non-text messages get an error."""
    sender = asyncio.get_running_loop().create_task(viewer.send_loop(build))
    try:
        while True:
            receiver = asyncio.ensure_future(websocket.receive())
            done, _ = await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            if sender in done:
                receiver.cancel()
                break
            message = receiver.result()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                viewer.say({"type": "error", "for": None, "status": 400,
                            "message": "binary messages are not understood; send JSON text"})
                continue
            await handle(text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        sender.cancel()
