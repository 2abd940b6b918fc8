"""Your own data: points from a CSV file or drawn on the page, checked once, here.

A custom dataset is raw inputs x (n, 1) or (n, 2), labels y (n,) and what they are: ``binary``
(labels 0/1), ``multiclass`` (class indices 0..K-1, K <= MAX_CLASSES) or ``regression`` (real
targets), plus the plotting domain. The engine never fetches one: whoever builds a Trainer with
``dataset="custom"`` hands it a ``dataset_source`` (id -> CustomData); the server resolves ids
from its store.

CSV layout: a header naming the columns ``x1`` [, ``x2``] and exactly one of ``label`` (class
index) or ``target`` (regression), in any order, then one row per point. Rows are numbered as
lines of the file (the header is row 1), so "row 17" is the 17th line in an editor. Every error
names the row and the column: ``row 17, column x2: 'abc' is not a number``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from .config import MAX_SAMPLES

INPUT_COLUMNS = ("x1", "x2")
LABEL_COLUMNS = ("label", "target")
MAX_CLASSES = 10
MIN_ROWS = 4           # train and test each need points; 4 leaves at least 1 for either
MAX_ABS_VALUE = 1e6    # inputs and targets beyond this are refused (they only overflow)
DRAWN_DOMAIN = ((-6.0, 6.0), (-6.0, 6.0))   # the playground's square, where points are drawn


class CustomDataError(ValueError):
    """Bad custom data: the message names the row and the column (or the config field)."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None,
                 field: str | None = None):
        self.row, self.column, self.field = row, column, field
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class CustomData:
    """Raw points of a custom dataset. x: (n, d) float64, d in (1, 2); y: (n,) float64."""
    x: np.ndarray
    y: np.ndarray
    kind: str                                   # "binary" | "multiclass" | "regression"
    domain: tuple[tuple[float, float], ...]     # plotting range per input dimension

    @property
    def rows(self) -> int:
        return int(self.x.shape[0])

    @property
    def input_dim(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.kind == "regression" else int(self.y.max()) + 1

    def to_csv(self) -> str:
        """The points as a CSV file parse_csv reads back to the same arrays (repr of floats)."""
        names = [*INPUT_COLUMNS[:self.input_dim],
                 "target" if self.kind == "regression" else "label"]
        lines = [",".join(names)]
        for xi, yi in zip(self.x, self.y):
            label = repr(float(yi)) if self.kind == "regression" else str(int(yi))
            lines.append(",".join([*(repr(float(v)) for v in xi), label]))
        return "\n".join(lines) + "\n"


def padded_domain(x: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Per input dimension: the data's range widened by 10% on each side (1 when it is a point)."""
    out = []
    for lo, hi in zip(x.min(axis=0), x.max(axis=0)):
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        out.append((float(lo - pad), float(hi + pad)))
    return tuple(out)


def _number(text: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        shown = text if len(text) <= 20 else text[:20] + "..."
        raise CustomDataError(f"row {row}, column {column}: {shown!r} is not a number",
                              row, column) from None
    if not math.isfinite(value):
        raise CustomDataError(f"row {row}, column {column}: {text!r} is not a finite number",
                              row, column)
    if abs(value) > MAX_ABS_VALUE:
        raise CustomDataError(f"row {row}, column {column}: {text} is outside "
                              f"[-{MAX_ABS_VALUE:g}, {MAX_ABS_VALUE:g}]", row, column)
    return value


def _header(cells: list[str], row: int = 1) -> list[str]:
    names = [c.strip().lower() for c in cells]
    for j, name in enumerate(names):
        if name not in (*INPUT_COLUMNS, *LABEL_COLUMNS):
            raise CustomDataError(f"row {row}, column {j + 1}: unknown column {cells[j].strip()!r}; "
                                  "the columns are x1, optionally x2, and label (classes) or "
                                  "target (regression)", row, str(j + 1))
        if name in names[:j]:
            raise CustomDataError(f"row {row}, column {name}: the column appears twice", row, name)
    if "x1" not in names:
        raise CustomDataError(f"row {row}, column x1: missing; the header needs x1 (and optionally "
                              "x2) and label or target, e.g. x1,x2,label", row, "x1")
    given = [n for n in LABEL_COLUMNS if n in names]
    if len(given) != 1:
        what = "both label and target" if given else "neither label nor target"
        raise CustomDataError(f"row {row}, column label: the header has {what}; give exactly one "
                              "(label: class 0/1 or 0..K-1, target: a real number)", row, "label")
    return names


def points_from_rows(names: list[str], rows: list[tuple[int, list[str]]],
                     max_rows: int = MAX_SAMPLES,
                     domain: tuple[tuple[float, float], ...] | None = None) -> CustomData:
    """Check and convert rows of text cells (row number, cells) under header `names`."""
    if len(rows) > max_rows:
        row = rows[max_rows][0]
        raise CustomDataError(f"row {row}, column x1: more than {max_rows:,} data rows "
                              f"(at most {max_rows:,} points)", row, "x1")
    inputs = [n for n in INPUT_COLUMNS if n in names]
    label_name = "label" if "label" in names else "target"
    index = {n: j for j, n in enumerate(names)}
    x = np.empty((len(rows), len(inputs)))
    y = np.empty(len(rows))
    for i, (row, cells) in enumerate(rows):
        if len(cells) > len(names):
            raise CustomDataError(f"row {row}, column {len(names) + 1}: {len(cells)} values, "
                                  f"but the header has {len(names)} columns", row,
                                  str(len(names) + 1))
        for name in (*inputs, label_name):
            j = index[name]
            text = cells[j].strip() if j < len(cells) else ""
            if text == "":
                raise CustomDataError(f"row {row}, column {name}: missing value", row, name)
            value = _number(text, row, name)
            if name == label_name:
                if label_name == "label" and (value != int(value) or not
                                              0 <= value < MAX_CLASSES):
                    raise CustomDataError(
                        f"row {row}, column label: {text!r} is not a class index (0, 1, ... "
                        f"{MAX_CLASSES - 1}); for real numbers name the column target",
                        row, "label")
                y[i] = value
            else:
                x[i, inputs.index(name)] = value
            if domain is not None and name != label_name:
                lo, hi = domain[inputs.index(name)]
                if not lo <= value <= hi:
                    raise CustomDataError(f"row {row}, column {name}: {value:g} is outside the "
                                          f"plot [{lo:g}, {hi:g}]", row, name)
    if len(rows) < MIN_ROWS:
        raise CustomDataError(f"row {rows[-1][0] if rows else 1}, column x1: only {len(rows)} "
                              f"data rows; at least {MIN_ROWS} are needed (some train, some "
                              "test)", rows[-1][0] if rows else 1, "x1")
    if label_name == "target":
        kind = "regression"
    else:
        classes = np.unique(y)
        if len(classes) < 2:
            raise CustomDataError(f"row {rows[0][0]}, column label: every row has class "
                                  f"{int(classes[0])}; at least two classes are needed",
                                  rows[0][0], "label")
        kind = "binary" if classes.max() <= 1 else "multiclass"
    return CustomData(np.ascontiguousarray(x), y, kind,
                      domain if domain is not None else padded_domain(x))


def parse_csv(text: str, max_rows: int = MAX_SAMPLES) -> CustomData:
    """A CSV file's text -> CustomData, or CustomDataError naming the row and column."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        numbered = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        raise CustomDataError(f"row {reader.line_num}, column 1: not CSV ({exc})",
                              reader.line_num, "1") from None
    numbered = [(n, cells) for n, cells in numbered if any(c.strip() for c in cells)]
    if not numbered:
        raise CustomDataError("row 1, column x1: the file is empty; expected a header such as "
                              "x1,x2,label and one row per point", 1, "x1")
    names = _header(numbered[0][1], numbered[0][0])
    return points_from_rows(names, numbered[1:max_rows + 2], max_rows)


def drawn_points(points: list[list[float]], max_rows: int = MAX_SAMPLES) -> CustomData:
    """Points drawn on the page, [[x1, x2, class], ...] in the playground's square; point i is
    reported as row i + 1."""
    rows = [(i + 1, [str(v) for v in p]) for i, p in enumerate(points[:max_rows + 1])]
    for row, cells in rows:
        if len(cells) != 3:
            raise CustomDataError(f"row {row}, column x1: a drawn point is [x1, x2, class], "
                                  f"got {len(cells)} values", row, "x1")
    return points_from_rows(["x1", "x2", "label"], rows, max_rows, DRAWN_DOMAIN)
