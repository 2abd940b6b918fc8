// Frame decoder for the nn-playground live protocol (docs/protocol.md, version 1).
// One binary frame: "NNPF" | u16 version | u16 reserved | u32 header length | JSON header |
// zero padding to 8 bytes | sections at body + offset (each 8-byte aligned), little-endian.

export const PROTOCOL_VERSION = 1;
const MAGIC = "NNPF";
const PREFIX_BYTES = 12;

const TYPED = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
};

const textDecoder = new TextDecoder("utf-8");

/** Number of elements in an array of the given shape. */
function count(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/** value = lo + q * (hi - lo) / 255, for every byte q. */
export function dequantize(bytes, lo, hi) {
  const out = new Float32Array(bytes.length);
  const scale = (hi - lo) / 255;
  for (let i = 0; i < bytes.length; i++) out[i] = lo + bytes[i] * scale;
  return out;
}

/**
 * Decode one binary frame.
 * @param {ArrayBuffer} buffer the websocket message (ws.binaryType = "arraybuffer")
 * @returns {{header: object, sections: Object<string, Float32Array|Float64Array|Int32Array>,
 *            shapes: Object<string, number[]>,
 *            quantized: Object<string, {bytes: Uint8Array, lo: number, hi: number}>}}
 *   sections: f32/f64/i32 as views into buffer (read-only by convention); u8 sections with
 *   lo/hi dequantized into a new Float32Array on first read (a lazy property: a view that draws
 *   the raw bytes, quantized[name], never pays for it; test presence with `name in sections`).
 */
export function decodeFrame(buffer) {
  if (!(buffer instanceof ArrayBuffer)) {
    if (ArrayBuffer.isView(buffer)) {
      buffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    } else {
      throw new Error("decodeFrame: expected an ArrayBuffer");
    }
  }
  if (buffer.byteLength < PREFIX_BYTES) throw new Error("decodeFrame: frame too short");
  const view = new DataView(buffer);
  const magic = String.fromCharCode(
    view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3));
  if (magic !== MAGIC) throw new Error(`decodeFrame: bad magic ${JSON.stringify(magic)}`);
  const version = view.getUint16(4, true);
  if (version !== PROTOCOL_VERSION) {
    throw new Error(`decodeFrame: protocol version ${version}, this page speaks ${PROTOCOL_VERSION}`);
  }
  const headerLength = view.getUint32(8, true);
  if (PREFIX_BYTES + headerLength > buffer.byteLength) {
    throw new Error("decodeFrame: header runs past the end of the frame");
  }
  const header = JSON.parse(
    textDecoder.decode(new Uint8Array(buffer, PREFIX_BYTES, headerLength)));
  const body = Math.ceil((PREFIX_BYTES + headerLength) / 8) * 8;

  const sections = {};
  const shapes = {};
  const quantized = {};
  for (const s of header.sections || []) {
    const Typed = TYPED[s.dtype];
    if (!Typed) throw new Error(`decodeFrame: section ${s.name} has unknown dtype ${s.dtype}`);
    const n = count(s.shape);
    const start = body + s.offset;
    if (start + n * Typed.BYTES_PER_ELEMENT > buffer.byteLength) {
      throw new Error(`decodeFrame: section ${s.name} runs past the end of the frame`);
    }
    const data = new Typed(buffer, start, n);
    shapes[s.name] = s.shape;
    if (s.dtype === "u8" && s.lo !== undefined && s.hi !== undefined) {
      quantized[s.name] = { bytes: data, lo: s.lo, hi: s.hi };
      lazyDequantized(sections, s.name, data, s.lo, s.hi);
    } else {
      sections[s.name] = data;
    }
  }
  return { header, sections, shapes, quantized };
}

/** sections[name]: the dequantized bytes, computed once when first read (a large network's hidden
 *  grids are ~300k bytes a frame that the network view draws as bytes). */
function lazyDequantized(sections, name, bytes, lo, hi) {
  Object.defineProperty(sections, name, {
    enumerable: true,
    configurable: true,
    get() {
      const values = dequantize(bytes, lo, hi);
      Object.defineProperty(sections, name, { value: values, enumerable: true, writable: true, configurable: true });
      return values;
    },
  });
}

/** Row `i` of a 2-D section (a subarray view): e.g. row(sections.path, shapes.path, k). */
export function row(array, shape, i) {
  const width = count(shape.slice(1));
  return array.subarray(i * width, (i + 1) * width);
}
