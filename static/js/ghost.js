// "Keep this run as a ghost": a copy of the run's curves (and of its descent path, with the plane
// it lies on) that outlives resets and changes, drawn faded under the live run for comparison,
// without creating a comparison group. The holder is client state (no view touches the server);
// the capture and the path check are pure (unit-tested with node --test).

/** An empty holder: {current: ghost or null, stamp: +1 on every keep or clear}. */
export function createGhost() {
  return { current: null, stamp: 0 };
}

/** "sgd · lr 0.03 · batch 10 · 4,2 tanh": what the run was, for the legend. */
export function ghostLabel(config) {
  if (!config) return "previous run";
  const parts = [config.optimizer, `lr ${config.learning_rate}`, `batch ${config.batch_size}`,
    `${config.hidden?.length ? config.hidden.join(",") : "no hidden"} ${config.activation}`];
  return parts.filter((p) => p != null && !String(p).includes("undefined")).join(" · ");
}

/**
 * A ghost of the snapshot now: copies (the snapshot's arrays are replaced or grow later) of the
 * loss and accuracy history against steps, the run's label and last step, and its descent path
 * with the plane it was drawn on ({mode, labels, layerSizes, rows: [[step, alpha, beta, loss,
 * distance]]}), or null before any history.
 */
export function captureGhost(snap) {
  const h = snap.history;
  if (!snap.header || !h.step.length) return null;
  const header = snap.header;
  const L = snap.landscape;
  let path = null;
  if (L?.path && L.pathShape?.[0]) {
    const rows = [];
    for (let i = 0; i < L.pathShape[0]; i++) rows.push(Array.from(L.path.subarray(i * 5, i * 5 + 5)));
    path = { mode: L.meta?.mode ?? null, labels: L.meta?.labels ?? null, layerSizes: header.layer_sizes ?? null, rows };
  }
  return {
    label: ghostLabel(header.config),
    lastStep: h.step[h.step.length - 1],
    history: {
      step: h.step.slice(), trainLoss: h.trainLoss.slice(), testLoss: h.testLoss.slice(),
      trainAccuracy: h.trainAccuracy.slice(), testAccuracy: h.testAccuracy.slice(),
    },
    path,
  };
}

/** Keep the snapshot as the ghost (replacing one held); false when there is nothing to keep. */
export function keepGhost(holder, snap) {
  const g = captureGhost(snap);
  if (!g) return false;
  holder.current = g;
  holder.stamp += 1;
  return true;
}

export function clearGhost(holder) {
  if (!holder.current) return;
  holder.current = null;
  holder.stamp += 1;
}

/**
 * Where the ghost's path may be drawn on the landscape shown now: {rows} when the two planes
 * are the same plane (the exact surface of a two-parameter model of the same shape: its axes are
 * the parameters themselves), else {reason} saying why not: a PCA, random or two-parameter slice
 * is placed around one run's own path and current point, so another run's coordinates on its
 * own slice mean nothing here.
 */
export function ghostPathOn(ghost, landscape, layerSizes) {
  const path = ghost?.path;
  if (!path) return { reason: "the ghost has no recorded path" };
  const mode = landscape?.meta?.mode;
  if (path.mode !== "exact" || mode !== "exact") {
    return { reason: "the ghost's path is not drawn: each run's slice is its own (only an exact surface is shared)" };
  }
  if (JSON.stringify(path.layerSizes) !== JSON.stringify(layerSizes)) {
    return { reason: "the ghost's path is not drawn: it had another network shape" };
  }
  return { rows: path.rows };
}
