"""Engine fixtures: every engine test runs on both training paths (engine/compiled_loop.py).

`engine` is autouse and parametrized: each test runs once with NNP_ENGINE=numpy (the readable
reference) and once with NNP_ENGINE=compiled (the numba loop, compiled before the first step).
Without numba the "compiled" run falls back to NumPy, as the engine does."""

from __future__ import annotations

import pytest

from engine.compiled_loop import ENGINE_ENV


@pytest.fixture(autouse=True, params=["numpy", "compiled"])
def engine(request, monkeypatch) -> str:
    """The path this test trains on."""
    monkeypatch.setenv(ENGINE_ENV, request.param)
    return request.param
