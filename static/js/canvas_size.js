// Sharp canvases: keep a canvas's backing store at its CSS size times the device pixel ratio,
// and tell the picture when that size changed (so it can redraw and rebuild cached layers).
//
// The canvases are opaque, painted over with the panel's colour (CSS --panel) instead of cleared
// to transparent: the compositor then copies them to the screen as they are, where a transparent
// canvas has to be blended over the panel drawn beneath it, on every frame it changes (without a
// GPU that is about a millisecond of the page's frame).

const resizeListeners = new Set();

/** Call fn whenever any sized canvas changes size (the wiring redraws then). */
export function onCanvasResize(fn) {
  resizeListeners.add(fn);
}

/**
 * Watch a canvas whose CSS size is set by its box. Returns {ctx, width, height, changed(),
 * clear()}: width/height in CSS pixels; ctx is scaled so drawing uses CSS pixels; changed() is
 * true once after every resize; clear() paints the whole canvas in the panel's colour.
 */
export function sizedCanvas(canvas) {
  const ctx = canvas.getContext("2d", { alpha: false });
  const sized = { ctx, width: 0, height: 0, dpr: 1, dirty: true, background: "#fff" };
  sized.clear = () => {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = sized.background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.restore();
  };
  function measure() {
    const rect = canvas.getBoundingClientRect();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    if (w === sized.width && h === sized.height && dpr === sized.dpr) return;
    sized.width = w;
    sized.height = h;
    sized.dpr = dpr;
    sized.background = getComputedStyle(canvas).getPropertyValue("--panel").trim() || "#fff";
    canvas.width = Math.round(w * dpr);   // an opaque canvas starts black: paint it until redrawn
    canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    sized.clear();
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
