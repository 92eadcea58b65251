"""python3 -m avdit_torch train …  (PYTHONPATH=python from the repository root; see docs/scale-out.md).

One process:              python3 -m avdit_torch train --data cache/latents --out runs/x
N processes, this machine: … --nproc N  (torch.multiprocessing + gloo/NCCL; works where torchrun does not)
Many machines:            torchrun --nnodes … --nproc-per-node … -m avdit_torch train … (reads RANK/WORLD_SIZE)
"""
import argparse
import os
import re
import socket
import sys

import torch.multiprocessing as mp

from . import model, monl
from .checkpoint import load_checkpoint, save_checkpoint
from .train import TASK_DEFAULTS, TRAINER_DEFAULTS as D, run, run_spawned

HELP = __doc__


def duration(v):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(s|m|h)?", v.strip())
    if not m or not float(m.group(1)) > 0:
        raise argparse.ArgumentTypeError(f"must be a duration like 90s, 150m or 2h, got \"{v}\"")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]


def positive(v):
    n = int(v)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, got {v}")
    return n


def parser():
    p = argparse.ArgumentParser(prog="python3 -m avdit_torch", description="avdit's AVDiT trainer on PyTorch (DDP)")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train AVDiT with MoNL on an avdit latent cache; writes avdit checkpoints")
    t.add_argument("--data", required=True, help="latent cache folder (avdit encode)")
    t.add_argument("--out", required=True, help="run folder (checkpoint/, metrics.jsonl)")
    t.add_argument("--strategy", default="monl", choices=list(monl.MIXTURES))
    t.add_argument("--preset", default="small", choices=list(model.PRESETS))
    for k in ("width", "depth", "heads", "patch"):
        t.add_argument(f"--{k}", type=positive)
    t.add_argument("--steps", type=positive, default=D["steps"])
    t.add_argument("--batch", type=positive, default=TASK_DEFAULTS["batch"], help="global batch (split over the processes)")
    t.add_argument("--lr", type=float, default=D["lr"])
    t.add_argument("--warmup", type=int, default=D["warmupSteps"])
    t.add_argument("--ema", type=float, default=D["emaDecay"])
    t.add_argument("--seed", type=int, default=D["seed"])
    t.add_argument("--self-cond-rate", type=float, default=TASK_DEFAULTS["selfCondRate"])
    t.add_argument("--schedule", choices=["linear", "cosine"], help="noise schedule of a new run (default linear, the paper's)")
    t.add_argument("--audio-context", type=int, default=0, help="a new model's aligned audio context K (±K audio latent frames per video frame; 0: off)")
    t.add_argument("--video-context", action="store_true", help="a new model's video context: each audio token also sees its segment's video latent frame")
    t.add_argument("--video-frame-context", action="store_true", help="a new model's V2A path at pixel-frame resolution: each audio token also sees its latent frame's projection for its own pixel frame")
    t.add_argument("--self-condition", action="store_true", help="a new run's model gets self-conditioning (the small preset has none)")
    t.add_argument("--min-snr", type=float, default=0, help="Min-SNR-γ loss weighting, γ (0: off, plain ε-MSE)")
    t.add_argument("--region-weight", type=float, default=0, help="extra ε-loss weight on the video latents inside --regions (0: off)")
    t.add_argument("--regions", help='boxes for --region-weight: "mouth=0.33,0.72,0.67,0.95;…" (fractions of the frame) or "grid"')
    t.add_argument("--quiet-weight", type=float, default=0, help="extra ε-loss weight on the audio latent frames the cache marks quiet (<split>.quiet; 0: off)")
    t.add_argument("--given-rate", type=float, default=0, help="condition practice: share of examples with one modality given (t = 0, no loss), as in A2V/V2A (0: off)")
    t.add_argument("--val-windows", type=int, default=TASK_DEFAULTS["valWindows"])
    t.add_argument("--checkpoint-every", type=positive, default=D["checkpointEvery"])
    t.add_argument("--log-every", type=positive, default=D["logEvery"])
    t.add_argument("--for", dest="for_seconds", type=duration, help="wall time, then checkpoint and stop (resume later)")
    t.add_argument("--stop-after", type=positive, help="stop (and checkpoint) at this step; --steps still sets the LR schedule")
    t.add_argument("--resume", action="store_true")
    t.add_argument("--force", action="store_true")
    t.add_argument("--nproc", type=positive, default=1, help="data-parallel processes on this machine")
    t.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    t.add_argument("--threads", type=positive, help="torch threads per process (default: cores / processes)")
    e = sub.add_parser("export", help="load a checkpoint into PyTorch and write its weights as an avdit model folder")
    e.add_argument("--checkpoint", required=True, help="an avdit checkpoint folder (from either trainer)")
    e.add_argument("--out", required=True, help="the new model folder (config.json + model.safetensors)")
    e.add_argument("--dtype", default="f32", choices=["f32", "f16"], help="f16 halves the size (what models/ and the browser use)")
    return p


def export(a):
    """Checkpoint → torch tensors → model folder: the bridge's round trip (bit-exact for f32)."""
    import numpy as np
    import torch

    ck = load_checkpoint(a.checkpoint)
    if os.path.abspath(a.out) in (os.path.abspath(a.checkpoint), os.path.abspath(ck["dir"])):
        raise ValueError(f"{a.out}: the export would overwrite its input")
    weights = {k: torch.from_numpy(np.array(v)) for k, v in ck["params"].items()}
    save_checkpoint(a.out, ck["config"], {k: v.numpy() for k, v in weights.items()}, dtype=a.dtype.upper())
    print(f"wrote {a.out} ({len(weights)} tensors, {a.dtype})")


def options(a):
    if not (0 < a.lr <= 1):
        raise ValueError(f"--lr must be in (0, 1], got {a.lr}")
    if not (0 <= a.ema < 1):
        raise ValueError(f"--ema must be in [0, 1), got {a.ema}")
    if a.min_snr < 0:
        raise ValueError(f"--min-snr must be ≥ 0 (0: off), got {a.min_snr}")
    if not (0 <= a.region_weight <= 1000):
        raise ValueError(f"--region-weight must be in [0, 1000] (0: off), got {a.region_weight}")
    if not (0 <= a.quiet_weight <= 1000):
        raise ValueError(f"--quiet-weight must be in [0, 1000] (0: off), got {a.quiet_weight}")
    if not (0 <= a.given_rate <= 1):
        raise ValueError(f"--given-rate must be in [0, 1] (0: off), got {a.given_rate}")
    regions = monl.parse_regions(a.regions) if a.regions else None
    if a.region_weight > 0 and not regions:
        raise ValueError("--region-weight needs --regions (e.g. mouth=0.33,0.72,0.67,0.95, or grid)")
    if not (0 <= a.seed < 2 ** 32):
        raise ValueError(f"--seed must be a whole number in [0, 2^32), got {a.seed}")
    return {
        "data": a.data, "out": a.out, "strategy": a.strategy, "preset": a.preset, "width": a.width, "depth": a.depth,
        "heads": a.heads, "patch": a.patch, "batch": a.batch, "self_cond_rate": a.self_cond_rate, "val_windows": a.val_windows,
        "resume": a.resume, "force": a.force, "device": a.device, "threads": a.threads, "for_seconds": a.for_seconds,
        "stop_after": a.stop_after, "schedule": a.schedule, "min_snr": a.min_snr,
        "region_weight": a.region_weight, "regions": regions, "given_rate": a.given_rate, "quiet_weight": a.quiet_weight,
        "self_condition": a.self_condition, "audio_context": a.audio_context, "video_context": a.video_context,
        "video_frame_context": a.video_frame_context,
        "trainer": {"steps": a.steps, "lr": a.lr, "warmupSteps": a.warmup, "emaDecay": a.ema, "seed": a.seed,
                    "checkpointEvery": a.checkpoint_every, "logEvery": a.log_every},
    }


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        if a.command == "export":
            return export(a)
        o = options(a)
        if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:  # under torchrun
            run(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), o)
        elif a.nproc > 1:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            try:
                mp.spawn(run_spawned, args=(a.nproc, o, port), nprocs=a.nproc, join=True)
            except mp.ProcessExitedException:
                sys.exit(1)  # the failing process printed why
        else:
            run(0, 1, o)
    except ValueError as e:
        print(f"avdit_torch: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
