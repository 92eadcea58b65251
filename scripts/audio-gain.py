"""Does an AVDiT use the audio to denoise the lips? (issue 14) A cheap, low-noise read of A2V conditioning.
For every validation window of a latent cache: the video cells noised at one timestep t (audio given clean, t = 0, as
in A2V), the model's ε-error on the mouth box of the video latents (rows 11-15, columns 5-10 of 16x16, as
latent-mouth-probe.py) and on the whole video, with the window's own audio vs another window's audio (a fixed
derangement). gain = 1 − err(own) / err(other): 0 = the audio is ignored, > 0 = it helps. 95% bootstrap intervals
over windows. The same noise for both, so the difference is the audio alone. The V2A line: the same with the roles
swapped (audio cells at t, the window's own vs another window's video given clean; the audio's ε-error).
  PYTHONPATH=python /usr/bin/python3 scripts/audio-gain.py <model export or checkpoint> <latent cache> [t,...]
"""
import sys

import numpy as np
import torch

from avdit_torch import model, monl
from avdit_torch.checkpoint import load_checkpoint, open_latent_cache
from avdit_torch.layout import consts, layout_from_manifest
from avdit_torch.rng import normal
from mouth_probe import MOUTH

torch.set_num_threads(1)
ck = load_checkpoint(sys.argv[1])
m, tensors = open_latent_cache(sys.argv[2])
ts = [int(x) for x in (sys.argv[3] if len(sys.argv) > 3 else "200,500,800").split(",")]
c = ck["config"]["model"]
lay = layout_from_manifest(m, c["patch"])
T = lambda a: torch.tensor(np.ascontiguousarray(a), dtype=torch.float32)  # noqa: E731
k = {n: T(v) for n, v in consts(c["width"], lay, c.get("audioContext", 0), c.get("videoContext", False), c.get("videoFrameContext", False)).items()}
p = {n: T(v) for n, v in ck["params"].items()}
ab = monl.schedule_from_config(ck["config"]["diffusion"], sys.argv[1])
xv, xa = tensors["val.video"], tensors["val.audio"]
N, S = len(xv), lay.S
other = np.roll(np.arange(N), N // 2)  # a derangement: another window's audio
eps = normal(0xA6A1, xv.size).reshape(xv.shape)
eps_a = normal(0xA6A2, xa.size).reshape(xa.shape)


def sq_errors(t, video, audio, noised):
    """Squared ε-errors of the `noised` modality ("video" or "audio"), noised at t, with the other given clean (t = 0)."""
    eps_n = eps if noised == "video" else eps_a
    out = []
    for i in range(0, N, 16):
        sl = slice(i, min(i + 16, N))
        B = sl.stop - sl.start
        x0 = (video if noised == "video" else audio)[sl]
        xt = (np.sqrt(ab[t]) * x0 + np.sqrt(1 - ab[t]) * eps_n[sl]).astype(np.float32)
        tc = np.zeros((B, 2 * S), np.float32)
        tc[:, :S] = t if noised == "video" else 0
        tc[:, S:] = t if noised == "audio" else 0
        v, a = (xt, audio[sl]) if noised == "video" else (video[sl], xt)
        z = (torch.zeros(B, *xv.shape[1:]), torch.zeros(B, *xa.shape[1:])) if c["selfCondition"] else (None, None)
        with torch.no_grad():
            ov, oa = model.forward(p, c, lay, k, T(v), T(a), T(tc), *z)
        out.append(((ov if noised == "video" else oa).numpy() - eps_n[sl]) ** 2)
    return np.concatenate(out)


def video_errors(t, audio):
    """Per window: the video's ε-MSE on the mouth box and on the whole video, latent frames 1-4."""
    e = sq_errors(t, xv, audio, "video")[:, 1:]
    return e[:, :, MOUTH[0], MOUTH[1], :].reshape(N, -1).mean(1), e.reshape(N, -1).mean(1)


def gain(own, oth, rng=np.random.default_rng(0)):
    g = 1 - own.mean() / oth.mean()
    bs = []
    for _ in range(1000):
        j = rng.integers(0, len(own), len(own))
        bs.append(1 - own[j].mean() / oth[j].mean())
    return f"{g:+.4f} [{np.percentile(bs, 2.5):+.4f}, {np.percentile(bs, 97.5):+.4f}]"


print(f"{sys.argv[1]} on {N} validation windows of {sys.argv[2]} (video latent frames 1-4; audio given clean)")
for t in ts:
    om, ov = video_errors(t, xa)
    sm, sv = video_errors(t, xa[other])
    print(f"t {t:4d}: mouth ε-MSE own audio {om.mean():.4f} other {sm.mean():.4f} gain {gain(om, sm)}   "
          f"whole video {ov.mean():.4f} / {sv.mean():.4f} gain {gain(ov, sv)}", flush=True)
for t in ts:
    oa, sa = (sq_errors(t, v, xa, "audio").reshape(N, -1).mean(1) for v in (xv, xv[other]))
    print(f"t {t:4d}: V2A audio ε-MSE own video {oa.mean():.4f} other {sa.mean():.4f} gain {gain(oa, sa)}", flush=True)
