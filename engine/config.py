"""TrainConfig: the one source of truth for every setting of a run.

Each field carries its default, its allowed range or choices and a one-line description. The
server validates requests with it, `/api/schema` publishes it, and the page builds its controls
from that schema. Fields marked ``live`` may change between any two training steps; the others
change the data or the architecture and therefore need a reset.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .datasets import DATASETS

DatasetName = Literal[(*DATASETS, "custom")]   # custom: your own points (engine/custom_data.py)
FeatureName = Literal["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"]
ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "step"]
LossName = Literal["mse", "bce", "cce", "perceptron"]
InitName = Literal["xavier", "he", "uniform", "zeros"]
OptimizerName = Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
ScheduleName = Literal["constant", "step", "exponential", "cosine", "warmup"]
ClippingName = Literal["none", "norm", "value"]
RegularizationName = Literal["none", "l1", "l2"]

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 64
MAX_SAMPLES = 2000
MIN_INIT_GAIN, MAX_INIT_GAIN = 0.01, 10.0

# What each dataset is: its task kind and input dimension (from engine/datasets.py's table).
DATASET_KIND: dict[str, tuple[str, int]] = {
    name: (spec.kind, spec.input_dim) for name, spec in DATASETS.items()}
# "custom" is not here: its kind and dimension come with its points (engine/custom_data.py)
CUSTOM_DATASET_ID = r"^[A-Za-z0-9_-]{1,64}$"

# Which task kinds each loss fits (bce: one sigmoid output for two classes; cce: softmax over
# the classes; mse: any target, one-hot for classes), and the usual loss of each kind.
LOSS_KINDS: dict[str, tuple[str, ...]] = {
    "bce": ("binary",), "cce": ("binary", "multiclass"),
    "mse": ("binary", "multiclass", "regression"), "perceptron": ("binary",),
}
# Losses that train a single layer only (hidden must be []), and why (TrainConfig's 422 and the
# page's note on the unavailable choice say it in these words).
SINGLE_LAYER_LOSSES = ("perceptron",)
SINGLE_LAYER_REASON = ("step units give no gradient to learn from (step'(z) = 0), so hidden "
                       "layers need smooth neurons")
USUAL_LOSS: dict[str, str] = {"binary": "bce", "multiclass": "cce", "regression": "mse"}


def loss_fits(loss: str, kind: str, dataset: str) -> str | None:
    """Why `loss` cannot learn a dataset of this kind, or None when it can (built-in sets are
    checked by TrainConfig, custom ones by the Trainer: one rule)."""
    fits = losses_for(kind)
    if loss not in fits:
        return (f"loss '{loss}' needs a {' or '.join(LOSS_KINDS[loss])} dataset; '{dataset}' "
                f"is {kind} (use {' or '.join(fits)})")
    return None


def losses_for(kind: str) -> list[str]:
    """The losses that fit a dataset of this task kind, in LOSS_KINDS order."""
    return [loss for loss, kinds in LOSS_KINDS.items() if kind in kinds]


def _field(default, description: str, *, live: bool, group: str, applies=None, **bounds):
    """A config field with its description, bounds and whether it can change live. `applies`:
    {other field: [values]}: the field only has an effect when every named field has one of
    those values (momentum only for the momentum and nesterov rules, ...)."""
    extra = {"live": live, "group": group}
    if applies:
        extra["applies_when"] = {k: list(v) for k, v in applies.items()}
    return Field(default, description=description, json_schema_extra=extra, **bounds)


class TrainConfig(BaseModel):
    """Every setting of a training run, validated. Changing a non-live field means a reset."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True,
                              allow_inf_nan=False)

    # --- data (reset) ---
    dataset: DatasetName = _field("circle", "Which dataset to learn.", live=False, group="data")
    noise: float = _field(0.0, "Noise level of the generated data (0 = clean).",
                          live=False, group="data", ge=0.0, le=0.5)
    n_samples: int = _field(500, "Number of generated points (train + test).",
                            live=False, group="data", ge=20, le=MAX_SAMPLES)
    train_fraction: float = _field(0.5, "Fraction of the points used for training; the rest test.",
                                   live=False, group="data", ge=0.1, le=0.9)
    n_classes: int = _field(3, "Number of classes for the blobs dataset.",
                            live=False, group="data", applies={"dataset": ["blobs"]}, ge=3, le=5)
    standardize: bool = _field(False, "Standardize inputs to zero mean, unit variance "
                               "(statistics of the training split).", live=False, group="data")
    custom_dataset: str | None = _field(None, "Id of your own dataset (POST /api/datasets: a "
                                        "CSV or drawn points), used when dataset is custom.",
                                        live=False, group="data", applies={"dataset": ["custom"]},
                                        pattern=CUSTOM_DATASET_ID)
    features: list[FeatureName] = _field(["x1", "x2"], "Input features computed from (x1, x2) "
                                         "for 2-D datasets; 1-D datasets use x alone.",
                                         live=False, group="data", min_length=1, max_length=7)
    # --- architecture (reset) ---
    hidden: list[int] = _field([4, 2], "Neurons per hidden layer (0 to 8 layers of 1 to 64).",
                               live=False, group="network", max_length=MAX_HIDDEN_LAYERS)
    activation: ActivationName = _field("tanh", "Hidden-layer activation; step is the perceptron "
                                        "(its derivative is 0, so nothing below it learns).",
                                        live=False, group="network")
    loss: LossName = _field("bce", "Loss; the output follows it: sigmoid for bce, softmax for "
                            "cce, identity for mse, step for perceptron (Rosenblatt's rule; "
                            "one layer, binary data).", live=False, group="network")
    init: InitName = _field("xavier", "Weight initialization (biases start at 0).",
                            live=False, group="network")
    init_gain: float = _field(1.0, "Initialization scale: every initial weight is multiplied "
                              "by it (1 = the scheme as named).", live=False, group="network",
                              applies={"init": ["xavier", "he", "uniform"]},
                              ge=MIN_INIT_GAIN, le=MAX_INIT_GAIN)
    seed: int = _field(1, "Random seed for data, initialization and shuffling.",
                       live=False, group="network", ge=0, le=2**31 - 1)
    # --- optimization (live) ---
    learning_rate: float = _field(0.03, "Base learning rate.", live=True, group="optimizer",
                                  gt=0.0, le=100.0)
    batch_size: int = _field(10, "Examples per update: 1 is stochastic, the training-set size "
                             "is full batch (larger values are capped to it).",
                             live=True, group="optimizer", ge=1, le=MAX_SAMPLES)
    optimizer: OptimizerName = _field("sgd", "Update rule.", live=True, group="optimizer")
    momentum: float = _field(0.9, "Momentum coefficient (momentum, nesterov).",
                             live=True, group="optimizer",
                             applies={"optimizer": ["momentum", "nesterov"]}, ge=0.0, le=0.999)
    beta1: float = _field(0.9, "Adam: decay of the first-moment average.",
                          live=True, group="optimizer", applies={"optimizer": ["adam"]}, ge=0.0, le=0.999)
    beta2: float = _field(0.999, "Adam: decay of the second-moment average.",
                          live=True, group="optimizer", applies={"optimizer": ["adam"]}, ge=0.0, le=0.99999)
    rho: float = _field(0.9, "RMSprop: decay of the squared-gradient average.",
                        live=True, group="optimizer", applies={"optimizer": ["rmsprop"]}, ge=0.0, le=0.9999)
    epsilon: float = _field(1e-8, "Adagrad/RMSprop/Adam: added to the denominator.",
                            live=True, group="optimizer",
                            applies={"optimizer": ["adagrad", "rmsprop", "adam"]}, ge=1e-12, le=1e-2)
    schedule: ScheduleName = _field("constant", "Learning-rate schedule over steps.",
                                    live=True, group="schedule")
    decay_rate: float = _field(0.5, "Step/exponential decay factor per decay_steps.",
                               live=True, group="schedule",
                               applies={"schedule": ["step", "exponential"]}, gt=0.0, le=1.0)
    decay_steps: int = _field(1000, "Steps per decay (step, exponential); for cosine, the steps "
                              "over which the rate falls to 0, where it then stays.",
                              live=True, group="schedule",
                              applies={"schedule": ["step", "exponential", "cosine"]}, ge=1, le=1_000_000)
    warmup_steps: int = _field(100, "Steps of linear warm-up from 0 to the learning rate.",
                               live=True, group="schedule", applies={"schedule": ["warmup"]}, ge=1, le=1_000_000)
    clipping: ClippingName = _field("none", "Gradient clipping: by global norm or by value.",
                                    live=True, group="regularization")
    clip_threshold: float = _field(1.0, "Largest allowed global norm or absolute value.",
                                   live=True, group="regularization",
                                   applies={"clipping": ["norm", "value"]}, gt=0.0, le=1e6)
    regularization: RegularizationName = _field("none", "Weight penalty (biases are exempt).",
                                                live=True, group="regularization")
    regularization_rate: float = _field(0.001, "Penalty rate: L2 adds rate*sum(w^2), "
                                        "L1 adds rate*sum(|w|).", live=True,
                                        group="regularization",
                                        applies={"regularization": ["l1", "l2"]}, ge=0.0, le=10.0)

    @field_validator("hidden")
    @classmethod
    def _neurons_in_range(cls, hidden: list[int]) -> list[int]:
        for i, n in enumerate(hidden):
            if not 1 <= n <= MAX_NEURONS:
                raise ValueError(f"hidden[{i}] = {n}: each layer needs 1 to {MAX_NEURONS} neurons")
        return hidden

    @field_validator("features")
    @classmethod
    def _features_unique(cls, features: list[str]) -> list[str]:
        if len(set(features)) != len(features):
            raise ValueError(f"features must not repeat: {features}")
        return features

    @model_validator(mode="after")
    def _loss_fits_dataset(self) -> "TrainConfig":
        if self.dataset == "custom":   # the Trainer checks the loss against the points' kind
            if self.custom_dataset is None:
                raise ValueError("dataset 'custom' needs custom_dataset: the id that "
                                 "POST /api/datasets answered")
        else:
            if self.custom_dataset is not None:
                raise ValueError(f"custom_dataset is only read with dataset 'custom' (got dataset "
                                 f"'{self.dataset}'): leave custom_dataset out, or set dataset "
                                 f"to 'custom' to train on those points")
            problem = loss_fits(self.loss, DATASET_KIND[self.dataset][0], self.dataset)
            if problem:
                raise ValueError(problem)
        if self.loss in SINGLE_LAYER_LOSSES and self.hidden:
            raise ValueError(
                f"loss '{self.loss}' is one layer of step units: use hidden=[] (got "
                f"{self.hidden}); {SINGLE_LAYER_REASON}")
        return self

    def changed(self, changes: dict) -> "TrainConfig":
        """This config with `changes`, validated (pydantic's ValidationError otherwise). A
        reference that no longer applies is left behind (REFERENCES: leaving dataset 'custom'
        drops custom_dataset), unless the changes give it (a pair the validator refuses)."""
        merged = {**self.model_dump(), **changes}
        for name, applies in REFERENCES.items():
            if name not in changes and not applies(merged):
                merged[name] = None
        return TrainConfig.model_validate(merged)

    @classmethod
    def from_saved(cls, saved: dict) -> "TrainConfig":
        """A config as saved (a run in the store, a state file). Saves made before a reference
        that does not apply was refused (a built-in dataset beside custom_dataset) may hold
        one; it was never read then, so it is dropped."""
        stale = [name for name, applies in REFERENCES.items()
                 if saved.get(name) is not None and not applies(saved)]
        return cls.model_validate({**saved, **dict.fromkeys(stale)})

    @property
    def task(self) -> str | None:
        """'binary', 'multiclass' or 'regression'; None for custom (Trainer.task knows)."""
        return DATASET_KIND.get(self.dataset, (None, None))[0]

    @property
    def input_dim(self) -> int | None:
        """Raw input dimension of the dataset (1 or 2), before feature mapping; None for
        custom (Trainer.input_dim knows)."""
        return DATASET_KIND.get(self.dataset, (None, None))[1]


LIVE_FIELDS = frozenset(name for name, f in TrainConfig.model_fields.items()
                        if f.json_schema_extra["live"])
RESET_FIELDS = frozenset(TrainConfig.model_fields) - LIVE_FIELDS


def _applies_when(name: str):
    when = TrainConfig.model_fields[name].json_schema_extra["applies_when"]
    return lambda config: all(config.get(k) in values for k, values in when.items())


# Fields that name something (default None) rather than set something: read only when they
# apply (their applies_when), None otherwise; a change that makes one stop applying clears it.
# The schema marks them "reference" so that the page clears them the same way.
REFERENCES = {name: _applies_when(name) for name, f in TrainConfig.model_fields.items()
              if f.default is None and "applies_when" in (f.json_schema_extra or {})}


def config_schema() -> list[dict]:
    """Every field as {name, type, default, description, live, group, and choices or bounds}."""
    json_schema = TrainConfig.model_json_schema()
    out = []
    for name, prop in json_schema["properties"].items():
        entry = {"name": name, "default": prop.get("default"), "description": prop["description"],
                 "live": prop["live"], "group": prop["group"]}
        if "applies_when" in prop:
            entry["applies_when"] = prop["applies_when"]
            if name in REFERENCES:
                entry["reference"] = True   # None where it does not apply; cleared on leaving
        if "enum" in prop:
            entry.update(type="choice", choices=prop["enum"])
        elif "anyOf" in prop:   # an optional text (custom_dataset)
            text = next(p for p in prop["anyOf"] if p.get("type") == "string")
            entry.update(type="text", pattern=text.get("pattern"))
        elif prop.get("type") == "array":
            items = prop["items"]
            if "enum" in items:
                entry.update(type="multichoice", choices=items["enum"])
            else:
                entry.update(type="int_list", item_minimum=1, item_maximum=MAX_NEURONS)
            entry["max_length"] = prop.get("maxItems")
            entry["min_length"] = prop.get("minItems", 0)
        else:
            entry["type"] = {"integer": "int", "number": "float", "boolean": "bool"}[prop["type"]]
            for key in ("minimum", "maximum", "exclusiveMinimum"):
                if key in prop:
                    entry[key] = prop[key]
        out.append(entry)
    return out
