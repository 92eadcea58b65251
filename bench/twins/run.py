"""Runs avdit's PyTorch twins on a job folder written by the TypeScript side (bench/twins.ts).

job.json: {"weights": "w.safetensors", "threads": 2, "calls": [{"module", "fn", "config", "inputs": [names],
           "output": name | null, "reps": int (timing), "train": bool}]}
Each input <name> is <name>.f32 with its shape in job.json "shapes". Prints one JSON line:
{"version", "threads", "results": [{"output", "shape", "ms", "min_ms"}]}.
With "interactive": true in job.json the calls with "reps" are not timed here: they are served one step at a time
(serve.py) for paired timing, and the final line has no "ms".
"""
import importlib
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from common import load_safetensors  # noqa: E402
from serve import serve  # noqa: E402

d = sys.argv[1]
job = json.load(open(os.path.join(d, "job.json")))
torch.set_num_threads(job.get("threads", 2))
# BENCH_TORCH_DEVICE: cpu (default), cuda, or auto (cuda when available): the GPU reference on a lent machine
want = os.environ.get("BENCH_TORCH_DEVICE", "cpu")
dev = "cuda" if want == "cuda" or (want == "auto" and torch.cuda.is_available()) else "cpu"
params = {k: v.to(dev) for k, v in load_safetensors(os.path.join(d, job["weights"])).items()}
shapes = job["shapes"]


def tensor(name):
    return torch.tensor(np.fromfile(os.path.join(d, name + ".f32"), dtype=np.float32).reshape(shapes[name])).to(dev)


def sync():
    if dev == "cuda":
        torch.cuda.synchronize()


def timed(f, reps):
    f(); f(); sync()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter(); f(); sync(); ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return ts[len(ts) // 2], ts[0]


interactive = job.get("interactive", False)
results, steps = [], []
for call in job["calls"]:
    mod = importlib.import_module(call["module"])
    fn = getattr(mod, call["fn"])
    args = [tensor(n) for n in call["inputs"]]
    r = {"output": call.get("output")}
    step = None
    if call.get("train"):
        p = {k: v.clone().requires_grad_(True) for k, v in params.items() if not k.startswith("latent.")}
        opt = torch.optim.AdamW(p.values(), lr=1e-4)

        def step(fn=fn, p=p, opt=opt, cfg=call["config"], args=args):
            opt.zero_grad()
            loss = fn(p, cfg, *args)
            loss.backward()
            opt.step()
    else:
        with torch.no_grad():
            out = fn(params, call["config"], *args)
            if call.get("output"):
                out.cpu().numpy().astype(np.float32).tofile(os.path.join(d, call["output"] + ".f32"))
                r["shape"] = list(out.shape)
        if call.get("reps"):
            def step(fn=fn, cfg=call["config"], args=args):
                with torch.no_grad():
                    fn(params, cfg, *args)
    reps = call.get("reps") or (5 if call.get("train") else 0)  # a training call is timed even without "reps"
    if step and reps and not interactive:
        r["ms"], r["min_ms"] = timed(step, reps)
    results.append(r)
    steps.append(step if reps else None)
version = torch.__version__ + ("" if dev == "cpu" else " " + dev)


def final():
    return {"version": version, "threads": torch.get_num_threads(), "results": results,
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


if interactive:
    serve(steps, {"version": version}, final, sync)
else:
    print(json.dumps(final()))
