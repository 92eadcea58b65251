/**
 * `npm run bench`: the three benches (AVDiT training step, transformer block, codecs) one after the
 * other, each in its own process (so peak memory is its own), and one table: avdit, PyTorch twin, ratio,
 * peak RSS of each side, with the CPU model and Node version. Every bench checks parity with its twin
 * (losses / outputs on the same weights) and fails the run when parity fails.
 *   npm run bench            (BENCH_REPS=5 pairs, BENCH_RUNS=1 process per bench; AVDIT_THREADS as for the CLI; both
 *                             sides with mallocKeepsEnv())
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchRow } from './timing.js';
import { mallocKeepsEnv } from './twins.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const benches = ['avdit.js', 'block.js', 'codecs.js'];
// BENCH_RUNS=n runs each bench in n processes and prints per row the median over them, with the ratios' range: on the
// shared VMs a row moves by up to 35% between two processes (docs/performance.md, session 23), which pairs inside one
// process do not average out
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
type Row = BenchRow & { oursRss?: number; torchRss?: number };
const perRun: Row[][] = [];
let failed = false;
for (let k = 0; k < runs; k++) {
  const table: Row[] = [];
  for (const b of benches) {
    const r = spawnSync(process.execPath, [join(here, b)], { encoding: 'utf8', env: { ...mallocKeepsEnv(), BENCH_JSON: '1' }, maxBuffer: 1 << 24 });
    process.stdout.write(
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('BENCH_ROWS '))
        .join('\n'),
    );
    if (r.status !== 0) {
      failed = true;
      console.log(`${b} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_ROWS '));
    if (!line) continue;
    const j = JSON.parse(line.slice('BENCH_ROWS '.length)) as { rows: BenchRow[]; oursMaxRssKb: number; torchMaxRssKb?: number };
    j.rows.forEach((row, i) => table.push({ ...row, ...(i === 0 ? { oursRss: j.oursMaxRssKb, torchRss: j.torchMaxRssKb } : {}) }));
  }
  perRun.push(table);
}
const mb = (kb?: number) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '');
console.log(
  `\n## avdit vs PyTorch — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}${runs > 1 ? `, median of ${runs} runs` : ''}\n`,
);
console.log(`| bench | avdit ms | PyTorch ms | ratio${runs > 1 ? ' (range)' : ''} | avdit peak RSS | PyTorch peak RSS |`);
console.log('|---|---|---|---|---|---|');
for (const first of perRun[0]) {
  const rows = perRun.map((t) => t.find((r) => r.name === first.name)).filter((r): r is Row => r !== undefined);
  const ours = median(rows.map((r) => r.ours));
  const torch = rows.every((r) => r.torch) ? median(rows.map((r) => r.torch!)) : undefined;
  const ratios = rows.filter((r) => r.torch).map((r) => r.ratio ?? r.ours / r.torch!);
  const ratio = ratios.length
    ? `${median(ratios).toFixed(2)}×${runs > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : ''}`
    : '—';
  const rss = (f: (r: Row) => number | undefined) => (first.oursRss !== undefined ? Math.max(...rows.map((r) => f(r) ?? 0)) || undefined : undefined);
  console.log(
    `| ${first.name} | ${ours.toFixed(0)} | ${torch?.toFixed(0) ?? '—'} | ${ratio} | ${mb(rss((r) => r.oursRss))} | ${mb(rss((r) => r.torchRss))} |`,
  );
}
console.log(
  `\n(ms: medians over the bench's pairs, avdit's and PyTorch's calls alternating${runs > 1 ? ', then the median over the runs' : ''}; ratio: the median of the pairs' ratios; peak RSS per bench process, shown on its first row)`,
);
process.exit(failed ? 1 : 0);
