"""TrainConfig from the command line: a JSON/TOML file and `key=value` texts, each value parsed by
its TrainConfig field's type (`hidden=4,2` -> [4, 2], `standardize=true`, `batch_size=full`)."""

from __future__ import annotations

import json
import tomllib
import typing
from typing import Annotated
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from engine import TrainConfig

FULL_BATCH = "full"


class ConfigArgumentError(ValueError):
    """A configuration the command line cannot use; the message says what and why."""


def field_names() -> list[str]:
    return list(TrainConfig.model_fields)


def is_list_field(name: str) -> bool:
    return typing.get_origin(TrainConfig.model_fields[name].annotation) is list


def full_batch_size() -> int:
    """The batch size that always means full batch: the field's upper bound (the engine caps
    larger-than-the-training-set sizes to it, so this is full batch for every dataset)."""
    for bound in TrainConfig.model_fields["batch_size"].metadata:
        if hasattr(bound, "le"):
            return int(bound.le)
    raise RuntimeError("TrainConfig.batch_size has no upper bound")


def parse_value(name: str, text: str):
    """One field's value from its text, by the field's type; ConfigArgumentError if bad."""
    if name not in TrainConfig.model_fields:
        raise ConfigArgumentError(f"unknown setting {name!r}; known: {', '.join(field_names())}")
    text = text.strip()
    if name == "batch_size" and text == FULL_BATCH:
        return full_batch_size()
    raw: object = text
    if is_list_field(name):
        raw = [] if text in ("", "-", "[]") else [item.strip() for item in text.split(",")]
    try:
        info = TrainConfig.model_fields[name]
        # the field's annotation with its bounds (ge/le...); the model's validators run later
        kind = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        return TypeAdapter(kind).validate_python(raw)
    except ValidationError as exc:
        msg = "; ".join(e["msg"] for e in exc.errors(include_url=False))
        raise ConfigArgumentError(f"{name}={text}: {msg}") from None


def parse_assignment(text: str) -> tuple[str, str]:
    """'key=value' -> (key, value text)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigArgumentError(f"expected key=value, got {text!r}")
    return key.strip(), value


def load_config_file(path: str | Path) -> dict:
    """The settings in a .json or .toml file (a table of TrainConfig fields)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigArgumentError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise ConfigArgumentError(f"{path} is not valid {kind}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigArgumentError(f"{path}: expected a table of settings, got {type(data).__name__}")
    return data


def validated(settings: dict) -> TrainConfig:
    """TrainConfig(**settings), with pydantic's errors as one readable message."""
    try:
        return TrainConfig.model_validate(settings)
    except ValidationError as exc:
        parts = []
        for e in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
        raise ConfigArgumentError("; ".join(parts)) from None


def build_config(config_file: str | None = None, assignments: list[str] = ()) -> TrainConfig:
    """The file's settings (if any), overridden by each `key=value`, validated."""
    settings = load_config_file(config_file) if config_file else {}
    for text in assignments:
        key, value = parse_assignment(text)
        settings[key] = parse_value(key, value)
    return validated(settings)
