// Unit tests of static/js/race/race_state.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { contourValues, createRaceState, directionArrow, ingestRaceFrame, interpolate, plotMapping } from "../../static/js/race/race_state.js";

const racer = (path_from, path) => ({ path_from, path, position: path[path.length - 1] });

test("paths merge from path_from and reset on path_from 0 or a new generation", () => {
  const s = createRaceState();
  ingestRaceFrame(s, { generation: 0, racers: [racer(0, [[0, 0]])] });
  ingestRaceFrame(s, { generation: 0, racers: [racer(0 + 0, [[0, 0], [1, 1]])] });
  assert.deepEqual(s.paths[0], [[0, 0], [1, 1]]);
  ingestRaceFrame(s, { generation: 0, racers: [racer(1, [[1, 1], [2, 2], [3, 3]])] });
  assert.deepEqual(s.paths[0], [[0, 0], [1, 1], [2, 2], [3, 3]]);
  ingestRaceFrame(s, { generation: 0, racers: [racer(3, [[3.5, 3.5]])] });   // live point replaced
  assert.deepEqual(s.paths[0].at(-1), [3.5, 3.5]);
  assert.equal(s.paths[0].length, 4);
  ingestRaceFrame(s, { generation: 1, racers: [racer(2, [[9, 9]])] });
  assert.deepEqual(s.paths[0], [[9, 9]]);
});

test("plotMapping maps the domain onto the box, y upwards, and back", () => {
  const m = plotMapping({ x: 10, y: 20, w: 200, h: 100 }, [[-2, 2], [-1, 3]]);
  assert.deepEqual(m.toPx([-2, -1]), [10, 120]);
  assert.deepEqual(m.toPx([2, 3]), [210, 20]);
  const back = m.toData(m.toPx([0.5, 1.25]));
  assert.ok(Math.abs(back[0] - 0.5) < 1e-12 && Math.abs(back[1] - 1.25) < 1e-12);
  assert.equal(m.inside([5, 50]), false);
  assert.equal(m.inside([50, 50]), true);
});

test("directionArrow has the asked length and points up for positive dy", () => {
  const [p, q] = directionArrow([100, 100], [3, 4], 10);
  assert.deepEqual(p, [100, 100]);
  assert.ok(Math.abs(Math.hypot(q[0] - 100, q[1] - 100) - 10) < 1e-12);
  assert.ok(q[1] < 100);
  assert.equal(directionArrow([0, 0], [0, 0], 10), null);
  assert.equal(directionArrow([0, 0], [NaN, 1], 10), null);
});

test("contourValues logs from the minimum, interpolate is exact on a linear grid", () => {
  const z = [[1, 10], [100, 1000]];
  const v = contourValues(z, true);
  assert.equal(v[0][0], 0);
  assert.ok(Math.abs(v[1][1] - Math.log10(1000)) < 1e-12);
  assert.equal(contourValues(z, false), z);
  const xs = [0, 1, 2];
  const ys = [0, 1];
  const lin = ys.map((y) => xs.map((x) => 2 * x + 3 * y));
  assert.ok(Math.abs(interpolate(xs, ys, lin, 1.5, 0.25) - (3 + 0.75)) < 1e-12);
});

test("rewrites count the frames that change more than a path's last point", () => {
  const s = createRaceState();
  ingestRaceFrame(s, { generation: 0, racers: [racer(0, [[0, 0], [1, 1]])] });
  const first = s.rewrites[0];
  ingestRaceFrame(s, { generation: 0, racers: [racer(1, [[1.5, 1.5], [2, 2]])] });   // the live point replaced
  ingestRaceFrame(s, { generation: 0, racers: [racer(2, [[2, 2], [3, 3]])] });
  assert.equal(s.rewrites[0], first, "appending (and replacing the last point) is no rewrite");
  ingestRaceFrame(s, { generation: 0, racers: [racer(0, [[0, 0], [3, 3]])] });         // thinned
  assert.equal(s.rewrites[0], first + 1);
  ingestRaceFrame(s, { generation: 0, racers: [racer(0, [[0, 0], [3, 3]]), racer(0, [[5, 5]])] });
  assert.equal(s.rewrites.length, 2);
  ingestRaceFrame(s, { generation: 1, racers: [racer(0, [[9, 9]])] });
  assert.deepEqual(s.rewrites, [1]);
});
