/**
 * `npm run bench`: the three benches (AVDiT training step, transformer block, codecs) one after the
 * other, each in its own process (so peak memory is its own), and one table: avdit, PyTorch twin, ratio,
 * peak RSS of each side, with the CPU model and Node version. Every bench checks parity with its twin
 * (losses / outputs on the same weights) and fails the run when parity fails.
 *   npm run bench            (BENCH_REPS=5; AVDIT_THREADS as for the CLI; both sides with mallocKeepsEnv())
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './timing.js';
import { mallocKeepsEnv } from './twins.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const benches = ['avdit.js', 'block.js', 'codecs.js'];
const table: (BenchRow & { oursRss?: number; torchRss?: number })[] = [];
let failed = false;
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
const mb = (kb?: number) => (kb ? `${(kb / 1024).toFixed(0)} MB` : '');
console.log(
  `\n## avdit vs PyTorch — ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log('| bench | avdit ms | PyTorch ms | ratio | avdit peak RSS | PyTorch peak RSS |');
console.log('|---|---|---|---|---|---|');
for (const r of table) {
  console.log(
    `| ${r.name} | ${r.ours.toFixed(0)} | ${r.torch?.toFixed(0) ?? '—'} | ${r.torch ? (r.ratio ?? r.ours / r.torch).toFixed(2) + '×' : '—'} | ${mb(r.oursRss)} | ${mb(r.torchRss)} |`,
  );
}
console.log(
  "\n(ms: medians over the bench's pairs, avdit's and PyTorch's calls alternating; ratio: the median of the pairs' ratios; peak RSS per bench process, shown on its first row)",
);
process.exit(failed ? 1 : 0);
