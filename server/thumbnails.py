"""A dataset's thumbnail (64x64 SVG of 200 clean points), drawn from the engine's generator, so
a dataset added to engine/datasets.py has one without a file in static/."""

from __future__ import annotations

import functools

from engine.datasets import DATASETS, generate

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


@functools.lru_cache(maxsize=64)
def thumbnail_svg(name: str) -> str:
    """The SVG text; KeyError for an unknown dataset."""
    spec = DATASETS[name]
    x, y = generate(name, 200, 0.0, 7)
    pad = 4

    def sx(v, lo, hi):
        return pad + (v - lo) / (hi - lo) * (SIZE - 2 * pad)

    dots = []
    if spec.input_dim == 2:
        (x_lo, x_hi), (y_lo, y_hi) = spec.domain
        if spec.kind == "regression":
            scale = max(abs(y).max(), 1e-9)
            colors = [diverging(v / scale) for v in y]
        else:
            colors = [CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in y]
        for (a, b), c in zip(x, colors):
            dots.append((sx(a, x_lo, x_hi), SIZE - sx(b, y_lo, y_hi), c))
    else:
        (x_lo, x_hi), = spec.domain
        y_lo, y_hi = float(y.min()), float(y.max())
        if y_hi - y_lo < 1e-9:
            y_hi = y_lo + 1
        if spec.kind == "regression":
            colors = ["#0877bd"] * len(y)
            ys = y
        else:
            colors = [CLASS_COLORS[int(v) % len(CLASS_COLORS)] for v in y]
            ys = y * 0.6 + 0.2
            y_lo, y_hi = 0.0, 1.0
        for a, b, c in zip(x[:, 0], ys, colors):
            dots.append((sx(a, x_lo, x_hi), SIZE - sx(b, y_lo, y_hi), c))
    body = "".join(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="1.7" fill="{c}"/>' for a, b, c in dots)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
            f'width="{SIZE}" height="{SIZE}"><rect width="{SIZE}" height="{SIZE}" fill="#fff"/>'
            f'<g fill-opacity="0.85">{body}</g></svg>\n')
