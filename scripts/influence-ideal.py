# Condition influence on real data (issue 14), the second half of influence-ceiling.py: what would `avdit eval`'s A2V
# influence-video be for a sampler that draws exactly from p(video | audio) at temperature 1? A linear-Gaussian model
# with the seed as the shared noise: x = mu(audio) + e, so d_cond^2 ~ E|mu(a) - mu(b)|^2 = 2 Var mu and
# d_seed^2 ~ E|e1 - e2|^2 = 2 Var e, and influence ~ sqrt(Var mu / Var e) = sqrt(R^2 / (1 - R^2)). mu: a ridge map from
# the window's audio (16 log-energy bands per video frame, plus their mean and minimum over the window: room tone) to its
# pixels (frames 4-20, [0, 1]), fitted on the train clips and scored on the validation clips.
#   python3 scripts/influence-ideal.py   (cache/grid-all from `avdit data prepare ../shared/data --out cache/grid-all
#   --crop 200:200:52:44 --regions grid`; about two minutes)
import json, sys
import numpy as np
d, start, F = 'cache/grid-all', 4, 17
m = json.load(open(f'{d}/manifest.json')); S = 64; sr = 16000
def load(split):
    V, A = [], []
    for c in m['clips']:
        if c.get('status') != 'ok' or c.get('split') != split or c['numFrames'] < start + F: continue
        with open(f"{d}/{c['shard']}", 'rb') as f:
            f.seek(c['offset']); v = np.frombuffer(f.read(c['numFrames'] * S * S * 3), np.uint8).reshape(c['numFrames'], S, S, 3)
            a = np.frombuffer(f.read(c['numSamples'] * 4), np.float32)
        V.append(v[start:start + F].astype(np.float32) / 255)
        a = a[int(start / 8 * sr): int((start + F) / 8 * sr)]
        # per video frame: log energy in 8 bands (crude mel), plus clip-level mean spectrum (room tone)
        hop = sr // 8; fr = []
        for k in range(F):
            seg = a[k * hop:(k + 1) * hop]
            if len(seg) < hop: seg = np.pad(seg, (0, hop - len(seg)))
            sp = np.abs(np.fft.rfft(seg * np.hanning(hop))) ** 2
            edges = np.geomspace(1, len(sp) - 1, 17).astype(int)
            fr.append(np.log([sp[edges[i]:edges[i + 1] + 1].sum() + 1e-8 for i in range(16)]))
        fr = np.array(fr)
        A.append(np.concatenate([fr.ravel(), fr.mean(0), fr.min(0)]))
    return np.stack(V), np.stack(A)
Vtr, Atr = load('train'); Vva, Ava = load('val')
print('train', Vtr.shape, 'val', Vva.shape)
Ytr, Yva = Vtr.reshape(len(Vtr), -1), Vva.reshape(len(Vva), -1)
mu, sd = Atr.mean(0), Atr.std(0) + 1e-6; Ztr, Zva = (Atr - mu) / sd, (Ava - mu) / sd; ym = Ytr.mean(0)
for lam in (10, 100, 1000, 10000):
    W = np.linalg.solve(Ztr.T @ Ztr + lam * np.eye(Ztr.shape[1]), Ztr.T @ (Ytr - ym))
    P = Zva @ W + ym
    res = ((Yva - P) ** 2).sum(1).mean(); tot = ((Yva - ym) ** 2).sum(1).mean()
    vmu = ((P - P.mean(0)) ** 2).sum(1).mean()
    print(f'ridge {lam}: val R² {1 - res / tot:.3f}; ideal influence sqrt(Var mu / Var e) = {np.sqrt(vmu / res):.3f}; with R²: {np.sqrt(max(0, 1 - res / tot) / (res / tot)):.3f}')
# a nonlinear check (session 18): the mean pixels of the k train windows nearest in room tone (the mean and minimum bands)
tot = ((Yva - ym) ** 2).sum(1).mean()
D = ((Zva[:, None, F * 16:] - Ztr[None, :, F * 16:]) ** 2).sum(-1)
for k in (5, 10, 20, 50):
    P = Ytr[np.argsort(D, 1)[:, :k]].mean(1)
    r2 = 1 - ((Yva - P) ** 2).sum(1).mean() / tot
    print(f'kNN on room tone, k={k}: val R² {r2:.3f}; ideal influence {np.sqrt(max(0, r2) / (1 - r2)):.3f}')
