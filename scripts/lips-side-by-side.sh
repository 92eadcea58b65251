#!/usr/bin/env bash
# Real vs generated lips (issue 14): A2V from the bundled model on the 3 validation clips in examples/grid-val
# (window from frame 4, 25 DDIM steps, seed 0), next to the real frames (same crop, 64×64, shown ×4) with the real
# sound; plus a mouth sheet (per clip: real mouth row, generated mouth row, 17 frames).
#   scripts/lips-side-by-side.sh [model] [outdir]  → <outdir>/lips-real-vs-a2v.mp4, <outdir>/lips-real-vs-a2v-mouths.png
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/avdit}; out=${2:-docs/demo}; extra=${EXTRA:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clips="bbaf4p lbad8p prav9s"
for c in $clips; do
  node dist/cli/main.js generate --model "$model" --task a2v --input "examples/grid-val/$c.mpg" --crop 200:200:52:44 \
    --start 4 --steps 25 --seed 0 $extra --out "$tmp/$c" > /dev/null
  # frame 4 at 8 fps = 0.5 s; the window is 17 frames = 2.125 s
  ffmpeg -v error -y -ss 0.5 -t 2.125 -i "examples/grid-val/$c.mpg" -i "$tmp/$c.mp4" -filter_complex \
    "[0:v]fps=8,crop=200:200:52:44,scale=64:64:flags=area,scale=256:256:flags=neighbor,setsar=1[r];[1:v]scale=256:256:flags=neighbor,setsar=1[g];[r][g]hstack=inputs=2,pad=528:272:8:8:color=white[v]" \
    -map "[v]" -map 0:a -c:v libx264 -pix_fmt yuv420p -r 8 -c:a aac -ar 16000 -shortest "$tmp/$c-sbs.mp4" 2>&1 | grep -v 'Header missing\|Invalid data' || true
  ffmpeg -v error -y -i "$tmp/$c-sbs.mp4" -vf "split[a][b];[a]crop=86:60:93:192,scale=172:120:flags=neighbor,tile=17x1[r];[b]crop=86:60:349:192,scale=172:120:flags=neighbor,tile=17x1[g];[r][g]vstack" -frames:v 1 "$tmp/$c-mouth.png"
  echo "file '$tmp/$c-sbs.mp4'" >> "$tmp/list.txt"
done
mkdir -p "$out"
ffmpeg -v error -y -f concat -safe 0 -i "$tmp/list.txt" -c copy "$tmp/all.mp4" && mv "$tmp/all.mp4" "$out/lips-real-vs-a2v.mp4"
ffmpeg -v error -y $(for c in $clips; do echo -i "$tmp/$c-mouth.png"; done) -filter_complex "vstack=inputs=3" "$tmp/m.png" && mv "$tmp/m.png" "$out/lips-real-vs-a2v-mouths.png"
echo "wrote $out/lips-real-vs-a2v.mp4 and $out/lips-real-vs-a2v-mouths.png (left/top: real; right/bottom: generated)"
