"""Comparison groups: a few trainers built from one base config and partial variants, advanced on
one fair clock.

- Members share the data: every data field comes from the base (a variant may not change it),
  so all see the same points and the same train/test split. The seed is a data field, so members
  with the same layer sizes and init start from the same weights, and members with the same
  batch size draw the same shuffles.
- Clocks: "epochs" (every member sees the same number of examples: full batch makes 1 update
  while batch size 1 makes n_train) or "updates" (every member makes the same number of steps).
- Each member's curve history is recorded in all three units (updates, epochs, examples seen),
  so a chart can plot against any of them; live setting changes are recorded as marks.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import ValidationError

from .config import RESET_FIELDS, TrainConfig
from .custom_data import CustomDataError
from .trainer import Trainer

MIN_MEMBERS, MAX_MEMBERS = 2, 6
CLOCKS = ("epochs", "updates")
# The fields that make the data: shared by every member, so a variant may not set them.
DATA_FIELDS = ("dataset", "custom_dataset", "noise", "n_samples", "train_fraction", "n_classes",
               "seed")
HISTORY_COLUMNS = ("updates", "epochs", "examples", "train_loss", "test_loss", "train_accuracy",
                   "test_accuracy", "gradient_norm", "learning_rate")
HISTORY_CAPACITY = 2000
MARKS_CAPACITY = 200


class VariantError(ValueError):
    """Variant `index` does not make a valid member. problems: pydantic-shaped errors
    [{"type", "loc", "msg", "input"}] whose loc is inside the variant: ("loss",) for the loss it
    sets, () for the variant as a whole."""

    def __init__(self, index: int, problems: list[dict]):
        self.index, self.problems = index, problems
        super().__init__("; ".join(
            e["msg"] if e["msg"].startswith("variants[") else
            f"variants[{index}]" + "".join(f".{part}" for part in e["loc"]) + f": {e['msg']}"
            for e in problems))


def member_configs(base: TrainConfig, variants: list[dict]) -> list[TrainConfig]:
    """base updated by each variant, validated by TrainConfig; data fields must not vary.
    VariantError names the variant (and its setting) that makes a member invalid."""
    if not MIN_MEMBERS <= len(variants) <= MAX_MEMBERS:
        raise ValueError(f"a group has {MIN_MEMBERS} to {MAX_MEMBERS} members; got "
                         f"{len(variants)} variants")
    configs = []
    for i, variant in enumerate(variants):
        shared = sorted(set(variant) & set(DATA_FIELDS))
        if shared:
            raise VariantError(i, [{
                "type": "value_error", "loc": tuple(shared[:1]) if len(shared) == 1 else (),
                "input": None,
                "msg": f"variants[{i}] sets {', '.join(shared)}: members share the data, so "
                       "data fields come from the base only"}])
        try:
            configs.append(TrainConfig.model_validate({**base.model_dump(), **variant}))
        except ValidationError as exc:
            raise VariantError(i, [{"type": e["type"], "input": e.get("input"), "msg": e["msg"],
                                    "loc": tuple(e["loc"]) or _blamed_setting(base, variant)}
                                   for e in exc.errors(include_url=False)]) from None
    return configs


def _blamed_setting(base: TrainConfig, variant: dict) -> tuple:
    """The loc of the one setting of `variant` without which base + variant is valid (a
    whole-config rule it breaks, e.g. the loss does not fit the dataset: ("loss",)), or ()
    when no single setting is to blame."""
    culprits = []
    for name in variant:
        rest = {k: v for k, v in variant.items() if k != name}
        try:
            TrainConfig.model_validate({**base.model_dump(), **rest})
        except ValidationError:
            continue
        culprits.append(name)
    return (culprits[0],) if len(culprits) == 1 else ()


class MemberCurves:
    """One member's recorded rows (HISTORY_COLUMNS) and marks, bounded: when full, every other
    row is dropped (the stride between kept rows doubles)."""

    def __init__(self):
        self.rows: list[tuple] = []
        self.count = 0          # rows ever recorded (an id for clients that append)
        self.stride = 1
        self.marks: list[dict] = []

    def add(self, row: tuple) -> None:
        self.count += 1
        if self.count % self.stride:
            return
        self.rows.append(row)
        if len(self.rows) >= HISTORY_CAPACITY:
            self.rows = self.rows[::2]
            self.stride *= 2

    def array(self) -> np.ndarray:
        return np.array(self.rows, dtype=float).reshape(-1, len(HISTORY_COLUMNS))


class ComparisonGroup:
    """2..6 Trainers from one base config and variants, advanced together on one clock."""

    def __init__(self, base: TrainConfig, variants: list[dict], clock: str = "epochs",
                 trainers: list[Trainer] | None = None, dataset_source=None):
        """dataset_source(id) gives a custom dataset's points (as for Trainer): every member
        trains on the same custom points. Raises CustomDataError when they cannot be had."""
        if clock not in CLOCKS:
            raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
        self.base = base
        self.variants = [dict(v) for v in variants]
        self.configs = member_configs(base, variants)
        self.clock = clock
        self.members = trainers or [self._member(i, dataset_source) for i in range(len(variants))]
        self.curves = [MemberCurves() for _ in self.members]
        self._seen_configs = [m.config for m in self.members]
        self._seen_steps = [m.step_count for m in self.members]

    def _member(self, i: int, dataset_source) -> Trainer:
        """Member i's Trainer. A custom dataset that does not fit a loss variant i sets is that
        variant's VariantError; one the base itself gets wrong stays a CustomDataError."""
        try:
            return Trainer(self.configs[i], dataset_source=dataset_source)
        except CustomDataError as exc:
            if exc.field in self.variants[i]:
                raise VariantError(i, [{"type": "value_error", "loc": (exc.field,),
                                        "msg": str(exc), "input": None}]) from None
            raise

    def same_start(self) -> bool:
        """Whether every member started from the same weights (each one's first recorded point):
        true for variants of the descent only, false when their inits (or seeds) differ."""
        starts = [m.trajectory()[1][0] for m in self.members]
        return all(np.array_equal(s, starts[0]) for s in starts[1:])

    # ------------------------------------------------------------------ clocks
    def member_clock(self, i: int) -> dict:
        """Member i's position on every clock: updates, epochs (examples / n_train), examples."""
        m = self.members[i]
        return {"updates": m.step_count, "epochs": m.examples_seen / m.n_train,
                "examples": m.examples_seen}

    def steps_for(self, epochs: int | None = None, updates: int | None = None) -> list[int]:
        """Steps each member takes for n more epochs (whole passes, each member from where it
        is) or n more updates. Exactly one of the two."""
        if (epochs is None) == (updates is None):
            raise ValueError("give epochs or updates, not both")
        if updates is not None:
            return [int(updates)] * len(self.members)
        return [m.steps_for_epochs(int(epochs)) for m in self.members]

    def targets_from_here(self) -> list[float]:
        """Every member's position on the group's clock now (updates, or epochs as examples
        seen / n_train): a playing group raises all of these by the same amount."""
        key = "updates" if self.clock == "updates" else "epochs"
        return [self.member_clock(i)[key] for i in range(len(self.members))]

    def steps_to_reach(self, targets: list[float]) -> list[int]:
        """Steps each member needs to reach its target on the group's clock: how a playing
        group stays fair (equal updates, or equal examples seen, from where each was). A smaller
        last batch can leave a member short: ask again until every count is 0."""
        out = []
        for m, target in zip(self.members, targets):
            if self.clock == "updates":
                out.append(max(0, math.ceil(target - m.step_count - 1e-9)))
            else:
                missing = target * m.n_train - m.examples_seen
                out.append(max(0, math.ceil(missing / m.batch_size - 1e-9)))
        return out

    def position(self) -> float:
        """Where the group is on its clock: the slowest member's value."""
        key = "updates" if self.clock == "updates" else "epochs"
        return min(self.member_clock(i)[key] for i in range(len(self.members)))

    def advance(self, epochs: int | None = None, updates: int | None = None) -> list[int]:
        """Train every member its share now; returns the steps each made."""
        plan = self.steps_for(epochs=epochs, updates=updates)
        done = []
        for m, n in zip(self.members, plan):
            before = m.step_count
            m.train(n)
            done.append(m.step_count - before)
        return done

    # ------------------------------------------------------------------ curves
    def record(self, metrics: list[dict] | None = None) -> None:
        """Append one row per member (metrics may be given, e.g. already computed by a caller)
        and a mark for every setting that changed since the last record."""
        for i, m in enumerate(self.members):
            if m.step_count < self._seen_steps[i]:      # rebuilt from outside: start over
                self.curves[i] = MemberCurves()
                self.curves[i].marks.append({**self.member_clock(i), "field": "reset",
                                             "value": None})
            self._mark_changes(i)
            self._seen_steps[i] = m.step_count
            curves = self.curves[i]
            clock = self.member_clock(i)
            if curves.rows and curves.rows[-1][0] == clock["updates"]:
                continue
            mt = metrics[i] if metrics is not None else m.metrics()
            with np.errstate(all="ignore"):
                grad_norm = float(np.linalg.norm(m.full_gradient()))
            curves.add((clock["updates"], clock["epochs"], clock["examples"], mt["train_loss"],
                        mt["test_loss"], _num(mt["train_accuracy"]), _num(mt["test_accuracy"]),
                        grad_norm, m.learning_rate()))

    def _mark_changes(self, i: int) -> None:
        old, new = self._seen_configs[i], self.members[i].config
        if old is new:
            return
        clock = self.member_clock(i)
        for name in TrainConfig.model_fields:
            if getattr(old, name) != getattr(new, name):
                marks = self.curves[i].marks
                marks.append({**clock, "field": name, "value": getattr(new, name)})
                del marks[:-MARKS_CAPACITY]
        self._seen_configs[i] = new

    def check_member_change(self, i: int, changes: dict) -> None:
        """Raises ValueError unless `changes` may apply to member i: live settings only (data
        and architecture make the comparison fair, they stay as the group began)."""
        if not 0 <= i < len(self.members):
            raise ValueError(f"member must be 0..{len(self.members) - 1}, got {i}")
        fixed = sorted(set(changes) & RESET_FIELDS)
        if fixed:
            raise ValueError(f"{', '.join(fixed)} cannot change in a group (only live settings "
                             "can); start a new group instead")

    def set_member(self, i: int, **changes) -> dict:
        """A live change of member i, marked on its curves. Returns Trainer.set's result."""
        self.check_member_change(i, changes)
        result = self.members[i].set(**changes)
        self._mark_changes(i)
        return result


def _num(x) -> float:
    return float("nan") if x is None else float(x)
