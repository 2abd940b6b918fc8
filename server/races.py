"""Optimizer races on the server: an engine Race, its play loop and its viewers.

A playing race takes `speed` steps per tick (ticks at the fastest viewer's frame rate) while
someone watches; every viewer gets JSON text frames with each racer's position, value, gradient, last
step and the path points it has not seen yet (the whole path after a restart or a thinning).
Everything runs on the event loop; a race step is microseconds.
"""

from __future__ import annotations

import asyncio
import json
import time

from engine.descent import DESCENT_FIELDS
from engine.race import Race
from engine.test_functions import TestFunction

from .latest_sender import LatestSender, next_due
from .live_registry import LiveRegistry
from .settings import Settings
from .snapshot import plain


class RaceSession:
    def __init__(self, rid: str, race: Race, function: TestFunction, settings: Settings):
        self.id = rid
        self.race = race
        self.function = function
        self.settings = settings
        self.playing = False
        self.speed = 1                  # steps per tick while playing
        self.closed = False
        self.generation = 0             # +1 on every restart: viewers get whole paths again
        self.seq = 0
        self.viewers: set[LatestSender] = set()
        self.last_active = time.monotonic()
        self._task: asyncio.Task | None = None

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def racer_configs(self) -> list[dict]:
        return [{k: getattr(r.config, k) for k in DESCENT_FIELDS} for r in self.race.racers]

    def describe(self, with_paths: bool = True) -> dict:
        """{"id", "function", "start", "noise", "step", "playing", "speed", "racers": [...]}."""
        racers = []
        for i, (state, config) in enumerate(zip(self.race.state(), self.racer_configs())):
            entry = {"index": i, "config": config, **state}
            if not with_paths:
                entry.pop("path")
            racers.append(entry)
        return plain({"id": self.id, "function": self.function.name,
                      "options": self.function.options, "start": self.race.start,
                      "noise": self.race.noise, "step": self.race.step_count,
                      "playing": self.playing, "speed": self.speed, "racers": racers})

    # ------------------------------------------------------------------ control
    def step(self, n: int) -> None:
        self.race.step(n)
        self.changed(urgent=True)

    def restart(self, start=None) -> None:
        self.race.restart(start)
        self.generation += 1
        self.changed(urgent=True)

    def play(self) -> None:
        if self.closed:
            return
        self.playing = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._play_loop())
        self.changed(urgent=True)

    def pause(self) -> None:
        self.playing = False
        self.changed(urgent=True)

    async def _play_loop(self) -> None:
        """`speed` steps per tick, ticks at the fastest viewer's fps on a steady cadence (a late
        wake-up does not push every later tick back: the same rule as the viewers' frames)."""
        due = time.monotonic()
        while self.playing and not self.closed:
            fps = max((v.fps for v in self.viewers), default=self.settings.default_fps)
            if all(r.status != "ok" for r in self.race.racers):
                self.playing = False
                self.changed(urgent=True)
                break
            self.race.step(self.speed)
            self.touch()
            self.changed()
            now = time.monotonic()
            due = next_due(due, now, fps)
            await asyncio.sleep(max(0.0, due - now))

    # ------------------------------------------------------------------ viewers
    def changed(self, urgent: bool = False) -> None:
        self.seq += 1
        for v in self.viewers:
            v.offer(urgent)

    def attach(self, viewer: LatestSender) -> None:
        self.viewers.add(viewer)
        viewer.offer(urgent=True)

    def detach(self, viewer: LatestSender) -> None:
        self.viewers.discard(viewer)
        if not self.viewers and self.playing:
            self.pause()

    def frame_for(self, viewer: LatestSender) -> str | None:
        """The newest state as one JSON text frame; paths as the points this viewer lacks
        (`path_from` = index of the first point sent; 0 = the whole path: replace)."""
        state = viewer.state
        if state.get("seq") == self.seq:
            return None
        sent = state.get("paths") if state.get("generation") == self.generation else None
        if sent is None or len(sent) != len(self.race.racers):
            sent = [(-1, 0)] * len(self.race.racers)
        racers, new_sent = [], []
        for i, (r, config) in enumerate(zip(self.race.racers, self.racer_configs())):
            version, length = sent[i]
            path = r.points()
            start = length if version == r.path_version and length <= len(path) else 0
            # the last point sent may have been the live position, later recorded or replaced
            start = max(0, start - 1)
            racers.append({
                "index": i, "config": config, "position": r.position, "status": r.status,
                "value": self.race.value(r.position), "gradient": self.race.gradient(r.position),
                "update": r.descent.update, "learning_rate": r.descent.learning_rate(),
                "steps": r.descent.step_count, "path_from": start, "path": path[start:]})
            new_sent.append((r.path_version, len(path)))
        state.update(seq=self.seq, generation=self.generation, paths=new_sent)
        return json.dumps(plain({
            "type": "race", "race": self.id, "seq": self.seq, "generation": self.generation,
            "function": self.function.name, "start": self.race.start, "step": self.race.step_count,
            "playing": self.playing, "speed": self.speed, "noise": self.race.noise,
            "racers": racers}), separators=(",", ":"))

    def close(self) -> None:
        self.closed = True
        self.playing = False
        for v in list(self.viewers):
            v.close()


class RaceRegistry(LiveRegistry[RaceSession]):
    """The live races, at most settings.max_races; idle ones expire after the run TTL."""

    def __init__(self, settings: Settings):
        super().__init__("race", settings.max_races, "/api/races/{id}", settings.node)
        self.settings = settings

    def create(self, race: Race, function: TestFunction) -> RaceSession:
        self.sweep()
        return self.add(lambda rid: RaceSession(rid, race, function, self.settings))

    def expired(self, session: RaceSession, now: float | None) -> bool:
        now = time.monotonic() if now is None else now
        return not session.viewers and now - session.last_active > self.settings.run_ttl_seconds
