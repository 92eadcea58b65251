/**
 * `avdit demo`: the out-of-the-box run on bundled files only. Today it shows the bundled codecs at
 * work: the example clips are decoded, encoded to latents and reconstructed, with a side-by-side mp4
 * (original | reconstruction, original then reconstructed sound), a contact sheet, spectrograms and
 * the scores. (Generation from the bundled diffusion model joins it once that model exists.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Flags, parseArgs } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { prepare } from '../../src/data/node/prepare.js';
import { DATA_DEFAULTS } from '../../src/data/config.js';
import { parseCrop } from '../../src/media/node/ffmpeg.js';
import { codecReport } from '../../src/codecs/node/report.js';

export const DEMO_HELP = `avdit demo [--out out/demo] [--clips examples/grid-val] [--video models/video-codec] [--audio models/audio-codec]
    reconstructs the bundled example clips through the bundled codecs and writes mp4/PNG/report files`;

export async function demoCommand(argv: string[]): Promise<void> {
  const f = new Flags('demo', parseArgs(argv), ['out', 'clips', 'video', 'audio', 'device']);
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const clips = f.str('clips', join(root, 'examples', 'grid-val'));
  const video = f.str('video', join(root, 'models', 'video-codec'));
  const audio = f.str('audio', join(root, 'models', 'audio-codec'));
  const out = resolve(f.str('out', 'out/demo'));
  for (const [what, p] of [['example clips', clips], ['video codec', video], ['audio codec', audio]]) {
    if (!existsSync(p)) throw new Error(`demo: ${what} not found at ${p}`);
  }
  const t0 = Date.now();
  const info = await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  console.log(`avdit demo on ${info.device}${info.device === 'wasm' ? ` (${info.threads} threads)` : ''}: ${clips} → ${out}`);
  const extra = existsSync(join(clips, 'data.json')) ? JSON.parse(readFileSync(join(clips, 'data.json'), 'utf8')) : {};
  const cache = join(out, 'cache');
  await prepare(clips, cache, { ...DATA_DEFAULTS, crop: extra.crop ? parseCrop(extra.crop) : DATA_DEFAULTS.crop });
  const r = await codecReport({ cache, video, audio, out, split: 'all', mp4Clips: 3 });
  console.log(`codec reconstruction of ${r.clips} example clips (not seen in training):`);
  if (r.video) console.log(`  video: PSNR ${r.video.psnr.toFixed(2)} dB, SSIM ${r.video.ssim.toFixed(3)}`);
  if (r.audio) console.log(`  audio: log-spectral distance ${r.audio.lsdDb.toFixed(2)} dB (Griffin–Lim on the true spectrum alone: ${r.audio.griffinLimOnTrue.lsdDb.toFixed(2)} dB)`);
  console.log(`files (${((Date.now() - t0) / 1000).toFixed(0)} s):\n  ${r.files.join('\n  ')}`);
}
