// The nudge panel's numbers from an exported nudge sweep: L(x+h) - L(x), grad*h, the slope and
// its error against backprop, per h. Pure.

/** rows[k] for sweep.h[k]: {h, delta, gradH, slope, error} (null where L(x+h) was undefined). */
export function nudgeRows(sweep) {
  return sweep.h.map((h, k) => {
    const delta = sweep.delta[k];
    const slope = delta == null ? null : delta / h;
    return { h, delta, gradH: sweep.grad * h, slope, error: slope == null ? null : Math.abs(slope - sweep.grad) };
  });
}

/** Index of the step nearest h on the log scale. */
export function nearestStep(sweep, h) {
  let best = 0;
  for (let k = 1; k < sweep.h.length; k++) {
    if (Math.abs(Math.log10(sweep.h[k] / h)) < Math.abs(Math.log10(sweep.h[best] / h))) best = k;
  }
  return best;
}

/** Points [log10 h, log10 |error|] of the log-log plot; zero errors sit at `floor`. */
export function errorCurve(rows, floor = 1e-17) {
  return rows.filter((r) => r.error != null).map((r) => [Math.log10(r.h), Math.log10(Math.max(r.error, floor))]);
}

/** What the error curve shows, decided from its numbers: "round-off" when the error never rises
 *  above round-off even at the largest h (the output is linear in this leaf: no truncation
 *  error), else "both" (truncation at large h, round-off at tiny h). Round-off is taken as up to
 *  1e-9 relative to max(1, |grad|), far above double precision's 1e-16 and far below any
 *  curvature the nudge slider can reach at h = 1. */
export function curveShows(rows, grad) {
  const defined = rows.filter((r) => r.error != null);
  if (!defined.length) return "none";
  const largest = defined.reduce((a, r) => (r.h > a.h ? r : a));
  return largest.error <= 1e-9 * Math.max(1, Math.abs(grad)) ? "round-off" : "both";
}

/** The caption under the plot for what it shows (curveShows). */
export function curveCaption(shows, leaf) {
  if (shows === "round-off") {
    return `The output is linear in ${leaf}, so (L(x+h) − L(x)) / h equals the grad at every h: there is no `
      + "truncation error, only round-off shows (tiny h: L(x+h) − L(x) loses its digits). Pick "
      + "another leaf, or the neuron preset, to see the curve bend away at large h.";
  }
  if (shows === "both") {
    return "|numerical − backprop| against h: large h, the curve bends away (truncation); tiny h, "
      + "L(x+h) − L(x) loses its digits (round-off).";
  }
  return "pick a leaf to see |numerical − backprop| against h.";
}
