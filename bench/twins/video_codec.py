"""PyTorch twin of src/codecs/video-codec.ts: same layers, same weights (avdit layout), same outputs."""
import torch

from common import conv, gelu, linear, ln, res_block, space_to_depth, depth_to_space

G = 4  # temporal group


def encode_video(p, c, frames):
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


def train_loss(p, c, frames):
    """The reconstruction loss of src/codecs/node/train-video.ts without latent noise."""
    z = encode_video(p, c, frames)
    d = decode_video(p, c, z) - frames
    g = (d[:, :, 1:] - d[:, :, :-1]).abs().mean() + (d[:, :, :, 1:] - d[:, :, :, :-1]).abs().mean()
    return d.abs().mean() + 0.5 * g + 1e-3 * z.pow(2).mean()


def roundtrip(p, c, frames):
    return decode_video(p, c, encode_video(p, c, frames))
