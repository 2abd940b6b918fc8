// Unit tests of static/js/gradient_bars.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { barLayout, depthLabel } from "../../static/js/gradient_bars.js";

const BOX = { x: 30, y: 10, w: 120, h: 80 };

test("one bar per layer, left to right in depth order, inside the box", () => {
  for (const n of [1, 2, 3, 5, 9, 12]) {
    const values = Array.from({ length: n }, (_, l) => 10 ** (-l));
    const { bars } = barLayout(values, BOX);
    assert.equal(bars.length, n);
    bars.forEach((b, l) => {
      assert.equal(b.layer, l);
      assert.ok(b.x >= BOX.x - 1e-9 && b.x + b.w <= BOX.x + BOX.w + 1e-9);
      assert.ok(b.y >= BOX.y - 1e-9 && b.y + b.h <= BOX.y + BOX.h + 1e-9);
      if (l) assert.ok(b.x >= bars[l - 1].x + bars[l - 1].w, "bars do not overlap");
    });
    assert.equal(bars[n - 1].label, "out");
    assert.ok(bars[n - 1].labelShown);
  }
});

test("a vanishing gradient is a staircase: each layer nearer the input has a shorter bar", () => {
  // sigmoid-like: the norm shrinks ~4x per layer on its way back to the input
  const values = [1e-5, 4e-5, 1.6e-4, 6.4e-4, 2.6e-3, 1e-2, 4e-2, 0.16, 0.64];
  const { bars, decades } = barLayout(values, BOX);
  assert.ok(bars[0].h > 0, "the smallest norm still has a bar");
  for (let l = 1; l < bars.length; l++) assert.ok(bars[l].h > bars[l - 1].h);
  assert.equal(decades[0], -6);
  assert.equal(decades.at(-1), 0);
  // log scale: equal ratios give equal steps
  const step = bars[2].h - bars[1].h;
  assert.ok(Math.abs(bars[3].h - bars[2].h - step) < 1e-6 * BOX.h + 1e-9);
});

test("labels never overlap; the output's is always shown; non-finite values get an empty bar", () => {
  const values = [1, NaN, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const { bars } = barLayout(values, { x: 0, y: 0, w: 60, h: 50 });
  const shown = bars.filter((b) => b.labelShown);
  assert.ok(shown.at(-1).label === "out");
  for (let k = 1; k < shown.length; k++) {
    const a = shown[k - 1];
    const b = shown[k];
    assert.ok(b.x + b.w / 2 - (5.6 * b.label.length) / 2 >= a.x + a.w / 2 + (5.6 * a.label.length) / 2, `${a.label} / ${b.label}`);
  }
  assert.equal(bars[1].h, 0);
  assert.equal(bars[2].h, 0);
  assert.equal(barLayout([NaN, 0], BOX).bars.length, 0);
  assert.equal(depthLabel(0, 3), "L1");
  assert.equal(depthLabel(2, 3), "out");
});
