"""AVDiT in PyTorch (src/model/avdit.ts), functional over a {name: tensor} dict in avdit's layout
(linear weights [in, out]): the same parameter names, shapes, initial values and forward pass.

Axis legend: B batch · S segments · MS = 2S cells · N tokens · D width.
Per-token conditioning is computed per cell and broadcast with the one-hot cellOH [N, MS], as in avdit.
(avdit pads the sequence to a multiple of 16 and masks the padding as keys; that changes nothing on real
tokens, so it is not repeated here.)
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from .rng import fold_in, hash_name, normal

VIDEO_FRAME_GAIN = 4  # the frame context output gain (src/model/avdit.ts VIDEO_FRAME_GAIN)

PRESETS = {
    "tiny": {"width": 32, "depth": 2, "heads": 2, "mlpRatio": 2, "patch": 2, "timeFreqs": 16, "selfCondition": False},
    "small": {"width": 192, "depth": 4, "heads": 4, "mlpRatio": 4, "patch": 2, "timeFreqs": 64, "selfCondition": False},
    "base": {"width": 384, "depth": 8, "heads": 6, "mlpRatio": 4, "patch": 2, "timeFreqs": 128, "selfCondition": True},
    "paper": {"width": 1024, "depth": 24, "heads": 16, "mlpRatio": 4, "patch": 2, "timeFreqs": 128, "selfCondition": True},
}
CONFIG_FIELDS = {"width": int, "depth": int, "heads": int, "mlpRatio": (int, float), "patch": int, "timeFreqs": int, "selfCondition": bool}


def validate(c, source="avdit"):
    for k, t in CONFIG_FIELDS.items():
        if k not in c:
            raise ValueError(f"{source}: model config has no \"{k}\"")
        if not isinstance(c[k], t):
            raise ValueError(f"{source}: model.{k} = {c[k]!r} has the wrong type")
    if c["width"] % c["heads"]:
        raise ValueError(f"{source}: width {c['width']} is not divisible by {c['heads']} heads")
    if c["width"] % 4:
        raise ValueError(f"{source}: width {c['width']} must be a multiple of 4")
    if not isinstance(c.get("videoContext", False), bool):
        raise ValueError(f"{source}: videoContext {c.get('videoContext')!r} must be true or false")
    if not isinstance(c.get("videoFrameContext", False), bool):
        raise ValueError(f"{source}: videoFrameContext {c.get('videoFrameContext')!r} must be true or false")
    K = c.get("audioContext", 0)
    if not (isinstance(K, int) and not isinstance(K, bool) and 0 <= K <= 64):
        raise ValueError(f"{source}: audioContext {K!r} must be a whole number in 0..64")
    return c


# ---- parameters ---------------------------------------------------------------------------------

def _linear(name, cin, cout, zero=False):
    return {f"{name}.weight": ([cin, cout], "zeros" if zero else "fanIn"), f"{name}.bias": ([cout], "zeros")}


def specs(c, lay):
    """{name: (shape, init)} in avdit's order; init is 'zeros', 'fanIn' or ('normal', std)."""
    D, Fw, k = c["width"], int(c["mlpRatio"] * c["width"]), 2 if c["selfCondition"] else 1
    s = {}
    s.update(_linear("embed.video", k * lay.video_features, D))
    s.update(_linear("embed.audio", k * lay.audio_features, D))
    s["embed.modality"] = ([2, D], ("normal", 0.02))
    s.update(_linear("time.fc1", 2 * c["timeFreqs"], D))
    s.update(_linear("time.fc2", D, D))
    s["time.modality"] = ([2, D], ("normal", 0.02))
    s.update(_linear("final.adaLN", D, 2 * D, True))
    s.update(_linear("head.video", D, lay.video_features, True))
    s.update(_linear("head.audio", D, lay.audio_features, True))
    if c.get("audioContext"):
        s.update(_linear("embed.audioContext", (2 * c["audioContext"] + 1) * lay.audio_features, D, True))
    if c.get("videoContext"):
        L, h, w, C = lay.video
        s.update(_linear("embed.videoContext", h * w * C, D, True))
    if c.get("videoFrameContext"):
        L, h, w, C = lay.video
        s.update(_linear("embed.videoFrames", h * w * C, lay.sub_frames * D, True))
    for i in range(c["depth"]):
        s.update(_linear(f"blocks.{i}.adaLN", D, 6 * D, True))
        s.update(_linear(f"blocks.{i}.attn.qkv", D, 3 * D))
        s.update(_linear(f"blocks.{i}.attn.proj", D, D))
        s.update(_linear(f"blocks.{i}.mlp.fc1", D, Fw))
        s.update(_linear(f"blocks.{i}.mlp.fc2", Fw, D))
    return s


def init_params(sp, seed):
    """avdit's initial weights for `seed` (src/nn/params.ts initHostParams): float32 numpy arrays."""
    key = fold_in(seed, 0x1417)
    out = {}
    for name, (shape, init) in sp.items():
        n = int(np.prod(shape))
        if init == "zeros":
            out[name] = np.zeros(shape, np.float32)
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) >= 2 else shape[0]
            std = 1 / math.sqrt(fan_in) if init == "fanIn" else init[1]
            out[name] = normal(fold_in(key, hash_name(name)), n, std).reshape(shape)
    return out


def check_against_specs(params, sp, source):
    for k, (shape, _) in sp.items():
        if k not in params:
            raise ValueError(f"{source}: missing tensor \"{k}\" (checkpoint does not match this model)")
        if list(params[k].shape) != list(shape):
            raise ValueError(f"{source}: tensor \"{k}\" has shape {list(params[k].shape)}, the model expects {list(shape)}")
    extra = [k for k in params if k not in sp]
    if extra:
        raise ValueError(f"{source}: unexpected tensor \"{extra[0]}\" (checkpoint does not match this model)")


# ---- forward --------------------------------------------------------------------------------------

def ln(x, eps=1e-6):
    return F.layer_norm(x, (x.shape[-1],), eps=eps)


def gelu(x):
    return F.gelu(x, approximate="tanh")


def linear(p, name, x):
    return x @ p[name + ".weight"] + p[name + ".bias"]


def patchify(x, p):
    B, L, h, w, C = x.shape
    return x.reshape(B, L, h // p, p, w // p, p, C).permute(0, 1, 2, 4, 3, 5, 6).reshape(B, L * (h // p) * (w // p), p * p * C)


def unpatchify(t, p, L, h, w, C):
    B = t.shape[0]
    return t.reshape(B, L, h // p, w // p, p, p, C).permute(0, 1, 2, 4, 3, 5, 6).reshape(B, L, h, w, C)


def time_freqs(freqs, device=None):
    """exp(−ln(10⁴)·k/F) in float64, rounded to float32 (as avdit builds it)."""
    f = np.exp(-math.log(10000) * np.arange(freqs) / freqs).astype(np.float32)
    return torch.tensor(f, device=device)


def timestep_features(t, freqs):
    a = t[..., None] * time_freqs(freqs, t.device)
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
    """ε̂ for noisy latents video [B, L, h, w, C] and audio [B, La, Ca] with one timestep per cell
    t_cells [B, 2S]; k: the constants of layout.consts as tensors."""
    P = c["patch"]
    v, a = patchify(video, P), audio
    if c["selfCondition"]:
        v = torch.cat([v, patchify(sc_video, P)], -1)
        a = torch.cat([a, sc_audio], -1)
    ev = linear(p, "embed.video", v)
    if c.get("audioContext"):  # the aligned audio context of every video token (avdit's audioContextTokens)
        B, L, D = audio.shape[0], lay.video[0], c["width"]
        f = linear(p, "embed.audioContext", (k["audioGather"] @ audio).reshape(B, L, -1))  # [B, L, D]
        ev = ev + f[:, :, None, :].expand(B, L, lay.nv // L, D).reshape(B, lay.nv, D)
    ea = linear(p, "embed.audio", a)
    vctx = None
    if c.get("videoContext"):  # every audio token + its segment's video latent frame (avdit's videoContextTokens)
        vctx = k["audioSegOH"] @ linear(p, "embed.videoContext", video.reshape(video.shape[0], lay.video[0], -1))
    if c.get("videoFrameContext"):  # + the projection made for its pixel frame (avdit's videoFrameTokens)
        B, L = video.shape[0], lay.video[0]
        f = linear(p, "embed.videoFrames", video.reshape(B, L, -1)).reshape(B, L * lay.sub_frames, c["width"]) * VIDEO_FRAME_GAIN
        vctx = k["audioFrameOH"] @ f if vctx is None else vctx + k["audioFrameOH"] @ f
    if vctx is not None:
        ea = ea + vctx
    x = torch.cat([ev, ea], 1) + k["pe"] + k["tokenModOH"] @ p["embed.modality"]
    e = linear(p, "time.fc2", F.silu(linear(p, "time.fc1", timestep_features(t_cells, c["timeFreqs"]))))
    cond = F.silu(e + k["cellModOH"] @ p["time.modality"])  # [B, MS, D]
    for i in range(c["depth"]):
        x = block(p, c, i, x, k["cellOH"] @ linear(p, f"blocks.{i}.adaLN", cond))
    fin = k["cellOH"] @ linear(p, "final.adaLN", cond)
    D = c["width"]
    h = modulate(ln(x), fin[..., :D], fin[..., D:2 * D])
    L, hh, w, C = lay.video
    return unpatchify(linear(p, "head.video", h[:, :lay.nv]), P, L, hh, w, C), linear(p, "head.audio", h[:, lay.nv:])
