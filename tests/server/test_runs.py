"""Run and PlayScheduler: frames first. While a run's frame has been building off the loop for
longer than settings.frame_overdue_seconds, its training rests after each slice, so the frame
thread gets a core; other runs train meanwhile, and the rest ends with the frame."""

from __future__ import annotations

import asyncio
import dataclasses
import time

from engine import TrainConfig
from server.runs import Run, RunRegistry
from server.settings import Settings


def test_a_run_rests_only_while_its_frame_is_overdue():
    settings = dataclasses.replace(Settings(), frame_overdue_seconds=0.0, frame_rest_ratio=2.0)
    run = Run("r", TrainConfig(), settings)
    now = time.monotonic()
    run.rest_if_frame_overdue(0.5)                 # no frame building: no rest
    assert run.trains_again_at(now) == now
    run.frame_building(True)
    run.rest_if_frame_overdue(0.5)                 # overdue at once (0 s): rests 2 x 0.5 s
    assert run.trains_again_at(time.monotonic()) >= now + 1.0
    run.frame_building(False)                      # the frame is out: trains again at once
    now = time.monotonic()
    assert run.trains_again_at(now) == now


def test_a_frame_within_its_time_does_not_slow_training():
    run = Run("r", TrainConfig(), dataclasses.replace(Settings(), frame_overdue_seconds=60.0))
    run.frame_building(True)
    run.rest_if_frame_overdue(0.5)
    now = time.monotonic()
    assert run.trains_again_at(now) == now


def test_a_resting_run_waits_while_the_scheduler_trains_the_others():
    settings = dataclasses.replace(Settings(), frame_overdue_seconds=0.0, frame_rest_ratio=1e6)

    async def scenario():
        registry = RunRegistry(settings)
        framed, other = registry.create(TrainConfig()), registry.create(TrainConfig())
        slices = {framed.id: 0, other.id: 0}
        for run in (framed, other):
            train_slice = run.train_slice

            def counted(*args, run=run, train_slice=train_slice, **kwargs):
                slices[run.id] += 1
                return train_slice(*args, **kwargs)

            run.train_slice = counted
        framed.frame_building(True)      # its frame never finishes: it rests after one slice
        framed.play()
        other.play()
        await asyncio.sleep(0.3)
        resting = dict(slices)
        framed.frame_building(False)     # the frame is out: it trains again
        await asyncio.sleep(0.2)
        framed.pause()
        other.pause()
        await asyncio.sleep(0.05)
        registry.close()
        return resting, slices

    resting, after = asyncio.run(scenario())
    runs = list(resting)
    framed_id, other_id = runs
    assert resting[framed_id] == 1 and resting[other_id] > 5
    assert after[framed_id] > 5


def test_a_resting_run_alone_lets_the_loop_sleep_and_wakes_after_its_rest():
    """One run, resting 50 slices' time after each slice: far fewer slices than unhindered."""
    async def slices_in(seconds: float, settings: Settings, framed: bool) -> int:
        registry = RunRegistry(settings)
        run = registry.create(TrainConfig())
        count = 0
        train_slice = run.train_slice

        def counted(*args, **kwargs):
            nonlocal count
            count += 1
            return train_slice(*args, **kwargs)

        run.train_slice = counted
        run.frame_building(framed)
        run.play()
        await asyncio.sleep(seconds)
        run.pause()
        await asyncio.sleep(0.02)
        registry.close()
        return count

    settings = dataclasses.replace(Settings(), frame_overdue_seconds=0.0, frame_rest_ratio=50.0)
    free = asyncio.run(slices_in(0.3, settings, framed=False))
    resting = asyncio.run(slices_in(0.3, settings, framed=True))
    assert 1 <= resting < free / 5
