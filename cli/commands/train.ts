/** `avdit train`: AVDiT on a latent cache with a MoNL mixture or a single strategy. */
import { Flags } from '../args.js';
import { TRAINER_FLAGS, trainerFlags, forSeconds } from './codec.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { train, checkRunFolder } from '../../src/train/trainer.js';
import { AVDIT_PRESETS, type AvditPreset } from '../../src/model/avdit.js';
import { MIXTURES, parseMixture } from '../../src/monl/strategies.js';
import { monlTrainTask, AVDIT_TRAIN_DEFAULTS } from '../../src/train/node/monl-task.js';
import { countParams } from '../../src/nn/params.js';
import { SCHEDULE_KINDS } from '../../src/diffusion/schedule.js';
import { parseRegions } from '../../src/data/config.js';

export const TRAIN_HELP = `avdit train --data <latents> --out <run> [--strategy monl] [--preset small] [options]
    --strategy ${Object.keys(MIXTURES).join('|')}   (monl = uniform over the four strategies)
    --preset ${Object.keys(AVDIT_PRESETS).join('|')}   --width/--depth/--heads/--patch override the preset
    (--patch 4 on the v2 codec's 16×16 latents keeps the v1 token count: 5 × 4 × 4 = 80 video tokens)
    --steps 4000 --batch 16 --lr 5e-4 --warmup 200 --ema 0.999 --seed 0 --self-cond-rate 0.9
    --checkpoint-every 250 --log-every 25 --device auto|wasm|webgpu
    --schedule linear|cosine   noise schedule of a new run (linear: the paper's; cosine: Nichol & Dhariwal 2021)
    --min-snr 5   Min-SNR-γ loss weighting (Hang et al. 2023; 0 = off, the default); validation stays unweighted
    --region-weight 8 --regions mouth=0.33,0.72,0.67,0.95|grid   extra ε-loss weight on the video latents inside the
                  boxes (fractions of the frame; the map is normalised to mean 1); validation stays unweighted
    --audio-context 12   a new model's aligned audio → video path: every video token also sees the 2K + 1 audio
                  latent frames around its frame (K = 12: ±240 ms), through a zero-initialised projection (0 = off)
    --video-context   the V2A counterpart: every audio token also sees its segment's video latent frame
    --video-frame-context   the V2A path at pixel-frame resolution: every audio token also sees its latent frame
                  through a projection made for the pixel frame it falls in (4 per latent frame; zero-initialised)
    --given-rate 0.2   condition practice: in this share of examples one modality (video or audio) is given, clean
                  (t = 0) and out of the loss, as in A2V/V2A (0 = off, the default)
    --quiet-weight 3   extra ε-loss weight on the audio latent frames the cache marks quiet (<split>.quiet: more than
                  20 dB below the window's loudest video frame, as SAA counts them), normalised to mean 1 per window
    --resume continues the run in <run>; --force starts over in a folder that holds a run (replacing it)
    --for 150m: train for this wall time, checkpoint and stop (rerun with --resume to go on: a campaign in chunks)
    --stop-after N: checkpoint and stop at step N (--steps still sets the LR schedule)`;

export async function trainCommand(argv: string[]): Promise<void> {
  const f = new Flags('train', argv, {
    options: [
      'data',
      'out',
      'strategy',
      'preset',
      'width',
      'depth',
      'heads',
      'patch',
      'batch',
      'ema',
      'self-cond-rate',
      'device',
      'val-windows',
      'stop-after',
      'schedule',
      'min-snr',
      'region-weight',
      'regions',
      'given-rate',
      'quiet-weight',
      'audio-context',
      ...TRAINER_FLAGS,
    ],
    booleans: ['resume', 'force', 'video-context', 'video-frame-context'],
    help: TRAIN_HELP,
  });
  const data = f.need('data', 'latent cache'),
    out = f.need('out', 'run folder');
  const presetName = f.choice('preset', Object.keys(AVDIT_PRESETS) as AvditPreset[], 'small');
  const preset = AVDIT_PRESETS[presetName];
  const model = {
    ...preset,
    width: f.int('width', preset.width),
    depth: f.int('depth', preset.depth),
    heads: f.int('heads', preset.heads),
    patch: f.int('patch', preset.patch, 1, 64),
    ...(f.has('audio-context') ? { audioContext: f.int('audio-context', 0, 0, 64) } : {}),
    ...(f.bool('video-context') ? { videoContext: true } : {}),
    ...(f.bool('video-frame-context') ? { videoFrameContext: true } : {}),
  };
  if (model.width % model.heads) throw new Error(`train: --width ${model.width} is not divisible by --heads ${model.heads}`);
  const strategy = f.str('strategy', 'monl');
  const mixture = parseMixture(strategy);
  const d = AVDIT_TRAIN_DEFAULTS;
  const batch = f.int('batch', d.task.batch, 1, 4096),
    selfCondRate = f.num('self-cond-rate', d.task.selfCondRate, { min: 0, max: 1 }),
    valWindows = f.int('val-windows', d.task.valWindows);
  const cfg = { ...trainerFlags(f, d.trainer), emaDecay: f.num('ema', d.trainer.emaDecay, { min: 0, max: 1 }) };
  checkRunFolder(out, { resume: f.bool('resume'), force: f.bool('force') });
  const info = await initNodeEngine({ device: f.device() });
  const diffusion = SCHEDULE_KINDS[f.choice('schedule', Object.keys(SCHEDULE_KINDS) as (keyof typeof SCHEDULE_KINDS)[], 'linear')];
  const minSnr = f.num('min-snr', 0, { min: 0 });
  const regionWeight = f.num('region-weight', 0, { min: 0, max: 1000 });
  const regions = f.str('regions') ? parseRegions(f.str('regions')!) : undefined;
  const givenRate = f.num('given-rate', 0, { min: 0, max: 1 });
  const quietWeight = f.num('quiet-weight', 0, { min: 0, max: 1000 });
  const task = monlTrainTask(data, model, {
    batch,
    mixtureName: strategy,
    mixture,
    selfCondRate,
    valWindows,
    diffusion,
    minSnr,
    regionWeight,
    regions,
    givenRate,
    quietWeight,
  });
  console.log(
    `AVDiT ${presetName} (width ${model.width}, depth ${model.depth}, heads ${model.heads}, ${(countParams(task.specs) / 1e6).toFixed(2)}M parameters), strategy ${strategy}, on ${info.device}${info.device === 'wasm' ? ` with ${info.threads} threads` : ` (${info.adapter})`}`,
  );
  const stopAfter = f.has('stop-after') ? f.int('stop-after', cfg.steps) : undefined;
  const r = await train(task, cfg, out, { resume: f.bool('resume'), force: f.bool('force'), forSeconds: forSeconds(f), stopAfter });
  console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint (EMA weights), metrics in ${out}/metrics.jsonl, loss curve ${out}/loss.png`);
}
