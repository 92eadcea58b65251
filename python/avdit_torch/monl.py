"""The MoNL objective (src/train/monl-loss.ts, src/monl/strategies.ts, src/diffusion/schedule.ts):
  1. per example, draw a strategy from the mixture and a timestep matrix t[2, S] ∈ {1..T}
  2. broadcast t to every latent element of its (modality, segment) cell
  3. noise: x_t = √ᾱ_t · x0 + √(1 − ᾱ_t) · ε (float64 on the host, stored as float32)
  4. ε̂ = AVDiT(x_t, t), optionally self-conditioned on a first x̂0 estimate
  5. mean squared error over all video and audio latent elements
Condition practice (given_rate, off by default): in that share of examples one modality is given (t = 0, clean, no loss),
as at A2V/V2A inference (src/train/monl-loss.ts giveModalities).
Steps 1–3 draw from the same keys as avdit, so a seed gives the same batches in both trainers.
"""
import math

import numpy as np
import torch

from . import model
from .rng import fold_in, normal, uniform

STRATEGIES = ["vanilla", "perModality", "perSegment", "perCell"]
MIXTURES = {
    "vanilla": {"vanilla": 1, "perModality": 0, "perSegment": 0, "perCell": 0},
    "pm": {"vanilla": 0, "perModality": 1, "perSegment": 0, "perCell": 0},
    "pt": {"vanilla": 0, "perModality": 0, "perSegment": 1, "perCell": 0},
    "ptm": {"vanilla": 0, "perModality": 0, "perSegment": 0, "perCell": 1},
    "pt-pm-ptm": {"vanilla": 0, "perModality": 1 / 3, "perSegment": 1 / 3, "perCell": 1 / 3},
    "monl": {"vanilla": 0.25, "perModality": 0.25, "perSegment": 0.25, "perCell": 0.25},
}


SCHEDULE_DEFAULTS = {"kind": "linear", "T": 1000, "betaStart": 1e-4, "betaEnd": 0.02}


SCHEDULE_KINDS = {"linear": SCHEDULE_DEFAULTS, "cosine": {"kind": "cosine", "T": 1000, "s": 0.008}}


def schedule_from_config(c, source="schedule"):
    """ᾱ table of a checkpoint's "diffusion" entry (src/diffusion/schedule.ts scheduleFromConfig)."""
    if not isinstance(c, dict) or c.get("kind") not in SCHEDULE_KINDS:
        raise ValueError(f"{source}: diffusion {c!r} is not a known schedule (this trainer has \"linear\" and \"cosine\")")
    if c["kind"] == "cosine":
        T, s = c.get("T"), c.get("s")
        if not (isinstance(T, int) and T >= 1 and isinstance(s, (int, float)) and 0 <= s < 1):
            raise ValueError(f"{source}: diffusion {c!r} is not a valid cosine schedule (T ≥ 1, 0 ≤ s < 1)")
        return cosine_schedule(T, s)
    T, b0, b1 = c.get("T"), c.get("betaStart"), c.get("betaEnd")
    if not (isinstance(T, int) and T >= 1 and isinstance(b0, (int, float)) and isinstance(b1, (int, float)) and 0 < b0 <= b1 < 1):
        raise ValueError(f"{source}: diffusion {c!r} is not a valid linear schedule (T ≥ 1, 0 < betaStart ≤ betaEnd < 1)")
    return linear_schedule(T, b0, b1)


def alpha_bars_from_betas(T, beta):
    """ᾱ_t = ∏_{i ≤ t} (1 − β_i) for t = 0..T (float64, the same products as avdit)."""
    ab = [1.0]
    for t in range(1, T + 1):
        ab.append(ab[-1] * (1 - beta(t)))
    return np.array(ab)


def linear_schedule(T=1000, beta_start=1e-4, beta_end=0.02):
    return alpha_bars_from_betas(T, lambda t: beta_start + ((beta_end - beta_start) * (t - 1)) / max(1, T - 1))


def cosine_schedule(T=1000, s=0.008):
    """Nichol & Dhariwal 2021: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), β clipped to 0.999
    (the same float64 steps as src/diffusion/schedule.ts cosineSchedule)."""
    f = lambda t: math.cos(((t / T + s) / (1 + s)) * math.pi / 2) ** 2  # noqa: E731
    return alpha_bars_from_betas(T, lambda t: min(0.999, 1 - f(t) / f(t - 1)))


def min_snr_weights(alpha_bars, t, gamma):
    """Loss weight per latent frame (src/train/monl-loss.ts minSnrWeights): 0 at t = 0 (a given cell), else Min-SNR-γ
    for ε-prediction (Hang et al. 2023): min(SNR, γ) / SNR, SNR = ᾱ / (1 − ᾱ); γ = 0: 1 (unweighted)."""
    if not gamma > 0:
        return (t > 0).astype(np.float32)
    tt = np.maximum(t, 1)  # t = 0 has SNR ∞: its weight is 0 below
    ab = alpha_bars[tt]
    snr = ab / (1 - ab)
    return np.where(t == 0, 0.0, np.minimum(snr, gamma) / snr).astype(np.float32)


def give_modalities(key, t, batch, S, rate):
    """Condition practice on t [B·2·S] (in place): example b has one modality given (t = 0) when u[2b] < rate, the video
    when u[2b + 1] < 0.5, else the audio (src/train/monl-loss.ts giveModalities)."""
    u = uniform(key, 2 * batch)
    for b in range(batch):
        if not float(u[2 * b]) < rate:  # float64 compare, as avdit
            continue
        m = 0 if float(u[2 * b + 1]) < 0.5 else 1
        t[b * 2 * S + m * S:b * 2 * S + (m + 1) * S] = 0


GRID_REGIONS = {"mouth": [0.33, 0.72, 0.67, 0.95], "eyes": [0.22, 0.49, 0.78, 0.64]}  # src/data/config.ts


def parse_regions(spec):
    """"mouth=0.33,0.72,0.67,0.95;eyes=…" → {name: [x0, y0, x1, y1]}; "grid" → GRID_REGIONS (src/data/config.ts parseRegions)."""
    if spec == "grid":
        return {k: list(v) for k, v in GRID_REGIONS.items()}
    out = {}
    for part in (p.strip() for p in spec.split(";")):
        if not part:
            continue
        name, _, rest = part.partition("=")
        try:
            nums = [float(v) for v in rest.split(",")]
        except ValueError:
            nums = []
        if not name or not name[0].isalpha() or len(nums) != 4 or not all(0 <= v <= 1 for v in nums) or not (nums[0] < nums[2] and nums[1] < nums[3]):
            raise ValueError(f'--regions: "{part}" is not name=x0,y0,x1,y1 with fractions 0 ≤ x0 < x1 ≤ 1, 0 ≤ y0 < y1 ≤ 1')
        out[name] = nums
    return out


def region_weight_map(W, H, boxes, extra):
    """[H, W] float32: 1 + extra inside each box (whole cells, as src/data/config.ts boxPixels), scaled to mean 1
    (src/train/node/train-video.ts regionWeightMap); None when nothing to weight."""
    if not extra > 0 or not boxes:
        return None
    m = np.ones((H, W), np.float32)
    for b in boxes:
        x0, y0 = min(W - 1, math.floor(b[0] * W)), min(H - 1, math.floor(b[1] * H))
        x1, y1 = max(x0 + 1, math.ceil(b[2] * W)), max(y0 + 1, math.ceil(b[3] * H))
        m[y0:y1, x0:x1] = (m[y0:y1, x0:x1].astype(np.float64) + extra).astype(np.float32)
    return (m.astype(np.float64) / m.astype(np.float64).mean()).astype(np.float32)


def tie(strategy, t_ref, M, N):
    t = np.empty(M * N, np.int64)
    for m in range(M):
        for n in range(N):
            src = 0 if strategy == "vanilla" else m * N if strategy == "perModality" else n if strategy == "perSegment" else m * N + n
            t[m * N + n] = t_ref[src]
    return t


def draw_timesteps(key, batch, M, N, T, mixture):
    u = uniform(key, batch * (1 + M * N)).astype(np.float64)
    t = np.empty(batch * M * N, np.int64)
    strategies = []
    for b in range(batch):
        base = b * (1 + M * N)
        acc, s = 0.0, "perCell"
        for k in STRATEGIES:
            acc += mixture[k]
            if u[base] < acc:
                s = k
                break
        t_ref = 1 + np.minimum(T - 1, np.floor(u[base + 1:base + 1 + M * N] * T)).astype(np.int64)
        t[b * M * N:(b + 1) * M * N] = tie(s, t_ref, M, N)
        strategies.append(s)
    return t, strategies


def quiet_weights(quiet, extra):
    """Loss weight per audio latent frame from the cache's quiet masks [B, La] (1: quiet): 1 + extra on quiet frames,
    normalised to mean 1 per window (src/train/monl-loss.ts quietWeights), as float32 [B, La]."""
    w = 1.0 + extra * np.asarray(quiet, np.float64)
    return (w / w.mean(axis=1, keepdims=True)).astype(np.float32)


def make_batch(key, lay, alpha_bars, mixture, x0v, x0a, fixed=None, min_snr=0, region=None, given_rate=0, quiet=None):
    """Steps 1–3 for clean latents x0v [B, L, h, w, C], x0a [B, La, Ca] (float32 numpy); region: an [h, w] loss
    weight map of the video latents (region_weight_map) or None; given_rate: condition practice (give_modalities);
    quiet: [B, La] loss weights of the audio latent frames (quiet_weights) or None."""
    B, S = x0v.shape[0], lay.S
    if fixed:
        mixture = {k: (1 if k == fixed else 0) for k in STRATEGIES}
    t, strategies = draw_timesteps(fold_in(key, 1), B, 2, S, len(alpha_bars) - 1, mixture)
    if given_rate > 0:
        give_modalities(fold_in(key, 5), t, B, S, given_rate)
    tm = t.reshape(B, 2 * S)
    L, La = lay.video[0], lay.audio[0]
    tv = tm[:, :L]  # video latent frame i is segment i
    ta = tm[:, S + lay.audio_segment]  # [B, La]
    sig = lambda tt: np.sqrt(alpha_bars[tt]).astype(np.float32)  # noqa: E731
    noi = lambda tt: np.sqrt(1 - alpha_bars[tt]).astype(np.float32)  # noqa: E731
    eps_v = normal(fold_in(key, 2), x0v.size).reshape(x0v.shape)
    eps_a = normal(fold_in(key, 3), x0a.size).reshape(x0a.shape)
    sv, nv_, sa, na_ = sig(tv), noi(tv), sig(ta), noi(ta)
    ex = lambda c, nd: c.reshape(c.shape + (1,) * nd).astype(np.float64)  # noqa: E731
    xtv = (ex(sv, 3) * x0v + ex(nv_, 3) * eps_v.astype(np.float64)).astype(np.float32)
    xta = (ex(sa, 1) * x0a + ex(na_, 1) * eps_a.astype(np.float64)).astype(np.float32)
    oh = np.zeros((B, 4), np.float32)
    oh[np.arange(B), [STRATEGIES.index(s) for s in strategies]] = 1
    b = {
        "xtVideo": xtv, "xtAudio": xta, "epsVideo": eps_v, "epsAudio": eps_a,
        "sigVideo": sv.reshape(B, L, 1, 1, 1), "noiVideo": nv_.reshape(B, L, 1, 1, 1),
        "sigAudio": sa.reshape(B, La, 1), "noiAudio": na_.reshape(B, La, 1),
        "tCells": tm.astype(np.float32), "strategyOH": oh,
    }
    if min_snr > 0 or given_rate > 0:  # as avdit: weights only when asked for (an unweighted batch has none)
        b["wVideo"] = min_snr_weights(alpha_bars, tv, min_snr).reshape(B, L, 1, 1, 1)
        b["wAudio"] = min_snr_weights(alpha_bars, ta, min_snr).reshape(B, La, 1)
    if region is not None:  # per example, so a DDP rank's slice of the batch carries it too
        b["wRegion"] = np.ascontiguousarray(np.broadcast_to(region.reshape(1, 1, *region.shape, 1), (B, 1, *region.shape, 1)))
    if quiet is not None:
        b["wQuiet"] = np.ascontiguousarray(quiet.reshape(B, La, 1), np.float32)
    return b


def use_self_cond(key, rate):
    return 1.0 if uniform(fold_in(key, 4), 1)[0] < rate else 0.0


def per_example_loss(p, c, lay, k, b, use_sc):
    """Steps 4–5: per-example squared errors (video, audio) summed over elements, as [B] tensors."""
    scv = sca = None
    if c["selfCondition"]:
        with torch.no_grad():
            z = (torch.zeros_like(b["xtVideo"]), torch.zeros_like(b["xtAudio"]))
            fv, fa = model.forward(p, c, lay, k, b["xtVideo"], b["xtAudio"], b["tCells"], *z)
            scv = ((b["xtVideo"] - b["noiVideo"] * fv) / b["sigVideo"]).clamp(-4, 4) * use_sc
            sca = ((b["xtAudio"] - b["noiAudio"] * fa) / b["sigAudio"]).clamp(-4, 4) * use_sc
    ov, oa = model.forward(p, c, lay, k, b["xtVideo"], b["xtAudio"], b["tCells"], scv, sca)
    B = ov.shape[0]
    ev, ea = (ov - b["epsVideo"]).pow(2), (oa - b["epsAudio"]).pow(2)
    if "wVideo" in b:  # frame weights (make_batch with min_snr or given_rate > 0)
        ev, ea = ev * b["wVideo"], ea * b["wAudio"]
    if "wRegion" in b:  # region weights (make_batch with a region map)
        ev = ev * b["wRegion"]
    if "wQuiet" in b:  # quiet-frame weights (make_batch with quiet)
        ea = ea * b["wQuiet"]
    se_v, se_a = ev.reshape(B, -1).sum(1), ea.reshape(B, -1).sum(1)
    return se_v, se_a


def loss_and_stats(p, c, lay, k, b, use_sc):
    """The mean loss over this batch and the sums the metrics are made of (so ranks can add them up):
    [Σ loss, Σ video mse, Σ audio mse, Σ loss per strategy (4), count per strategy (4), examples]."""
    se_v, se_a = per_example_loss(p, c, lay, k, b, use_sc)
    nv, na = b["epsVideo"][0].numel(), b["epsAudio"][0].numel()
    per_ex = (se_v + se_a) / (nv + na)
    oh = b["strategyOH"]
    d = per_ex.detach()
    stats = torch.cat([d.sum()[None], (se_v.detach() / nv).sum()[None], (se_a.detach() / na).sum()[None], d @ oh, oh.sum(0),
                       torch.tensor([float(d.shape[0])], device=d.device)])
    return per_ex.mean(), stats


def metrics_from_stats(st):
    """avdit's step metrics from summed stats: loss, video, audio, and the four strategies (NaN if none drew it)."""
    n = st[11]
    out = {"loss": st[0] / n, "video": st[1] / n, "audio": st[2] / n}
    for i, s in enumerate(STRATEGIES):
        out[s] = st[3 + i] / st[7 + i] if st[7 + i] > 0 else math.nan
    return out
