// Prints the validation ε-loss per noise pattern of each run under a folder (default runs/compare),
// at every logged validation step and at the end, as Markdown. Usage: node scripts/val-loss-table.mjs [folder]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'runs/compare';
const patterns = ['vanilla', 'perModality', 'perSegment', 'perCell'];
const rows = [];
for (const run of readdirSync(dir).sort()) {
  const f = join(dir, run, 'metrics.jsonl');
  if (!existsSync(f)) continue;
  const vals = readFileSync(f, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((m) => 'val_vanilla' in m);
  if (!vals.length) continue;
  const last = vals[vals.length - 1];
  const mean = patterns.reduce((a, p) => a + last[`val_${p}`], 0) / patterns.length;
  const curve = (p) => vals.map((v) => v[`val_${p}`].toFixed(3)).join(' → ');
  rows.push({ run, step: last.step, last, mean, curves: Object.fromEntries(patterns.map((p) => [p, curve(p)])) });
}
console.log(`| training strategy | steps | ${patterns.map((p) => `val ${p}`).join(' | ')} | mean |`);
console.log(`|---|---:|${patterns.map(() => '---:').join('|')}|---:|`);
for (const r of rows)
  console.log(`| ${r.run} | ${r.step} | ${patterns.map((p) => r.last[`val_${p}`].toFixed(4)).join(' | ')} | ${r.mean.toFixed(4)} |`);
console.log('\nValidation loss per pattern at each checkpoint (falling for every pattern?):\n');
for (const r of rows) console.log(`- ${r.run}: ${patterns.map((p) => `${p} ${r.curves[p]}`).join('; ')}`);
