import assert from "node:assert/strict";
import { test } from "node:test";

import { pictureName, stackPictures } from "../../static/js/picture_layout.js";

test("pictures stack top to bottom with gaps and padding", () => {
  const s = stackPictures([{ width: 100, height: 50 }, { width: 0, height: 10 }, { width: 80, height: 20 }], { gap: 4, pad: 2 });
  assert.deepEqual(s.places, [{ x: 2, y: 2 }, null, { x: 2, y: 56 }]);
  assert.equal(s.width, 104);
  assert.equal(s.height, 78);
  assert.deepEqual(stackPictures([{ width: 0, height: 0 }]), { width: 0, height: 0, places: [null] });
});

test("file names are safe", () => {
  assert.equal(pictureName("loss surface", 120), "nn-playground-loss-surface-step120.png");
  assert.equal(pictureName("../x", undefined), "nn-playground-x.png");
});
