/**
 * Codec throughput, avdit vs the PyTorch twin (bench/twins/*_codec.py) on the same weights, same run:
 * encode and decode clips/s (17 frames / 2.125 s) and one training step (AdamW). Prints ratios.
 *   npm run build && node dist/bench/codecs.js      (BENCH_REPS=5)
 */
import { initNodeEngine } from '../src/engine/node.js';
import {
  ops,
  jit,
  refTree,
  valueAndGrad,
  blockUntilReady,
  adamwInit,
  adamwUpdate,
  adamwScalars,
  ADAMW_DEFAULTS,
  type Params,
  type Tensor,
} from '../src/engine/index.js';
import { initHostParams, toDevice } from '../src/nn/params.js';
import { encodeVideo, decodeVideo, videoCodecSpecs, videoLatentShape, VIDEO_CODEC_DEFAULTS } from '../src/codecs/video-codec.js';
import { encodeAudio, decodeAudio, audioCodecSpecs, decodedBins, AUDIO_CODEC_DEFAULTS } from '../src/codecs/audio-codec.js';
import { videoReconLoss } from '../src/train/node/train-video.js';
import { normal } from '../src/util/rng.js';
import { startTwin, twinUnavailable, type LiveTwin } from './twins.js';
import { timePaired, reportRows, withTrainLowering, type PairedTiming } from './timing.js';

const reps = Number(process.env.BENCH_REPS ?? 5);

function trainStep(loss: (p: Params, ...xs: Tensor[]) => Tensor) {
  return jit((p: Params, st: any, xs: Tensor[], sc: Tensor[]) => {
    const [l, g] = valueAndGrad((pp: Params, b: Tensor[]) => loss(pp, ...b))(refTree(p), xs);
    const u = adamwUpdate(p, g, st, sc, ADAMW_DEFAULTS);
    return { p: u.params, st: u.state, l };
  });
}

async function main() {
  const info = await initNodeEngine();
  // ---- video (v2, 64×64 → 16×16×8): B=4 clips of 17 frames (encode/decode), 2 crops of 9 frames (train step)
  const vc = VIDEO_CODEC_DEFAULTS;
  const zShape = [4, ...videoLatentShape(vc, 17)];
  const vw = initHostParams(videoCodecSpecs(vc), 1);
  for (const k of Object.keys(vw)) if (vw[k].data.every((v) => v === 0)) vw[k].data = normal(k.length, vw[k].data.length, 0.02); // no dead paths
  let vp = toDevice(vw);
  const B = 4;
  const x17 = normal(2, B * 17 * 64 * 64 * 3).map((v) => 0.5 + 0.2 * v);
  const BT = 2; // the training step: a batch of 4 fits the trainer's heap, not this bench's (it also holds the encode/decode programs)
  const x9 = x17.subarray(0, BT * 9 * 64 * 64 * 3);
  const enc = jit((p: Params, x: Tensor) => encodeVideo(p, vc, x));
  const dec = jit((p: Params, z: Tensor) => decodeVideo(p, vc, z));
  const z = await ops.read(enc(refTree(vp), ops.tensor(x17, [B, 17, 64, 64, 3])));
  const runEnc = () => ops.read(enc(refTree(vp), ops.tensor(x17, [B, 17, 64, 64, 3])));
  const runDec = () => ops.read(dec(refTree(vp), ops.tensor(z, zShape)));
  const vstep = trainStep((p, x) => videoReconLoss(p, vc, x, null)[0]);
  let vst: any = adamwInit(vp);
  let s = 0;
  const runTrain = async () => {
    const r = vstep(vp, vst, [ops.tensor(x9, [BT, 9, 64, 64, 3])], adamwScalars(1e-4, ++s, ADAMW_DEFAULTS));
    vp = r.p;
    vst = r.st;
    await blockUntilReady(vp);
    return ops.read(r.l);
  };
  // ---- audio: B=16 clips of 106 latent frames
  const ac = AUDIO_CODEC_DEFAULTS;
  const aw = initHostParams(audioCodecSpecs(ac), 2);
  for (const k of Object.keys(aw)) if (aw[k].data.every((v) => v === 0)) aw[k].data = normal(k.length, aw[k].data.length, 0.02);
  let ap = toDevice(aw);
  const BA = 16;
  const mel = normal(3, BA * 212 * 80).map((v) => v - 4);
  const bins = decodedBins(ac); // 512: the Nyquist bin is not predicted
  const mag = normal(4, BA * 212 * bins).map((v) => v - 4);
  const aenc = jit((p: Params, m: Tensor) => encodeAudio(p, ac, m));
  const adec = jit((p: Params, zz: Tensor) => decodeAudio(p, ac, zz));
  const za = await ops.read(aenc(refTree(ap), ops.tensor(mel, [BA, 212, 80])));
  const runAEnc = () => ops.read(aenc(refTree(ap), ops.tensor(mel, [BA, 212, 80])));
  const runADec = () => ops.read(adec(refTree(ap), ops.tensor(za, [BA, 106, 16])));
  const astep = trainStep((p, m, g) => ops.mean(ops.abs(ops.sub(decodeAudio(p, ac, encodeAudio(p, ac, m)), g))));
  let ast: any = adamwInit(ap);
  const runATrain = async () => {
    const r = astep(ap, ast, [ops.tensor(mel, [BA, 212, 80]), ops.tensor(mag, [BA, 212, bins])], adamwScalars(1e-4, ++s, ADAMW_DEFAULTS));
    ap = r.p;
    ast = r.st;
    await blockUntilReady(ap);
    return ops.read(r.l);
  };

  // the twins stay alive and each of our calls alternates with one of theirs (timePaired); without them, ours alone
  const why = twinUnavailable();
  const tv = why
    ? null
    : await startTwin(
        vw,
        { x17: { data: x17, shape: [B, 17, 64, 64, 3] }, x9: { data: x9, shape: [BT, 9, 64, 64, 3] }, z: { data: z, shape: zShape } },
        [
          { module: 'video_codec', fn: 'encode_video', config: vc, inputs: ['x17'], reps },
          { module: 'video_codec', fn: 'decode_video', config: vc, inputs: ['z'], reps },
          { module: 'video_codec', fn: 'train_loss', config: vc, inputs: ['x9'], reps, train: true },
        ],
      );
  const ta = why
    ? null
    : await startTwin(
        aw,
        { mel: { data: mel, shape: [BA, 212, 80] }, mag: { data: mag, shape: [BA, 212, bins] }, za: { data: za, shape: [BA, 106, 16] } },
        [
          { module: 'audio_codec', fn: 'encode_audio', config: ac, inputs: ['mel'], reps },
          { module: 'audio_codec', fn: 'decode_audio', config: ac, inputs: ['za'], reps },
          { module: 'audio_codec', fn: 'train_loss', config: ac, inputs: ['mel', 'mag'], reps, train: true },
        ],
      );
  const timed = (f: () => Promise<unknown>, twin: LiveTwin | undefined, step: number) => timePaired(f, twin ? () => twin.time(step) : null, reps);
  const rows: PairedTiming[] = [
    await timed(runEnc, tv?.twin, 0),
    await timed(runDec, tv?.twin, 1),
    await withTrainLowering(() => timed(runTrain, tv?.twin, 2)),
    await timed(runAEnc, ta?.twin, 0),
    await timed(runADec, ta?.twin, 1),
    await withTrainLowering(() => timed(runATrain, ta?.twin, 2)),
  ];
  const version = tv?.version ?? '';
  const torchRss = tv && ta ? Math.max((await tv.finish()).maxRssKb, (await ta.finish()).maxRssKb) : undefined;
  const names = [
    `video encode (${B}×17 frames)`,
    `video decode (${B}×5 latents)`,
    `video train step (${BT}×9 frames)`,
    `audio encode (${BA}×2.12 s)`,
    `audio decode (${BA}×106 latents)`,
    `audio train step (${BA}×2.12 s)`,
  ];
  const per = [B, B, 0, BA, BA, 0];
  console.log(
    `codec throughput: avdit on ${info.device}${info.device === 'wasm' ? ` ×${info.threads} threads` : ''} vs PyTorch ${version || '(unavailable: ' + why + ')'} CPU, median of ${reps}${version ? " pairs, the two sides alternating; ratio: the median of the pairs' ratios" : ''}`,
  );
  rows.forEach(({ ours: t, theirs: ref, ratio }, i) => {
    const rate = per[i] ? `${((per[i] * 1000) / t).toFixed(1)} clips/s` : `${t.toFixed(0)} ms/step`;
    const r = version
      ? `  PyTorch ${per[i] ? `${((per[i] * 1000) / ref).toFixed(1)} clips/s` : `${ref.toFixed(0)} ms/step`}  ratio ${ratio.toFixed(2)}×`
      : '';
    console.log(`  ${names[i].padEnd(34)} ${t.toFixed(0).padStart(6)} ms  ${rate.padEnd(16)}${r}`);
  });
  reportRows(
    rows.map((t, i) => ({ name: names[i], ours: t.ours, ...(version ? { torch: t.theirs, ratio: t.ratio } : {}) })),
    torchRss,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
