"""Admission by cost: what a run costs this machine to show, against a compute budget.

A viewed run's frames cost about (parameters) x (examples the frame evaluates) per frame: the
full-batch gradient, the metrics and the diagnostics pass over the training set (~3 passes),
the output grid and the hidden grids one pass over their points. At the guaranteed frame rate
(settings.admission_fps) that is the run's cost in parameter-example evaluations per second;
the server admits runs while the sum stays within settings.compute_budget (what this machine
evaluates per second, with room for training). Past it POST /api/runs answers 503 with
Retry-After, saying what the run costs, what is left, and what to lower. Counting runs
(max_runs) stays as a second, simple bound.
"""

from __future__ import annotations

import math

from engine import Trainer

from .settings import Settings

SET_PASSES = 3     # full gradient (forward + backward) and metrics over the training set


def grid_resolutions(trainer: Trainer, settings: Settings) -> tuple[int, int]:
    """(output, hidden) grid resolutions of this run's frames. 1-D data: curve_resolution
    points. 2-D: the hidden grids at hidden_grid_resolution; the output heatmap at
    output_grid_resolution, coarser for a network so large that its grid would take more than
    output_grid_work evaluations (8 x 64 on 7 features: 58 x 58), never under
    output_grid_min_resolution."""
    if trainer.input_dim != 2:
        return settings.curve_resolution, settings.curve_resolution
    fits = math.isqrt(int(settings.output_grid_work // max(1, trainer.net.n_params)))
    out = max(settings.output_grid_min_resolution, min(settings.output_grid_resolution, fits))
    return out, settings.hidden_grid_resolution


def frame_work(trainer: Trainer, settings: Settings) -> float:
    """Parameter-example evaluations of one frame of this run (every view)."""
    r_out, r_hid = grid_resolutions(trainer, settings)
    points = SET_PASSES * trainer.n_train + r_out ** trainer.input_dim + r_hid ** trainer.input_dim
    return float(trainer.net.n_params) * points


def off_the_loop(trainer: Trainer, settings: Settings) -> bool:
    """Whether this run's frames and full-set metrics are computed in a worker thread: their
    work is above settings.frame_thread_work (a few ms of the event loop)."""
    return frame_work(trainer, settings) > settings.frame_thread_work


def frame_interval(fps: int, frame_cpu_seconds: float, settings: Settings) -> float:
    """Seconds between a run's frames for viewers asking `fps`: at most one per 0.9/fps, and no
    more often than lets its frames (frame_cpu_seconds of CPU each, measured by the
    broadcaster) take settings.frame_cpu_share of one core. A small run is never held back (a
    1 ms frame allows 300 a second); a max-size one (8 x 64 on 2,000 points: ~14 ms a frame on
    average, its grids in some) gets ~21 frames/s."""
    return max(0.9 / max(1, fps), frame_cpu_seconds / settings.frame_cpu_share)


def run_cost(trainer: Trainer, settings: Settings) -> float:
    """Evaluations per second to show this run at settings.admission_fps."""
    return frame_work(trainer, settings) * settings.admission_fps


def describe(trainer: Trainer) -> str:
    cfg = trainer.config
    sizes = cfg.hidden
    hidden = (f"{len(sizes)}x{sizes[0]}" if sizes and len(set(sizes)) == 1 and len(sizes) > 1
              else "-".join(str(h) for h in sizes) or "no hidden layer")
    return (f"{hidden} on {trainer.n_train} training points with {len(cfg.features)} "
            f"feature(s), {trainer.net.n_params} parameters")


class OverBudget(Exception):
    """Admitting this run would pass the compute budget; retry_after in seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


def check_admission(trainer: Trainer, used: float, settings: Settings) -> float:
    """The run's cost if it fits beside `used`; else OverBudget saying why and what to lower."""
    cost = run_cost(trainer, settings)
    budget = settings.compute_budget
    if used + cost <= budget:
        return cost
    left = max(0.0, budget - used)
    share = cost / budget
    message = (f"the server's compute budget is used: this run ({describe(trainer)}) needs "
               f"{share:.0%} of it to be shown at {settings.admission_fps} frames/s and "
               f"{left / budget:.0%} is left; lower hidden (layers or neurons), n_samples or "
               f"features, or delete a run (DELETE /api/runs/{{id}}); runs nobody watches "
               f"expire after {settings.run_ttl_seconds:g} s")
    raise OverBudget(message, retry_after=settings.sweep_interval_seconds)
