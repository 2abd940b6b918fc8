// Contour lines of a grid (pure; tests/js/contours.test.mjs): d3-contour's marching squares
// (static/vendor/d3-contour), turned into polylines in the grid's own units and without the
// pieces d3 adds along the grid's border to close its rings (a contour line is where the
// surface crosses a level, not the edge of the picture).

import { contours } from "../vendor/d3-contour/d3-contour.mjs";

/**
 * Polylines where `values` (rows x cols, row-major, row 0 first) crosses each of `levels`.
 * Returns [{level, lines: [[[x, y], ...], ...]}]: x is a column position, y a row position, in
 * node units (node (i, j) is at x = j, y = i; the picture spans -0.5 .. cols - 0.5).
 * Non-finite values count as below every level.
 */
export function contourLines(values, rows, cols, levels) {
  const clean = new Float64Array(rows * cols);
  for (let k = 0; k < clean.length; k++) clean[k] = Number.isFinite(values[k]) ? values[k] : -Infinity;
  const gen = contours().size([cols, rows]).smooth(true).thresholds(levels);
  // d3 pads the grid with "below every level", so rings that reach the outer nodes close along
  // the grid's edge; every real crossing lies between two nodes, strictly inside the edge
  const onBorder = (p) => p[0] <= 0 || p[0] >= cols || p[1] <= 0 || p[1] >= rows;
  return levels.map((level) => {
    const lines = [];
    for (const polygon of gen.contour(clean, level).coordinates) {
      for (const loop of polygon) {
        let line = [];
        for (const p of loop) {
          if (onBorder(p)) {
            if (line.length > 1) lines.push(line);
            line = [];
          } else {
            line.push([p[0] - 0.5, p[1] - 0.5]);
          }
        }
        if (line.length > 1) lines.push(line);
      }
    }
    return { level, lines };
  });
}

/** `count` levels evenly spaced strictly inside (lo, hi). */
export function evenLevels(lo, hi, count) {
  return Array.from({ length: count }, (_, k) => lo + ((hi - lo) * (k + 1)) / (count + 1));
}
