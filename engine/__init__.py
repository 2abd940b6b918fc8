"""nn-playground's training engine: pure NumPy, never imports the server."""

from .config import LIVE_FIELDS, RESET_FIELDS, TrainConfig, config_schema
from .rules import rules
from .trainer import ResetRequired, Trainer

__all__ = ["Trainer", "TrainConfig", "ResetRequired", "LIVE_FIELDS", "RESET_FIELDS",
           "config_schema", "rules"]
