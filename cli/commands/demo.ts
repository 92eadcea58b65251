/**
 * `avdit demo`: the out-of-the-box run on bundled files only. (1) The bundled codecs reconstruct the
 * example clips (side-by-side mp4 with both sounds, contact sheet, spectrograms, scores). (2) When a
 * bundled AVDiT is present (models/avdit), one model generates audio→video, video→audio, continuation
 * and inpainting from the first example clip: an mp4 with sound, a PNG strip and a JSON record each.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Flags } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { prepare } from '../../src/data/node/prepare.js';
import { DATA_DEFAULTS, parseRegions } from '../../src/data/config.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { codecReport } from '../../src/eval/node/codec-report.js';
import { generateFiles } from '../../src/pipeline/node/generate-files.js';
import { ACTIVITY_STRENGTH } from '../../src/pipeline/activity-guidance.js';
import { bundledActivityDir, loadActivityNet } from '../../src/pipeline/node/activity.js';
import { SAMPLER_DEFAULTS, MAX_STEPS, MAX_GUIDANCE, GUIDANCE_HELP } from '../../src/pipeline/defaults.js';

export const DEMO_HELP = `avdit demo [--out out/demo] [--clips examples/grid-val] [--video models/video-codec] [--audio models/audio-codec]
          [--model models/avdit] [--steps ${SAMPLER_DEFAULTS.steps}] [--guidance ${GUIDANCE_HELP}] [--seed 0]
    reconstructs the bundled example clips through the bundled codecs, then generates a2v, v2a,
    continue and inpaint from the first clip with the bundled AVDiT; writes mp4/PNG/JSON/report files`;

export async function demoCommand(argv: string[]): Promise<void> {
  const f = new Flags('demo', argv, { options: ['out', 'clips', 'video', 'audio', 'model', 'steps', 'guidance', 'seed', 'device'], help: DEMO_HELP });
  const steps = f.int('steps', SAMPLER_DEFAULTS.steps, 1, MAX_STEPS),
    guidance = f.optNum('guidance', { min: 0, max: MAX_GUIDANCE }),
    seed = f.seed();
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const clips = f.str('clips', join(root, 'examples', 'grid-val'));
  const video = f.str('video', join(root, 'models', 'video-codec'));
  const audio = f.str('audio', join(root, 'models', 'audio-codec'));
  const out = resolve(f.str('out', 'out/demo'));
  for (const [what, p] of [
    ['example clips', clips],
    ['video codec', video],
    ['audio codec', audio],
  ]) {
    if (!existsSync(p)) throw new Error(`demo: ${what} not found at ${p}`);
  }
  const t0 = Date.now();
  const info = await initNodeEngine({ device: f.device() });
  console.log(`avdit demo on ${info.device}${info.device === 'wasm' ? ` (${info.threads} threads)` : ''}: ${clips} → ${out}`);
  const extra = existsSync(join(clips, 'data.json')) ? JSON.parse(readFileSync(join(clips, 'data.json'), 'utf8')) : {};
  const cache = join(out, 'cache');
  await prepare(clips, cache, {
    ...DATA_DEFAULTS,
    crop: extra.crop ? parseCrop(extra.crop) : DATA_DEFAULTS.crop,
    ...(extra.regions ? { regions: parseRegions(extra.regions) } : {}),
  });
  const r = await codecReport({ cache, video, audio, out, split: 'all', mp4Clips: 3 });
  console.log(`codec reconstruction of ${r.clips} example clips (not seen in training):`);
  if (r.video) {
    console.log(
      `  video: PSNR ${r.video.psnr.toFixed(2)} dB, SSIM ${r.video.ssim.toFixed(3)}${r.video.regions.mouth ? `; mouth box PSNR ${r.video.regions.mouth.psnr.toFixed(2)} dB` : ''}`,
    );
    console.log(
      `  lip sync (SyncCorr) of the reconstruction ${r.video.syncCorr.reconstruction.toFixed(3)} vs the real clips ${r.video.syncCorr.real.toFixed(3)}`,
    );
  }
  if (r.audio)
    console.log(
      `  audio: log-spectral distance ${r.audio.lsdDb.toFixed(2)} dB (Griffin–Lim on the true spectrum alone: ${r.audio.griffinLimOnTrue.lsdDb.toFixed(2)} dB)`,
    );
  const files = [...r.files];
  const model = f.str('model', join(root, 'models', 'avdit'));
  if (existsSync(join(model, 'model.safetensors'))) {
    // the bundle's activity net (models/activity), used where it applies (v2a)
    const actDir = bundledActivityDir(model);
    const activity = actDir ? { net: loadActivityNet(actDir), dir: actDir, strength: ACTIVITY_STRENGTH, auto: true } : undefined;
    const first = readdirSync(clips)
      .filter((n) => n.endsWith('.mpg') || n.endsWith('.mp4'))
      .sort()[0];
    for (const task of ['a2v', 'v2a', 'continue', 'inpaint']) {
      const t1 = Date.now();
      const g = await generateFiles({
        model,
        videoCodec: video,
        audioCodec: audio,
        spec: task,
        input: join(clips, first),
        crop: extra.crop ? parseCrop(extra.crop) : undefined,
        steps,
        guidance,
        seed,
        out: join(out, task),
        activity,
      });
      console.log(
        `  ${task.padEnd(8)} from ${first}: ${((Date.now() - t1) / 1000).toFixed(1)} s${g.temperature !== 1 ? ` (starting-noise temperature ${g.temperature})` : ''}${g.activity ? ` (activity guidance: ${g.activity})` : ''}`,
      );
      files.push(g.mp4, g.png, g.json);
    }
  } else {
    console.log(`(no bundled AVDiT at ${model}: generation skipped)`);
  }
  console.log(`files (${((Date.now() - t0) / 1000).toFixed(0)} s):\n  ${files.join('\n  ')}`);
}
