"""avdit's host randomness (src/util/rng.ts), bit for bit: 32-bit keys, fold_in, and mulberry32 draws.

mulberry32's state after i draws is seed + i·0x6d2b79f5 (mod 2^32), so the i-th draw depends on i alone
and a whole array of draws is one vectorised numpy expression.
"""
import numpy as np

M32 = 0xFFFFFFFF


def fold_in(key, data):
    """A new key from `key` and `data` (a step, a purpose tag): src/util/rng.ts foldIn."""
    h = (int(key) ^ 0x9E3779B9) & M32
    h = ((h ^ (int(data) & M32)) * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    return (h ^ (h >> 16)) & M32


def _draws(seed, n):
    """n mulberry32 floats in [0, 1) as float64 (exactly the values JavaScript computes)."""
    a = (np.uint64(int(seed) & M32) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)) & np.uint64(M32)
    m = np.uint64(M32)
    t = a
    t = ((t ^ (t >> np.uint64(15))) * (t | np.uint64(1))) & m
    t = t ^ ((t + (((t ^ (t >> np.uint64(7))) * (t | np.uint64(61))) & m)) & m)
    return ((t ^ (t >> np.uint64(14))) & m).astype(np.float64) / 4294967296.0


def uniform(key, n):
    """n uniform float32 in [0, 1)."""
    return _draws(key, n).astype(np.float32)


def normal(key, n, scale=1.0):
    """n standard normal float32 (Box–Muller on pairs of draws, as avdit does)."""
    r = _draws(key, 2 * ((n + 1) // 2))
    u, v = 1 - r[0::2], r[1::2]
    m = np.sqrt(-2 * np.log(u)) * scale
    out = np.empty(2 * len(u), dtype=np.float64)
    out[0::2] = m * np.cos(2 * np.pi * v)
    out[1::2] = m * np.sin(2 * np.pi * v)
    return out[:n].astype(np.float32)


def randint(key, n, lo, hi):
    """n uniform integers in [lo, hi)."""
    u = uniform(key, n).astype(np.float64)
    return (lo + np.minimum(hi - lo - 1, np.floor(u * (hi - lo)))).astype(np.int64)


def hash_name(s):
    """FNV-1a of a parameter name (src/nn/params.ts): each parameter's initial noise depends on (seed, name)."""
    h = 0x811C9DC5
    for ch in s:
        h = ((h ^ ord(ch)) * 0x01000193) & M32
    return h
