"""A2V lip sync against its shuffled-audio control, paired per window (issue 14): for each model of an `avdit eval`
output folder, the mean of SyncCorr(generated from the window's audio) − SyncCorr(generated from another window's
audio), both against the true audio, with a 95% bootstrap interval over the windows (seed 0 of 1000 resamples).
The table's two columns have intervals over windows each; their difference is the paired question: does the given
audio drive the lips?
  python3 scripts/sync-vs-control.py <eval out> [<eval out> …]
"""
import json
import os
import sys

import numpy as np

for out in sys.argv[1:]:
    res = os.path.join(out, "results")
    for name in sorted({f.split("__")[0] for f in os.listdir(res) if f.endswith("__a2v__seed0.json")}):
        own = np.array(json.load(open(os.path.join(res, f"{name}__a2v__seed0.json")))["value"]["perWindow"]["SyncCorr"])
        inf = json.load(open(os.path.join(res, f"{name}__a2v__influence.json")))["value"]
        if "syncShuffled" not in inf:
            continue
        d = own - np.array(inf["syncShuffled"])
        rng = np.random.default_rng(0)
        bs = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(1000)]
        print(f"{out} {name}: SyncCorr {own.mean():.3f}, minus its shuffled-audio control {d.mean():+.3f} "
              f"[{np.percentile(bs, 2.5):+.3f}, {np.percentile(bs, 97.5):+.3f}] over {len(d)} windows ({(d > 0).sum()} above)")
