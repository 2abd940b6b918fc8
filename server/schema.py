"""What GET /api/schema publishes (and the page embeds): the engine's rules, passed through,
plus what only the server knows: its live limits and where each dataset's thumbnail is."""

from __future__ import annotations

from engine import rules

from .limits import published_limits
from .settings import Settings


def thumbnail_url(dataset: str) -> str:
    return f"/api/datasets/{dataset}/thumbnail.svg"


def published_schema(settings: Settings) -> dict:
    """engine.rules() (fields, datasets, losses, activations, optimizers, landscape) with the
    landscape bounds capped by the server's, each dataset's thumbnail URL and `limits`."""
    out = rules()
    for name, info in out["datasets"].items():
        info["thumbnail"] = thumbnail_url(name)
    land = out["landscape"]
    land["resolution"]["maximum"] = min(land["resolution"]["maximum"],
                                        settings.max_landscape_resolution)
    land["field_resolution"]["maximum"] = min(land["field_resolution"]["maximum"],
                                              settings.max_field_resolution)
    out["limits"] = published_limits(settings)
    return out
