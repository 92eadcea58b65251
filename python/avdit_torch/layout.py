"""The token layout AVDiT attends over (src/monl/layout.ts) and the host constants built from it
(src/model/avdit.ts avditConstsHost): video tokens (latent frame × patch rows × patch columns), then one
audio token per audio latent frame; each token's modality, segment, cell m·S + s and position."""
import math

import numpy as np


class TokenLayout:
    def __init__(self, seg, video, audio, patch, fps, audio_hop_sec):
        L, h, w, C = video
        La, Ca = audio
        if h % patch or w % patch:
            raise ValueError(f"layout: video latents {h}×{w} are not divisible by the patch size {patch}")
        if L != seg["numSegments"]:
            raise ValueError(f"layout: {L} video latent frames but {seg['numSegments']} segments")
        if La != len(seg["audioSegment"]):
            raise ValueError(f"layout: {La} audio latent frames but the segment map has {len(seg['audioSegment'])}")
        S = seg["numSegments"]
        ph, pw = h // patch, w // patch
        self.S, self.video, self.audio, self.patch = S, (L, h, w, C), (La, Ca), patch
        self.nv = L * ph * pw
        self.n = self.nv + La
        self.video_features, self.audio_features = patch * patch * C, Ca
        modality, cell, time, row, col = [], [], [], [], []
        for l in range(L):
            f0, f1 = seg["frames"][l]
            centre = (f0 + f1 + 1) / 2 / fps
            for y in range(ph):
                for x in range(pw):
                    modality.append(0); cell.append(l); time.append(centre / audio_hop_sec - 0.5); row.append(y); col.append(x)
        sub = []
        for j in range(La):
            s = seg["audioSegment"][j]
            f0, f1 = seg["frames"][s]
            modality.append(1); cell.append(S + s); time.append(j); row.append(-1); col.append(-1)
            sub.append(min(max(math.floor((j + 0.5) * audio_hop_sec * fps), f0), f1) - f0)
        self.modality = np.array(modality)
        self.cell = np.array(cell)
        self.time = np.array(time, dtype=np.float32)  # stored as float32, as in avdit
        self.row, self.col = np.array(row), np.array(col)
        self.audio_segment = np.array(seg["audioSegment"])
        # per audio latent frame: its pixel frame within its segment (src/monl/layout.ts audioSubFrame)
        self.audio_sub_frame = np.array(sub)
        self.sub_frames = max(f1 - f0 + 1 for f0, f1 in seg["frames"])


def layout_from_manifest(m, patch):
    return TokenLayout(m["layout"], m["videoShape"], m["audioShape"], patch, m["data"]["fps"], m["audioHopSec"])


def _sincos(pos, dim):
    """[N, dim] sinusoid of positions (float64): sin in the first half, cos in the second."""
    k = np.arange(dim // 2)
    f = pos.astype(np.float64)[:, None] / 10000.0 ** ((2 * k) / dim)
    return np.concatenate([np.sin(f), np.cos(f)], 1)


def audio_gather(lay, K):
    """[L·W, La] 0/1 (W = 2K + 1): row i·W + d selects audio frame ⌊τ_i + ½⌋ + d − K of video latent frame i
    (src/model/avdit.ts audioGatherHost)."""
    L, La, W = lay.video[0], lay.audio[0], 2 * K + 1
    per = lay.nv // L
    g = np.zeros((L * W, La), np.float32)
    for i in range(L):
        j0 = math.floor(float(lay.time[i * per]) + 0.5) - K
        for d in range(W):
            if 0 <= j0 + d < La:
                g[i * W + d, j0 + d] = 1
    return g


def audio_segment_one_hot(lay):
    """[La, L]: audio latent frame j → its segment's video latent frame (src/model/avdit.ts audioSegmentOneHot)."""
    La, L = lay.audio[0], lay.video[0]
    oh = np.zeros((La, L), np.float32)
    oh[np.arange(La), lay.audio_segment] = 1
    return oh


def audio_frame_one_hot(lay):
    """[La, L·R]: audio latent frame j → the pixel frame it falls in, R per video latent frame (src/model/avdit.ts audioFrameOneHot)."""
    La, L, R = lay.audio[0], lay.video[0], lay.sub_frames
    oh = np.zeros((La, L * R), np.float32)
    oh[np.arange(La), lay.audio_segment * R + lay.audio_sub_frame] = 1
    return oh


def consts(width, lay, audio_context=0, video_context=False, video_frame_context=False):
    """pe [N, D] (temporal + 2-D spatial for video; float32 sums in avdit's order), cellOH [N, 2S],
    tokenModOH [N, 2], cellModOH [2S, 2], and audioGather / audioSegOH when the model has an audio / video context, as float32 numpy arrays."""
    D, N, S = width, lay.n, lay.S
    pe = _sincos(lay.time, D).astype(np.float32)
    v = lay.modality == 0
    half = D // 2
    pe[v, :half] = (pe[v, :half].astype(np.float64) + _sincos(lay.row[v], half)).astype(np.float32)
    pe[v, half:] = (pe[v, half:].astype(np.float64) + _sincos(lay.col[v], half)).astype(np.float32)
    cell_oh = np.zeros((N, 2 * S), np.float32)
    cell_oh[np.arange(N), lay.cell] = 1
    tok_oh = np.zeros((N, 2), np.float32)
    tok_oh[np.arange(N), lay.modality] = 1
    cell_mod = np.zeros((2 * S, 2), np.float32)
    cell_mod[np.arange(2 * S), np.arange(2 * S) // S] = 1
    out = {"pe": pe, "cellOH": cell_oh, "tokenModOH": tok_oh, "cellModOH": cell_mod}
    if audio_context:
        out["audioGather"] = audio_gather(lay, audio_context)
    if video_context:
        out["audioSegOH"] = audio_segment_one_hot(lay)
    if video_frame_context:
        out["audioFrameOH"] = audio_frame_one_hot(lay)
    return out
