"""What the mouth probes share (latent-mouth-probe.py, audio-mouth-probe.py, audio-gain.py): GRID's mouth box in the
16x16 video latents and a standardised ridge regression."""
import numpy as np

MOUTH = (slice(11, 16), slice(5, 11))  # rows 11-15, columns 5-10 of 16x16: the mouth box [0.33, 0.72, 0.67, 0.95]


def mouth(z, k):
    """The mouth-box latents of latent frame k of z [N, L, 16, 16, C], flattened: [N, 5·6·C]."""
    return z[:, k, MOUTH[0], MOUTH[1], :].reshape(len(z), -1)


def ridge_sse(Xtr, Ytr, Xva, Yva, lam):
    """Ridge on standardised features, fit on (Xtr, Ytr): (squared error on (Xva, Yva), its total sum of squares)."""
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    A, B = (Xtr - mu) / sd, (Xva - mu) / sd
    ym = Ytr.mean(0)
    W = np.linalg.solve(A.T @ A + lam * np.eye(A.shape[1]), A.T @ (Ytr - ym))
    return ((Yva - (B @ W + ym)) ** 2).sum(), ((Yva - Yva.mean(0)) ** 2).sum()


def r2(Xtr, Ytr, Xva, Yva, lam):
    e, v = ridge_sse(Xtr, Ytr, Xva, Yva, lam)
    return 1 - e / v
