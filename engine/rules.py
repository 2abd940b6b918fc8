"""The engine's rules, stated once as plain data: what the server publishes at `GET /api/schema`
and the page builds itself from (so adding a dataset, activation or optimizer is a Python-only
change).

    rules() -> {
      "fields":      config_schema(): every TrainConfig field (default, range or choices,
                     description, live, group, and "applies_when" for fields that only matter
                     for some choices: {"optimizer": ["momentum", "nesterov"]} ...),
      "datasets":    {name: {"kind", "input_dim", "domain", "description", "losses",
                             "usual_loss"}},
      "losses":      {name: {"kinds", "output", "single_layer", "single_layer_reason"}}: the
                     task kinds it fits, the output unit, whether it trains one layer only
                     (hidden must be []) and why (null for the others),
      "activations": {name: {"range": [lo, hi] (null: unbounded), "saturates",
                             "peak_derivative", "saturation_threshold"}},
      "optimizers":  {name: {"settings": [fields that apply to it]}},
      "landscape":   {"modes": {name: description}, "resolution": {"minimum", "maximum"},
                      "field_resolution": {"minimum", "maximum"}, "exact_needs_params": 2,
                      "needs": {mode: {"n_params": k} or {"chosen_params": k}}: a mode
                      applies only to networks of k parameters, or once k parameters are
                      picked},
    }
"""

from __future__ import annotations

from .activations import ACTIVATIONS, SATURATION_THRESHOLD
from .config import (LOSS_KINDS, SINGLE_LAYER_LOSSES, SINGLE_LAYER_REASON, USUAL_LOSS,
                     TrainConfig, config_schema, losses_for)
from .datasets import DATASETS
from .landscape import MAX_FIELD_RESOLUTION, MAX_RESOLUTION, MIN_RESOLUTION, MODES

LOSS_OUTPUT = {"bce": "sigmoid", "cce": "softmax", "mse": "identity", "perceptron": "step"}

LANDSCAPE_MODES = {
    "auto": "exact for two-parameter models, else PCA of the path (random when too short)",
    "exact": "L(w, b) of a two-parameter model (one neuron on 1-D data): nothing is projected",
    "params": "a slice along two named parameters, e.g. W1[0,1] and b2[0]",
    "random": "a slice along two filter-normalized random directions",
    "pca": "a slice along the top two PCA directions of the recorded path",
}
assert set(LANDSCAPE_MODES) == set(MODES), "every landscape mode is described"
EXACT_PARAMS = 2   # the exact surface L(w, b) needs a model of exactly this many parameters


def _dataset_rules() -> dict:
    return {name: {"kind": spec.kind, "input_dim": spec.input_dim,
                   "domain": [list(map(float, r)) for r in spec.domain],
                   "description": spec.description, "losses": losses_for(spec.kind),
                   "usual_loss": USUAL_LOSS[spec.kind]}
            for name, spec in DATASETS.items()}


def _optimizer_rules(fields: list[dict]) -> dict:
    choices = TrainConfig.model_fields["optimizer"].annotation.__args__
    return {name: {"settings": [f["name"] for f in fields
                                if name in f.get("applies_when", {}).get("optimizer", [])]}
            for name in choices}


def rules() -> dict:
    """Every rule the page needs to build its controls without restating the engine (plain,
    JSON-able data; see the module docstring)."""
    fields = config_schema()
    return {
        "fields": fields,
        "datasets": _dataset_rules(),
        "losses": {name: {"kinds": list(kinds), "output": LOSS_OUTPUT[name],
                          "single_layer": name in SINGLE_LAYER_LOSSES,
                          "single_layer_reason": (SINGLE_LAYER_REASON
                                                  if name in SINGLE_LAYER_LOSSES else None)}
                   for name, kinds in LOSS_KINDS.items()},
        "activations": {name: {"range": list(a.output_range), "saturates": a.saturates,
                               "peak_derivative": a.peak_derivative,
                               "saturation_threshold": SATURATION_THRESHOLD}
                        for name, a in ACTIVATIONS.items()},
        "optimizers": _optimizer_rules(fields),
        "landscape": {"modes": dict(LANDSCAPE_MODES),
                      "resolution": {"minimum": MIN_RESOLUTION, "maximum": MAX_RESOLUTION},
                      "field_resolution": {"minimum": 0, "maximum": MAX_FIELD_RESOLUTION},
                      "exact_needs_params": EXACT_PARAMS,
                      "needs": {"exact": {"n_params": EXACT_PARAMS},
                                "params": {"chosen_params": 2}}},
    }
