// Unit tests of static/js/protocol.js's decoding of quantized (u8) sections and of the snapshot's
// grids built from them: dequantized only when read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame } from "../../static/js/protocol.js";
import { createSnapshot } from "../../static/js/snapshot.js";

/** One version-1 frame with the given sections [{name, dtype, shape, data: TypedArray, lo?, hi?}]. */
function encode(header, sections) {
  let offset = 0;
  const table = sections.map((s) => {
    const entry = { name: s.name, dtype: s.dtype, shape: s.shape, offset };
    if (s.lo !== undefined) Object.assign(entry, { lo: s.lo, hi: s.hi });
    offset += Math.ceil(s.data.byteLength / 8) * 8;
    return entry;
  });
  const json = new TextEncoder().encode(JSON.stringify({ ...header, sections: table }));
  const body = Math.ceil((12 + json.length) / 8) * 8;
  const buf = new ArrayBuffer(body + offset);
  const bytes = new Uint8Array(buf);
  bytes.set([..."NNPF"].map((c) => c.charCodeAt(0)), 0);
  const view = new DataView(buf);
  view.setUint16(4, 1, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  sections.forEach((s, k) => bytes.set(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength), body + table[k].offset));
  return buf;
}

const q = Uint8Array.from([0, 51, 255, 102, 204, 255]);

test("a u8 section is dequantized (lo + q (hi - lo) / 255) when first read, once", () => {
  const f = decodeFrame(encode({ seq: 1 }, [{ name: "grid", dtype: "u8", shape: [2, 3], data: q, lo: -1, hi: 1 }]));
  assert.ok("grid" in f.sections);
  assert.deepEqual(Object.keys(f.sections), ["grid"]);
  assert.equal(typeof Object.getOwnPropertyDescriptor(f.sections, "grid").get, "function", "not computed before it is read");
  const values = f.sections.grid;
  assert.ok(values instanceof Float32Array);
  assert.deepEqual([...values].map((v) => Math.round(v * 1000) / 1000), [-1, -0.6, 1, -0.2, 0.6, 1]);
  assert.equal(f.sections.grid, values, "the same array on every read");
  assert.deepEqual([...f.quantized.grid.bytes], [...q]);
});

test("the snapshot's grids carry the bytes; their values are the frame's, read on demand", () => {
  const header = { seq: 1, generation: 1, metrics: { step: 0 }, layer_sizes: [2, 1] };
  const f = decodeFrame(encode(header, [
    { name: "hidden_grids", dtype: "u8", shape: [1, 2, 3], data: q, lo: 0, hi: 1 },
    { name: "weights", dtype: "f32", shape: [3], data: Float32Array.from([1, 2, 3]) },
  ]));
  const snap = createSnapshot();
  snap.ingest(f);
  assert.equal(snap.stamps.hidden, 1);
  assert.deepEqual([...snap.hiddenGrids.bytes], [...q]);
  assert.deepEqual(snap.hiddenGrids.shape, [1, 2, 3]);
  assert.equal(typeof Object.getOwnPropertyDescriptor(f.sections, "hidden_grids").get, "function", "ingesting did not dequantize");
  assert.equal(snap.hiddenGrids.values[2], 1);
  assert.equal(snap.hiddenGrids.values, f.sections.hidden_grids);
  assert.equal(snap.outputGrid, null, "no output grid in this frame");
});
