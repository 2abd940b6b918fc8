// Unit tests of static/js/line_chart.js's pure parts (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { niceTicks } from "../../static/js/line_chart.js";

test("niceTicks covers the range with round, evenly spaced values", () => {
  const ticks = niceTicks(0.013, 0.92, 4);
  assert.ok(ticks.length >= 3 && ticks.length <= 8, `got ${ticks}`);
  assert.ok(ticks[0] >= 0.013 - 1e-12 && ticks.at(-1) <= 0.92 + 1e-12);
  const steps = ticks.slice(1).map((t, i) => +(t - ticks[i]).toPrecision(6));
  assert.ok(steps.every((s) => s === steps[0]), `uneven steps ${steps}`);
  assert.ok([1, 2, 5].includes(+String(steps[0]).replace(/0|\./g, "")[0]), `step ${steps[0]} is not 1, 2 or 5 x 10^k`);
});
