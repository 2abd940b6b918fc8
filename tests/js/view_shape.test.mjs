// The views' draw code stays in named steps (issue 8: "long draw functions split into named
// steps"): no function inside these views runs longer than MAX_LINES lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const MAX_LINES = 80;
const VIEWS = ["surface_view.js", "network_view.js", "diagnostics_view.js"];

/** [name, lines] of every function declared two spaces in (a view's inner functions). */
function innerFunctions(source) {
  const out = [];
  const lines = source.split("\n");
  let name = null;
  let start = 0;
  lines.forEach((line, k) => {
    const m = line.match(/^ {2}(?:async )?function (\w+)\(/);
    if (m) { name = m[1]; start = k; }
    else if (name && line === "  }") { out.push([name, k - start + 1]); name = null; }
  });
  return out;
}

test("no draw function of the views is longer than 80 lines", () => {
  for (const file of VIEWS) {
    const src = readFileSync(new URL(`../../static/js/${file}`, import.meta.url), "utf8");
    const fns = innerFunctions(src);
    assert.ok(fns.length >= 4, `${file}: found its functions`);
    for (const [name, n] of fns) assert.ok(n <= MAX_LINES, `${file}: ${name} is ${n} lines`);
  }
  const surface = innerFunctions(readFileSync(new URL("../../static/js/surface_view.js", import.meta.url), "utf8")).map((f) => f[0]);
  for (const step of ["contourGeometry", "drawHeatmap", "drawContourLines", "projectPath", "drawPath", "drawArrows", "drawAxes", "drawColorbar"]) {
    assert.ok(surface.includes(step), `surface_view.js: ${step}`);
  }
});
