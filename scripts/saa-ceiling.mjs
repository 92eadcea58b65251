// What V2A SAA ≥ 0.85 asks of the audio's timing and level contrast (issue 14): SAA (src/eval/av-metrics.ts rules, as
// `avdit eval` scores v2a) of real validation audio against its own words after perturbations that mimic a generator's
// faults: a time shift (speech early/late by d ms), a smear (the mean power of copies shifted by −d, 0, +d: uncertain
// timing averaged) and a raised floor (noise at X dB below the window's loudest frame). Sets A (windows 0–15 starting at
// frame 4) and B (16–31), as runs/eval-v14.sh.
//   node scripts/saa-ceiling.mjs [cache/grid-all] [--align dir1,dir2]
import { ClipCache } from '../dist/src/data/node/cache.js';
import { loadAlign } from '../dist/src/eval/node/metric-check.js';
import { activityFromAlign, activityFromAudio, energyDbPerFrame, speechAgreement } from '../dist/src/eval/av-metrics.js';

const args = process.argv.slice(2);
const ai = args.indexOf('--align');
const align = ai >= 0 ? args.splice(ai, 2)[1] : '../shared/data/grid-s1/align,../shared/data/grid-s1-extra/align';
const cache = new ClipCache(args[0] ?? 'cache/grid-all');
const { fps, sampleRate: sr, windowFrames: T } = cache.config;
const wins = cache.windows('val').filter((w) => w.start === 4);
const sets = { A: wins.slice(0, 16), B: wins.slice(16, 32) };
const n = Math.round((T / fps) * sr);

// a window's audio whose time axis is moved by `ms` (positive: the sound comes later), zeros past the clip's ends
function shifted(clip, start, ms) {
  const out = new Float32Array(n),
    o = Math.round((start / fps - ms / 1000) * sr);
  for (let i = 0; i < n; i++) out[i] = clip.audio[o + i] ?? 0;
  return out;
}
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}
const perturb = {
  real: (c, s) => shifted(c, s, 0),
  ...Object.fromEntries([-125, -62, 62, 125].map((d) => [`shift ${d > 0 ? '+' : ''}${d} ms`, (c, s) => shifted(c, s, d)])),
  ...Object.fromEntries(
    [31, 62, 125].map((d) => [
      `smear ±${d} ms`,
      (c, s) => {
        const a = shifted(c, s, -d),
          b = shifted(c, s, 0),
          e = shifted(c, s, d),
          r = rng(1);
        // incoherent mean of the three powers: a random-sign sum keeps the expected power
        return Float32Array.from(b, (v, i) => Math.sqrt((a[i] ** 2 + v ** 2 + e[i] ** 2) / 3) * (r() < 0.5 ? -1 : 1));
      },
    ]),
  ),
  ...Object.fromEntries(
    [-30, -25, -22].map((db) => [
      `floor ${db} dB`,
      (c, s) => {
        const a = shifted(c, s, 0),
          top = Math.max(...energyDbPerFrame(a, sr, fps, T)); // the loudest frame's power, dB
        const r = rng(2),
          amp = Math.sqrt(10 ** ((top + db) / 10) * 3); // uniform noise in [−amp, amp] has power amp²/3
        return Float32Array.from(a, (v) => v + amp * (2 * r() - 1));
      },
    ]),
  ),
};
const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
// each set's windows, loaded once: clip, start and the words' activity per frame
const loaded = Object.values(sets).map((ws) =>
  ws.map((w) => {
    const words = loadAlign(align, w.clip.file);
    if (!words) throw new Error(`${w.clip.file}: no .align file in ${align}`);
    return { clip: cache.loadClip(w.clip), start: w.start, spoken: activityFromAlign(words, fps, w.start, T) };
  }),
);
const frames = [...Array(T).keys()];
console.log(`SAA of real validation audio, perturbed (${cache.dir}, windows starting at frame 4; SAA / SAA-speech / SAA-silence)`);
console.log(
  `| audio | ${Object.keys(sets)
    .map((k) => `set ${k}`)
    .join(' | ')} |\n|---|${'---:|'.repeat(Object.keys(sets).length)}`,
);
for (const [name, f] of Object.entries(perturb)) {
  const cells = loaded.map((ws) => {
    const s = ws.map((w) => speechAgreement(activityFromAudio(f(w.clip, w.start), sr, fps, T), w.spoken, frames));
    const avg = (k) => mean(s.map((x) => x[k]).filter((v) => !Number.isNaN(v))).toFixed(3);
    return `${avg('all')} / ${avg('speech')} / ${avg('silence')}`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
