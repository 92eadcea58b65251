/** `avdit report`: a training run's one-page progress report (curves, condition influence over steps, strips). */
import { join, resolve } from 'node:path';
import { Flags } from '../args.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { campaignReport } from '../../src/eval/node/campaign-report.js';

export const REPORT_HELP = `avdit report --run <run folder> --data <clip cache> --video-codec <ckpt> --audio-codec <ckpt> [options]
    evaluates the run's best weights (<run>/best, else <run>/checkpoint) on --windows 8 validation windows
    (a2v, v2a, continue; DDIM --steps 10), appends condition influence and lip sync to <run>/progress.jsonl,
    and writes <run>/report/report.png (validation loss per noise pattern, training loss, influence over steps,
    a strip per task from --input examples/grid-val/bbaf4p.mpg --crop 200:200:52:44) and report.md.
    Run it after each training chunk of a campaign: the curves grow with it.`;

export async function reportCommand(argv: string[]): Promise<void> {
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const f = new Flags('report', argv, {
    options: ['run', 'data', 'video-codec', 'audio-codec', 'input', 'crop', 'windows', 'steps', 'device'],
    help: REPORT_HELP,
  });
  const run = f.need('run', 'run folder'),
    data = f.need('data', 'clip cache');
  const videoCodec = f.need('video-codec', 'video codec checkpoint'),
    audioCodec = f.need('audio-codec', 'audio codec checkpoint');
  const input = f.str('input', join(root, 'examples', 'grid-val', 'bbaf4p.mpg'))!;
  const crop = parseCrop(f.str('crop', '200:200:52:44')!);
  const windows = f.int('windows', 8, 1, 10000),
    steps = f.int('steps', 10, 1, 1000);
  await initNodeEngine({ device: f.device() });
  const r = await campaignReport({ run, data, videoCodec, audioCodec, input, crop, windows, steps, log: (s) => console.log(s) });
  const show = Object.entries(r.point)
    .filter(([k, v]) => k !== 'step' && v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(3) : v}`)
    .join(', ');
  console.log(`step ${r.point.step}: ${show}\nreport: ${r.png}, ${r.md}`);
}
