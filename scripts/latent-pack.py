"""Packs a latent cache small enough to travel to a lent GPU machine (the tree + carried paths must stay under
64 MiB), and unpacks it there. The f32 tensors are rounded to f16 (relative error ≤ 2^-11, far below the
diffusion noise), split into high and low bytes (the high bytes, sign + exponent, compress well) and xz-compressed:
cache/latents-v2 goes 83 MB → 25 MB. Unpacking writes an ordinary f32 latent cache (latents.json + latents.safetensors)
that both trainers read unchanged.

  /usr/bin/python3 scripts/latent-pack.py pack cache/latents-v2 .gpu-data/latents-v2.pack
  python3 scripts/latent-pack.py unpack .gpu-data/latents-v2.pack /tmp/latents-v2      (on the device)
"""
import json
import lzma
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from avdit_torch import safetensors  # noqa: E402  (numpy only: runs without torch too)

MAGIC = b"AVDITLP1"


def pack(src, dst):
    manifest = open(os.path.join(src, "latents.json"), "rb").read()
    t, _ = safetensors.load(os.path.join(src, "latents.safetensors"))
    halves = {k: v.astype("<f2").view(np.uint8).reshape(-1, 2) for k, v in t.items()}
    hi = lzma.compress(b"".join(h[:, 1].tobytes() for h in halves.values()), preset=6)
    lo = lzma.compress(b"".join(h[:, 0].tobytes() for h in halves.values()), preset=1)
    meta = json.dumps({"tensors": [[k, list(v.shape)] for k, v in t.items()], "manifest": len(manifest), "hi": len(hi), "lo": len(lo)}).encode()
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    with open(dst + ".tmp", "wb") as f:
        f.write(MAGIC + struct.pack("<Q", len(meta)) + meta + manifest + hi + lo)
    os.replace(dst + ".tmp", dst)
    print(f"{dst}: {os.path.getsize(dst) / 1e6:.1f} MB ({sum(v.nbytes for v in t.values()) / 1e6:.1f} MB of f32 latents)")


def unpack(src, dst):
    buf = open(src, "rb").read()
    if buf[:8] != MAGIC:
        raise ValueError(f"{src}: not a latent pack (made by scripts/latent-pack.py pack)")
    n = struct.unpack("<Q", buf[8:16])[0]
    meta = json.loads(buf[16:16 + n])
    p = 16 + n
    manifest = buf[p:p + meta["manifest"]]
    p += meta["manifest"]
    hi = np.frombuffer(lzma.decompress(buf[p:p + meta["hi"]]), dtype=np.uint8)
    lo = np.frombuffer(lzma.decompress(buf[p + meta["hi"]:p + meta["hi"] + meta["lo"]]), dtype=np.uint8)
    tensors, at = {}, 0
    for k, shape in meta["tensors"]:
        m = int(np.prod(shape))
        u = np.empty((m, 2), dtype=np.uint8)
        u[:, 0], u[:, 1] = lo[at:at + m], hi[at:at + m]
        tensors[k] = u.reshape(-1).view("<f2").astype("<f4").reshape(shape)
        at += m
    os.makedirs(dst, exist_ok=True)
    safetensors.write_atomic(os.path.join(dst, "latents.safetensors"), safetensors.dumps(tensors))
    with open(os.path.join(dst, "latents.json"), "wb") as f:
        f.write(manifest)
    print(f"{dst}: " + ", ".join(f"{k} {shape}" for k, shape in meta["tensors"]))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    try:
        (pack if sys.argv[1] == "pack" else unpack)(sys.argv[2], sys.argv[3])
    except (ValueError, OSError) as e:
        sys.exit(f"latent-pack: {e}")
