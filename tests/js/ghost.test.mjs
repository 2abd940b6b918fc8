// Unit tests of static/js/ghost.js (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { captureGhost, clearGhost, createGhost, ghostLabel, ghostPathOn, keepGhost } from "../../static/js/ghost.js";

function snap({ mode = "exact", sizes = [1, 1] } = {}) {
  return {
    header: { layer_sizes: sizes, config: { optimizer: "sgd", learning_rate: 0.1, batch_size: 10, hidden: [], activation: "tanh" } },
    history: { step: [0, 1, 2], trainLoss: [1, 0.8, 0.6], testLoss: [1.1, 0.9, 0.7], trainAccuracy: [0.5, 0.6, 0.7], testAccuracy: [0.4, 0.5, 0.6] },
    landscape: { meta: { mode, labels: ["w", "b"] }, pathShape: [2, 5], path: Float32Array.from([0, 0.5, -1, 1, 0, 2, 0.7, -0.5, 0.6, 0]) },
  };
}

test("a ghost is a copy: the run's later history and path do not change it", () => {
  const s = snap();
  const g = captureGhost(s);
  s.history.step.push(3);
  s.history.trainLoss[0] = 99;
  s.landscape.path[1] = 42;
  assert.deepEqual(g.history.step, [0, 1, 2]);
  assert.equal(g.history.trainLoss[0], 1);
  assert.equal(g.lastStep, 2);
  assert.deepEqual(g.path.rows[0].slice(0, 3), [0, 0.5, -1]);
  assert.equal(g.label, "sgd · lr 0.1 · batch 10 · no hidden tanh");
  assert.equal(captureGhost({ header: null, history: { step: [] } }), null);
});

test("keep and clear change the holder's stamp; nothing to keep is refused", () => {
  const h = createGhost();
  assert.equal(keepGhost(h, { header: {}, history: { step: [] } }), false);
  assert.equal(h.stamp, 0);
  assert.equal(keepGhost(h, snap()), true);
  assert.equal(h.stamp, 1);
  assert.ok(h.current);
  clearGhost(h);
  assert.equal(h.current, null);
  assert.equal(h.stamp, 2);
  clearGhost(h);
  assert.equal(h.stamp, 2);
});

test("the ghost's path is drawn only on the same plane: the exact surface of the same shape", () => {
  const g = captureGhost(snap());
  assert.equal(ghostPathOn(g, { meta: { mode: "exact" } }, [1, 1]).rows.length, 2);
  assert.match(ghostPathOn(g, { meta: { mode: "pca" } }, [1, 1]).reason, /its own/);
  assert.match(ghostPathOn(g, { meta: { mode: "exact" } }, [2, 1]).reason, /another network shape/);
  const pca = captureGhost(snap({ mode: "pca", sizes: [2, 4, 1] }));
  assert.match(ghostPathOn(pca, { meta: { mode: "pca" } }, [2, 4, 1]).reason, /not drawn/);
  assert.equal(ghostLabel(null), "previous run");
});
