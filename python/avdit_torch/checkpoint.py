"""avdit's files: the latent cache (latents.json + latents.safetensors) and checkpoint folders
(config.json, model.safetensors, optimizer.safetensors, trainer.json), swapped in atomically as avdit does
(src/util/node/checkpoint.ts): a crash leaves the old or the new checkpoint, never a mix."""
import json
import os
import shutil

from . import safetensors


def read_json(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ValueError(f"{path}: no {what}") from None
    except ValueError as e:
        raise ValueError(f"{path}: {what} is not valid JSON ({e})") from None


def open_latent_cache(d):
    """(manifest, {split.modality: float32 array}); another version or layout is a one-line error naming the file."""
    mp = os.path.join(d, "latents.json")
    if not os.path.exists(mp):
        raise ValueError(f"{d}: not a latent cache (no latents.json); make one with \"avdit encode\"")
    m = read_json(mp, "latent cache manifest")
    if m.get("version") != 1:
        raise ValueError(f"{mp}: latent cache version {m.get('version')!r}, this trainer reads version 1 (re-encode with this avdit)")
    for k in ("videoShape", "audioShape", "layout", "data", "audioHopSec", "codecs"):
        if k not in m:
            raise ValueError(f"{mp}: the manifest has no \"{k}\"")
    st = os.path.join(d, "latents.safetensors")
    tensors, _ = safetensors.load(st)
    for split in ("train", "val"):
        for mod, shape in (("video", m["videoShape"]), ("audio", m["audioShape"])):
            name = f"{split}.{mod}"
            if name not in tensors:
                raise ValueError(f"{st}: no tensor \"{name}\"")
            if list(tensors[name].shape[1:]) != list(shape):
                raise ValueError(f"{st}: \"{name}\" has windows of shape {list(tensors[name].shape[1:])}, latents.json says {shape}")
    return m, tensors


def save_checkpoint(d, config, params, optimizer=None, trainer=None, dtype="F32"):
    parent = os.path.dirname(os.path.abspath(d))
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".{os.path.basename(d)}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(tmp, "model.safetensors"), "wb") as f:
        f.write(safetensors.dumps(params, {"format": "avdit"}, dtype))
    if optimizer is not None:
        with open(os.path.join(tmp, "optimizer.safetensors"), "wb") as f:
            f.write(safetensors.dumps(optimizer))
    if trainer is not None:
        with open(os.path.join(tmp, "trainer.json"), "w") as f:
            json.dump(trainer, f, indent=2)
    old = d + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(d):
        os.rename(d, old)
    os.rename(tmp, d)
    shutil.rmtree(old, ignore_errors=True)


def load_checkpoint(d):
    """{config, params, optimizer?, trainer?}; falls back to <d>.old after a crash between the renames."""
    src = d + ".old" if not os.path.exists(os.path.join(d, "config.json")) and os.path.exists(os.path.join(d + ".old", "config.json")) else d
    cp, mp = os.path.join(src, "config.json"), os.path.join(src, "model.safetensors")
    if not os.path.exists(cp) or not os.path.exists(mp):
        raise ValueError(f"{d}: not a checkpoint (needs config.json and model.safetensors)")
    ck = {"dir": src, "config": read_json(cp, "checkpoint config"), "params": safetensors.load(mp)[0]}
    op, tp = os.path.join(src, "optimizer.safetensors"), os.path.join(src, "trainer.json")
    if os.path.exists(op):
        ck["optimizer"] = safetensors.load(op)[0]
    if os.path.exists(tp):
        ck["trainer"] = read_json(tp, "trainer state")
    return ck


def existing_run(out):
    """The step of the run stored in `out`, or None."""
    ck = os.path.join(out, "checkpoint")
    for d in (ck, ck + ".old"):
        tp = os.path.join(d, "trainer.json")
        if os.path.exists(tp):
            try:
                return int(read_json(tp, "trainer state").get("step", 0))
            except ValueError:
                return 0
    m = os.path.join(out, "metrics.jsonl")
    return 0 if os.path.exists(m) and open(m).read().strip() else None
