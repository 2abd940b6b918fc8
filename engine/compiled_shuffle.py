"""NumPy's `Generator.permutation` on a PCG64 bit generator, compiled: the same stream.

The compiled loop shuffles each epoch inside its one call, and the shuffles must be the NumPy
path's (`Trainer._new_epoch`: rng.permutation(n)). NumPy's permutation(n) is arange(n) shuffled
by Fisher-Yates from the end, j = random_interval(i) (the smallest all-ones mask >= i, drawing
masked 32-bit words until one is <= i), each 32-bit word the low then the high half of one
64-bit PCG64 output (XSL-RR of a 128-bit LCG state). The state travels as six uint64 words
(pack_state / unpack_state) and is written back to the Generator, so both paths continue
from the same state. tests/engine/test_compiled_loop.py compares streams and states.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M32 = np.uint64(0xFFFFFFFF)
_S32, _S58, _S1, _S2, _S4, _S8, _S16 = (np.uint64(s) for s in (32, 58, 1, 2, 4, 8, 16))
_MULT_HI = np.uint64(0x2360ED051FC65DA4)
_MULT_LO = np.uint64(0x4385DF649FCCF645)
_ZERO, _ONE, _SIXTY_THREE = np.uint64(0), np.uint64(1), np.uint64(63)
# Indices into the state vector.
HI, LO, INC_HI, INC_LO, HAS32, UINT32 = range(6)
_MASK64 = (1 << 64) - 1


def pack_state(bit_generator) -> np.ndarray:
    """A PCG64's state as uint64 words [state hi, lo, inc hi, lo, has_uint32, uinteger]."""
    s = bit_generator.state
    if s["bit_generator"] != "PCG64":
        raise ValueError(f"the compiled shuffle implements PCG64, not {s['bit_generator']}")
    state, inc = s["state"]["state"], s["state"]["inc"]
    return np.array([state >> 64, state & _MASK64, inc >> 64, inc & _MASK64,
                     s["has_uint32"], s["uinteger"]], dtype=np.uint64)


def unpack_state(words: np.ndarray, bit_generator) -> None:
    """Write the words back into the PCG64."""
    w = [int(v) for v in words]
    bit_generator.state = {"bit_generator": "PCG64",
                           "state": {"state": (w[HI] << 64) | w[LO], "inc": (w[INC_HI] << 64) | w[INC_LO]},
                           "has_uint32": w[HAS32], "uinteger": w[UINT32]}


@njit(cache=True, nogil=True)
def _next64(s):
    """Advance the 128-bit LCG (state = state * MULT + inc mod 2^128) and return XSL-RR."""
    hi, lo = s[HI], s[LO]
    a0, a1 = lo & _M32, lo >> _S32
    b0, b1 = _MULT_LO & _M32, _MULT_LO >> _S32
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> _S32) + (p01 & _M32) + (p10 & _M32)
    new_lo = (p00 & _M32) | (mid << _S32)
    new_hi = p11 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32)
    new_hi = new_hi + hi * _MULT_LO + lo * _MULT_HI
    lo2 = new_lo + s[INC_LO]
    carry = _ONE if lo2 < new_lo else _ZERO
    hi2 = new_hi + s[INC_HI] + carry
    s[HI], s[LO] = hi2, lo2
    value = hi2 ^ lo2
    rot = hi2 >> _S58
    return (value >> rot) | (value << ((_ZERO - rot) & _SIXTY_THREE))


@njit(cache=True, nogil=True)
def _next32(s):
    if s[HAS32] != _ZERO:
        s[HAS32] = _ZERO
        return s[UINT32]
    nxt = _next64(s)
    s[HAS32] = _ONE
    s[UINT32] = nxt >> _S32
    return nxt & _M32


@njit(cache=True, nogil=True)
def random_interval(s, top):
    """A uniform integer in [0, top] (NumPy's random_interval)."""
    if top == _ZERO:
        return _ZERO
    mask = top
    mask |= mask >> _S1
    mask |= mask >> _S2
    mask |= mask >> _S4
    mask |= mask >> _S8
    mask |= mask >> _S16
    mask |= mask >> _S32
    if top <= _M32:
        value = _next32(s) & mask
        while value > top:
            value = _next32(s) & mask
    else:
        value = _next64(s) & mask
        while value > top:
            value = _next64(s) & mask
    return value


@njit(cache=True, nogil=True)
def permutation_into(s, order):
    """order = rng.permutation(len(order)), drawing from the state words s (updated). The same
    steps as _next64/_next32/random_interval above, with the state held in locals."""
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    hi, lo, inc_hi, inc_lo = s[HI], s[LO], s[INC_HI], s[INC_LO]
    has32, buffered = s[HAS32], s[UINT32]
    b0, b1 = _MULT_LO & _M32, _MULT_LO >> _S32
    for i in range(n - 1, 0, -1):
        top = np.uint64(i)
        mask = top
        mask |= mask >> _S1
        mask |= mask >> _S2
        mask |= mask >> _S4
        mask |= mask >> _S8
        mask |= mask >> _S16
        mask |= mask >> _S32
        while True:  # i < 2^32 always here: 32-bit draws
            if has32 != _ZERO:
                has32 = _ZERO
                word = buffered
            else:
                a0, a1 = lo & _M32, lo >> _S32
                p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
                mid = (p00 >> _S32) + (p01 & _M32) + (p10 & _M32)
                new_lo = (p00 & _M32) | (mid << _S32)
                new_hi = p11 + (p01 >> _S32) + (p10 >> _S32) + (mid >> _S32)
                new_hi = new_hi + hi * _MULT_LO + lo * _MULT_HI
                lo = new_lo + inc_lo
                hi = new_hi + inc_hi + (_ONE if lo < new_lo else _ZERO)
                value = hi ^ lo
                rot = hi >> _S58
                out = (value >> rot) | (value << ((_ZERO - rot) & _SIXTY_THREE))
                has32 = _ONE
                buffered = out >> _S32
                word = out & _M32
            word &= mask
            if word <= top:
                break
        j = np.int64(word)
        tmp = order[j]
        order[j] = order[i]
        order[i] = tmp
    s[HI], s[LO], s[HAS32], s[UINT32] = hi, lo, has32, buffered
