"""avdit_torch: avdit's AVDiT and its MoNL trainer in PyTorch (Debian's python3-torch, numpy), for training at
scale with PyTorch's distributed engine and bringing the weights back to avdit (Node, the browser).

Same files as avdit (latent cache, safetensors checkpoints + config.json), same seeded batches, same
initial weights, same update rule: see docs/scale-out.md and the parity tests in test/scale-out.test.ts.
"""
