"""PyTorch twin of bench/block.ts: the same pre-LN transformer block, same weights, timed on CPU.

Usage: python3 bench/block.py <weights-dir> B T D H F reps [--serve]   (prints one JSON line)
--serve: fwd (step 0) and fwd+bwd (step 1) are served for paired timing (twins/serve.py), not timed here.
Needs Debian's python3-torch; for a fair reference libopenblas0-pthread, 2 threads, OMP_WAIT_POLICY=PASSIVE.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as Fn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "twins"))
from serve import serve  # noqa: E402

d, B, T, D, H, F, reps = sys.argv[1], *map(int, sys.argv[2:8])
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
SHAPES = {"qkv.weight": (D, 3 * D), "qkv.bias": (3 * D,), "proj.weight": (D, D), "proj.bias": (D,),
          "fc1.weight": (D, F), "fc1.bias": (F,), "fc2.weight": (F, D), "fc2.bias": (D,)}
p = {k: torch.tensor(np.fromfile(f"{d}/{k}.f32", dtype=np.float32).reshape(s), requires_grad=True) for k, s in SHAPES.items()}
x = torch.tensor(np.fromfile(f"{d}/x.f32", dtype=np.float32).reshape(B, T, D))


# avdit stores linear weights [in, out]; nn.functional.linear wants [out, in] (its fast addmm path)
wt = {k: v.detach().t().contiguous().requires_grad_(True) for k, v in p.items() if k.endswith(".weight")}


def block(x):
    dh = D // H
    lin = lambda h, n: Fn.linear(h, wt[n + ".weight"], p[n + ".bias"])
    qkv = lin(Fn.layer_norm(x, (D,), eps=1e-5), "qkv").reshape(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    att = torch.softmax(q @ k.transpose(-1, -2) / dh ** 0.5, dim=-1)
    o = (att @ v).transpose(1, 2).reshape(B, T, D)
    x1 = x + lin(o, "proj")
    return x1 + lin(Fn.gelu(lin(Fn.layer_norm(x1, (D,), eps=1e-5), "fc1"), approximate="tanh"), "fc2")


def loss():
    return block(x).pow(2).mean()


def timed(f):
    f(); f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1000)
    if os.environ.get("BENCH_VERBOSE"): print(f.__name__, [round(t) for t in ts], file=sys.stderr)
    return sorted(ts)[len(ts) // 2], min(ts)


def fwd():
    with torch.no_grad():
        return loss()


def fwdbwd():
    for t in [*p.values(), *wt.values()]:
        t.grad = None
    l = loss()
    l.backward()
    return l


cfg = torch.__config__.show()
blas = "openblas" if "openblas" in cfg.lower() or os.path.exists("/usr/lib/x86_64-linux-gnu/openblas-pthread") else "reference BLAS"
info = {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}


def final(times=None):
    return {**info, "loss": float(fwd()), **(times or {}), "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


if "--serve" in sys.argv[8:]:
    serve([fwd, fwdbwd], info, final)
else:
    (fm, fmin), (bm, bmin) = timed(fwd), timed(fwdbwd)
    print(json.dumps(final({"fwd_ms": fm, "fwd_min_ms": fmin, "fwdbwd_ms": bm, "fwdbwd_min_ms": bmin})))
