"""Loss landscape: the surface, the descent path and gradient arrows; exact where possible and
honest where not.

The loss is always the quantity training minimizes and `Trainer.training_loss()` reports: the
mean loss over the WHOLE training set plus the weight penalty, under the current settings.

Surfaces
- exact (two-parameter models only: one neuron on 1-D data, hidden=[]): L(w, b) on a grid of
  absolute w and b values. Nothing is projected; the path is the recorded (w_i, b_i) themselves.
- slices (any model): L(theta_c + alpha d1 + beta d2), centred at the current parameters
  theta_c, so (alpha, beta) = (0, 0) is the current point and its loss. Directions:
  params  -- two unit vectors e_i, e_j: two parameters the user picks by name ("W1[0,1]",
             "b2[0]"; layers count from 1, W rows are the layer's neurons (fan_out), columns its
             inputs (fan_in)); alpha, beta are offsets from the parameters' current values.
  random  -- filter-normalized random directions (Li et al. 2018): d ~ N(0, I), then each
             neuron's incoming-weight row of d is rescaled to the norm of the same row of theta_c
             and the bias entries are set to 0. Seeded: d1 and d2 are the first two draws of
             np.random.default_rng(seed). A weight row of theta_c that is all zero gets a unit-norm
             row instead (and the note says so).
  pca     -- the top two right singular vectors of the offsets theta_i - theta_c of the recorded
             trajectory (uncentred PCA: the plane through theta_c that is closest to the
             trajectory in least squares; Li et al. centre on the mean instead). Explained
             variance: s_1^2 / sum s^2 and s_2^2 / sum s^2, which is also 1 - (sum of the path's
             squared distances from the plane) / (sum of its squared offsets). Signs are chosen so
             that the first recorded point has negative alpha and beta.

Projection onto a plane (path and arrows)
The directions need not be orthonormal (random ones are not), so "projecting" a parameter-space
vector v means its least-squares coordinates c = argmin |v - c1 d1 - c2 d2|, i.e.
c = G^-1 [d1.v, d2.v] with G the 2x2 Gram matrix of the directions. Then c1 d1 + c2 d2 is the
orthogonal projection of v onto span(d1, d2) and |v - c1 d1 - c2 d2| its distance from the plane.
For a gradient g this is also the steepest-descent direction of the restricted function
f(alpha, beta) = L(theta_c + alpha d1 + beta d2) in the metric the parameters induce on the plane:
f's own partial derivatives are [d1.g, d2.g] = G c.

- path: every recorded theta_i at (alpha_i, beta_i) = its least-squares coordinates, with its TRUE
  loss L(theta_i) (not the surface's value there) and its distance from the plane. A slice plane
  generally does not contain the path; when the distance is large compared with the path's extent
  the drawn path is a shadow, not a walk on the surface. The note gives the largest distance.
- arrows, at the current point, in (alpha, beta) units: "full_batch" projects -grad L(theta_c) (the
  exact full-training-set gradient by backprop), "minibatch" projects -g of the last step's
  minibatch (computed before that step, so at the previous parameters), "update" projects the
  optimizer's last step theta_after - theta_before, which is what moved the parameters: with
  momentum or Adam it is not a multiple of either gradient. None when there is no last step yet
  or it is not finite.
- field (on request): the projected -grad L at each point of a coarse F x F grid over the same
  range, each gradient exact by backprop.

Grid
Resolution R in 3..101 per axis. The range is centred on the current point; its half-width per
axis is by default 1.25 x the path's largest offset along that axis, at least 1 (for random
directions alpha = 1 moves every neuron by its own weight norm, as in Li et al.'s [-1, 1]; for
unit directions it is a step of length 1 in parameter space). `span` sets it: one half-width for
both axes, or a pair. With odd R the centre is a grid node. Hidden layers may be evaluated in
float32 (the default; max relative deviation from float64 ~1e-7 on typical nets, bar 1e-4) or
float64; the path, the centre and the arrows are always float64. A float32 grid is checked against
float64 at its lowest node and at the node nearest the current point (where rounded logits hurt
most: tiny residuals of a near-perfect fit) and redone in float64 if they differ by more than
1e-5 relative. How the grid is made fast is in engine/landscape_surface.py; bench/
bench_landscape.py measures it (51 x 51 slice of 2-8-8-1 tanh over 500 points: ~15 ms in float32
against ~80-140 ms for a loop over grid points; 21 x 21: ~3 ms). The path's losses are cached per
trainer, so refreshing a live picture costs about one grid evaluation.

Diverged runs: when the current parameters are not finite, the picture is centred at the recorded
point with the lowest finite loss and the automatic range covers the path up to that point (the
note says so); non-finite path points are left out; values that overflow are reported as inf or
nan (the server sends them as null). Nothing raises or warns because of a divergence.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from .landscape_surface import (DTYPES, LandscapeCancelled, check_stop,  # noqa: F401
                                parameter_data_losses, parameter_losses, penalty_rows,
                                plane_losses)
from .param_names import parameter_names, parse_parameter  # noqa: F401 (re-exported)

MODES = ("auto", "exact", "params", "random", "pca")
MIN_RESOLUTION, MAX_RESOLUTION = 3, 101
MAX_FIELD_RESOLUTION = 21
MIN_SPAN = 1.0          # smallest automatic half-width of an axis
SPAN_MARGIN = 1.25      # automatic half-width = margin x the path's largest offset
LOG_FLOOR = 1e-12       # log10 of a loss below this is log10(LOG_FLOOR)
PCA_MIN_POINTS = 3
FLOAT32_TOLERANCE = 1e-5  # above this checked deviation a float32 grid is redone in float64
PARALLEL_COSINE = 0.99  # directions closer than this to parallel make a degenerate slice


# ---------------------------------------------------------------------- directions
def filter_normalized_direction(net, theta: np.ndarray, rng: np.random.Generator
                                ) -> tuple[np.ndarray, int]:
    """A random direction d ~ N(0, I) in which every neuron's incoming-weight row is rescaled to
    the norm of the same row of theta and every bias entry is 0 (Li et al. 2018). A row whose
    theta row is all zero is rescaled to norm 1 instead. Returns (d, number of such rows)."""
    d = rng.standard_normal(net.n_params)
    zero_rows = 0
    for blk, ref in zip(net.views(d), net.views(theta)):
        target = np.linalg.norm(ref[:, :-1], axis=1)
        zero_rows += int((target == 0).sum())
        target[target == 0] = 1.0
        norm = np.linalg.norm(blk[:, :-1], axis=1)
        blk[:, :-1] *= (target / np.where(norm > 0, norm, 1.0))[:, None]
        blk[:, -1] = 0.0
    return d, zero_rows


def pca_directions(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[float]] | None:
    """The top two right singular vectors of offsets O (k, P) (uncentred PCA) and the fraction of
    sum |offset|^2 each explains; None if the offsets span fewer than two dimensions. Signs:
    the first row gets non-positive coordinates. Computed from the smaller Gram matrix, O^T O or
    O O^T (a few hundred recorded points against up to ~30k parameters: one matmul and a small
    symmetric eigenproblem instead of a k x P SVD); with O O^T u = s^2 u, v = O^T u / s."""
    k, p = offsets.shape
    gram = offsets.T @ offsets if k >= p else offsets @ offsets.T
    total = float(np.trace(gram))  # sum of |offset|^2 = sum of s^2
    if not np.isfinite(gram).all() or not total > 0 or min(k, p) < 2:
        return None
    eigenvalues, vectors = np.linalg.eigh(gram)  # ascending
    s2, top = eigenvalues[::-1][:2], vectors[:, ::-1][:, :2]
    if not s2[1] > 1e-12 * s2[0]:
        return None
    if k < p:
        top = offsets.T @ top
    d1 = top[:, 0] / np.linalg.norm(top[:, 0])
    d2 = top[:, 1] - (top[:, 1] @ d1) * d1  # re-orthogonalize against round-off
    d2 /= np.linalg.norm(d2)
    if offsets[0] @ d1 > 0:
        d1 = -d1
    if offsets[0] @ d2 > 0:
        d2 = -d2
    return d1, d2, [float(s2[0] / total), float(s2[1] / total)]


def plane_coordinates(d1: np.ndarray, d2: np.ndarray, vectors: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coordinates of each row v of vectors (m, P) in the basis (d1, d2):
    c = argmin |v - c1 d1 - c2 d2|, and the residual norm (the distance of v from the plane
    span(d1, d2)). Returns (coords (m, 2), distances (m,)); rows with non-finite entries get nan."""
    vectors = np.atleast_2d(vectors)
    coords = np.full((vectors.shape[0], 2), np.nan)
    distances = np.full(vectors.shape[0], np.nan)
    ok = np.isfinite(vectors).all(axis=1)
    if ok.any():
        basis = np.vstack([d1, d2])  # (2, P)
        with np.errstate(all="ignore"):
            # normal equations G c = D^T v; pinv gives the minimum-norm solution if G is singular
            c = (np.linalg.pinv(basis @ basis.T, rcond=1e-10) @ (basis @ vectors[ok].T)).T
            coords[ok] = c
            distances[ok] = np.linalg.norm(vectors[ok] - c @ basis, axis=1)
    return coords, distances


@dataclass
class _Plane:
    """theta(alpha, beta) = origin + alpha d1 + beta d2; the current point is at `center`."""
    mode: str
    origin: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    center: tuple[float, float]
    labels: list[str]
    notes: list[str] = field(default_factory=list)
    explained_variance: list[float] | None = None


def _exact_plane(trainer, theta_c) -> _Plane:
    if trainer.net.n_params != 2:
        raise ValueError(
            f"mode 'exact' needs a two-parameter model (one neuron on 1-D data: hidden=[] with "
            f"dataset 'threshold' or 'house'); this network has {trainer.net.n_params} "
            "parameters: use mode 'params', 'random' or 'pca'")
    return _Plane("exact", np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]),
                  (float(theta_c[0]), float(theta_c[1])), ["w", "b"],
                  ["Exact surface L(w, b): the model has only these two parameters, so nothing "
                   "is projected and the path is the recorded (w, b) themselves."])


def parameter_axes(trainer, params) -> tuple[np.ndarray, np.ndarray, tuple[int, int],
                                               list[str]]:
    """(d1, d2, (i, j), [name_i, name_j]): unit vectors along two named parameters, their flat
    indices and names; ValueError when params is not two different valid names."""
    if params is None or isinstance(params, str) or len(params) != 2:
        raise ValueError("mode 'params' needs params=[name1, name2], two parameter names such as "
                         "['W1[0,1]', 'b1[0]'] (see parameter_names)")
    i, j = (parse_parameter(trainer, p) for p in params)
    if i == j:
        raise ValueError(f"mode 'params' needs two different parameters, got {params[0]!r} twice")
    d1, d2 = np.zeros(trainer.net.n_params), np.zeros(trainer.net.n_params)
    d1[i] = d2[j] = 1.0
    names = parameter_names(trainer)
    return d1, d2, (i, j), [names[i], names[j]]


def _params_plane(trainer, theta_c, params) -> _Plane:
    d1, d2, (i, j), (name_i, name_j) = parameter_axes(trainer, params)
    return _Plane("params", theta_c, d1, d2, (0.0, 0.0), [f"Δ{name_i}", f"Δ{name_j}"],
                  [f"Slice along two parameters: alpha and beta are offsets of {name_i} and "
                   f"{name_j} from their current values {theta_c[i]:.4g} and "
                   f"{theta_c[j]:.4g}; all other parameters stay at their current values."])


def _random_plane(trainer, theta_c, seed) -> _Plane:
    rng = np.random.default_rng(seed)
    d1, zero1 = filter_normalized_direction(trainer.net, theta_c, rng)
    d2, _ = filter_normalized_direction(trainer.net, theta_c, rng)
    notes = [f"Slice along two filter-normalized random directions (seed {seed}): alpha = 1 moves "
             "each neuron's incoming weights by their own norm; biases stay fixed."]
    if zero1:
        notes.append(f"{zero1} neuron(s) have all-zero incoming weights; their direction rows "
                     "have norm 1.")
    n1, n2 = np.linalg.norm(d1), np.linalg.norm(d2)
    if n1 == 0 or n2 == 0 or abs(d1 @ d2) > PARALLEL_COSINE * n1 * n2:
        notes.append("The two random directions are (nearly) parallel: this model has too few "
                     "weights for a two-dimensional random slice; use mode 'exact' or 'params'.")
    return _Plane("random", theta_c, d1, d2, (0.0, 0.0),
                  ["alpha (random 1)", "beta (random 2)"], notes)


def _pca_plane(theta_c, thetas) -> _Plane | None:
    if thetas.shape[0] < PCA_MIN_POINTS:
        return None
    found = pca_directions(thetas - theta_c)
    if found is None:
        return None
    d1, d2, explained = found
    return _Plane("pca", theta_c, d1, d2, (0.0, 0.0), ["alpha (PCA 1)", "beta (PCA 2)"],
                  [f"Slice along the top two PCA directions of the trajectory's offsets from the "
                   f"current point; they explain {100 * explained[0]:.1f}% and "
                   f"{100 * explained[1]:.1f}% of sum |theta_i - theta_c|^2."], explained)


def _choose_plane(trainer, mode, params, seed, theta_c, thetas) -> _Plane:
    """The plane for `mode`; auto and pca fall back as documented in landscape()."""
    if mode == "auto":
        mode = "exact" if trainer.net.n_params == 2 else "pca"
    if mode == "exact":
        return _exact_plane(trainer, theta_c)
    if mode == "params":
        return _params_plane(trainer, theta_c, params)
    if mode == "pca":
        plane = _pca_plane(theta_c, thetas)
        if plane is not None:
            return plane
        why = (f"{thetas.shape[0]} recorded point(s) with a finite loss, PCA needs "
               f"{PCA_MIN_POINTS}"
               if thetas.shape[0] < PCA_MIN_POINTS else
               "the trajectory's offsets span fewer than two dimensions")
        plane = _random_plane(trainer, theta_c, seed)
        plane.notes.insert(0, f"PCA directions unavailable ({why}); showing random directions.")
        return plane
    return _random_plane(trainer, theta_c, seed)


# ---------------------------------------------------------------------- path and arrows
_trajectory_loss_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _trajectory_data_losses(trainer, steps: np.ndarray, thetas: np.ndarray,
                            should_stop=None) -> np.ndarray:
    """Mean training data loss of each recorded theta (finite rows only). Recorded points never
    change, so values are remembered per trainer by step and reused when the theta is identical
    and the training data is the same object (a reset replaces it)."""
    losses = np.full(steps.shape[0], np.nan)
    todo = np.isfinite(thetas).all(axis=1)
    cached = _trajectory_loss_cache.get(trainer)
    if cached is not None and cached[0] is trainer.training_targets and cached[2].shape[1] == thetas.shape[1]:
        _, old_steps, old_thetas, old_losses = cached
        where = {int(s): k for k, s in enumerate(old_steps)}
        pairs = [(i, where[int(s)]) for i, s in enumerate(steps) if int(s) in where]
        if pairs:
            new_i, old_i = map(np.array, zip(*pairs))
            same = (thetas[new_i] == old_thetas[old_i]).all(axis=1) & todo[new_i]
            losses[new_i[same]] = old_losses[old_i[same]]
            todo[new_i[same]] = False
    if todo.any():
        losses[todo] = parameter_data_losses(trainer, thetas[todo], should_stop=should_stop)
    _trajectory_loss_cache[trainer] = (trainer.training_targets, steps, thetas, losses)
    return losses


def _arrow(plane: _Plane, vector: np.ndarray | None) -> list[float] | None:
    """Least-squares (alpha, beta) coordinates of a parameter-space vector; None if unavailable."""
    if vector is None or not np.isfinite(vector).all():
        return None
    coords, _ = plane_coordinates(plane.d1, plane.d2, vector)
    return [float(coords[0, 0]), float(coords[0, 1])]


def _gradient_field(trainer, plane: _Plane, alpha: np.ndarray, beta: np.ndarray,
                    resolution: int, should_stop=None) -> dict:
    """Projected -grad L (exact, by backprop) on a resolution x resolution grid over the range."""
    fa = np.linspace(alpha[0], alpha[-1], resolution)
    fb = np.linspace(beta[0], beta[-1], resolution)
    grads = []
    for b in fb:
        check_stop(should_stop, 1.0)
        grads += [trainer.full_gradient(plane.origin + a * plane.d1 + b * plane.d2) for a in fa]
    grads = np.array(grads)
    coords, _ = plane_coordinates(plane.d1, plane.d2, -grads)
    shape = (resolution, resolution)
    return {"alpha": fa, "beta": fb, "d_alpha": coords[:, 0].reshape(shape),
            "d_beta": coords[:, 1].reshape(shape)}


def _half_widths(span, offsets: np.ndarray) -> tuple[float, float]:
    """Per-axis half-widths: the given span, or SPAN_MARGIN x the largest |offset| (>= MIN_SPAN)."""
    if span is not None:
        return span
    widths = [SPAN_MARGIN * _finite_max(np.abs(offsets[:, axis])) for axis in range(2)]
    return tuple(w if w > MIN_SPAN else MIN_SPAN for w in widths)  # nan -> MIN_SPAN


def _validated_span(span) -> tuple[float, float] | None:
    if span is None:
        return None
    pair = (span, span) if np.ndim(span) == 0 else tuple(span)
    try:
        pair = tuple(float(s) for s in pair)
    except (TypeError, ValueError):
        pair = ()
    if len(pair) != 2 or not all(math.isfinite(s) and s > 0 for s in pair):
        raise ValueError(f"span must be a positive number or a pair of them (half-widths of the "
                         f"alpha and beta ranges), or None for automatic; got {span!r}")
    return pair


def _float32_deviation(trainer, plane: _Plane, alpha, beta, loss) -> float:
    """Largest relative deviation of the float32 grid from float64 at the two nodes where it is
    most at risk: the grid's smallest loss (a good fit leaves small residuals computed from
    rounded logits) and the node nearest the current point."""
    lowest = np.unravel_index(np.argmin(np.where(np.isfinite(loss), loss, np.inf)), loss.shape)
    nearest = (int(np.abs(beta - plane.center[1]).argmin()),
               int(np.abs(alpha - plane.center[0]).argmin()))
    nodes = [lowest, nearest]
    thetas = np.array([plane.origin + alpha[j] * plane.d1 + beta[i] * plane.d2 for i, j in nodes])
    exact = parameter_losses(trainer, thetas)
    got = np.array([loss[node] for node in nodes])
    both = np.isfinite(exact) & np.isfinite(got) & (exact > 0)
    return float(np.max(np.abs(got - exact)[both] / exact[both], initial=0.0))


def _finite_max(values: np.ndarray) -> float:
    """The largest finite value, or nan if there is none."""
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else math.nan


def _log10(values):
    """log10(max(values, LOG_FLOOR)); nan stays nan."""
    return np.log10(np.maximum(values, LOG_FLOOR))


# ---------------------------------------------------------------------- the API
def landscape(trainer, mode: str = "random", resolution: int = 21, span=None, params=None,
              seed: int = 0, log_scale: bool = False, field_resolution: int = 0,
              dtype: str = "float32", should_stop=None) -> dict:
    """The loss surface around the current parameters, the descent path and gradient arrows.
    (Module docstring: the math, the directions, what "projection" means.)

    mode: "exact" -- L(w, b) for two-parameter models (one neuron on 1-D data); ValueError
            otherwise. Axes are absolute w and b.
          "params" -- slice along two parameters named in `params`, e.g. ["W1[0,1]", "b2[0]"].
          "random" -- filter-normalized random directions from `seed`.
          "pca" -- top two PCA directions of the trajectory; with fewer than 3 recorded points
            with a finite loss (or offsets of rank < 2) falls back to random and says so in
            "note".
          "auto" -- exact for two-parameter models, else pca (falling back to random).
    resolution: grid points per axis, 3..101. span: half-width of the alpha and beta ranges (a
    number, or a pair for the two axes); None: automatic from the trajectory (>= 1).
    log_scale: report log10(max(loss, 1e-12)) for every loss value in the result (grid, centre,
    path), so they stay comparable. field_resolution: 0 (no field) or 2..21.
    dtype: "float32" (fast; ~1e-7 relative) or "float64" precision of the grid's forward pass.
    should_stop: None, or a function of the fraction of the grid done (0..1) that is asked
    between chunks; when it returns True the computation stops with LandscapeCancelled
    (cooperative cancellation: a server thread that timed out ends within one chunk).

    Returns plain data (NumPy arrays):
      "mode": the mode used; "note": what the picture shows and what it does not;
      "labels": [alpha label, beta label];
      "alpha" (R,), "beta" (R,): the axes (absolute w, b for exact; offsets for slices);
      "loss" (R, R): loss[i, j] = L at (alpha[j], beta[i]);
      "center": [alpha_c, beta_c] of the current point ([0, 0] for slices), "center_loss";
      "path": {"steps", "alpha", "beta", "loss", "distance", "jump"} (k,) each: the recorded
        trajectory in least-squares coordinates, its true loss and its distance from the plane;
        jump[i] is True where the segment into point i contains a hand edit (set_params);
      "arrows": {"full_batch", "minibatch", "update"}: [d_alpha, d_beta] or None (see module doc);
      "field": None or {"alpha" (F,), "beta" (F,), "d_alpha" (F, F), "d_beta" (F, F)} indexed
        [beta_i, alpha_j] like "loss";
      "explained_variance": [r1, r2] for pca, else None; "log_scale"; "seconds": wall time.
    """
    started = time.perf_counter()
    _check_options(mode, resolution, field_resolution, dtype)
    with np.errstate(all="ignore"):  # diverged parameters give inf/nan values, never warnings
        result = _landscape(trainer, mode, int(resolution), _validated_span(span), params, seed,
                            log_scale, int(field_resolution), dtype, should_stop)
    result["seconds"] = time.perf_counter() - started
    return result


def _check_options(mode, resolution, field_resolution, dtype) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution must be an integer in {MIN_RESOLUTION}..{MAX_RESOLUTION}, "
                         f"got {resolution!r}")
    if isinstance(field_resolution, bool) or not isinstance(field_resolution, (int, np.integer)) \
            or not (field_resolution == 0 or 2 <= field_resolution <= MAX_FIELD_RESOLUTION):
        raise ValueError(f"field_resolution must be 0 (no field) or 2..{MAX_FIELD_RESOLUTION}, "
                         f"got {field_resolution!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {tuple(DTYPES)}, got {dtype!r}")


def _landscape(trainer, mode, resolution, span, params, seed, log_scale, field_resolution,
               dtype, should_stop=None) -> dict:
    """landscape() after option checks, with floating-point warnings silenced."""
    notes_before: list[str] = []
    steps, thetas = trainer.trajectory()
    finite = np.isfinite(thetas).all(axis=1)
    path_loss = _trajectory_data_losses(trainer, steps, thetas, should_stop)
    path_loss += penalty_rows(trainer.config, thetas, trainer.net.weight_mask)
    theta_now = trainer.net.theta
    # a diverged run's parameters may still be finite (its loss overflowed first)
    at_current = bool(np.isfinite(theta_now).all()) and trainer.status != "diverged"
    in_range = np.isfinite(path_loss)  # the path points the automatic range covers
    if at_current:
        theta_c = theta_now.copy()
    else:  # diverged: centre on the best recorded point, show the path up to it
        best = int(np.argmin(np.where(in_range, path_loss, np.inf))) if in_range.any() else None
        theta_c = thetas[best].copy() if best is not None else np.zeros_like(theta_now)
        where = f"step {int(steps[best])}" if best is not None else "theta = 0"
        in_range &= steps <= (steps[best] if best is not None else -1)
        notes_before.append(f"Training diverged: the loss or the parameters are not finite; "
                            f"the picture is "
                            f"centred at {where}, the recorded point with the lowest loss, and "
                            "its range covers the path up to there.")
    plane = _choose_plane(trainer, mode, params, seed, theta_c, thetas[in_range])

    # path: least-squares coordinates, true loss, distance from the plane
    if plane.mode == "exact":  # the plane is the whole parameter space
        coords, distances = thetas[finite].copy(), np.zeros(int(finite.sum()))
    else:
        coords, distances = plane_coordinates(plane.d1, plane.d2, thetas[finite] - plane.origin)
    path_loss = path_loss[finite]
    if not finite.all():
        notes_before.append(f"{int((~finite).sum())} non-finite trajectory point(s) are left "
                            "out of the path.")

    # grid
    center = np.array(plane.center)
    half_a, half_b = _half_widths(span, coords[in_range[finite]] - center)
    alpha = center[0] + np.linspace(-half_a, half_a, resolution)
    beta = center[1] + np.linspace(-half_b, half_b, resolution)
    loss = plane_losses(trainer, plane.origin, plane.d1, plane.d2, alpha, beta, dtype,
                        should_stop)
    if dtype == "float32":
        deviation = _float32_deviation(trainer, plane, alpha, beta, loss)
        if deviation > FLOAT32_TOLERANCE:
            loss = plane_losses(trainer, plane.origin, plane.d1, plane.d2, alpha, beta, "float64",
                                should_stop)
            notes_before.append(f"float32 deviated by {deviation:.1e} (relative) from float64 "
                                "near the minimum of this grid, so it was evaluated in float64.")
    center_loss = (trainer.training_loss() if at_current
                   else float(parameter_losses(trainer, theta_c)[0]))

    # arrows and field
    took_step = at_current and trainer.step_count > 0
    arrows = {
        "full_batch": _arrow(plane, -trainer.full_gradient(None if at_current else theta_c)),
        "minibatch": _arrow(plane, -trainer.last_minibatch_gradient() if took_step else None),
        "update": _arrow(plane, trainer.last_update() if took_step else None),
    }
    grad_field = (_gradient_field(trainer, plane, alpha, beta, field_resolution, should_stop)
                  if field_resolution else None)

    notes = notes_before + plane.notes
    if plane.mode != "exact" and distances.size > 1:
        extent = _finite_max(np.linalg.norm(thetas[finite] - theta_c, axis=1))
        notes.append(f"Path: {distances.size} recorded points at their least-squares coordinates "
                     f"in the plane, with their true loss; distance from the plane up to "
                     f"{_finite_max(distances):.3g} (the path reaches {extent:.3g} from the "
                     "centre), so the path is off the surface except where that distance "
                     "is ~0.")
    bad = int((~np.isfinite(loss)).sum())
    if bad:
        notes.append(f"{bad} grid point(s) have a non-finite loss (overflow).")
    if log_scale:
        loss, path_loss = _log10(loss), _log10(path_loss)
        center_loss = float(_log10(center_loss))
    return {
        "mode": plane.mode, "note": " ".join(notes), "labels": plane.labels,
        "alpha": alpha, "beta": beta, "loss": loss,
        "center": [float(center[0]), float(center[1])], "center_loss": float(center_loss),
        "path": {"steps": steps[finite], "alpha": coords[:, 0], "beta": coords[:, 1],
                 "loss": path_loss, "distance": distances,
                 "jump": trainer.trajectory_jumps()[finite]},
        "arrows": arrows, "field": grad_field,
        "explained_variance": plane.explained_variance,
        "log_scale": bool(log_scale),
    }
