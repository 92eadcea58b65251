"""PyTorch twin of src/model/activity.ts: video latents [B, L, h, w, C] -> speech logits per pixel frame [B, T]."""
import torch
import torch.nn.functional as F

from common import conv, gelu, linear


def forward(p, c, z):
    b, L = z.shape[0], z.shape[1]
    e = gelu(linear(p, "in", z.reshape(b, L, -1)))
    t = gelu(conv(p, "tc2", gelu(conv(p, "tc1", e))))
    o = linear(p, "out", e + t)  # [B, L, span]
    return torch.cat([o[:, k, : hi - lo + 1] for k, (lo, hi) in enumerate(c["frames"])], 1)


def bce(p, c, z, y):
    return F.binary_cross_entropy_with_logits(forward(p, c, z), y)
