"""PyTorch twin of src/codecs/audio-codec.ts (the networks; features and Griffin-Lim stay on the host)."""
from common import conv, gelu, linear, ln, res_block, space_to_depth, depth_to_space


def encode_audio(p, c, log_mel):
    x = conv(p, "enc.in", (log_mel + 4) * 0.25)
    for i in range(c["resBlocks"]):
        x = res_block(p, f"enc.res{i}", x)
    x = res_block(p, "enc.mid", linear(p, "enc.down", space_to_depth(x, [2])))
    return conv(p, "enc.out", gelu(ln(x)))


def decode_audio(p, c, z):
    x = res_block(p, "dec.mid", conv(p, "dec.in", z))
    x = depth_to_space(linear(p, "dec.up", x), [2])
    for i in range(c["resBlocks"]):
        x = res_block(p, f"dec.res{i}", x)
    return conv(p, "dec.out", gelu(ln(x)))


def train_loss(p, c, log_mel, log_mag):
    z = encode_audio(p, c, log_mel)
    return (decode_audio(p, c, z) - log_mag).abs().mean() + 1e-3 * z.pow(2).mean()
