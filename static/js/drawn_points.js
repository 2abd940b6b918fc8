// Drawn datasets, pure: the list of points a learner draws on the output plot, [[x1, x2, class]].
// The server checks them again (engine/custom_data.py); these helpers only keep the page's copy.

/** The playground's square, where points are drawn (the server's DRAWN_DOMAIN). */
export const DRAW_DOMAIN = [[-6, 6], [-6, 6]];
export const MIN_POINTS = 4;
export const MAX_POINTS = 2000;

const inside = (x, [lo, hi]) => x >= lo && x <= hi;

/**
 * The points of a decoded dataset section ({xTrain, yTrain, xTest, yTest, d}) that lie in the
 * drawing square, train first: where drawing starts from. Only 2-D classification data qualifies.
 */
export function pointsFromDataset(dataset, task) {
  if (!dataset || dataset.d !== 2 || task === "regression") return [];
  const out = [];
  for (const [xs, ys] of [[dataset.xTrain, dataset.yTrain], [dataset.xTest, dataset.yTest]]) {
    for (let i = 0; i < ys.length; i++) {
      const p = [round(xs[2 * i]), round(xs[2 * i + 1]), ys[i] | 0];
      if (inside(p[0], DRAW_DOMAIN[0]) && inside(p[1], DRAW_DOMAIN[1])) out.push(p);
    }
  }
  return out.slice(0, MAX_POINTS);
}

/** Four decimals are plenty on a 12-unit square and keep uploads small. */
export function round(v) {
  return Math.round(v * 1e4) / 1e4;
}

/** A new list with the point added (unchanged if outside the square or at the bound). */
export function addPoint(points, x1, x2, cls) {
  if (!inside(x1, DRAW_DOMAIN[0]) || !inside(x2, DRAW_DOMAIN[1]) || points.length >= MAX_POINTS) return points;
  return [...points, [round(x1), round(x2), cls]];
}

/** A new list without the point nearest (x1, x2) if it lies within `radius`; else unchanged. */
export function removeNearest(points, x1, x2, radius) {
  let best = -1;
  let bestD = radius * radius;
  points.forEach(([a, b], i) => {
    const d = (a - x1) ** 2 + (b - x2) ** 2;
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best < 0 ? points : points.filter((_, i) => i !== best);
}

/** Why these points cannot make a dataset yet (null when they can). */
export function notReady(points) {
  if (points.length < MIN_POINTS) return `add at least ${MIN_POINTS} points (${points.length} so far)`;
  if (new Set(points.map((p) => p[2])).size < 2) return "add points of a second class";
  return null;
}

/** "binary" for classes 0/1 only, else "multiclass" (what the server will call it). */
export function kindOf(points) {
  return points.every((p) => p[2] <= 1) ? "binary" : "multiclass";
}
