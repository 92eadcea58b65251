"""PyTorch twin of src/codecs/video-codec.ts: same layers, same weights (avdit layout), same outputs."""
import math

import torch

from common import conv, gelu, linear, ln, res_block, space_to_depth, depth_to_space

G = 4  # temporal group
DISC_GAIN = 10  # the discriminator's weights are stored ÷ this (train-video.ts DISC_GAIN)


def arch(c):
    return c.get("arch", "v1")


def stage_widths(c):
    n = int(round(math.log2(c.get("spatialFactor", 4))))
    return [max(16, c["hidden"] >> (n - i)) for i in range(n + 1)]


def group_frames(frames):
    B, T, H, W, _ = frames.shape
    L = 1 + (T - 1) // G
    x = frames * 2 - 1
    x = torch.cat([x[:, :1].repeat(1, G - 1, 1, 1, 1), x], 1)
    return x.reshape(B, L, G, H, W, 3).permute(0, 1, 3, 4, 2, 5).reshape(B * L, H, W, G * 3)


def ungroup_frames(x, B):
    BL, H, W, _ = x.shape
    L = BL // B
    x = x.reshape(B, L, H, W, G, 3).permute(0, 1, 4, 2, 3, 5).reshape(B, L * G, H, W, 3)[:, G - 1:]
    return x * 0.5 + 0.5


def time_mix(p, name, x, B):
    y = x.reshape(B, -1, *x.shape[1:])
    return (y + conv(p, name, gelu(ln(y)), 0)).reshape(x.shape)


def encode_v2(p, c, frames):
    B = frames.shape[0]
    n = len(stage_widths(c)) - 1
    x = conv(p, "enc.in", group_frames(frames))
    for i in range(1, n + 1):
        x = linear(p, f"enc.down{i}", space_to_depth(gelu(ln(x)), [2, 2]))
        if i < n:
            x = res_block(p, f"enc.stage{i}", x)
    x = time_mix(p, "enc.time", x, B)
    for i in range(c["resBlocks"]):
        x = res_block(p, f"enc.res{i}", x)
    x = conv(p, "enc.out", gelu(ln(x)))
    return x.reshape(B, -1, *x.shape[1:])


def decode_v2(p, c, z):
    B, L = z.shape[:2]
    n = len(stage_widths(c)) - 1
    x = conv(p, "dec.in", z.reshape(B * L, *z.shape[2:]))
    x = time_mix(p, "dec.time", x, B)
    for i in range(c["resBlocks"]):
        x = res_block(p, f"dec.res{i}", x)
    for i in range(n, 0, -1):
        x = depth_to_space(linear(p, f"dec.up{i}", gelu(ln(x))), [2, 2])
        if i > 1:
            x = res_block(p, f"dec.stage{i - 1}", x)
    return ungroup_frames(conv(p, "dec.out", gelu(ln(x))), B)


def encode_video(p, c, frames):
    if arch(c) == "v2":
        return encode_v2(p, c, frames)
    B, T, H, W, _ = frames.shape
    L = 1 + (T - 1) // G
    x = frames * 2 - 1
    x = torch.cat([x[:, :1].repeat(1, G - 1, 1, 1, 1), x], 1)
    x = x.reshape(B, L, G, H, W, 3).permute(0, 1, 3, 4, 2, 5).reshape(B * L, H, W, G * 3)
    x = conv(p, "enc.in", space_to_depth(x, [4, 4]))
    for i in range(c["resBlocks"]):
        x = res_block(p, f"enc.res{i}", x)
    x = x.reshape(B, L, *x.shape[1:])
    x = x + conv(p, "enc.time", gelu(ln(x)), 0)
    x = linear(p, "enc.down", space_to_depth(x.reshape(B * L, *x.shape[2:]), [2, 2]))
    x = res_block(p, "enc.mid", x)
    x = conv(p, "enc.out", gelu(ln(x)))
    return x.reshape(B, L, *x.shape[1:])


def decode_video(p, c, z):
    if arch(c) == "v2":
        return decode_v2(p, c, z)
    B, L, h, w, _ = z.shape
    x = conv(p, "dec.in", z.reshape(B * L, h, w, -1)).reshape(B, L, h, w, -1)
    x = (x + conv(p, "dec.time", gelu(ln(x)), 0)).reshape(B * L, h, w, -1)
    x = res_block(p, "dec.mid", x)
    x = depth_to_space(linear(p, "dec.up", x), [2, 2])
    for i in range(c["resBlocks"]):
        x = res_block(p, f"dec.res{i}", x)
    x = x.reshape(B, L, *x.shape[1:])
    x = (x + conv(p, "dec.time2", gelu(ln(x)), 0)).reshape(B * L, *x.shape[2:])
    x = depth_to_space(conv(p, "dec.out", gelu(ln(x))), [4, 4])
    H, W = 8 * h, 8 * w
    x = x.reshape(B, L, H, W, G, 3).permute(0, 1, 4, 2, 3, 5).reshape(B, L * G, H, W, 3)[:, G - 1:]
    return x * 0.5 + 0.5


def train_loss(p, c, frames, weights=None, motion=0.0):
    """The reconstruction loss of src/codecs/node/train-video.ts without latent noise; `weights`
    [1, 1, H, W, 1] is the region weight map (None = plain L1); `motion` the motion term's weight."""
    z = encode_video(p, c, frames)
    d = decode_video(p, c, z) - frames
    if weights is None:
        g = (d[:, :, 1:] - d[:, :, :-1]).abs().mean() + (d[:, :, :, 1:] - d[:, :, :, :-1]).abs().mean()
        return d.abs().mean() + 0.5 * g + 1e-3 * z.pow(2).mean()
    g = ((d[:, :, 1:] - d[:, :, :-1]).abs() * weights[:, :, 1:]).mean() + ((d[:, :, :, 1:] - d[:, :, :, :-1]).abs() * weights[:, :, :, 1:]).mean()
    m = ((d[:, 1:] - d[:, :-1]).abs() * weights).mean()
    return (d.abs() * weights).mean() + 0.5 * g + 1e-3 * z.pow(2).mean() + motion * m


def block_means(x, box, g=3):
    """blockMeans: the means of x [B, T, H, W, 3] over a g×g grid of blocks inside box (cut to a multiple of g)."""
    B, T = x.shape[:2]
    x0, y0, x1, y1 = box
    bh, bw = (y1 - y0) // g, (x1 - x0) // g
    return x[:, :, y0:y0 + bh * g, x0:x0 + bw * g].reshape(B, T, g, bh, g, bw, 3).mean((3, 5, 6))


def pooled_motion(d, boxes, g=3):
    """src/train/node/train-video.ts pooledMotion: mean |Δt| of the error's means over a g×g grid of blocks per box."""
    terms = [(m[:, 1:] - m[:, :-1]).abs().mean() for m in (block_means(d, b, g) for b in boxes)]
    return sum(terms) / len(terms)


def train_loss_motion(p, c, frames, weights):
    return train_loss(p, c, frames, weights, 1.0)


def train_loss_pooled(p, c, frames, weights):
    """train_loss_motion plus the pooled motion term (weight 2) on the box x 4..12, y 8..16 (the parity test's region)."""
    z = encode_video(p, c, frames)
    d = decode_video(p, c, z) - frames
    return train_loss(p, c, frames, weights, 1.0) + 2.0 * pooled_motion(d, [(4, 8, 12, 16)])


def roundtrip(p, c, frames):
    return decode_video(p, c, encode_video(p, c, frames))


def discriminate(p, crops):
    """src/train/node/train-video.ts discriminate: crops [B, T, h, w, 3] → patch logits [B, h/2, w/2, 1]."""
    B, T, h, w, _ = crops.shape
    p = {k: v * DISC_GAIN if k.startswith("disc.") else v for k, v in p.items()}
    x = (crops * 2 - 1).permute(0, 2, 3, 1, 4).reshape(B, h, w, T * 3)
    x = torch.nn.functional.leaky_relu(conv(p, "disc.in", x), 0.2)
    x = torch.nn.functional.leaky_relu(linear(p, "disc.down", space_to_depth(x, [2, 2])), 0.2)
    x = torch.nn.functional.leaky_relu(conv(p, "disc.mid", x), 0.2)
    return linear(p, "disc.out", x)


def adversarial_terms(p, y, x, box):
    """adversarialTerms: [−mean D(ŷ), mean relu(1 − D(x)) + mean relu(1 + D(ŷ))] on the box cut to even sides."""
    x0, y0, x1, y1 = box
    h, w = (y1 - y0) & ~1, (x1 - x0) & ~1
    crop = lambda t: t[:, :, y0:y0 + h, x0:x0 + w]
    gen = -discriminate(p, crop(y)).mean()
    disc = torch.relu(1 - discriminate(p, crop(x))).mean() + torch.relu(1 + discriminate(p, crop(y))).mean()
    return gen, disc


def train_loss_adv(p, c, frames, weights):
    """train_loss_motion plus the adversarial terms (generator weight 0.5) on the box x 4..12, y 8..15 (cut to 8×6)."""
    y = decode_video(p, c, encode_video(p, c, frames))
    gen, disc = adversarial_terms(p, y, frames, (4, 8, 12, 15))
    return train_loss(p, c, frames, weights, 1.0) + 0.5 * gen + disc


def latent_motion(p, z, x, box, lat_box, g=3):
    """latentMotion: MSE of the linear read-out from z inside lat_box of each frame's block means minus its group's, ×10."""
    B, L = z.shape[:2]
    m = block_means(x, box, g)[:, 1:1 + G * (L - 1)].reshape(B, L - 1, G, g * g)
    dev = (m - m.mean(2, keepdim=True)).reshape(B, L - 1, G * g * g)
    x0, y0, x1, y1 = lat_box
    pred = linear(p, "probe", z[:, 1:, y0:y1, x0:x1].reshape(B, L - 1, -1))
    return (pred - 10 * dev).pow(2).mean()


def train_loss_latmotion(p, c, frames, weights):
    """train_loss_motion plus the latent motion term (weight 0.5) on the box x 4..12, y 8..16 (latent box from the factor)."""
    f = 8 if arch(c) == "v1" else c.get("spatialFactor", 4)
    lat_box = (4 // f, 8 // f, max(4 // f + 1, -(-12 // f)), max(8 // f + 1, -(-16 // f)))
    z = encode_video(p, c, frames)
    return train_loss(p, c, frames, weights, 1.0) + 0.5 * latent_motion(p, z, frames, (4, 8, 12, 16), lat_box)
