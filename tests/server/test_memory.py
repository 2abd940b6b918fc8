"""Deleted runs' memory goes back to the OS (malloc_trim): the registry asks for it, forced when
the last run is gone, so RSS returns near idle (figures: bench/bench_load.py)."""

from __future__ import annotations

import numpy as np

from engine import TrainConfig
from server import runs as runs_module
from server.memory import give_back_memory
from server.runs import RunRegistry
from server.settings import Settings


def test_deleting_runs_gives_memory_back_forced_for_the_last(monkeypatch):
    calls = []
    monkeypatch.setattr(runs_module, "give_back_memory", lambda force=False: calls.append(force))
    registry = RunRegistry(Settings())
    first, second = (registry.create(TrainConfig(hidden=[3])) for _ in range(2))
    registry.delete(first.id)
    registry.delete(second.id)
    assert calls == [False, True]


def test_giving_memory_back_is_safe_after_large_frees():
    blocks = [np.ones(200_000) for _ in range(50)]   # ~80 MB, then freed
    del blocks
    assert give_back_memory(force=True) is True       # glibc here: malloc_trim ran
    assert give_back_memory() is False                # at most once a second unless forced
