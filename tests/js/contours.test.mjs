// Unit tests of static/js/contours.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { contourLines, evenLevels } from "../../static/js/contours.js";

function grid(rows, cols, f) {
  const v = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * cols + j] = f(i, j);
  return v;
}

test("a plane's contour is the straight line where it crosses the level", () => {
  const v = grid(5, 7, (i, j) => j);          // value = column
  const [{ lines }] = contourLines(v, 5, 7, [2.5]);
  const pts = lines.flat();
  assert.ok(pts.length >= 2);
  for (const [x] of pts) assert.ok(Math.abs(x - 2.5) < 1e-9, `x = ${x}`);
  const ys = pts.map((p) => p[1]);
  assert.ok(Math.min(...ys) <= 0 && Math.max(...ys) >= 4, "the line spans the grid");
});

test("no segment runs along the grid's border", () => {
  const v = grid(9, 9, (i, j) => (i - 4) ** 2 + (j - 4) ** 2 + 0.3 * j);
  for (const { lines } of contourLines(v, 9, 9, evenLevels(0, 40, 6))) {
    for (const line of lines) {
      for (let k = 1; k < line.length; k++) {
        const [a, b] = [line[k - 1], line[k]];
        const along = (a[0] === b[0] && (a[0] <= -0.5 || a[0] >= 8.5)) || (a[1] === b[1] && (a[1] <= -0.5 || a[1] >= 8.5));
        assert.ok(!along, `border segment ${a} -> ${b}`);
      }
    }
  }
});

test("a bowl's level set is a closed ring at the right radius", () => {
  const v = grid(21, 21, (i, j) => Math.hypot(i - 10, j - 10));
  const [{ lines }] = contourLines(v, 21, 21, [5]);
  assert.equal(lines.length, 1);
  for (const [x, y] of lines[0]) assert.ok(Math.abs(Math.hypot(x - 10, y - 10) - 5) < 0.25);
  const [first, last] = [lines[0][0], lines[0].at(-1)];
  assert.deepEqual(first, last);
});

test("non-finite values do not break the lines elsewhere", () => {
  const v = grid(6, 6, (i, j) => j);
  v[0] = NaN;
  const [{ lines }] = contourLines(v, 6, 6, [3.5]);
  assert.ok(lines.flat().some(([x]) => Math.abs(x - 3.5) < 1e-9));
});

test("evenLevels are strictly inside the range", () => {
  assert.deepEqual(evenLevels(0, 4, 3), [1, 2, 3]);
});
