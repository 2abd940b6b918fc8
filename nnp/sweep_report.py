"""The sweep's self-contained HTML report: the loss curves of every run and a heatmap of a final
metric (mean over seeds) over the first two grid settings. plotly.js is inlined once from the
installed plotly package: the file opens offline, nothing comes from a CDN."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs


def _label(point: dict, seed: int) -> str:
    return ", ".join([*(f"{k}={v}" for k, v in point.items()), f"seed {seed}"])


def loss_figure(results: list[dict], metric: str) -> go.Figure:
    fig = go.Figure()
    for r in results:
        steps = [m["step"] for m in r["history"]]
        values = [m.get(metric) for m in r["history"]]
        fig.add_trace(go.Scatter(x=steps, y=values, mode="lines", name=_label(r["point"], r["seed"])))
    fig.update_layout(title=f"{metric} per step", xaxis_title="step", yaxis_title=metric,
                      yaxis_type="log" if metric.endswith("loss") else "linear",
                      height=520, margin=dict(l=70, r=20, t=50, b=60),
                      legend=dict(font=dict(size=11)))
    return fig


def mean(values: list) -> float | None:
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    return sum(finite) / len(finite) if finite else None


def heatmap_table(results: list[dict], axes: list[str], labels: dict[str, list[str]],
                  metric: str) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(x labels, y labels, z[y][x]): mean final metric over seeds (and further axes) on the
    first two axes; one axis gives a single row."""
    x_axis = axes[0]
    y_axis = axes[1] if len(axes) > 1 else None
    xs = labels[x_axis]
    ys = labels[y_axis] if y_axis else [""]
    cells: dict[tuple[str, str], list] = {}
    for r in results:
        key = (r["point"][x_axis], r["point"][y_axis] if y_axis else "")
        cells.setdefault(key, []).append(r["metrics"].get(metric))
    z = [[mean(cells.get((x, y), [])) for x in xs] for y in ys]
    return xs, ys, z


def heatmap_figure(results: list[dict], axes: list[str], labels: dict[str, list[str]],
                   metric: str) -> go.Figure:
    xs, ys, z = heatmap_table(results, axes, labels, metric)
    text = [["n/a" if v is None else f"{v:.4g}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=z, text=text, texttemplate="%{text}",
                               colorscale="Viridis", reversescale=metric.endswith("loss"),
                               colorbar=dict(title=dict(text=metric, side="right")),
                               hovertemplate=f"{axes[0]}=%{{x}}<br>"
                                             + (f"{axes[1]}=%{{y}}<br>" if len(axes) > 1 else "")
                                             + f"{metric}=%{{z:.4g}}<extra></extra>"))
    fig.update_xaxes(type="category", title=axes[0])
    fig.update_yaxes(type="category", title=axes[1] if len(axes) > 1 else "")
    fig.update_layout(title=f"final {metric}, mean over seeds", height=420,
                      margin=dict(l=90, r=20, t=50, b=60))
    return fig


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>nn-playground sweep</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }}
h1 {{ font-size: 22px; }} table {{ border-collapse: collapse; font-size: 13px; margin: 12px 0; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }} th {{ background: #f3f3f3; }}
.note {{ color: #555; }}
</style>
<script>{plotly_js}</script>
</head><body>
<h1>Sweep: {n_runs} runs, {steps} steps each</h1>
<p class="note">Base settings: <code>{base}</code>. Grid: {grid}. Seeds: {seeds}.
Results table: <code>results.csv</code> beside this file.</p>
{heatmap}
{curves}
<h2>Final metrics</h2>
{table}
</body></html>
"""


def results_table(results: list[dict], axes: list[str], metrics: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*axes, "seed", "step", *metrics, "status"])
    rows = []
    for r in results:
        cells = [*(r["point"][a] for a in axes), r["seed"], r["metrics"].get("step"),
                 *(r["metrics"].get(m) for m in metrics), r["metrics"].get("status")]
        rows.append("<tr>" + "".join(
            f"<td>{'' if c is None else html.escape(f'{c:.4g}' if isinstance(c, float) else str(c))}</td>"
            for c in cells) + "</tr>")
    return f"<div style=\"overflow-x: auto\"><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def write_report(path: Path, results: list[dict], axes: list[str], labels: dict[str, list[str]],
                 seeds: list[int], steps: int, base: dict, metric: str) -> Path:
    figure_html = lambda fig: fig.to_html(include_plotlyjs=False, full_html=False,
                                          config={"responsive": True})
    heatmap = (figure_html(heatmap_figure(results, axes, labels, metric)) if axes
               else "<p class='note'>No grid settings: no heatmap (only seeds vary).</p>")
    curve_metric = "train_loss"
    page = PAGE.format(
        plotly_js=get_plotlyjs(), n_runs=len(results), steps=steps,
        base=html.escape(json.dumps(base)) if base else "defaults",
        grid=html.escape("; ".join(f"{a} = {' | '.join(labels[a])}" for a in axes)) or "none",
        seeds=", ".join(map(str, seeds)), heatmap=heatmap,
        curves=figure_html(loss_figure(results, curve_metric)),
        table=results_table(results, axes, ["train_loss", "test_loss", "train_accuracy",
                                            "test_accuracy"]))
    path.write_text(page)
    return path
