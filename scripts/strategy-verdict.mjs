// The five-strategy table with training seeds, and a verdict per finding of the paper (issue 14).
// Reads an `avdit eval` report.json whose models are named <strategy>-s<seed> (scripts/train-comparison-v2.sh),
// averages each metric over the training seeds, and calls a difference real only when it is larger than the
// training-seed spread (|seed 0 − seed 1|) of both strategies compared — the noise of retraining, which includes
// the sampling noise of the evaluation. Several reports (e.g. conditional tasks with influence, the others without)
// are merged per model.   node scripts/strategy-verdict.mjs runs/eval-compare-v2/report.json [more report.json…]
import { readFileSync } from 'node:fs';

const paths = process.argv.length > 2 ? process.argv.slice(2) : ['runs/eval-compare-v2/report.json'];
const reports = paths.map((p) => JSON.parse(readFileSync(p, 'utf8')));
const report = { ...reports[0], results: {} };
for (const r of reports) {
  if (r.windows !== report.windows || r.windowStart !== report.windowStart || r.data !== report.data || r.steps !== report.steps)
    throw new Error('strategy-verdict: the reports are not on the same windows and sampler');
  for (const [m, tasks] of Object.entries(r.results)) report.results[m] = { ...report.results[m], ...tasks };
}
const COLUMNS = [
  ['joint', 'FVD-pix80', -1],
  ['joint', 'FAD-logmel40', -1],
  ['joint', 'SyncCorr', 1],
  ['a2v', 'FVD-pix80', -1],
  ['a2v', 'SyncCorr', 1],
  ['a2v', 'influence-video', 1],
  ['v2a', 'FAD-logmel40', -1],
  ['v2a', 'SyncCorr', 1],
  ['v2a', 'SAA', 1],
  ['v2a', 'influence-audio', 1],
  ['inpaint', 'FVD-pix80', -1],
  ['inpaint', 'FAD-logmel40', -1],
  ['inpaint', 'ID-dist', -1],
  ['continue', 'FVD-pix80', -1],
  ['continue', 'FAD-logmel40', -1],
  ['continue', 'ID-dist', -1],
];
const FINDINGS = [
  ['MoNL is best on average (mean rank over all columns)', 'monl', null],
  ['MoNL is best on inpainting and continuation', 'monl', ['inpaint', 'continue']],
  ['per-modality (pm) is best on A2V and V2A', 'pm', ['a2v', 'v2a']],
  ['vanilla is best on joint generation', 'vanilla', ['joint']],
];

const strategies = new Map(); // strategy → seed → results
for (const name of Object.keys(report.results)) {
  const m = /^(.*)-s(\d+)$/.exec(name);
  if (!m) continue;
  if (!strategies.has(m[1])) strategies.set(m[1], new Map());
  strategies.get(m[1]).set(Number(m[2]), report.results[name]);
}
const names = [...strategies.keys()];
const seedsOf = (s) => [...strategies.get(s).keys()].sort();
const val = (s, seed, [task, metric]) => strategies.get(s).get(seed)?.[task]?.[metric]?.value ?? NaN;
const cols = COLUMNS.filter((c) => names.some((s) => seedsOf(s).some((seed) => Number.isFinite(val(s, seed, c)))));
const stat = (s, c) => {
  const v = seedsOf(s)
    .map((seed) => val(s, seed, c))
    .filter(Number.isFinite); // a seed not evaluated yet is left out
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { v, mean, spread: v.length > 1 ? Math.max(...v) - Math.min(...v) : NaN };
};
const fmt = (x) => (Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

// ranks by the seed mean, and per seed (each seed's models ranked among themselves)
function meanRanks(get) {
  const r = new Map(names.map((s) => [s, 0]));
  for (const c of cols) {
    const order = [...names].sort((a, b) => c[2] * (get(b, c) - get(a, c)));
    order.forEach((s, i) => r.set(s, r.get(s) + (i + 1) / cols.length));
  }
  return r;
}
const rankMean = meanRanks((s, c) => stat(s, c).mean);
const allSeeds = [...new Set(names.flatMap(seedsOf))];
const rankSeed = allSeeds.map((seed) => meanRanks((s, c) => val(s, seed, c)));

console.log(
  `${report.windows} windows of ${report.data} (${report.split}, window start ${report.windowStart}), sampling seed ${report.seeds.join(',')}, DDIM ${report.steps} steps, guidance ${report.guidance}; training seeds ${allSeeds.join(', ')}.`,
);
console.log(
  "Each cell: mean over the training seeds (seed values in brackets). Bold: best, by more than both its and the runner-up's seed spread.\n",
);
console.log(`| strategy | ${cols.map(([t, m]) => `${t} ${m}`).join(' | ')} | mean rank (per seed) |`);
console.log(`|---|${cols.map(() => '---:').join('|')}|---:|`);
const best = new Map();
for (const c of cols) {
  const order = [...names].sort((a, b) => c[2] * (stat(b, c).mean - stat(a, c).mean));
  const [a, b] = order.map((s) => stat(s, c));
  best.set(c, { order, clear: b !== undefined && Math.abs(a.mean - b.mean) > Math.max(a.spread, b.spread) });
}
for (const ref of ['real clips', 'codec reconstruction'])
  if (report.results[ref])
    console.log(
      `| ${ref} | ${cols.map(([t, m]) => (Number.isFinite(report.results[ref][t]?.[m]?.value) ? fmt(report.results[ref][t][m].value) : '–')).join(' | ')} | |`,
    );
for (const s of names) {
  const cells = cols.map((c) => {
    const st = stat(s, c);
    const txt = `${fmt(st.mean)} (${st.v.map(fmt).join(', ')})`;
    const b = best.get(c);
    return b.order[0] === s && b.clear ? `**${txt}**` : txt;
  });
  console.log(`| ${s} | ${cells.join(' | ')} | ${rankMean.get(s).toFixed(2)} (${rankSeed.map((r) => r.get(s).toFixed(2)).join(', ')}) |`);
}

console.log('\nVerdicts (a column confirms when the claimed strategy is best by more than the seed spreads, refutes when');
console.log('another strategy beats it by more than both spreads, else undecided):\n');
for (const [claim, who, tasks] of FINDINGS) {
  if (!strategies.has(who)) continue;
  if (!tasks) {
    const bestMean = [...rankMean].sort((a, b) => a[1] - b[1])[0][0];
    const bestPerSeed = rankSeed.map((r) => [...r].sort((a, b) => a[1] - b[1])[0][0]);
    const verdict = bestPerSeed.every((s) => s === who)
      ? 'confirmed'
      : bestPerSeed.every((s) => s !== who) && bestPerSeed.every((s) => s === bestPerSeed[0])
        ? 'refuted'
        : 'undecided';
    console.log(
      `- **${claim}: ${verdict}.** Lowest mean rank: ${bestMean} (${[...rankMean]
        .sort((a, b) => a[1] - b[1])
        .map(([s, r]) => `${s} ${r.toFixed(2)}`)
        .join(', ')}); best per training seed: ${bestPerSeed.join(', ')}.`,
    );
    continue;
  }
  const per = cols
    .filter((c) => tasks.includes(c[0]))
    .map((c) => {
      const me = stat(who, c);
      const b = best.get(c);
      const beaters = names.filter((s) => s !== who && c[2] * (stat(s, c).mean - me.mean) > Math.max(me.spread, stat(s, c).spread));
      const label =
        b.order[0] === who && b.clear ? 'confirms' : beaters.length ? `refutes (${beaters.join(', ')} better)` : `undecided (best: ${b.order[0]})`;
      return `${c[0]} ${c[1]} ${label}`;
    });
  const n = per.length,
    conf = per.filter((p) => p.includes('confirms')).length,
    ref = per.filter((p) => p.includes('refutes')).length;
  const verdict = conf > n / 2 && ref === 0 ? 'confirmed' : ref > n / 2 ? 'refuted' : 'undecided';
  console.log(`- **${claim}: ${verdict}** (${conf} of ${n} columns confirm, ${ref} refute): ${per.join('; ')}.`);
}
