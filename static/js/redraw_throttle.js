// When a throttled chart redraws: at most once per interval, and, while frames keep coming, in
// the same animation frame as a new frame (a chart drawn on its own between frames costs the
// browser a paint and a commit of its own). When frames stop, the owed redraw comes at the
// latest `2 x interval` after the last one.

/** A throttle of `intervalMs`: due(now, key, frame, resized) -> whether to redraw now (then it
 * counts as drawn); `key`: what the chart shows (no redraw while it is unchanged); `frame`: the
 * stamp of the newest frame (a new one means the page is drawing a frame now). owed(): newer
 * data waits (the page keeps animating). */
export function createRedrawThrottle(intervalMs) {
  let lastKey = null;
  let lastTime = -Infinity;
  let lastFrame;
  let owed = false;
  return {
    due(now, key, frame, resized = false) {
      const newFrame = frame !== lastFrame;
      lastFrame = frame;
      owed = key !== lastKey;
      const since = now - lastTime;
      const draw = resized || (owed && since >= intervalMs && (newFrame || since >= 2 * intervalMs));
      if (!draw) return false;
      lastKey = key;
      lastTime = now;
      owed = false;
      return true;
    },
    owed: () => owed,
  };
}
