/** `avdit generate`: any task or free-form condition from the command line. */
import { Flags } from '../args.js';
import { activityFlags } from './eval.js';
import { ACTIVITY_STRENGTH } from '../../src/pipeline/activity-guidance.js';
import { SAMPLER_DEFAULTS, MAX_STEPS, MAX_GUIDANCE, MAX_TEMPERATURE, GUIDANCE_HELP, TEMPERATURE_HELP } from '../../src/pipeline/defaults.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { generateFiles } from '../../src/pipeline/node/generate-files.js';
import { longFormA2V } from '../../src/pipeline/node/long-form.js';
import { TASKS } from '../../src/monl/tasks.js';
import { bundledActivityDir } from '../../src/pipeline/node/activity.js';

export const GENERATE_HELP = `avdit generate --model <ckpt> --task <task|spec> [--input clip.mp4] --out <prefix> [options]
    --task ${Object.keys(TASKS).join('|')}, or a free form like "video:0,4 audio:all"
    --video-codec models/video-codec --audio-codec models/audio-codec --crop center|W:H:X:Y --start 0 (frame)
    --steps ${SAMPLER_DEFAULTS.steps} --guidance ${GUIDANCE_HELP} --guidance-mode all|video|audio --guidance-interval LO:HI --eta 0 --temperature ${TEMPERATURE_HELP} --seed 0 --method monl|replacement
    --activity <activity net>|none (activity guidance: V2A timing read off the given video, on v2a-like tasks; default: the
      activity/ folder beside --model when there is one, e.g. models/activity)  --activity-strength ${ACTIVITY_STRENGTH}
    writes <prefix>.mp4 (with sound), <prefix>.png (strip: given grey, generated green), <prefix>.json;
    refuses before any work when an output would overwrite the input or a checkpoint`;

export async function generateCommand(argv: string[]): Promise<void> {
  const f = new Flags('generate', argv, {
    options: [
      'model',
      'task',
      'input',
      'out',
      'video-codec',
      'audio-codec',
      'crop',
      'start',
      'steps',
      'guidance',
      'guidance-mode',
      'guidance-interval',
      'eta',
      'temperature',
      'seed',
      'method',
      'device',
      'activity',
      'activity-strength',
    ],
    help: GENERATE_HELP,
  });
  const model = f.need('model', 'checkpoint'),
    spec = f.need('task', 'task or spec'),
    out = f.need('out', 'prefix');
  const mode = f.choice('guidance-mode', ['all', 'video', 'audio'] as const, 'all');
  const method = f.choice('method', ['monl', 'replacement'] as const, 'monl');
  const steps = f.int('steps', SAMPLER_DEFAULTS.steps, 1, MAX_STEPS),
    guidance = f.optNum('guidance', { min: 0, max: MAX_GUIDANCE });
  const eta = f.num('eta', SAMPLER_DEFAULTS.eta, { min: 0, max: 1 }),
    seed = f.seed(),
    startFrame = f.int('start', 0, 0);
  const crop = f.str('crop') ? parseCrop(f.str('crop')!) : undefined;
  const info = await initNodeEngine({ device: f.device() });
  const t0 = Date.now();
  let last = 0;
  const r = await generateFiles({
    model,
    spec,
    out,
    input: f.str('input'),
    videoCodec: f.str('video-codec', 'models/video-codec'),
    audioCodec: f.str('audio-codec', 'models/audio-codec'),
    crop,
    startFrame,
    steps,
    guidance,
    guidanceMode: mode,
    guidanceInterval: f.interval('guidance-interval'),
    eta,
    temperature: f.optNum('temperature', { above: 0, max: MAX_TEMPERATURE }),
    seed,
    method,
    activity: activityFlags(f, bundledActivityDir(model)),
    onWarning: (m) => console.warn(`warning: ${m}`),
    onStep: (s, n) => {
      if (Date.now() - last > 2000 || s === n) {
        last = Date.now();
        const el = (Date.now() - t0) / 1000;
        console.log(`  step ${s}/${n}  ${(s / el).toFixed(2)} steps/s  ETA ${Math.round((el / s) * (n - s))}s`);
      }
    },
  });
  if (r.activity) console.log(`activity guidance: ${r.activity} (--activity none turns it off)`);
  if (r.temperature !== 1) console.log(`starting-noise temperature ${r.temperature} (--temperature 1: the noise the model was trained from)`);
  console.log(`generated on ${info.device} in ${((Date.now() - t0) / 1000).toFixed(1)} s:\n  ${r.mp4}\n  ${r.png}\n  ${r.json}`);
}

export const LONG_HELP = `avdit long --model <ckpt> --input <audio or video file> --out <prefix> [--seconds 10] [--steps ${SAMPLER_DEFAULTS.steps}] [--guidance G] [--seed 0]
    long-form audio→video by sliding windows that share 5 frames; writes <prefix>.mp4 and <prefix>-border.png
    --guidance G for every window; default ${SAMPLER_DEFAULTS.crossModalGuidance} for the first (a2v) and ${SAMPLER_DEFAULTS.chainedGuidance} for the later ones (they continue generated frames)`;

export async function longCommand(argv: string[]): Promise<void> {
  const f = new Flags('long', argv, {
    options: ['model', 'input', 'out', 'seconds', 'steps', 'guidance', 'seed', 'video-codec', 'audio-codec', 'device'],
    help: LONG_HELP,
  });
  const model = f.need('model', 'checkpoint'),
    input = f.need('input', 'audio or video file'),
    out = f.need('out', 'prefix');
  const seconds = f.num('seconds', 10, { above: 0, max: 3600 }),
    steps = f.int('steps', SAMPLER_DEFAULTS.steps, 1, MAX_STEPS),
    guidance = f.optNum('guidance', { min: 0, max: MAX_GUIDANCE }),
    seed = f.seed();
  await initNodeEngine({ device: f.device() });
  const t0 = Date.now();
  const r = await longFormA2V({
    model,
    input,
    out,
    seconds,
    steps,
    guidance,
    seed,
    videoCodec: f.str('video-codec', 'models/video-codec'),
    audioCodec: f.str('audio-codec', 'models/audio-codec'),
    onWindow: (i, n) => console.log(`  window ${i}/${n}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`),
  });
  console.log(
    `${r.windows} windows, ${r.clip.durationSec.toFixed(2)} s of video in ${((Date.now() - t0) / 1000).toFixed(0)} s:\n  ${r.mp4}\n  ${r.png}`,
  );
}
