"""How much of the lips can the audio tell, in a latent cache? (issue 14) The ceiling audio-gain.py's numbers sit under.
1. Ridge regression from the audio latents of segment k (the 25 audio frames of video latent frame k, optionally ±12 more)
   to (a) the mouth openness of its 4 frames and (b) the mouth-box video latents of latent frame k (rows 11-15, columns
   5-10, as latent-mouth-probe.py), both minus their window's mean: R² on the validation windows, at lags 0 and ±0.5 s
   (the lag that wins shows the audio and video are aligned).
2. The linear denoiser's audio gain: ridge from the noised mouth latents (+ a noised window mean) to the clean ones, with
   and without that audio; 1 − MSE(with) / MSE(without) per timestep.
  node scripts/sync-ceiling.mjs cache/grid-all --openness cache/latents-ft1933 /tmp/open.json
  PYTHONPATH=python /usr/bin/python3 scripts/audio-mouth-probe.py cache/latents-latmo4-1901 /tmp/open.json
"""
import json
import sys

import numpy as np

from avdit_torch import monl
from avdit_torch.checkpoint import open_latent_cache
from mouth_probe import MOUTH, mouth, r2, ridge_sse

m, t = open_latent_cache(sys.argv[1])
op = json.load(open(sys.argv[2]))
aseg = np.array(m["layout"]["audioSegment"])
def audio_of(a, k, lag=0, ctx=0):
    idx = np.where(aseg == k)[0]
    lo, hi = idx[0] - 12 * ctx + lag, idx[-1] + 1 + 12 * ctx + lag
    seg = np.zeros((len(a), hi - lo, a.shape[2]), np.float32)
    lo2, hi2 = max(lo, 0), min(hi, a.shape[1])
    seg[:, lo2 - lo:hi2 - lo] = a[:, lo2:hi2]
    return seg.reshape(len(a), -1)


def regression(split, lag, ctx):
    z, a, o = t[f"{split}.video"], t[f"{split}.audio"], np.array(op[split])
    X, Yo, Yz = [], [], []
    zmean = z[:, 1:, MOUTH[0], MOUTH[1], :].reshape(len(z), 4, -1).mean(1)
    for k in range(1, 5):
        X.append(audio_of(a, k, lag, ctx))
        Yo.append(o[:, 1 + 4 * (k - 1):1 + 4 * k] - o[:, 1:].mean(1, keepdims=True))
        Yz.append(mouth(z, k) - zmean)
    return np.concatenate(X), np.concatenate(Yo), np.concatenate(Yz)


print(f"1. audio → lips, ridge, R² on {len(t['val.video'])} validation windows of {sys.argv[1]} (best ridge of 100, 1000, 10000)")
for lag in (0, -25, 25):
    for ctx in (0, 1):
        tr, va = regression("train", lag, ctx), regression("val", lag, ctx)
        ro = max(r2(tr[0], tr[1], va[0], va[1], lam) for lam in (100, 1000, 10000))
        rz = max(r2(tr[0], tr[2], va[0], va[2], lam) for lam in (100, 1000, 10000))
        print(f"  lag {lag * 20:+4d} ms, context ±{ctx * 240} ms: openness {ro:.3f}, mouth latents {rz:.3f}", flush=True)

ab = monl.linear_schedule()
rng = np.random.default_rng(0)


def denoise(split, tt):
    z, a = t[f"{split}.video"], t[f"{split}.audio"]
    s, n = np.sqrt(ab[tt]), np.sqrt(1 - ab[tt])
    win = z[:, :, MOUTH[0], MOUTH[1], :].mean(1).reshape(len(z), -1)
    V, A, Y = [], [], []
    for k in range(1, 5):
        x0 = mouth(z, k)
        V.append(np.concatenate([s * x0 + n * rng.standard_normal(x0.shape), s * win + n * rng.standard_normal(win.shape) / 2], 1))
        A.append(audio_of(a, k))
        Y.append(x0)
    return np.concatenate(V), np.concatenate(A), np.concatenate(Y)


print("2. the linear denoiser of the mouth latents, with and without the audio (x0 MSE on the validation windows)")
for tt in (200, 500, 800, 950):
    (Vt, At, Yt), (Vv, Av, Yv) = denoise("train", tt), denoise("val", tt)
    best = lambda X1, X2: min(ridge_sse(X1, Yt, X2, Yv, lam)[0] for lam in (10, 100, 1000, 10000)) / Yv.size  # noqa: E731
    ev, eva = best(Vt, Vv), best(np.concatenate([Vt, At], 1), np.concatenate([Vv, Av], 1))
    print(f"  t {tt}: video only {ev:.4f}, + audio {eva:.4f}: gain {1 - eva / ev:+.3f}", flush=True)
