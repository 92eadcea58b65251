"""PyTorch twin of src/eval/vggish.ts: torchvggish's VGG (features + embeddings) on its own state-dict
names and layouts, so the same safetensors file gives the same embeddings on both sides."""
import torch
import torch.nn.functional as F

CONVS = [0, 3, 6, 8, 11, 13]
POOL_AFTER = {0, 3, 8, 13}


def vggish(p, c, x):
    h = x[:, None]  # [B, 1, 96, 64]
    for i in CONVS:
        h = F.relu(F.conv2d(h, p[f"features.{i}.weight"], p[f"features.{i}.bias"], padding=1))
        if i in POOL_AFTER:
            h = F.max_pool2d(h, 2, 2)
    h = torch.transpose(h, 1, 3)  # as torchvggish: to TF's channels-last order before flattening
    h = torch.transpose(h, 1, 2).contiguous()
    h = h.view(h.size(0), -1)
    for i in [0, 2, 4]:
        h = F.relu(F.linear(h, p[f"embeddings.{i}.weight"], p[f"embeddings.{i}.bias"]))
    return h
