import assert from "node:assert/strict";
import { test } from "node:test";

import { addPoint, kindOf, notReady, pointsFromDataset, removeNearest } from "../../static/js/drawn_points.js";

test("adding keeps points inside the square and rounds them", () => {
  let p = addPoint([], 1.234567, -2.5, 1);
  assert.deepEqual(p, [[1.2346, -2.5, 1]]);
  assert.equal(addPoint(p, 7, 0, 0), p);          // outside: unchanged
  p = addPoint(p, -6, 6, 0);
  assert.equal(p.length, 2);
});

test("shift-click removes the nearest point within the radius only", () => {
  const p = [[0, 0, 0], [1, 0, 1], [3, 3, 1]];
  assert.deepEqual(removeNearest(p, 0.8, 0.1, 0.5), [[0, 0, 0], [3, 3, 1]]);
  assert.equal(removeNearest(p, 2, 2, 0.5), p);
});

test("points are ready with four of two classes", () => {
  assert.match(notReady([[0, 0, 0]]), /at least 4/);
  assert.match(notReady([[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]]), /second class/);
  assert.equal(notReady([[0, 0, 0], [1, 0, 0], [2, 0, 1], [3, 0, 0]]), null);
  assert.equal(kindOf([[0, 0, 0], [1, 1, 1]]), "binary");
  assert.equal(kindOf([[0, 0, 0], [1, 1, 2]]), "multiclass");
});

test("drawing starts from the 2-D classification points in the square", () => {
  const d = { d: 2, xTrain: new Float64Array([1, 2, 9, 0]), yTrain: new Float64Array([1, 0]),
              xTest: new Float64Array([-1, -2]), yTest: new Float64Array([0]) };
  assert.deepEqual(pointsFromDataset(d, "binary"), [[1, 2, 1], [-1, -2, 0]]);
  assert.deepEqual(pointsFromDataset(d, "regression"), []);
  assert.deepEqual(pointsFromDataset({ ...d, d: 1 }, "binary"), []);
});
