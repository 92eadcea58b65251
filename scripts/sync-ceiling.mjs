// How much lip sync can a video codec keep if it keeps only each latent frame's content? (issues 11 and 14)
// SyncCorr (src/eval/av-metrics.ts) of the validation windows of a clip cache, real frames vs frames replaced by the
// temporal mean of each causal group (frame 0 alone, then groups of g frames: what a latent frame of a 1 + g·k codec
// covers), with and without linear interpolation between the groups' centres. Also writes the mouth openness of every
// window of a latent cache (--openness <latents> <out.json>) for scripts/latent-mouth-probe.py.
//   node scripts/sync-ceiling.mjs [cache/grid-all] [--openness cache/latents-v2 /tmp/open.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { ClipCache } from '../dist/src/data/node/cache.js';
import { syncScores } from '../dist/src/eval/node/codec-report.js';
import { mouthOpenness } from '../dist/src/eval/av-metrics.js';

const args = process.argv.slice(2);
const oi = args.indexOf('--openness');
const cache = new ClipCache(args[0] && oi !== 0 ? args[0] : 'cache/grid-all');
const F = cache.config.windowFrames;

function groupMean(c, g, interp) {
  const px = c.height * c.width * 3;
  const groups = [[0]];
  for (let s = 1; s < c.numFrames; s += g) groups.push(Array.from({ length: Math.min(g, c.numFrames - s) }, (_, i) => s + i));
  const means = groups.map((fr) => {
    const m = new Float32Array(px);
    for (const f of fr) for (let i = 0; i < px; i++) m[i] += c.video[f * px + i] / fr.length;
    return m;
  });
  const centres = groups.map((fr) => fr.reduce((a, b) => a + b, 0) / fr.length);
  const out = new Float32Array(c.video.length);
  for (let f = 0; f < c.numFrames; f++) {
    const gi = groups.findIndex((fr) => fr.includes(f));
    let a = gi,
      b = gi;
    if (interp && f < centres[gi] && gi > 0) a = gi - 1;
    else if (interp && f > centres[gi] && gi < groups.length - 1) b = gi + 1;
    const w = a === b ? 0 : (f - centres[a]) / (centres[b] - centres[a]);
    for (let i = 0; i < px; i++) out[f * px + i] = (1 - w) * means[a][i] + w * means[b][i];
  }
  return out;
}

if (oi >= 0) {
  const [latents, out] = args.slice(oi + 1);
  const m = JSON.parse(readFileSync(`${latents}/latents.json`, 'utf8'));
  const byFile = new Map(cache.clips().map((c) => [c.file, c]));
  const res = {};
  for (const split of ['train', 'val']) {
    let last = { file: '', clip: null };
    res[split] = m.windows[split].map((w) => {
      if (last.file !== w.file) last = { file: w.file, clip: cache.loadClip(byFile.get(w.file)) };
      const px = last.clip.height * last.clip.width * 3;
      return mouthOpenness({ ...last.clip, video: last.clip.video.subarray(w.start * px, (w.start + F) * px), numFrames: F });
    });
  }
  writeFileSync(out, JSON.stringify(res));
  console.log(`wrote ${out}: mouth openness of ${res.train.length} train and ${res.val.length} val windows`);
} else {
  const clips = cache.clips('val').map((clip) => cache.loadWindow({ clip, start: 0 }));
  const r = syncScores(
    clips,
    clips.map((c) => c.video),
  );
  console.log(`${clips.length} validation windows (start 0, ${F} frames at ${cache.config.fps} fps)`);
  console.log(`SyncCorr real ${r.real.toFixed(3)}, real frames with another window's audio ${r.shuffled.toFixed(3)}`);
  for (const g of [2, 4])
    for (const interp of [false, true]) {
      const s = syncScores(
        clips,
        clips.map((c) => groupMean(c, g, interp)),
      ).reconstruction;
      console.log(`each group of ${g} frames replaced by its mean${interp ? ', interpolated between groups' : ''}: SyncCorr ${s.toFixed(3)}`);
    }
}
