"""PyTorch twin of src/model/avdit.ts and the loss of src/train/monl-loss.ts: same weights (avdit
layout), same constants (positional encodings and one-hot maps come from the TypeScript side)."""
import math

import torch

from common import gelu, linear, ln


def patchify(x, p):
    B, L, h, w, C = x.shape
    return x.reshape(B, L, h // p, p, w // p, p, C).permute(0, 1, 2, 4, 3, 5, 6).reshape(B, L * (h // p) * (w // p), p * p * C)


def unpatchify(t, p, L, h, w, C):
    B = t.shape[0]
    return t.reshape(B, L, h // p, w // p, p, p, C).permute(0, 1, 2, 4, 3, 5, 6).reshape(B, L, h, w, C)


def timestep_features(t, freqs):
    f = torch.exp(-math.log(10000) * torch.arange(freqs, dtype=torch.float32, device=t.device) / freqs)
    a = t[..., None] * f
    return torch.cat([torch.cos(a), torch.sin(a)], -1)


def modulate(x, shift, scale):
    return x * (1 + scale) + shift


def attention(p, name, x, heads):
    B, N, D = x.shape
    dh = D // heads
    qkv = linear(p, name + ".qkv", x).reshape(B, N, 3, heads, dh).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), -1)
    return linear(p, name + ".proj", (att @ v).transpose(1, 2).reshape(B, N, D))


def block(p, c, i, x, mod):
    D = c["width"]
    sh1, sc1, g1, sh2, sc2, g2 = [mod[..., j * D:(j + 1) * D] for j in range(6)]
    x = x + g1 * attention(p, f"blocks.{i}.attn", modulate(ln(x), sh1, sc1), c["heads"])
    h = linear(p, f"blocks.{i}.mlp.fc2", gelu(linear(p, f"blocks.{i}.mlp.fc1", modulate(ln(x), sh2, sc2))))
    return x + g2 * h


def forward(p, c, lay, k, video, audio, t_cells, sc_video=None, sc_audio=None):
    """lay: {"video": [L, h, w, C], "nv": Nv}; k: constants pe [N, D], cellOH [N, MS], tokenModOH, cellModOH."""
    P = c["patch"]
    v = patchify(video, P)
    a = audio
    if c["selfCondition"]:
        v = torch.cat([v, patchify(sc_video, P)], -1)
        a = torch.cat([a, sc_audio], -1)
    x = torch.cat([linear(p, "embed.video", v), linear(p, "embed.audio", a)], 1) + k["pe"] + k["tokenModOH"] @ p["embed.modality"]
    e = linear(p, "time.fc2", torch.nn.functional.silu(linear(p, "time.fc1", timestep_features(t_cells, c["timeFreqs"]))))
    cond = torch.nn.functional.silu(e + k["cellModOH"] @ p["time.modality"])  # [B, MS, D]
    for i in range(c["depth"]):
        x = block(p, c, i, x, k["cellOH"] @ linear(p, f"blocks.{i}.adaLN", cond))
    fin = k["cellOH"] @ linear(p, "final.adaLN", cond)
    D = c["width"]
    h = modulate(ln(x), fin[..., :D], fin[..., D:2 * D])
    nv = lay["nv"]
    L, hh, w, C = lay["video"]
    return unpatchify(linear(p, "head.video", h[:, :nv]), P, L, hh, w, C), linear(p, "head.audio", h[:, nv:])


def monl_loss(p, c, lay, k, xtV, xtA, epsV, epsA, sigV, noiV, sigA, noiA, t_cells, use_sc):
    scv = sca = None
    if c["selfCondition"]:
        with torch.no_grad():
            fv, fa = forward(p, c, lay, k, xtV, xtA, t_cells, torch.zeros_like(xtV), torch.zeros_like(xtA))
            scv = ((xtV - noiV * fv) / sigV).clamp(-4, 4) * use_sc
            sca = ((xtA - noiA * fa) / sigA).clamp(-4, 4) * use_sc
    ov, oa = forward(p, c, lay, k, xtV, xtA, t_cells, scv, sca)
    B = xtV.shape[0]
    seV = (ov - epsV).pow(2).reshape(B, -1).sum(1)
    seA = (oa - epsA).pow(2).reshape(B, -1).sum(1)
    return ((seV + seA) / (epsV[0].numel() + epsA[0].numel())).mean()


def loss_from_inputs(p, cfg, xtV, xtA, epsV, epsA, sigV, noiV, sigA, noiA, t_cells, use_sc, pe, cellOH, tokenModOH, cellModOH):
    """Entry for bench/twins/run.py: the batch tensors of monlBatchTensors, then the constants."""
    k = {"pe": pe, "cellOH": cellOH, "tokenModOH": tokenModOH, "cellModOH": cellModOH}
    return monl_loss({n: v for n, v in p.items()}, cfg["model"], cfg["lay"], k, xtV, xtA, epsV, epsA, sigV, noiV, sigA, noiA, t_cells, use_sc)
