"""The OpenAPI schema states every bound, as this app enforces it.

Pydantic writes the bounds fixed in the models (`ge`, `le`, `maxItems`); two kinds it cannot:
- fields bounded by the serving app's Settings (`limited(...)`, server/limits.py: steps and
  epochs per call, landscape resolutions...; or `json_schema_extra={"limit": [names]}` where
  the handler checks the bound itself: a race's steps and racers, a group's members) carry
  `"limit": [names]`: a number gets `maximum`, an array `maxItems`;
- hidden layer sizes, checked by a TrainConfig validator (with its own message), get
  `items: {"minimum": 1, "maximum": MAX_NEURONS}` beside `maxItems`.
"Steps or epochs, not both" is the StepRequest model's own `not` (server/api_models.py).
Every operation also states the Host check's 400 (server/request_guard.py), which applies to all
routes when the app serves a list of Host names."""

from __future__ import annotations

from engine.config import MAX_NEURONS

from .request_guard import document_host_check
from .settings import Settings


def _bound(node: dict, settings: Settings) -> None:
    limit = min(getattr(settings, name) for name in node["limit"])
    kinds = ("integer", "number", "array")
    for target in [alt for alt in node.get("anyOf", []) if alt.get("type") in kinds] or [node]:
        key = "maxItems" if target.get("type") == "array" else "maximum"
        target[key] = limit if key not in target else min(target[key], limit)


def _hidden(node: dict) -> None:
    arrays = [alt for alt in node.get("anyOf", []) if alt.get("type") == "array"]
    for target in arrays or ([node] if node.get("type") == "array" else []):
        target["items"] = {"type": "integer", "minimum": 1, "maximum": MAX_NEURONS}


def state_bounds(node, settings: Settings) -> None:
    """Fill in the bounds above, everywhere in the schema (in place)."""
    if isinstance(node, dict):
        if isinstance(node.get("limit"), list):
            _bound(node, settings)
        hidden = node.get("properties", {}).get("hidden") if isinstance(node.get("properties"), dict) else None
        if isinstance(hidden, dict):
            _hidden(hidden)
        for value in node.values():
            state_bounds(value, settings)
    elif isinstance(node, list):
        for value in node:
            state_bounds(value, settings)


def install(app, settings: Settings) -> None:
    """app.openapi() answers the schema with the bounds stated (computed once)."""
    plain = app.openapi

    def openapi() -> dict:
        if not getattr(app.state, "openapi_bounded", False):
            state_bounds(plain(), settings)
            document_host_check(plain(), settings)
            app.state.openapi_bounded = True
        return plain()

    app.openapi = openapi
