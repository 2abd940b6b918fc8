// The diagnostics' bar chart of gradient norm against depth (pure; tests/js/gradient_bars.test.mjs):
// one bar per layer, first hidden layer at the left, output at the right, on a log scale, so a
// gradient that vanishes (or explodes) on its way back shows as a staircase at a glance.

/** Layer l's short name among n weight layers, as the line chart's legend names it: "L1" ... "out". */
export function depthLabel(l, n) {
  return l === n - 1 ? "out" : `L${l + 1}`;
}

/**
 * Bars for `values` (one gradient norm per layer, input side first) in `box` {x, y, w, h} (the
 * plotting area): the log10 axis spans whole decades around the finite positive values. Returns
 * {bars: [{layer, value, x, w, y, h, label, labelShown}], decades: [k...] (10^k gridlines),
 * lo, hi} or {bars: [], empty: reason}. Every layer gets a bar (a value that is not finite or
 * not positive gets a zero-height bar and the label "–"); labels are kept left to right while
 * they do not overlap (measure(text) -> px), the last one (the output) always.
 */
export function barLayout(values, box, measure = (t) => 5.6 * t.length, gap = 3) {
  const n = values.length;
  if (!n) return { bars: [], empty: "no layers" };
  const logs = values.map((v) => (Number.isFinite(v) && v > 0 ? Math.log10(v) : null));
  const ok = logs.filter((v) => v != null);
  if (!ok.length) return { bars: [], empty: "no gradient yet" };
  // whole decades, with room under the smallest bar (a real value never has a zero-height bar)
  const lo = Math.floor(Math.min(...ok) - 0.15);
  const hi = Math.max(lo + 1, Math.ceil(Math.max(...ok)));
  const pitch = box.w / n;
  const bw = Math.max(1, pitch - Math.min(gap, pitch * 0.3));
  const Y = (v) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h;
  const bars = values.map((value, layer) => {
    const x = box.x + layer * pitch + (pitch - bw) / 2;
    const top = logs[layer] == null ? box.y + box.h : Y(logs[layer]);
    return { layer, value, x, w: bw, y: top, h: box.y + box.h - top, label: depthLabel(layer, n), labelShown: false };
  });
  // labels under the bars: left to right while they fit, the output's always
  let right = -Infinity;
  const lastW = measure(bars[n - 1].label);
  const lastLeft = bars[n - 1].x + bars[n - 1].w / 2 - lastW / 2;
  for (const b of bars) {
    const w = measure(b.label);
    const l = b.x + b.w / 2 - w / 2;
    const isLast = b.layer === n - 1;
    if (!isLast && (l < right + 3 || l + w > lastLeft - 3)) continue;
    b.labelShown = true;
    right = l + w;
  }
  const decades = [];
  for (let k = lo; k <= hi; k++) decades.push(k);
  return { bars, decades, lo, hi, Y };
}
