/**
 * A training run's one-page progress report (`avdit report`), for campaigns that train in chunks:
 *   1. loss curves from metrics.jsonl: validation loss per noise pattern, training loss per strategy
 *   2. the evaluation of the run's best weights (`<run>/best`, else its checkpoint) on a few fixed
 *      validation windows (a2v, v2a, continue): condition influence and lip sync, appended to
 *      `<run>/progress.jsonl` (one line per evaluated step), plotted over steps
 *   3. a strip per task from one example clip
 * → `<run>/report/report.png` and `report.md`. Run it after each chunk; the curves grow with the campaign.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetrics } from '../../train/trainer.js';
import { evaluate } from './evaluate.js';
import { generateFiles } from '../../pipeline/node/generate-files.js';
import { renderStrip } from '../../pipeline/strip.js';
import { parseCondition } from '../../monl/tasks.js';
import { linePlot, type Series } from '../../media/plot.js';
import { blankImage, blit, type RGBImage } from '../../media/image.js';
import { drawText } from '../../media/font.js';
import { writePNG } from '../../media/node/png.js';
import { writeFileAtomic, ensureWritableDir } from '../../util/node/atomic.js';
import { readJsonFile } from '../../util/node/json.js';
import type { Crop } from '../../media/node/ffmpeg.js';
import type { Interval } from '../stats.js';

export interface ReportOptions {
  run: string;
  /** clip cache (or latent cache / folder) whose windows are evaluated */
  data: string;
  /** which windows (default: a cache's validation split) */
  split?: 'train' | 'val' | 'all';
  videoCodec: string;
  audioCodec: string;
  /** the clip the strips are made from */
  input: string;
  crop?: Crop;
  windows?: number;
  steps?: number;
  /** Griffin–Lim iterations when decoding audio (eval's default 16) */
  griffinLimIters?: number;
  log?: (s: string) => void;
}

/** What one evaluation adds to progress.jsonl. */
export interface ProgressPoint {
  step: number;
  validationScore?: number;
  [metric: string]: number | undefined;
}

const TASKS = ['a2v', 'v2a', 'continue'] as const;
/** (task, metric) pairs followed over the campaign */
const FOLLOWED: [string, string][] = [
  ['a2v', 'influence-video'],
  ['v2a', 'influence-audio'],
  ['continue', 'influence-video'],
  ['a2v', 'SyncCorr'],
  ['continue', 'FVD-pix80'],
];

export function readProgress(path: string): ProgressPoint[] {
  return existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l))
    : [];
}

export async function campaignReport(o: ReportOptions): Promise<{ png: string; md: string; point: ProgressPoint }> {
  const log = o.log ?? (() => {});
  const model = existsSync(join(o.run, 'best', 'config.json')) ? join(o.run, 'best') : join(o.run, 'checkpoint');
  const cfg = readJsonFile<{
    exportedStep?: number;
    validationScore?: number;
    latents: { segmentLayout: { frames: [number, number][]; bounds: [number, number][] } };
  }>(join(model, 'config.json'), 'checkpoint config');
  const seg = cfg.latents.segmentLayout;
  const step = cfg.exportedStep ?? Number(readJsonFile<{ step?: number }>(join(o.run, 'checkpoint', 'trainer.json'), 'trainer state').step ?? 0);
  const out = join(o.run, 'report');
  ensureWritableDir(out);
  const history = readMetrics(join(o.run, 'metrics.jsonl'));

  // 2. evaluation of the best weights on fixed windows, once per step
  const progressPath = join(o.run, 'progress.jsonl');
  const progress = readProgress(progressPath).filter((p) => p.step !== step);
  log(`evaluating ${model} (step ${step}) on ${o.windows ?? 8} validation windows…`);
  const ev = await evaluate({
    data: o.data,
    split: o.split ?? 'val',
    checkpoints: [{ name: 'run', dir: model }],
    videoCodec: o.videoCodec,
    audioCodec: o.audioCodec,
    tasks: [...TASKS],
    steps: o.steps ?? 10,
    maxWindows: o.windows ?? 8,
    griffinLimIters: o.griffinLimIters,
    out: join(out, `eval-step${step}`),
    log,
  });
  const point: ProgressPoint = { step, validationScore: cfg.validationScore };
  const intervals: Record<string, Interval> = {};
  for (const [t, m] of FOLLOWED) {
    const iv = ev.results.run?.[t]?.[m];
    if (iv) {
      point[`${t} ${m}`] = iv.value;
      intervals[`${t} ${m}`] = iv;
    }
  }
  progress.push(point);
  progress.sort((a, b) => a.step - b.step);
  writeFileAtomic(progressPath, progress.map((p) => JSON.stringify(p) + '\n').join(''));

  // 1. + 2. plots
  const series = (keys: string[], rows: { step: number; [k: string]: number | undefined }[], label = (k: string) => k): Series[] =>
    keys
      .map((k) => {
        const have = rows.filter((r) => typeof r[k] === 'number' && Number.isFinite(r[k] as number));
        return { name: label(k), x: have.map((r) => r.step), y: have.map((r) => r[k] as number) };
      })
      .filter((s) => s.x.length > 0);
  const patterns = ['vanilla', 'perModality', 'perSegment', 'perCell'];
  const plots = [
    linePlot(
      series(
        patterns.map((p) => `val_${p}`),
        history,
        (k) => k.slice(4),
      ),
      { title: 'validation loss per noise pattern', logY: true, width: 560, height: 300 },
    ),
    linePlot(series(['loss', ...patterns, 'video', 'audio'], history), { title: 'training loss', logY: true, width: 560, height: 300 }),
    linePlot(
      series(
        FOLLOWED.filter(([, m]) => m.startsWith('influence')).map(([t, m]) => `${t} ${m}`),
        progress,
      ),
      { title: 'condition influence (>= 1: the condition matters)', width: 560, height: 300 },
    ),
  ];

  // 3. strips
  const strips: RGBImage[] = [];
  for (const t of TASKS) {
    const r = await generateFiles({
      model,
      videoCodec: o.videoCodec,
      audioCodec: o.audioCodec,
      spec: t,
      input: o.input,
      crop: o.crop,
      steps: o.steps ?? 10,
      out: join(out, `strip-${t}`),
    });
    strips.push(renderStrip(r.clip, seg, parseCondition(t, seg.frames.length), `${t} (step ${step})`, 1));
  }

  // the page
  const W =
    Math.max(
      plots.reduce((a, p) => a + p.width + 8, 0),
      ...strips.map((s) => s.width),
    ) + 16;
  const H = 40 + plots[0].height + 16 + strips.reduce((a, s) => a + s.height + 8, 0) + 8;
  const page = blankImage(W, H, [12, 12, 14]);
  drawText(
    page,
    `${o.run}: step ${step}${cfg.validationScore !== undefined ? `, validation score ${cfg.validationScore.toPrecision(4)}` : ''}`,
    8,
    10,
    [230, 230, 230],
    2,
  );
  let x = 8;
  for (const p of plots) {
    blit(page, p, x, 40);
    x += p.width + 8;
  }
  let y = 40 + plots[0].height + 16;
  for (const s of strips) {
    blit(page, s, 8, y);
    y += s.height + 8;
  }
  const png = join(out, 'report.png');
  writePNG(png, page);

  const fmt = (iv?: Interval) => (iv ? `${iv.value.toFixed(3)} [${iv.lo.toFixed(3)}, ${iv.hi.toFixed(3)}]` : '–');
  const md = [
    `# ${o.run} — progress`,
    '',
    `Weights: \`${model}\` (step ${step}${cfg.validationScore !== undefined ? `, mean validation loss ${cfg.validationScore.toPrecision(4)}` : ''}).`,
    `Evaluation: ${o.windows ?? 8} validation windows of \`${o.data}\`, DDIM ${o.steps ?? 10} steps, seed 0; full table in \`report/eval-step${step}/table.md\`.`,
    '',
    '| step | ' + FOLLOWED.map(([t, m]) => `${t} ${m}`).join(' | ') + ' |',
    '|---:|' + FOLLOWED.map(() => '---:').join('|') + '|',
    ...progress.map(
      (p) =>
        `| ${p.step} | ${FOLLOWED.map(([t, m]) => (typeof p[`${t} ${m}`] === 'number' ? (p[`${t} ${m}`] as number).toFixed(3) : '–')).join(' | ')} |`,
    ),
    '',
    `This step with intervals: ${FOLLOWED.map(([t, m]) => `${t} ${m} ${fmt(intervals[`${t} ${m}`])}`).join('; ')}.`,
    '',
    '![report](report.png)',
    '',
  ].join('\n');
  const mdPath = join(out, 'report.md');
  writeFileAtomic(mdPath, md);
  return { png, md: mdPath, point };
}
