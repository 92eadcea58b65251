// Prints the validation ε-loss per noise pattern of each run under the given folders (default runs/compare), with
// steps and training wall time (Σ sPerStep over the logged intervals), at the end and at every logged validation
// step, as Markdown. Usage: node scripts/val-loss-table.mjs [folder…]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['runs/compare'];
const patterns = ['vanilla', 'perModality', 'perSegment', 'perCell'];
const rows = [];
for (const dir of dirs)
  for (const run of readdirSync(dir).sort()) {
    const f = join(dir, run, 'metrics.jsonl');
    if (!existsSync(f)) continue;
    const all = readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean) // a run killed before its first log line has an empty file
      .map((l) => JSON.parse(l));
    const vals = all.filter((m) => 'val_vanilla' in m);
    if (!vals.length) continue;
    let wall = 0,
      prev = 0;
    for (const m of all) ((wall += (m.step - prev) * (m.sPerStep ?? NaN)), (prev = m.step));
    const last = vals[vals.length - 1];
    const mean = patterns.reduce((a, p) => a + last[`val_${p}`], 0) / patterns.length;
    const curve = (p) => vals.map((v) => v[`val_${p}`].toFixed(3)).join(' → ');
    rows.push({
      run: dirs.length > 1 ? join(dir, run) : run,
      step: last.step,
      wall,
      last,
      mean,
      curves: Object.fromEntries(patterns.map((p) => [p, curve(p)])),
    });
  }
const hm = (s) => (Number.isFinite(s) ? `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m` : '–');
console.log(`| run | steps | wall time | ${patterns.map((p) => `val ${p}`).join(' | ')} | mean |`);
console.log(`|---|---:|---:|${patterns.map(() => '---:').join('|')}|---:|`);
for (const r of rows)
  console.log(`| ${r.run} | ${r.step} | ${hm(r.wall)} | ${patterns.map((p) => r.last[`val_${p}`].toFixed(4)).join(' | ')} | ${r.mean.toFixed(4)} |`);
console.log('\nValidation loss per pattern at each checkpoint (falling for every pattern?):\n');
for (const r of rows) console.log(`- ${r.run}: ${patterns.map((p) => `${p} ${r.curves[p]}`).join('; ')}`);
