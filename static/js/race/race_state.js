// An optimizer race's client state from its JSON frames (docs/protocol.md, "Optimizer races"),
// and the mapping between the function's (x, y) and the plot's pixels. Pure: unit-tested.

/** A fresh state. */
export function createRaceState() {
  return { frame: null, paths: [], rewrites: [], generation: -1, stamp: 0 };
}

/**
 * Take one race frame: each racer's path drops its points from `path_from` and appends the
 * frame's (path_from 0 replaces the whole path: a restart or a thinned path). rewrites[i]
 * counts the frames that changed more of racer i's points than the last one (the server
 * resends the last point each frame: it may have been the live position), so that a view
 * drawing paths incrementally knows when to redraw them all.
 */
export function ingestRaceFrame(state, frame) {
  if (frame.generation !== state.generation) {
    state.paths = [];
    state.rewrites = [];
    state.generation = frame.generation;
  }
  frame.racers.forEach((r, i) => {
    let path = state.paths[i];
    if (!path || r.path_from === 0 || r.path_from < path.length - 1) {
      state.rewrites[i] = (state.rewrites[i] ?? 0) + 1;
    }
    if (!path || r.path_from === 0) path = [];
    else path.length = Math.min(path.length, r.path_from);
    for (const p of r.path) path.push(p);
    state.paths[i] = path;
  });
  state.paths.length = frame.racers.length;
  state.rewrites.length = frame.racers.length;
  state.frame = frame;
  state.stamp += 1;
  return state;
}

/**
 * The linear map between data and pixels for a plot box {x, y, w, h} (CSS px) showing
 * domain [[x0, x1], [y0, y1]] (y grows upwards). Returns {toPx([x, y]) -> [px, py],
 * toData([px, py]) -> [x, y], inside([px, py]) -> bool}.
 */
export function plotMapping(box, domain) {
  const [[x0, x1], [y0, y1]] = domain;
  const sx = box.w / (x1 - x0);
  const sy = box.h / (y1 - y0);
  return {
    toPx: ([x, y]) => [box.x + (x - x0) * sx, box.y + box.h - (y - y0) * sy],
    toData: ([px, py]) => [x0 + (px - box.x) / sx, y0 + (box.y + box.h - py) / sy],
    inside: ([px, py]) => px >= box.x && px <= box.x + box.w && py >= box.y && py <= box.y + box.h,
  };
}

/**
 * An arrow of fixed pixel length in the direction of data vector v = [dx, dy] (y up), from
 * pixel point p: [[px, py], [qx, qy]], or null when v is zero or not finite.
 */
export function directionArrow(p, v, length) {
  const n = Math.hypot(v[0], v[1]);
  if (!(n > 0) || !Number.isFinite(n)) return null;
  return [p, [p[0] + (v[0] / n) * length, p[1] - (v[1] / n) * length]];
}

/** z values for a contour: log10(z - min + 1) on log-scaled functions, else z as is. */
export function contourValues(z, logScale) {
  if (!logScale) return z;
  let lo = Infinity;
  for (const row of z) for (const v of row) if (v < lo) lo = v;
  return z.map((row) => row.map((v) => Math.log10(v - lo + 1)));
}

/** Bilinear interpolation of grid z (rows over ys, columns over xs) at (x, y): path heights
 * for the 3-D view (the page never re-implements the function). */
export function interpolate(xs, ys, z, x, y) {
  const fx = ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1);
  const fy = ((y - ys[0]) / (ys[ys.length - 1] - ys[0])) * (ys.length - 1);
  const c = Math.max(0, Math.min(xs.length - 2, Math.floor(fx)));
  const r = Math.max(0, Math.min(ys.length - 2, Math.floor(fy)));
  const tx = Math.max(0, Math.min(1, fx - c));
  const ty = Math.max(0, Math.min(1, fy - r));
  const top = z[r][c] * (1 - tx) + z[r][c + 1] * tx;
  const bottom = z[r + 1][c] * (1 - tx) + z[r + 1][c + 1] * tx;
  return top * (1 - ty) + bottom * ty;
}
