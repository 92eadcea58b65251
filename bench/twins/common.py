"""Shared pieces of the PyTorch twins: safetensors I/O without extra packages, and avdit's layers in
PyTorch with avdit's channels-last layout (linear [in, out], conv [...k, in, out])."""
import json
import struct

import numpy as np
import torch
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dt = {"F32": np.float32, "F16": np.float16}[info["dtype"]]
        out[name] = torch.tensor(np.frombuffer(base[a:b], dtype=dt).astype(np.float32).reshape(info["shape"]))
    return out


def ln(x, eps=1e-6):
    return F.layer_norm(x, (x.shape[-1],), eps=eps)


def gelu(x):
    return F.gelu(x, approximate="tanh")


def linear(p, name, x):
    return x @ p[name + ".weight"] + p[name + ".bias"]


def conv(p, name, x, causal_axis=-1):
    """'same' channels-last conv; causal_axis pads that spatial axis on the left only (like avdit)."""
    w = p[name + ".weight"]
    nsp = w.dim() - 2
    k = list(w.shape[:nsp])
    pads = []
    for i in reversed(range(nsp)):  # F.pad wants the last axis first
        pads += [k[i] - 1, 0] if i == causal_axis else [(k[i] - 1) // 2, k[i] // 2]
    xc = x.movedim(-1, 1)  # [B, C, ...S]
    xc = F.pad(xc, pads)
    wt = w.permute(nsp + 1, nsp, *range(nsp))  # [Cout, Cin, ...k]
    y = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nsp](xc, wt)
    return y.movedim(1, -1) + p[name + ".bias"]


def res_block(p, name, x, causal_axis=-1):
    h = conv(p, name + ".conv1", gelu(ln(x)), causal_axis)
    return x + conv(p, name + ".conv2", gelu(ln(h)), causal_axis)


def space_to_depth(x, f):
    nsp = len(f)
    b, s, c = x.shape[0], list(x.shape[1:1 + nsp]), x.shape[-1]
    split = [b] + sum([[n // fi, fi] for n, fi in zip(s, f)], []) + [c]
    perm = [0] + [1 + 2 * i for i in range(nsp)] + [2 + 2 * i for i in range(nsp)] + [1 + 2 * nsp]
    return x.reshape(split).permute(perm).reshape([b] + [n // fi for n, fi in zip(s, f)] + [int(np.prod(f)) * c])


def depth_to_space(x, f):
    nsp = len(f)
    b, s = x.shape[0], list(x.shape[1:1 + nsp])
    c = x.shape[-1] // int(np.prod(f))
    split = [b] + s + list(f) + [c]
    perm = [0] + sum([[1 + i, 1 + nsp + i] for i in range(nsp)], []) + [1 + 2 * nsp]
    return x.reshape(split).permute(perm).reshape([b] + [n * fi for n, fi in zip(s, f)] + [c])
