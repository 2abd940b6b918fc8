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
