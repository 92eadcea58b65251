/**
 * Where the codecs' milliseconds go, kernel by kernel (issue 12): jax-js's profiler on wasm with 1 thread, the
 * bench:codecs shapes (video v2 encode/decode of 4 × 17 frames, audio decode of 16 × 106 latents).
 *   npm run build && node dist/bench/profile-codecs.js [--top 12] [--exp-chars 60] [--repeat 1] [--only video-encode|video-decode|video-train|audio-decode|audio-encode]
 * (--repeat N: the untraced time is the median of N runs; to compare two builds, alternate them; AVDIT_THREADS=2: the
 *  untraced time on 2 threads — the per-kernel times are then only the dispatch)
 */
import { initNodeEngine } from '../src/engine/node.js';
import { ops, jit, refTree, valueAndGrad, disposeTree, profileKernels, type Params, type Tensor } from '../src/engine/index.js';
import { videoReconLoss } from '../src/train/node/train-video.js';
import { initHostParams, toDevice } from '../src/nn/params.js';
import { encodeVideo, decodeVideo, videoCodecSpecs, videoLatentShape, VIDEO_CODEC_DEFAULTS } from '../src/codecs/video-codec.js';
import { encodeAudio, decodeAudio, audioCodecSpecs, AUDIO_CODEC_DEFAULTS } from '../src/codecs/audio-codec.js';
import { normal } from '../src/util/rng.js';
import { resetWorkerStats, workerStats } from '../src/engine/node-threads.js';
import { withTrainLowering } from './timing.js';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};

async function profile(name: string, run: () => Promise<unknown>, top: number, expChars: number) {
  await run(); // compile
  await run();
  const times: number[] = [];
  resetWorkerStats();
  for (let i = 0; i < Number(arg('repeat', '1')); i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const w = workerStats();
  const plain = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]; // the median untraced run
  if (w.kernels) {
    const per = (ms: number) => (ms / times.length).toFixed(0);
    console.log(
      `\n${name}, workers (per run, untraced): ${(w.kernels / times.length).toFixed(0)} kernel messages (${w.modules} with a module), ` +
        `${per(w.outstandingMs)} ms outstanding summed over the workers, ${per(w.noneMs)} ms with none outstanding, of ${per(w.wallMs)} ms`,
    );
  }
  const { kernels, totalMs } = await profileKernels(run, expChars);
  console.log(
    `\n## ${name}: ${plain.toFixed(0)} ms untraced; ${totalMs.toFixed(0)} ms inside ${kernels.reduce((a, k) => a + k.calls, 0)} kernel calls`,
  );
  const byKind = new Map<string, number>();
  for (const k of kernels) byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + k.ms);
  console.log([...byKind].map(([k, ms]) => `${k} ${ms.toFixed(1)} ms`).join(', '));
  for (const k of kernels.slice(0, top)) console.log(`| ${k.kind}: ${k.what.replace(/\|/g, '/')} | ${k.ms.toFixed(1)} | ${k.calls} |`);
}

async function main() {
  await initNodeEngine({ device: 'wasm', threads: process.env.AVDIT_THREADS ? undefined : 1 }); // AVDIT_THREADS: the engine reads it
  const top = Number(arg('top', '12')),
    expChars = Number(arg('exp-chars', '60')),
    only = arg('only', '');
  const want = (n: string) => !only || only === n;
  const vc = VIDEO_CODEC_DEFAULTS;
  const vp = toDevice(initHostParams(videoCodecSpecs(vc), 1));
  const x17 = normal(2, 4 * 17 * 64 * 64 * 3).map((v) => 0.5 + 0.2 * v);
  const enc = jit((p: Params, x: Tensor) => encodeVideo(p, vc, x));
  const dec = jit((p: Params, z: Tensor) => decodeVideo(p, vc, z));
  const z = await ops.read(enc(refTree(vp), ops.tensor(x17, [4, 17, 64, 64, 3])));
  if (want('video-encode'))
    await profile('video encode, 4 × 17 frames', () => ops.read(enc(refTree(vp), ops.tensor(x17, [4, 17, 64, 64, 3]))), top, expChars);
  if (want('video-decode'))
    await profile('video decode, 4 × 5 latents', () => ops.read(dec(refTree(vp), ops.tensor(z, [4, ...videoLatentShape(vc, 17)]))), top, expChars);
  if (want('video-train')) {
    const grad = jit((p: Params, x: Tensor) => valueAndGrad((pp: Params) => videoReconLoss(pp, vc, x, null)[0])(p));
    const x9 = x17.subarray(0, 2 * 9 * 64 * 64 * 3);
    const step = async () => {
      const [l, g] = grad(refTree(vp), ops.tensor(x9, [2, 9, 64, 64, 3]));
      await ops.read(l);
      disposeTree(g);
    };
    // the trainer's conv lowering, as in bench:codecs
    await withTrainLowering(() => profile('video training step (loss + gradient, no optimizer), 2 × 9 frames', step, top, expChars));
  }
  const ac = AUDIO_CODEC_DEFAULTS;
  const ap = toDevice(initHostParams(audioCodecSpecs(ac), 2));
  const mel = normal(3, 16 * 212 * 80).map((v) => v - 4);
  const aenc = jit((p: Params, m: Tensor) => encodeAudio(p, ac, m));
  const adec = jit((p: Params, zz: Tensor) => decodeAudio(p, ac, zz));
  const za = await ops.read(aenc(refTree(ap), ops.tensor(mel, [16, 212, 80])));
  if (want('audio-encode'))
    await profile('audio encode, 16 × 2.125 s', () => ops.read(aenc(refTree(ap), ops.tensor(mel, [16, 212, 80]))), top, expChars);
  if (want('audio-decode'))
    await profile('audio decode, 16 × 106 latents', () => ops.read(adec(refTree(ap), ops.tensor(za, [16, 106, 16]))), top, expChars);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
