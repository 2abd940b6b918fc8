// Unit tests of static/js/line_chart.js's pure parts (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { keptTicks, legendRows, niceTicks } from "../../static/js/line_chart.js";

test("niceTicks covers the range with round, evenly spaced values", () => {
  const ticks = niceTicks(0.013, 0.92, 4);
  assert.ok(ticks.length >= 3 && ticks.length <= 8, `got ${ticks}`);
  assert.ok(ticks[0] >= 0.013 - 1e-12 && ticks.at(-1) <= 0.92 + 1e-12);
  const steps = ticks.slice(1).map((t, i) => +(t - ticks[i]).toPrecision(6));
  assert.ok(steps.every((s) => s === steps[0]), `uneven steps ${steps}`);
  assert.ok([1, 2, 5].includes(+String(steps[0]).replace(/0|\./g, "")[0]), `step ${steps[0]} is not 1, 2 or 5 x 10^k`);
});

test("legend items wrap into rows instead of running off the chart (every layer listed)", () => {
  const widths = Array(9).fill(30);   // L1..L8 and out
  const { placed, rows } = legendRows(widths, 150, 10);
  assert.equal(placed.length, 9);
  assert.ok(rows >= 2);
  for (const [k, p] of placed.entries()) assert.ok(p.x + widths[k] <= 150, `item ${k} at ${p.x} overflows`);
  assert.deepEqual(legendRows([40, 40], 200).rows, 1);
});

test("x tick labels never touch each other or the axis name ('3000step')", () => {
  const labels = [0, 1000, 2000, 3000].map((v, k) => ({ text: String(v), x: 50 + k * 60, width: 22 }));
  // the axis name "step" starts at 225: the label 3000 (219..241) must go
  const kept = keptTicks(labels, 225);
  assert.deepEqual(kept, [0, 1, 2]);
  // crowded labels: every other one
  const crowded = [0, 1, 2, 3, 4].map((k) => ({ x: 10 + k * 20, width: 18 }));
  const k2 = keptTicks(crowded, 1000);
  for (let i = 1; i < k2.length; i++) assert.ok(crowded[k2[i]].x - crowded[k2[i - 1]].x >= 18 + 6);
});
