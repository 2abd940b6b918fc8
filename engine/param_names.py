"""Parameter names: how every weight and bias is called, and how a hand edit is checked.

The one statement of the naming (the page's network view, the loss-surface axes, the trace and
`PATCH /params` all use it): "W{l}[{i},{j}]" is the weight from input j to neuron i of layer l,
"b{l}[{i}]" neuron i's bias; layers count from 1 (the first layer after the inputs), so W{l} is
params()[l - 1]["W"] of shape (fan_out, fan_in). Block l of the flat vector is [W_l | b_l] row by
row, so a row's weights precede its bias.
"""

from __future__ import annotations

import math
import re

PARAM_VALUE_LIMIT = 1e6  # a hand-set value must be finite with |value| <= this
MAX_NAMED_ERRORS = 10    # an error message names at most this many bad entries


def parameter_names(trainer) -> list[str]:
    """Every parameter's name in flat order (see the module docstring)."""
    names = []
    for l, (rows, cols) in enumerate(trainer.net.shapes, start=1):
        for i in range(rows):
            names.extend(f"W{l}[{i},{j}]" for j in range(cols - 1))
            names.append(f"b{l}[{i}]")
    return names


# Only the canonical spelling parameter_names() writes: no spaces, no leading zeros. A loose
# spelling ("W1[0, 1]", "W1[00,1]") is refused rather than read, so each entry is named one way
# and an edit cannot set one weight twice under two spellings.
_NUMBER = r"(0|[1-9]\d*)"
_NAME = re.compile(rf"^([Wb]){_NUMBER}\[{_NUMBER}(?:,{_NUMBER})?\]$")
_LOOSE = re.compile(r"^\s*([Wb])\s*(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*$")
FORM = "'W<layer>[<neuron>,<input>]' or 'b<layer>[<neuron>]', e.g. 'W1[0,1]' or 'b2[0]'"


NAME_ECHO = 40   # characters of a client's name or value an error message repeats


def shown(value) -> str:
    """repr(value), cut to NAME_ECHO characters with its length said (an error message never
    repeats a client's 100,000-character name in full)."""
    text = repr(value)
    return text if len(text) <= NAME_ECHO else f"{text[:NAME_ECHO]}... ({len(text)} characters)"


def parse_parameter(trainer, name: str) -> int:
    """The flat index of a parameter named exactly as in parameter_names(); ValueError if
    malformed, not canonical (spaces, leading zeros) or out of range."""
    match = _NAME.match(name) if isinstance(name, str) else None
    if match is None:
        loose = _LOOSE.match(name) if isinstance(name, str) else None
        hint = ""
        if loose is not None:
            kind, numbers = loose.group(1), [str(int(g)) for g in loose.groups()[1:] if g]
            hint = (f" (write it {kind}{numbers[0]}[{','.join(numbers[1:])}]: no spaces, "
                    "no leading zeros)")
        raise ValueError(f"parameter {shown(name)} is not of the form {FORM}{hint}")
    kind, layer, row, col = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
    shapes = trainer.net.shapes
    if not 1 <= layer <= len(shapes):
        raise ValueError(f"parameter {shown(name)}: layer must be 1..{len(shapes)}, got {layer}")
    rows, cols = shapes[layer - 1]
    if not 0 <= row < rows:
        raise ValueError(f"parameter {shown(name)}: layer {layer} has neurons 0..{rows - 1}")
    if kind == "b":
        if col is not None:
            raise ValueError(f"parameter {shown(name)}: a bias has one index, e.g. 'b{layer}[{row}]'")
        col = cols - 1
    else:
        if col is None:
            raise ValueError(f"parameter {shown(name)}: a weight has two indices, "
                             f"e.g. 'W{layer}[{row},0]'")
        col = int(col)
        if not 0 <= col < cols - 1:
            raise ValueError(f"parameter {shown(name)}: layer {layer} has inputs 0..{cols - 2}")
    return int(trainer.net.offsets[layer - 1]) + row * cols + col


class ParameterEditError(ValueError):
    """Some entries of a parameter edit are unknown names or bad values; `bad` lists them."""

    def __init__(self, bad: list[tuple[str, str]]):
        self.bad = bad
        shown = "; ".join(why for _, why in bad[:MAX_NAMED_ERRORS])
        more = f" (and {len(bad) - MAX_NAMED_ERRORS} more)" if len(bad) > MAX_NAMED_ERRORS else ""
        super().__init__(f"cannot set {len(bad)} parameter(s): {shown}{more}")


def parse_assignments(trainer, values: dict) -> list[tuple[int, float]]:
    """Check a hand edit {name: value} and return its (flat index, value) pairs. Every entry is
    checked before anything changes: unknown or malformed names and values that are not finite
    numbers within +-PARAM_VALUE_LIMIT raise ParameterEditError naming each of them."""
    if not isinstance(values, dict) or not values:
        raise ParameterEditError([("", "give at least one {name: value}, e.g. "
                                       "{\"W1[0,1]\": 0.5, \"b1[0]\": -5}")])
    out, bad = [], []
    for name, value in values.items():
        try:
            index = parse_parameter(trainer, name)
        except ValueError as e:
            bad.append((str(name)[:NAME_ECHO], f"unknown parameter {shown(name)} ({e})"))
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            bad.append((name[:NAME_ECHO], f"{shown(name)}: value {shown(value)} is not a number"))
        elif not math.isfinite(value) or abs(value) > PARAM_VALUE_LIMIT:
            bad.append((name[:NAME_ECHO], f"{shown(name)}: value {shown(value)} must be finite, within "
                              f"+-{PARAM_VALUE_LIMIT:g}"))
        else:
            out.append((index, float(value)))
    if bad:
        raise ParameterEditError(bad)
    return out
