"""One loss surface under every member's descent path: the plane of the PCA of all members'
recorded paths together (centred on their common start, or on the average of the members' starts
when they start from different weights: a different init), or the plane of two chosen
parameters through that point (every other parameter at its value there), with each path's true
losses and its distance from the plane (the honesty of the single-run view: the plane is a
slice, the paths need not lie in it).

A shared surface only means something when the members' loss functions are the same function of
the parameters: same layer sizes, activation, loss and penalty (they may differ in everything the
optimizer does: rate, batch size, rule, schedule, clipping). Otherwise a ValueError says why.
"""

from __future__ import annotations

import numpy as np

from .landscape import parameter_axes, pca_directions, plane_coordinates
from .landscape_surface import check_stop, parameter_losses, plane_losses

MODEL_FIELDS = ("features", "standardize", "hidden", "activation", "loss", "regularization",
                "regularization_rate")
SPAN_MARGIN = 1.25
MIN_HALF_WIDTH = 0.05


def shared_landscape(trainers: list, resolution: int = 31, mode: str = "pca",
                     params: list[str] | None = None, should_stop=None) -> dict:
    """{"mode", "labels", "alpha" (R,), "beta" (R,), "loss" (R, R) indexed [beta, alpha],
    "explained_variance" (None for params), "origin_loss", "paths": [{"steps", "alpha", "beta",
    "loss", "distance"}] per trainer, "note", "max_distance", "plane": {"origin", "d1", "d2"}}.
    The plane: theta_0 + alpha d1 + beta d2 (theta_0 = the members' mean start: their common
    start when they start alike, and the note says which). mode "pca": d1/d2 the top two PCA
    directions of every recorded theta_i - theta_0 of every member; mode "params": d1/d2 along
    the two named parameters (alpha, beta are their offsets from theta_0; a path's distance is
    how far its other parameters are from theta_0's). should_stop(fraction of the grid done) is
    asked before each member's path and every grid row (LandscapeCancelled, as Trainer.landscape)."""
    if mode not in ("pca", "params"):
        raise ValueError(f"mode must be pca or params, got {mode!r}")
    if not 3 <= resolution <= 101:
        raise ValueError(f"resolution must be 3..101, got {resolution}")
    first = trainers[0]
    for t in trainers[1:]:
        differ = [f for f in MODEL_FIELDS if getattr(t.config, f) != getattr(first.config, f)]
        if differ or t.layer_sizes != first.layer_sizes:
            raise ValueError(f"members differ in {', '.join(differ or ['layer sizes'])}: their "
                             "loss surfaces are different functions, so there is no shared one")
    paths = [t.trajectory() for t in trainers]
    starts = np.array([thetas[0] for _, thetas in paths])
    origin = starts.mean(axis=0)
    common = bool((starts == starts[0]).all())
    centre = ("the common start" if common else
              "the average of the members' starts (they start from different weights)")
    offsets = np.vstack([thetas - origin for _, thetas in paths])
    offsets = offsets[np.isfinite(offsets).all(axis=1)]
    if mode == "params":
        d1, d2, _, names = parameter_axes(first, params)
        explained, labels = None, [f"Δ{names[0]}", f"Δ{names[1]}"]
    else:
        found = pca_directions(offsets) if len(offsets) >= 2 else None
        if found is None:
            raise ValueError("the paths span fewer than two directions yet: train a few steps "
                             "first")
        d1, d2, explained = found
        labels = ["PC 1", "PC 2"]
    out_paths, extent = [], np.zeros(2)
    for t, (steps, thetas) in zip(trainers, paths):
        check_stop(should_stop, 0.0)
        coords, distances = plane_coordinates(d1, d2, thetas - origin)
        finite = np.isfinite(coords).all(axis=1)
        if finite.any():
            extent = np.maximum(extent, np.abs(coords[finite]).max(axis=0))
        out_paths.append({"steps": steps, "alpha": coords[:, 0], "beta": coords[:, 1],
                          "loss": parameter_losses(t, thetas), "distance": distances})
    half = np.maximum(SPAN_MARGIN * extent, MIN_HALF_WIDTH)
    alpha = np.linspace(-half[0], half[0], resolution)
    beta = np.linspace(-half[1], half[1], resolution)
    loss = plane_losses(first, origin, d1, d2, alpha, beta, dtype="float64",
                        should_stop=should_stop)
    largest = max((float(np.nanmax(p["distance"])) for p in out_paths
                   if np.isfinite(p["distance"]).any()), default=0.0)
    if mode == "params":
        others = ("its starting value", "how far their other parameters moved") if common else (
            "its average starting value", "how far their other parameters are from that average")
        note = (f"Slice along {names[0]} and {names[1]} through {centre}, every other "
                f"parameter at {others[0]}; the {len(trainers)} paths are drawn at their "
                f"offsets of these two, up to {largest:.3g} away from the slice ({others[1]}), "
                "with their true losses")
    else:
        note = (f"PCA plane of all {len(trainers)} paths together (explained variance "
                f"{explained[0]:.0%} + {explained[1]:.0%}), centred on {centre}; the "
                f"paths are drawn at their plane coordinates, up to {largest:.3g} away from it, "
                "with their true losses")
    return {"mode": mode, "labels": labels,
            "alpha": alpha, "beta": beta, "loss": loss, "explained_variance": explained,
            "origin_loss": float(parameter_losses(first, origin[None, :])[0]),
            "paths": out_paths, "note": note, "max_distance": largest,
            "plane": {"origin": origin, "d1": d1, "d2": d2}}
