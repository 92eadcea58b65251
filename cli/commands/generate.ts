/** `avdit generate`: any task or free-form condition from the command line. */
import { Flags, parseArgs } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { generateFiles } from '../../src/pipeline/node/generate-files.js';
import { longFormA2V } from '../../src/pipeline/node/long-form.js';
import { TASKS } from '../../src/monl/tasks.js';

export const GENERATE_HELP = `avdit generate --model <ckpt> --task <task|spec> [--input clip.mp4] --out <prefix> [options]
    --task ${Object.keys(TASKS).join('|')}, or a free form like "video:0,4 audio:all"
    --video-codec models/video-codec --audio-codec models/audio-codec --crop center|W:H:X:Y --start 0
    --steps 50 --guidance 0 --guidance-mode all|video|audio --eta 0 --seed 0 --method monl|replacement
    writes <prefix>.mp4 (with sound), <prefix>.png (strip: given grey, generated green), <prefix>.json`;

export async function generateCommand(argv: string[]): Promise<void> {
  const f = new Flags('generate', parseArgs(argv), ['model', 'task', 'input', 'out', 'video-codec', 'audio-codec', 'crop', 'start', 'steps', 'guidance', 'guidance-mode', 'eta', 'seed', 'method', 'device']);
  const model = f.str('model'), spec = f.str('task'), out = f.str('out');
  if (!model || !spec || !out) throw new Error(`usage: ${GENERATE_HELP}`);
  const mode = f.str('guidance-mode', 'all');
  if (!['all', 'video', 'audio'].includes(mode)) throw new Error(`generate: --guidance-mode must be all, video or audio`);
  const method = f.str('method', 'monl');
  if (method !== 'monl' && method !== 'replacement') throw new Error('generate: --method must be monl or replacement');
  const info = await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  const t0 = Date.now();
  let last = 0;
  const r = await generateFiles({
    model, spec, out, input: f.str('input'), videoCodec: f.str('video-codec', 'models/video-codec'), audioCodec: f.str('audio-codec', 'models/audio-codec'),
    crop: f.str('crop') ? parseCrop(f.str('crop')!) : undefined, startFrame: f.num('start', 0), steps: f.num('steps', 50), guidance: f.num('guidance', 0),
    guidanceMode: mode as 'all' | 'video' | 'audio', eta: f.num('eta', 0), seed: f.num('seed', 0), method,
    onStep: (s, n) => {
      if (Date.now() - last > 2000 || s === n) {
        last = Date.now();
        const el = (Date.now() - t0) / 1000;
        console.log(`  step ${s}/${n}  ${(s / el).toFixed(2)} steps/s  ETA ${Math.round((el / s) * (n - s))}s`);
      }
    },
  });
  console.log(`generated on ${info.device} in ${((Date.now() - t0) / 1000).toFixed(1)} s:\n  ${r.mp4}\n  ${r.png}\n  ${r.json}`);
}

export const LONG_HELP = `avdit long --model <ckpt> --input <audio or video file> --out <prefix> [--seconds 10] [--steps 50] [--guidance 0] [--seed 0]
    long-form audio→video by sliding windows that share 5 frames; writes <prefix>.mp4 and <prefix>-border.png`;

export async function longCommand(argv: string[]): Promise<void> {
  const f = new Flags('long', parseArgs(argv), ['model', 'input', 'out', 'seconds', 'steps', 'guidance', 'seed', 'video-codec', 'audio-codec', 'device']);
  const model = f.str('model'), input = f.str('input'), out = f.str('out');
  if (!model || !input || !out) throw new Error(`usage: ${LONG_HELP}`);
  await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  const t0 = Date.now();
  const r = await longFormA2V({
    model, input, out, seconds: f.num('seconds', 10), steps: f.num('steps', 50), guidance: f.num('guidance', 0), seed: f.num('seed', 0),
    videoCodec: f.str('video-codec', 'models/video-codec'), audioCodec: f.str('audio-codec', 'models/audio-codec'),
    onWindow: (i, n) => console.log(`  window ${i}/${n}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`),
  });
  console.log(`${r.windows} windows, ${r.clip.durationSec.toFixed(2)} s of video in ${((Date.now() - t0) / 1000).toFixed(0)} s:\n  ${r.mp4}\n  ${r.png}`);
}
