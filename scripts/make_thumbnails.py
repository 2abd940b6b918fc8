"""Regenerate the dataset thumbnails (one SVG per dataset) and datasets.json from the engine.

    python static/img/datasets/make_thumbnails.py

datasets.json tells the page each dataset's task kind and input dimension, taken from
engine.config.DATASET_KIND, so the controls never restate them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "static" / "img" / "datasets"
sys.path.insert(0, str(REPO))

from engine.config import DATASET_KIND  # noqa: E402
from engine.datasets import INPUT_DOMAIN, generate  # noqa: E402

SIZE = 64
CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728"]


def diverging(t: float) -> str:
    """t in [-1, 1]: orange - light grey - blue, as static/js/colors.js."""
    t = max(-1.0, min(1.0, t))
    end = (245, 147, 34) if t < 0 else (8, 119, 189)
    mid = (232, 234, 235)
    a = abs(t)
    r, g, b = (round(m + (e - m) * a) for m, e in zip(mid, end))
    return f"#{r:02x}{g:02x}{b:02x}"


def thumbnail(name: str) -> str:
    kind, dim = DATASET_KIND[name]
    x, y = generate(name, 200, 0.0, 7)
    domain = INPUT_DOMAIN[name]
    pad = 4

    def sx(v, lo, hi):
        return pad + (v - lo) / (hi - lo) * (SIZE - 2 * pad)

    dots = []
    if dim == 2:
        (x_lo, x_hi), (y_lo, y_hi) = domain
        if kind == "regression":
            scale = max(abs(y).max(), 1e-9)
            colors = [diverging(v / scale) for v in y]
        else:
            colors = [CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in y]
        for (a, b), c in zip(x, colors):
            dots.append((sx(a, x_lo, x_hi), SIZE - sx(b, y_lo, y_hi), c))
    else:
        (x_lo, x_hi), = domain
        y_lo, y_hi = float(y.min()), float(y.max())
        if y_hi - y_lo < 1e-9:
            y_hi = y_lo + 1
        if kind == "regression":
            colors = ["#0877bd"] * len(y)
            ys = y
        else:
            colors = [CLASS_COLORS[int(v)] for v in y]
            ys = y * 0.6 + 0.2
            y_lo, y_hi = 0.0, 1.0
        for a, b, c in zip(x[:, 0], ys, colors):
            dots.append((sx(a, x_lo, x_hi), SIZE - sx(b, y_lo, y_hi), c))
    body = "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="1.7" fill="{c}"/>' for a, b, c in dots)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
            f'width="{SIZE}" height="{SIZE}"><rect width="{SIZE}" height="{SIZE}" fill="#fff"/>'
            f'<g fill-opacity="0.85">{body}</g></svg>\n')


def main() -> None:
    info = {}
    for name, (kind, dim) in DATASET_KIND.items():
        (HERE / f"{name}.svg").write_text(thumbnail(name))
        info[name] = {"kind": kind, "input_dim": dim,
                      "domain": [list(map(float, r)) for r in INPUT_DOMAIN[name]]}
    (HERE / "datasets.json").write_text(json.dumps(info, indent=1) + "\n")


if __name__ == "__main__":
    main()
