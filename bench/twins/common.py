"""Shared pieces of the PyTorch twins: safetensors I/O and avdit's layers in PyTorch with avdit's
channels-last layout (linear [in, out], conv [...k, in, out]); the basic layers come from python/avdit_torch."""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from avdit_torch import safetensors  # noqa: E402
from avdit_torch.model import gelu, linear, ln  # noqa: E402,F401  (the layers every twin shares)


def load_safetensors(path):
    return {k: torch.tensor(v) for k, v in safetensors.load(path)[0].items()}


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
