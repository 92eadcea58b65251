"""AVDiT training with MoNL in PyTorch, data-parallel (DDP: gloo on CPU, NCCL on GPUs), with avdit's
update rule and files (src/train/trainer.ts):
  - batch of step s from key fold_in(seed, s): windows, strategies, timesteps and noise as avdit draws them;
    with W processes each rank takes its own B/W windows of that batch, so W processes train exactly like
    one process with the whole batch (gradients averaged by DDP's all-reduce)
  - global-norm clipping, AdamW (decay on tensors of ≥ 2 axes), warm-up + cosine LR, EMA
  - rank 0 writes metrics.jsonl and checkpoints (EMA weights in model.safetensors; m., v., raw. in
    optimizer.safetensors; trainer.json), which `avdit generate`, the studio and `avdit train --resume` load
  - --resume continues exactly (same weights as an uninterrupted run); so does avdit on these checkpoints
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

from . import model, monl
from .checkpoint import existing_run, load_checkpoint, open_latent_cache, save_checkpoint
from .layout import consts, layout_from_manifest
from .rng import fold_in, randint

# avdit train's defaults (AVDIT_TRAIN_DEFAULTS in src/train/node/monl-task.ts; a test compares them)
TRAINER_DEFAULTS = {"steps": 4000, "lr": 5e-4, "warmupSteps": 200, "minLrFraction": 0.1, "weightDecay": 0.01, "beta1": 0.9,
                    "beta2": 0.99, "gradClip": 1, "emaDecay": 0.999, "seed": 0, "logEvery": 25, "checkpointEvery": 250}
TASK_DEFAULTS = {"batch": 16, "selfCondRate": 0.9, "valWindows": 64}
ADAM_EPS = 1e-8
VAL_KEY = 0x7A1


def lr_at(step, c):
    if step <= c["warmupSteps"]:
        return c["lr"] * step / max(1, c["warmupSteps"])
    p = min(1, (step - c["warmupSteps"]) / max(1, c["steps"] - c["warmupSteps"]))
    return c["lr"] * (c["minLrFraction"] + (1 - c["minLrFraction"]) * 0.5 * (1 + math.cos(math.pi * p)))


class Net(torch.nn.Module):
    """The parameter dict as a module, so DDP can all-reduce its gradients; forward = the MoNL loss."""

    def __init__(self, params, c, lay, k):
        super().__init__()
        self.names = list(params)
        for i, n in enumerate(self.names):
            self.register_parameter(f"p{i}", torch.nn.Parameter(params[n]))
        self.c, self.lay, self.k = c, lay, k

    def params(self):
        return {n: getattr(self, f"p{i}") for i, n in enumerate(self.names)}

    def forward(self, b, use_sc):
        return monl.loss_and_stats(self.params(), self.c, self.lay, self.k, b, use_sc)


def _eta(sec):
    s = max(0, round(sec))
    return f"{s // 3600}h{(s % 3600) // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def _fmt(v, n):
    return f"{v:.{n}g}"


def model_config(o, ck):
    if ck is not None:
        return model.validate(dict(ck["config"].get("model") or {}), os.path.join(ck["dir"], "config.json"))
    if o["preset"] not in model.PRESETS:
        raise ValueError(f"--preset {o['preset']}: choose one of {', '.join(model.PRESETS)}")
    c = dict(model.PRESETS[o["preset"]])
    for k in ("width", "depth", "heads", "patch"):
        if o.get(k) is not None:
            c[k] = o[k]
    if o.get("self_condition"):
        c["selfCondition"] = True
    if o.get("audio_context"):
        c["audioContext"] = o["audio_context"]
    if o.get("video_context"):
        c["videoContext"] = True
    if o.get("video_frame_context"):
        c["videoFrameContext"] = True
    return model.validate(c, "train")


def check_resumable(ck, cfg, config):
    """A checkpoint of another kind or latent layout than this cache: one line naming the file."""
    path = os.path.join(ck["dir"], "config.json")
    if ck["config"].get("kind") != "avdit":
        raise ValueError(f"{path}: kind {ck['config'].get('kind')!r} is not an AVDiT checkpoint")
    if ck["config"].get("layout") != config["layout"]:
        raise ValueError(f"{path}: latent layout {json.dumps(ck['config'].get('layout'))} differs from the cache's {json.dumps(config['layout'])}")
    if "optimizer" not in ck or "trainer" not in ck:
        raise ValueError(f"{ck['dir']}: has no optimizer state (an export, not a training checkpoint); start a new run from it instead")


def run(rank, world, o):
    """One process of a (possibly distributed) run; o: the options of `python3 -m avdit_torch train`."""
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if o["device"] == "cuda" else "gloo", rank=rank, world_size=world)
    local = int(os.environ.get("LOCAL_RANK", rank))  # torchrun sets it; --nproc ranks are local already
    dev = torch.device(f"cuda:{local % max(1, torch.cuda.device_count())}" if o["device"] == "cuda" else "cpu")
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    torch.set_num_threads(o.get("threads") or max(1, (os.cpu_count() or 1) // world))
    lead = rank == 0
    log = (lambda s: print(s, flush=True)) if lead else (lambda s: None)
    cfg = {**TRAINER_DEFAULTS, **{k: v for k, v in o["trainer"].items() if v is not None}, "batch": o["batch"]}
    out = o["out"]
    ck_dir, metrics_path = os.path.join(out, "checkpoint"), os.path.join(out, "metrics.jsonl")
    before = existing_run(out)
    if before is not None and not o["resume"] and not o["force"]:
        raise ValueError(f"{out}: already holds a training run (checkpoint at step {before}); --resume continues it, --force starts over and replaces it")
    if cfg["batch"] % world:
        raise ValueError(f"--batch {cfg['batch']} is not divisible by {world} processes")

    m, tensors = open_latent_cache(o["data"])
    resume = o["resume"] and (os.path.exists(os.path.join(ck_dir, "config.json")) or os.path.exists(os.path.join(ck_dir + ".old", "config.json")))
    ck = load_checkpoint(ck_dir) if resume else None
    c = model_config(o, ck)
    lay = layout_from_manifest(m, c["patch"])
    sp = model.specs(c, lay)
    mixture = monl.MIXTURES.get(o["strategy"])
    if mixture is None:
        raise ValueError(f"unknown strategy \"{o['strategy']}\": choose one of {', '.join(monl.MIXTURES)}")
    config = {
        "kind": "avdit", "model": c,
        "layout": {"video": m["videoShape"], "audio": m["audioShape"], "segments": m["layout"]["numSegments"]},
        "diffusion": ck["config"].get("diffusion") if ck is not None else monl.SCHEDULE_KINDS[o.get("schedule") or "linear"],
        "latents": {"path": os.path.relpath(os.path.abspath(o["data"])).replace(os.sep, "/"), "codecs": m["codecs"], "data": m["data"], "segmentLayout": m["layout"], "audioHopSec": m["audioHopSec"]},
        "strategy": o["strategy"], "mixture": mixture,
        "train": {"batch": cfg["batch"], "selfCondRate": o["self_cond_rate"], **({"minSnr": o["min_snr"]} if o.get("min_snr") else {}),
                  **({"regionWeight": o["region_weight"], "regions": o["regions"]} if o.get("region_weight") else {}),
                  **({"givenRate": o["given_rate"]} if o.get("given_rate") else {}),
                  **({"quietWeight": o["quiet_weight"]} if o.get("quiet_weight") else {})},
    }
    region = monl.region_weight_map(m["videoShape"][2], m["videoShape"][1], list((o.get("regions") or {}).values()), o.get("region_weight") or 0)
    if ck is not None and o.get("schedule") and ck["config"].get("diffusion", {}).get("kind") != o["schedule"]:
        raise ValueError(f"{os.path.join(ck['dir'], 'config.json')}: the run's noise schedule is {json.dumps(ck['config'].get('diffusion'))}, not --schedule {o['schedule']}")
    tcfg = {k: cfg[k] for k in TRAINER_DEFAULTS}
    ema_on = cfg["emaDecay"] > 0
    history = []
    if ck is not None:
        check_resumable(ck, cfg, config)
        opt = ck["optimizer"]

        def pick(prefix):
            for k in sp:
                if prefix + k not in opt:
                    raise ValueError(f"{ck['dir']}: optimizer state has no \"{prefix + k}\"")
            return {k: opt[prefix + k] for k in sp}
        raw = pick("raw.") if ema_on else ck["params"]
        model.check_against_specs(raw, sp, ck["dir"])
        mom, vel = pick("m."), pick("v.")
        ema = {k: ck["params"][k] for k in sp} if ema_on else None
        start = int(ck["trainer"].get("step", 0))
        if os.path.exists(metrics_path):
            history = [h for h in (json.loads(l) for l in open(metrics_path) if l.strip()) if h["step"] <= start]
        log(f"resumed from {ck_dir} at step {start}")
    else:
        raw = model.init_params(sp, cfg["seed"])
        mom = {k: np.zeros_like(v) for k, v in raw.items()}
        vel = {k: np.zeros_like(v) for k, v in raw.items()}
        ema = {k: v.copy() for k, v in raw.items()} if ema_on else None
        start = 0
    T = lambda a: torch.tensor(np.ascontiguousarray(a), dtype=torch.float32, device=dev)  # noqa: E731
    k = {n: T(v) for n, v in consts(c["width"], lay, c.get("audioContext", 0), c.get("videoContext", False), c.get("videoFrameContext", False)).items()}
    net = Net({n: T(raw[n]) for n in sp}, c, lay, k)
    step_net = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    params = net.params()
    mom = {n: T(mom[n]) for n in sp}
    vel = {n: T(vel[n]) for n in sp}
    ema = {n: T(ema[n]) for n in sp} if ema_on else None
    if lead:
        os.makedirs(out, exist_ok=True)
        with open(metrics_path, "w") as f:
            f.writelines(json.dumps(h) + "\n" for h in history)

    per_v, per_a = int(np.prod(m["videoShape"])), int(np.prod(m["audioShape"]))
    tr_v, tr_a = tensors["train.video"], tensors["train.audio"]
    va_v, va_a = tensors["val.video"], tensors["val.audio"]
    n_train = tr_v.shape[0]
    tr_q = None
    if o.get("quiet_weight"):
        if "train.quiet" not in tensors:
            raise ValueError(f"{os.path.join(o['data'], 'latents.safetensors')}: no \"train.quiet\" for --quiet-weight (a cache from before they existed: "
                             "re-encode with \"avdit encode\", or add them with scripts/add-quiet.mjs)")
        tr_q = tensors["train.quiet"]
    if n_train == 0:
        raise ValueError(f"{o['data']}: no training windows")
    alpha_bars = monl.schedule_from_config(config["diffusion"], os.path.join(ck["dir"], "config.json") if ck else "train")
    B, lb = cfg["batch"], cfg["batch"] // world
    sc_rate = o["self_cond_rate"] if c["selfCondition"] else 0.0
    to_dev = lambda b: {n: T(v) for n, v in b.items()}  # noqa: E731

    def validate():
        res = {}
        nv = min(o["val_windows"], va_v.shape[0])
        if nv == 0:
            return res
        with torch.no_grad():
            for i, s in enumerate(monl.STRATEGIES):
                b = monl.make_batch(VAL_KEY + i, lay, alpha_bars, mixture, va_v[:nv], va_a[:nv], fixed=s)
                loss, _ = monl.loss_and_stats(ema if ema_on else params, c, lay, k, to_dev(b), 0.0)
                res[s] = float(loss)
        return res

    def save(at):
        host = lambda d: {n: v.detach().cpu().numpy() for n, v in d.items()}  # noqa: E731
        optim = {**{f"m.{n}": v for n, v in host(mom).items()}, **{f"v.{n}": v for n, v in host(vel).items()}}
        if ema_on:
            optim.update({f"raw.{n}": v for n, v in host(params).items()})
        weights = host(ema if ema_on else params)
        save_checkpoint(ck_dir, config, weights, optim, {"step": at, "seed": cfg["seed"], "trainer": tcfg})
        return weights  # the best-weights export reuses them

    best = None  # (step, score) of the best validation so far
    bp = os.path.join(out, "best", "config.json")
    if ck is not None and os.path.exists(bp):
        b = json.load(open(bp))
        if isinstance(b.get("validationScore"), (int, float)) and isinstance(b.get("exportedStep"), int) and b["exportedStep"] <= start:
            best = (b["exportedStep"], b["validationScore"])
    n_par = sum(int(np.prod(s)) for s, _ in sp.values())
    log(f"AVDiT (width {c['width']}, depth {c['depth']}, heads {c['heads']}, {n_par / 1e6:.2f}M parameters), strategy {o['strategy']}, "
        f"PyTorch {torch.__version__} on {dev.type} × {world} process{'es' if world > 1 else ''}, {torch.get_num_threads()} threads each")
    last = min(cfg["steps"], o.get("stop_after") or cfg["steps"])
    deadline = time.perf_counter() + o["for_seconds"] if o.get("for_seconds") else math.inf
    acc, cnt, acc_n, t_win = {}, {}, 0, time.perf_counter()
    b1, b2 = cfg["beta1"], cfg["beta2"]
    s = start + 1
    while s <= last:
        lr = lr_at(s, cfg)
        key = fold_in(cfg["seed"], s)
        idx = randint(key, B, 0, n_train)
        bt = monl.make_batch(key, lay, alpha_bars, mixture, tr_v[idx], tr_a[idx], min_snr=o.get("min_snr") or 0, region=region,
                             given_rate=o.get("given_rate") or 0,
                             quiet=monl.quiet_weights(tr_q[idx], o["quiet_weight"]) if tr_q is not None else None)
        mine = {n: v[rank * lb:(rank + 1) * lb] for n, v in bt.items()}
        use_sc = monl.use_self_cond(key, sc_rate)
        for p in params.values():
            p.grad = None
        loss, stats = step_net(to_dev(mine), use_sc)
        loss.backward()  # DDP: gradients averaged over the processes
        if world > 1:
            dist.all_reduce(stats)
        with torch.no_grad():
            gnorm = torch.sqrt(sum((p.grad.pow(2).sum() for p in params.values()), torch.zeros((), device=dev)))
            scale = torch.clamp(cfg["gradClip"] / (gnorm + 1e-6), max=1.0)
            c1, c2 = 1 / (1 - b1 ** s), 1 / (1 - b2 ** s)
            for n, p in params.items():
                g = p.grad * scale
                mom[n] = mom[n] * b1 + g * (1 - b1)
                vel[n] = vel[n] * b2 + g.square() * (1 - b2)
                upd = (mom[n] * c1) / (torch.sqrt(vel[n] * c2) + ADAM_EPS)
                if p.dim() >= 2:
                    p.sub_(p * (lr * cfg["weightDecay"]))
                p.sub_(upd * lr)
                if ema_on:
                    ema[n] = ema[n] * cfg["emaDecay"] + p * (1 - cfg["emaDecay"])
        vals = monl.metrics_from_stats(stats.cpu().double().numpy().tolist())
        vals = {"loss": vals.pop("loss"), **{n: vals[n] for n in sorted(vals)}, "gnorm": float(gnorm)}
        if not math.isfinite(vals["loss"]):
            raise RuntimeError(f"training diverged at step {s}: loss is {vals['loss']} (try a lower --lr)")
        for n, v in vals.items():
            if math.isfinite(v):
                acc[n] = acc.get(n, 0) + v
                cnt[n] = cnt.get(n, 0) + 1
        acc_n += 1
        if s < last and time.perf_counter() >= deadline:
            log(f"wall-time budget of {o['for_seconds']} s reached at step {s}: checkpointing (continue with --resume)")
            last = s
        if s % cfg["logEvery"] == 0 or s == last:
            now = time.perf_counter()
            sps = (now - t_win) / acc_n
            t_win = now
            avg = {n: acc[n] / cnt[n] for n in acc}
            h = {"step": s, **avg, "lr": lr, "sPerStep": sps}
            history.append(h)
            if lead:
                with open(metrics_path, "a") as f:
                    f.write(json.dumps(h) + "\n")
            extra = " ".join(f"{n} {_fmt(v, 3)}" for n, v in avg.items() if n not in ("loss", "gnorm"))
            log(f"step {s}/{cfg['steps']}  loss {_fmt(avg['loss'], 4)}  ({extra})  lr {lr:.2e}  |g| {_fmt(avg['gnorm'], 3)}  "
                f"{1 / sps:.2f} it/s  ETA {_eta(sps * (cfg['steps'] - s))}")
            acc, cnt, acc_n = {}, {}, 0
        if s % cfg["checkpointEvery"] == 0 or s == last:
            if lead:
                saved = save(s)
                v = validate()
                if history and history[-1]["step"] == s:
                    history[-1].update({f"val_{n}": x for n, x in v.items()})
                log(f"  validation at step {s}: " + "  ".join(f"{n} {_fmt(x, 4)}" for n, x in v.items()))
                score = sum(v.values()) / len(v) if v else math.nan
                if math.isfinite(score) and (best is None or score < best[1]):  # keep the best weights (fp16), as avdit does
                    best = (s, score)
                    save_checkpoint(os.path.join(out, "best"), {**config, "exportedStep": s, "validationScore": score}, saved, dtype="F16")
                    log(f"  best so far (validation score {_fmt(score, 4)}): fp16 export in {os.path.join(out, 'best')}")
                with open(metrics_path, "w") as f:
                    f.writelines(json.dumps(x) + "\n" for x in history)
            if world > 1:
                dist.barrier()
            t_win = time.perf_counter()
        s += 1
    log(f"done: {max(start, last)} steps; checkpoint in {ck_dir} ({'EMA' if ema_on else 'raw'} weights), metrics in {metrics_path}")
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def run_spawned(rank, world, o, port):
    """Entry of one process started by `--nproc` (torch.multiprocessing.spawn): a rendezvous on this machine."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    try:
        run(rank, world, o)
    except ValueError as e:
        print(f"avdit_torch: {e}", file=sys.stderr)
        sys.exit(1)
