"""Bounds that come from the app's Settings, checked per request.

A request model's field that the server bounds carries `json_schema_extra={"limit": name}`
(a Settings attribute) instead of a `le=` fixed at import, so `create_app(Settings(...))` is
what counts. `limit_errors` walks a validated model (and the models nested in it) and returns
errors shaped like pydantic's; REST raises them as a 422, the websocket answers them as an
error message with status 422.
"""

from __future__ import annotations

from typing import Any

import annotated_types
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from .settings import Settings


def limited(default: Any, *limits: str, **kwargs) -> Any:
    """A field bounded above by `Settings.<limit>` of the app serving the request (the
    smallest of them when several are named)."""
    return Field(default, json_schema_extra={"limit": list(limits)}, **kwargs)


def _lower_bound(info) -> float | None:
    for m in info.metadata:
        if isinstance(m, annotated_types.Ge):
            return m.ge
        if isinstance(m, annotated_types.Gt):
            return m.gt
    return None


def limit_errors(model: BaseModel, settings: Settings, loc: tuple = ()) -> list[dict]:
    """Every value of `model` (recursively) above its Settings limit, as pydantic-style errors
    that name the field and the allowed range."""
    errors = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if isinstance(value, BaseModel):
            errors += limit_errors(value, settings, (*loc, name))
        elif "limit" in extra and value is not None:
            name_, bound = min(((n, getattr(settings, n)) for n in extra["limit"]),
                               key=lambda item: item[1])
            if value > bound:
                lo = _lower_bound(info)
                allowed = f"{lo}..{bound}" if lo is not None else f"at most {bound}"
                errors.append({
                    "type": "less_than_equal", "loc": (*loc, name), "input": value,
                    "ctx": {"le": bound},
                    "msg": f"Input should be less than or equal to {bound} (this server allows "
                           f"{allowed}: its {name_} is {bound})"})
    return errors


def enforce_limits(model: BaseModel, settings: Settings, loc: tuple = ("body",)) -> None:
    """Raise FastAPI's 422 when `model` exceeds the app's limits."""
    errors = limit_errors(model, settings, loc)
    if errors:
        raise RequestValidationError(errors)


def published_limits(settings: Settings) -> dict:
    """The limits a client can run into, as published by GET /api/schema."""
    return {**{key: getattr(settings, key) for key in (
        "max_steps_per_call", "max_epochs_per_call", "max_ws_steps", "max_speed", "max_fps",
        "default_fps", "max_landscape_resolution", "max_field_resolution", "max_message_bytes",
        "max_runs", "max_races", "max_comparisons", "max_viewers_per_run",
        "step_time_budget_seconds")},
        # what one browser session may hold of each registry (server/session_bound.py)
        **{f"{key}_per_session": settings.per_session(key)
           for key in ("max_runs", "max_races", "max_comparisons")}}
