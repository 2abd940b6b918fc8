"""422 answers that are safe to send back: JSON-safe (NaN/Infinity become null) and short (an
echoed input, or a name in a location, longer than ECHO_LIMIT characters is cut to a prefix that
says how long it was), so a 10 MB body or a 100,000-character key never comes back in the error."""

from __future__ import annotations

import json

from fastapi.encoders import jsonable_encoder

from .snapshot import plain

ECHO_LIMIT = 120


def _short(value):
    text = json.dumps(plain(jsonable_encoder(value)), allow_nan=False, default=str)
    if len(text) <= ECHO_LIMIT:
        return plain(jsonable_encoder(value))
    return f"{text[:ECHO_LIMIT]}... ({len(text)} characters)"


def short_text(text: str, limit: int = ECHO_LIMIT) -> str:
    """A client's string (a field name, a message type) as an error repeats it: at most `limit`
    characters, with its length said when cut."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def malformed_json(errors) -> str | None:
    """The 400 message for a body that is not valid JSON (pydantic's `json_invalid`), else None."""
    for e in errors:
        if e.get("type") == "json_invalid":
            ctx = e.get("ctx") or {}
            where = e.get("loc", ())[-1] if e.get("loc") else None
            at = f" at character {where}" if isinstance(where, int) else ""
            return f"the body is not valid JSON{at}: {str(ctx.get('error', 'decode error'))[:ECHO_LIMIT]}"
    return None


def short_errors(errors) -> list[dict]:
    """Pydantic's error list with every `input` bounded in size."""
    out = []
    for e in errors:
        e = dict(e)
        if "input" in e:
            e["input"] = _short(e["input"])
        if "loc" in e:   # a name the client made up (an extra field) is part of the location
            e["loc"] = [short_text(p) if isinstance(p, str) else p for p in e["loc"]]
        if isinstance(e.get("msg"), str):
            e["msg"] = short_text(e["msg"], 4 * ECHO_LIMIT)
        if "ctx" in e:
            e["ctx"] = {k: (v if isinstance(v, (int, float, bool, type(None))) else str(v)[:ECHO_LIMIT])
                        for k, v in e["ctx"].items()}
        out.append(plain(jsonable_encoder(e)))
    return out
