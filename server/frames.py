"""FrameEncoder: snapshot (header dict + named arrays) -> one binary frame (docs/protocol.md).

    "NNPF" | u16 version | u16 reserved | u32 H | JSON header (H bytes) | zero pad to 8 |
    sections, each at body + offset (8-aligned), little-endian, C order.
"""

from __future__ import annotations

import collections
import json
import struct
import weakref

import numpy as np

from .snapshot import Sections, plain

MAGIC = b"NNPF"
VERSION = 1
PREFIX = struct.Struct("<4sHHI")
# dtype of every section not quantized; everything else is f32.
SECTION_DTYPES = {"history": "f64"}
NUMPY_DTYPES = {"f32": "<f4", "f64": "<f8", "i32": "<i4", "u8": "u1"}


def _align8(n: int) -> int:
    return (n + 7) & ~7


def quantize(a: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """q = round((a - lo) / (hi - lo) * 255) clipped to 0..255; non-finite values -> 0."""
    with np.errstate(all="ignore"):
        q = np.rint((a - lo) * (255.0 / (hi - lo)))
    q[~np.isfinite(q)] = 0
    return np.clip(q, 0, 255).astype(np.uint8)


class FrameEncoder:
    """Encodes frames of one layout; one instance serves every run. Quantized sections are
    memoized by array identity: grids reused across frames (see server/stream.py) are quantized once."""

    MEMO_SIZE = 256

    def __init__(self):
        self._quantized: collections.OrderedDict[int, tuple[weakref.ref, float, float,
                                                            np.ndarray]] = collections.OrderedDict()

    def _quantize(self, array: np.ndarray, lo: float, hi: float) -> np.ndarray:
        key = id(array)
        hit = self._quantized.get(key)
        if hit is not None and hit[0]() is array and hit[1] == lo and hit[2] == hi:
            self._quantized.move_to_end(key)
            return hit[3]
        data = quantize(np.asarray(array, dtype=float), lo, hi)
        self._quantized[key] = (weakref.ref(array), lo, hi, data)
        if len(self._quantized) > self.MEMO_SIZE:
            self._quantized.popitem(last=False)
        return data

    def encode(self, header: dict, sections: Sections) -> bytes:
        table, blobs, offset = [], [], 0
        for name, array in sections.arrays.items():
            entry = {"name": name}
            if name in sections.ranges:
                lo, hi = sections.ranges[name]
                data = self._quantize(array, lo, hi)
                entry.update(dtype="u8", lo=float(lo), hi=float(hi))
            else:
                dtype = SECTION_DTYPES.get(name, "f32")
                with np.errstate(over="ignore"):  # a diverged run's huge values become +-inf
                    data = np.ascontiguousarray(array, dtype=NUMPY_DTYPES[dtype])
                entry["dtype"] = dtype
            raw = data.tobytes()
            entry.update(shape=list(data.shape), offset=offset, nbytes=len(raw))
            table.append(entry)
            blobs.append(raw)
            pad = _align8(len(raw)) - len(raw)
            if pad:
                blobs.append(b"\0" * pad)
            offset += len(raw) + pad
        head = json.dumps(plain({**header, "version": VERSION, "sections": table}),
                          separators=(",", ":"), allow_nan=False).encode()
        start = PREFIX.size + len(head)
        return b"".join([PREFIX.pack(MAGIC, VERSION, 0, len(head)), head,
                         b"\0" * (_align8(start) - start), *blobs])


def decode_frame(frame: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The inverse, for tests and the bench: (header, {name: array}), u8 sections dequantized."""
    magic, version, _, length = PREFIX.unpack_from(frame, 0)
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"not a version-{VERSION} frame: {magic!r} v{version}")
    header = json.loads(frame[PREFIX.size:PREFIX.size + length])
    body = _align8(PREFIX.size + length)
    arrays = {}
    for s in header["sections"]:
        count = int(np.prod(s["shape"], dtype=np.int64))
        a = np.frombuffer(frame, dtype=NUMPY_DTYPES[s["dtype"]], count=count,
                          offset=body + s["offset"]).reshape(s["shape"])
        if s["dtype"] == "u8":
            a = s["lo"] + a.astype(np.float32) * ((s["hi"] - s["lo"]) / 255.0)
        arrays[s["name"]] = a
    return header, arrays
