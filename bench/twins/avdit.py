"""PyTorch twin of src/model/avdit.ts and the loss of src/train/monl-loss.ts, for the benches and parity tests:
the network itself is python/avdit_torch/model.py (the PyTorch trainer's), fed here with the constants the
TypeScript side sends (positional encodings, one-hot maps)."""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from avdit_torch import model  # noqa: E402
from avdit_torch.monl import per_example_loss  # noqa: E402


def loss_from_inputs(p, cfg, xtV, xtA, epsV, epsA, sigV, noiV, sigA, noiA, t_cells, use_sc, pe, cellOH, tokenModOH, cellModOH):
    """Entry for bench/twins/run.py: the batch tensors of monlBatchTensors, then the constants."""
    k = {"pe": pe, "cellOH": cellOH, "tokenModOH": tokenModOH, "cellModOH": cellModOH}
    lay = SimpleNamespace(video=cfg["lay"]["video"], nv=cfg["lay"]["nv"])
    b = {"xtVideo": xtV, "xtAudio": xtA, "epsVideo": epsV, "epsAudio": epsA, "sigVideo": sigV, "noiVideo": noiV, "sigAudio": sigA,
         "noiAudio": noiA, "tCells": t_cells}
    se_v, se_a = per_example_loss(p, cfg["model"], lay, k, b, use_sc)
    return ((se_v + se_a) / (epsV[0].numel() + epsA[0].numel())).mean()
