/** `avdit eval`: the strategy × task table on the validation windows; `avdit eval check`: metric sanity on real clips. */
import { join, resolve } from 'node:path';
import type { ActivityNet } from '../../src/model/activity.js';
import { loadActivityNet } from '../../src/pipeline/node/activity.js';
import { ACTIVITY_STRENGTH } from '../../src/pipeline/activity-guidance.js';
import { Flags } from '../args.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { evaluate, EVAL_TASKS, LOGMEL40, vggishEmbedder } from '../../src/eval/node/evaluate.js';
import { Vggish } from '../../src/eval/vggish.js';
import { decodeSafetensors } from '../../src/util/safetensors.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { prepare } from '../../src/data/node/prepare.js';
import { DATA_DEFAULTS } from '../../src/data/config.js';
import { MAX_STEPS, MAX_GUIDANCE, MAX_TEMPERATURE } from '../../src/pipeline/defaults.js';
import { metricCheck, faceCheck } from '../../src/eval/node/metric-check.js';
import { codecAsrCheck } from '../../src/eval/node/asr.js';
import { AudioCodec, type CodecCheckpoint } from '../../src/codecs/codec.js';
import { loadCheckpoint } from '../../src/util/node/checkpoint.js';

/** --activity <dir>|none [--activity-strength w]: the activity net for activity guidance, else `fallback` (the
 * bundle's, used only where it applies: `auto`), or undefined. */
export function activityFlags(f: Flags, fallback?: string): { net: ActivityNet; dir: string; strength: number; auto: boolean } | undefined {
  const given = f.str('activity');
  const dir = given === 'none' ? undefined : (given ?? fallback);
  const strength = f.num('activity-strength', ACTIVITY_STRENGTH, { min: 0, max: 1 });
  if (!dir) {
    if (f.has('activity-strength')) throw new Error('--activity-strength needs --activity <activity net>');
    return undefined;
  }
  return { net: loadActivityNet(dir), dir, strength, auto: given === undefined };
}

export const EVAL_HELP = `avdit eval --data <folder of clips | clip cache | latent cache> --models name=<ckpt>[,name=<ckpt>…] --out <dir> [options]
    --split train|val|all (default: val for a cache, all for a folder)  --crop center|W:H:X:Y (a folder's clips)
    --tasks ${EVAL_TASKS.join(',')} (or any other preset or free-form condition without commas, e.g. interp or "video:0 audio:all")  --seeds 0  --steps 25  --guidance 0  --guidance-interval LO:HI (timesteps; default all)  --eta 0 (DDIM η; 1: ancestral)  --temperature 1 (starting-noise scale)  --window-start 4|all  --max-windows N  --skip-windows N
    --activity <activity net> (activity guidance on v2a; --activity-strength ${ACTIVITY_STRENGTH})  --griffin-lim-iters 16  --align <folder of GRID .align files>  --video <codec> --audio <codec>  --no-influence  --influence-seeds N (the first N seeds; default all)  --influence-of audio|video (swap only that given modality; default every given cell)
    --face (adds face-network metrics: LipSync-lm, LMD-mouth, ID-sim, face-found; needs the dev dependencies)
    --audio-embedding logmel40|vggish=<torchvggish state dict as .safetensors>   (FAD-logmel40 / FAD-vggish)
    every number with a 95% bootstrap interval over windows; conditional tasks also get condition influence
    (output change when the condition is another window's ÷ when the seed changes, two more generations per seed); --latents is --data
    writes <dir>/results/*.json as it goes (rerun to resume), <dir>/report.json and <dir>/table.md
avdit eval check --data <clip cache or folder of clips> [--align <folder>] [--split val|train|all] [--face]
    lip-sync and speech-activity scores of real clips vs shuffled pairs (is the metric meaningful?)
avdit eval asr --data <clip cache> --align <folder> [--audio <codec>] [--split val]
    PocketSphinx with the GRID grammar on original vs codec-reconstructed speech (needs Debian pocketsphinx)`;

export async function evalCommand(argv: string[]): Promise<void> {
  if (argv[0] === 'asr') {
    const f = new Flags('eval asr', argv.slice(1), { options: ['data', 'align', 'audio', 'split', 'device'], help: EVAL_HELP });
    const data = f.need('data', 'clip cache'),
      align = f.need('align', 'folder of .align files');
    const split = f.choice('split', ['train', 'val'] as const, 'val');
    const root = resolve(new URL('../../..', import.meta.url).pathname);
    await initNodeEngine({ device: f.device() });
    const dir = f.str('audio', join(root, 'models', 'audio-codec'))!;
    const audioCodec = AudioCodec.fromCheckpoint(loadCheckpoint(dir) as CodecCheckpoint, dir);
    const r = await codecAsrCheck({ cache: data, align, audioCodec, split, log: (s) => console.log(s) });
    console.log(
      `PocketSphinx (GRID grammar) slot accuracy on ${r.clips} clips: original ${r.original.toFixed(3)}, through the audio codec ${r.codec.toFixed(3)} (chance ≈ 0.19)`,
    );
    return;
  }
  if (argv[0] === 'check') {
    const f = new Flags('eval check', argv.slice(1), { options: ['data', 'align', 'split', 'crop'], booleans: ['face'], help: EVAL_HELP });
    let data = f.need('data', 'clip cache or folder of clips');
    let split = f.has('split') ? f.choice('split', ['train', 'val', 'all'] as const, 'val') : undefined;
    let temp: string | null = null;
    if (!existsSync(join(data, 'manifest.json'))) {
      // a folder of clips: decode it at the default window size into a temporary cache (deleted at the end), all clips
      temp = mkdtempSync(join(tmpdir(), 'avdit-eval-check-'));
      await prepare(data, temp, { ...DATA_DEFAULTS, crop: f.str('crop') ? parseCrop(f.str('crop')!) : DATA_DEFAULTS.crop, valPercent: 0 });
      data = temp;
      split ??= 'all';
    }
    try {
      const r = metricCheck(data, f.str('align'), split ?? 'val');
      const line = (name: string, s: { real: number; shuffled: number; auc: number; clips: number }) =>
        console.log(
          `${name}: real pairs ${s.real.toFixed(3)}, shuffled pairs ${s.shuffled.toFixed(3)}, P(real > shuffled) = ${s.auc.toFixed(3)}  (${s.clips} ${split ?? 'val'} clips, ${s.clips * (s.clips - 1)} shuffled pairs)`,
        );
      line('SyncCorr', r.sync);
      if (r.saa) line('SAA', r.saa);
      else console.log('SAA: skipped (no --align folder, or a clip without its .align file)');
      if (f.bool('face')) {
        const fc = await faceCheck(data, split ?? 'val');
        console.log(`face network: a face in ${(100 * fc.detectionRate).toFixed(1)}% of ${fc.frames} frames (${fc.size}×${fc.size})`);
        line('LipSync-lm', fc.lipSync);
      }
    } finally {
      if (temp) rmSync(temp, { recursive: true, force: true });
    }
    return;
  }
  const f = new Flags('eval', argv, {
    options: [
      'data',
      'latents',
      'split',
      'crop',
      'align',
      'models',
      'video',
      'audio',
      'tasks',
      'seeds',
      'steps',
      'guidance',
      'guidance-interval',
      'eta',
      'temperature',
      'influence-seeds',
      'influence-of',
      'window-start',
      'max-windows',
      'skip-windows',
      'griffin-lim-iters',
      'activity',
      'activity-strength',
      'audio-embedding',
      'out',
      'device',
    ],
    booleans: ['no-influence', 'face'],
    help: EVAL_HELP,
  });
  const data = f.str('data') ?? f.str('latents');
  if (!data) throw new Error('eval: --data <folder of clips | clip cache | latent cache> is required (--help for usage)');
  const models = f.need('models', 'name=<ckpt>,…'),
    out = f.need('out', 'folder');
  const split = f.has('split') ? f.choice('split', ['train', 'val', 'all'] as const, 'val') : undefined;
  const seeds = f
    .str('seeds')
    ?.split(',')
    .map((v) => {
      const n = Number(v);
      if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 32)) throw new Error(`eval: --seeds entry "${v}" is not a whole number in [0, 2^32)`);
      return n;
    });
  const steps = f.int('steps', 25, 1, MAX_STEPS),
    guidance = f.num('guidance', 0, { min: 0, max: MAX_GUIDANCE }),
    glIters = f.int('griffin-lim-iters', 16, 0, 1000);
  const maxWindows = f.has('max-windows') ? f.int('max-windows', 0) : undefined;
  const checkpoints = models.split(',').map((s) => {
    const [name, dir] = s.includes('=') ? s.split('=') : [s.split('/').filter(Boolean).slice(-2)[0], s];
    if (!name || !dir) throw new Error(`eval: --models entry "${s}" is not name=<checkpoint folder>`);
    return { name, dir };
  });
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const info = await initNodeEngine({ device: f.device() });
  console.log(
    `avdit eval on ${info.device}${info.device === 'wasm' ? ` (${info.threads} threads)` : ''}: ${checkpoints.map((c) => c.name).join(', ')}`,
  );
  const ws = f.str('window-start', '4')!;
  const ae = f.str('audio-embedding', 'logmel40')!;
  let audioEmbedder = LOGMEL40;
  if (ae.startsWith('vggish=')) {
    const path = ae.slice('vggish='.length);
    if (!existsSync(path)) throw new Error(`eval: --audio-embedding ${ae}: ${path} not found`);
    audioEmbedder = vggishEmbedder(new Vggish(decodeSafetensors(readFileSync(path), path).tensors, path));
  } else if (ae !== 'logmel40') throw new Error(`eval: --audio-embedding "${ae}" is neither logmel40 nor vggish=<torchvggish weights.safetensors>`);
  const r = await evaluate({
    data,
    split,
    out,
    checkpoints,
    crop: f.str('crop') ? parseCrop(f.str('crop')!) : undefined,
    influence: !f.bool('no-influence'),
    influenceSeeds: f.has('influence-seeds') ? f.int('influence-seeds', 1, 1, (seeds ?? [0]).length) : undefined,
    influenceOf: f.has('influence-of') ? f.choice('influence-of', ['audio', 'video'] as const, 'audio') : undefined,
    face: f.bool('face'),
    align: f.str('align'),
    videoCodec: f.str('video', join(root, 'models', 'video-codec'))!,
    audioCodec: f.str('audio', join(root, 'models', 'audio-codec'))!,
    tasks: f.str('tasks')?.split(','),
    seeds,
    steps,
    guidance,
    guidanceInterval: f.interval('guidance-interval'),
    eta: f.num('eta', 0, { min: 0, max: 1 }),
    temperature: f.num('temperature', 1, { above: 0, max: MAX_TEMPERATURE }),
    windowStart: ws === 'all' ? undefined : f.int('window-start', 4, 0),
    griffinLimIters: glIters,
    maxWindows,
    skipWindows: f.int('skip-windows', 0, 0),
    audioEmbedder,
    activity: activityFlags(f),
    log: (s) => console.log(s),
  });
  console.log(`\n${r.table}\nreport: ${r.report}`);
}
