"""Give freed memory back to the operating system.

A deleted run's arrays are freed, but glibc keeps freed heap pages (in every thread's arena:
frames and landscapes are built in worker threads) for reuse, so the process's RSS stays near
its peak. `malloc_trim(0)` returns them; elsewhere (no glibc) this is a no-op."""

from __future__ import annotations

import ctypes
import ctypes.util
import time

_libc = None
_last = 0.0
MIN_INTERVAL_SECONDS = 1.0


def _malloc_trim():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            _libc = False
    return getattr(_libc, "malloc_trim", None) if _libc else None


def give_back_memory(force: bool = False) -> bool:
    """malloc_trim(0), at most once a second unless forced; True if it ran."""
    global _last
    trim = _malloc_trim()
    now = time.monotonic()
    if trim is None or (not force and now - _last < MIN_INTERVAL_SECONDS):
        return False
    _last = now
    trim(0)
    return True
