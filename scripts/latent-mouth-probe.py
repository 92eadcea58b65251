"""Is the mouth motion inside a latent frame still in the latents? (issues 11 and 14)
Ridge regression from the mouth-region latents (rows 11-15, columns 5-10 of 16x16, all channels) of latent frame k
(optionally with k-1 and k+1) to the mouth openness of the 4 frames it covers: the group mean, and the deviations
from it (the motion inside the latent frame). Trained on the train windows, R² on the validation windows.
  node scripts/sync-ceiling.mjs cache/grid-all --openness cache/latents-v2 /tmp/open.json
  PYTHONPATH=python /usr/bin/python3 scripts/latent-mouth-probe.py cache/latents-v2 /tmp/open.json
"""
import json, sys, numpy as np

from avdit_torch.checkpoint import open_latent_cache
from mouth_probe import mouth, r2
m, t = open_latent_cache(sys.argv[1])
op = json.load(open(sys.argv[2]))
def feats(split, nb=0):
    z = t[f'{split}.video']  # [N, 5, 16, 16, 8]
    o = np.array(op[split])   # [N, 17]
    X, Ym, Yd = [], [], []
    for k in range(1, 5):
        fr = list(range(1 + 4 * (k - 1), 1 + 4 * k))
        parts = [mouth(z, k)]
        if nb: parts.append(mouth(z, min(k + 1, 4))); parts.append(mouth(z, k - 1))
        X.append(np.concatenate(parts, 1))
        g = o[:, fr]
        Ym.append(g.mean(1, keepdims=True)); Yd.append(g - g.mean(1, keepdims=True))
    return np.concatenate(X), np.concatenate(Ym), np.concatenate(Yd)
for nb in (0, 1):
    Xtr, Ymtr, Ydtr = feats('train', nb); Xva, Ymva, Ydva = feats('val', nb)
    for lam in (10, 100, 1000):
        print(f"features: latent frame{' ±1' if nb else ''} ({Xtr.shape[1]}), ridge {lam}: val R² group-mean openness {r2(Xtr, Ymtr, Xva, Ymva, lam):.3f}, within-group deviations {r2(Xtr, Ydtr, Xva, Ydva, lam):.3f}")
