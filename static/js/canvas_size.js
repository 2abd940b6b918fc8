// Sharp canvases: keep a canvas's backing store at its CSS size times the device pixel ratio,
// and tell the picture when that size changed (so it can redraw and rebuild cached layers).

/**
 * Watch a canvas whose CSS size is set by its box. Returns {ctx, width, height, changed()}:
 * width/height in CSS pixels; ctx is scaled so drawing uses CSS pixels; changed() is true once
 * after every resize.
 */
const resizeListeners = new Set();

/** Call fn whenever any sized canvas changes size (the wiring redraws then). */
export function onCanvasResize(fn) {
  resizeListeners.add(fn);
}

export function sizedCanvas(canvas) {
  const ctx = canvas.getContext("2d");
  const sized = { ctx, width: 0, height: 0, dpr: 1, dirty: true };
  function measure() {
    const rect = canvas.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (w === sized.width && h === sized.height && dpr === sized.dpr) return;
    sized.width = w;
    sized.height = h;
    sized.dpr = dpr;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    sized.dirty = true;
    for (const fn of resizeListeners) fn();
  }
  new ResizeObserver(measure).observe(canvas);
  measure();
  sized.changed = () => {
    const d = sized.dirty;
    sized.dirty = false;
    return d;
  };
  return sized;
}
