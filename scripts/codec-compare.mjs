// Two `avdit codec eval` reports on the same windows, compared pairwise: the reconstruction's SyncCorr per window,
// mean difference (second − first) with a 95% paired bootstrap interval over the windows.
//   node scripts/codec-compare.mjs runs/a/eval/report.json runs/b/eval/report.json
import { readFileSync } from 'node:fs';
import { bootstrap, meanOf } from '../dist/src/eval/stats.js';

const [fa, fb] = process.argv.slice(2);
if (!fa || !fb) throw new Error('usage: node scripts/codec-compare.mjs <report.json> <report.json>');
const load = (f) => {
  const w = JSON.parse(readFileSync(f, 'utf8')).video?.syncCorr?.perWindow;
  if (!Array.isArray(w)) throw new Error(`${f}: no per-window SyncCorr (a report written before it was stored: evaluate again)`);
  return w;
};
const a = load(fa),
  b = load(fb);
if (a.length !== b.length) throw new Error(`${fa} has ${a.length} windows, ${fb} ${b.length}: not the same windows`);
const d = b.map((v, i) => v - a[i]);
const ci = bootstrap(d.length, meanOf(d));
const f = (v) => v.toFixed(3);
console.log(`SyncCorr of the reconstruction on ${d.length} windows: ${f(meanOf(a)(a.map((_, i) => i)))} → ${f(meanOf(b)(b.map((_, i) => i)))}`);
console.log(
  `difference ${f(ci.value)} [${f(ci.lo)}, ${f(ci.hi)}] (95% paired bootstrap); better in ${d.filter((v) => v > 0).length} of ${d.length} windows`,
);
