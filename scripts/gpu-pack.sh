#!/usr/bin/env bash
# Builds .gpu/ for a lent GPU machine: ../shared/tools/gpu-pack.sh (Node, Vulkan loader, node_modules), then
# node_modules again without what a training run there never loads (the evaluation's face network and
# TensorFlow.js, the browser-test driver, the compilers), so the tree + .gpu stay under the 64 MiB limit.
#   npm ci && npm run build && bash scripts/gpu-pack.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../shared/tools/gpu-pack.sh >/dev/null
tar cf - --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='node_modules/.cache' --exclude='*.map' \
  --exclude='node_modules/@tensorflow' --exclude='node_modules/@vladmandic' --exclude='node_modules/playwright-core' \
  --exclude='node_modules/typescript' --exclude='node_modules/esbuild' --exclude='node_modules/@esbuild' \
  node_modules | xz -T0 -6 > .gpu/node_modules.tar.xz
du -sh .gpu
echo "working tree that travels (with .gpu, must stay under 64 MiB):"
git ls-files -co --exclude-standard -z | du -ch --files0-from=- 2>/dev/null | tail -1
