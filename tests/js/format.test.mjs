// Unit tests of static/js/format.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatChange, formatNumber, formatPrecise, formatTicks } from "../../static/js/format.js";

test("huge and tiny numbers keep their leading digit (1.0e+258 is never '0e+258')", () => {
  assert.equal(formatNumber(1.0e258, 2), "1e+258");
  assert.equal(formatNumber(1.0e258, 1), "1e+258");
  assert.equal(formatNumber(-2.5e-7, 3), "-2.5e-7");
  assert.equal(formatNumber(9.99e257, 2), "1e+258");
  for (const x of [1e258, 3.7e120, 1e-300, -4.2e9]) {
    assert.ok(Math.abs(Number(formatNumber(x, 6)) / x - 1) < 1e-5, `${x} -> ${formatNumber(x, 6)}`);
  }
});

test("plain form between 1e-3 and 1e5, decided on the rounded value", () => {
  assert.equal(formatNumber(0.0301, 3), "0.0301");
  assert.equal(formatNumber(12345, 3), "12300");
  assert.equal(formatNumber(99999.7, 3), "1e+5");
  assert.equal(formatNumber(0.00099996, 3), "0.001");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(-0), "0");
  assert.equal(formatNumber(NaN), "–");
  assert.equal(formatNumber(null), "–");
  assert.equal(formatNumber(-Infinity), "-∞");
});

test("a tooltip's six digits show one small step's change", () => {
  const before = 0.693147;
  const after = before - 3e-6;
  assert.notEqual(formatPrecise(before), formatPrecise(after));
  assert.equal(formatPrecise(0.69314718), "0.693147");
  assert.equal(formatPrecise(1.234567891e-5), "1.23457e-5");
});

test("changes carry their sign", () => {
  assert.equal(formatChange(3e-6), "+3e-6");
  assert.equal(formatChange(-0.00312, 2), "-0.0031");
  assert.equal(formatChange(0), "0");
});

test("tick labels are distinct and read back as their ticks", () => {
  for (const ticks of [[0, 0.5, 1, 1.5, 2], [1000, 2000, 3000], [0, 5e257, 1e258], [0.1, 0.15, 0.2], [-1e-4, 0, 1e-4]]) {
    const labels = formatTicks(ticks);
    assert.equal(new Set(labels).size, labels.length, `${labels}`);
    labels.forEach((t, i) => assert.ok(Math.abs(Number(t) - ticks[i]) < 1e-9 * Math.max(1, Math.abs(ticks[i])), `${t} vs ${ticks[i]}`));
  }
  assert.deepEqual(formatTicks([0, 0.5, 1, 1.5]), ["0", "0.5", "1", "1.5"]);
  assert.deepEqual(formatTicks([0, 5e257, 1e258]), ["0", "5e+257", "1e+258"]);
});
