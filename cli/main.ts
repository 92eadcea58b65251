#!/usr/bin/env node
/** avdit command-line entry: routes to one command module per verb. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { HelpRequested } from './args.js';
import { dataCommand, DATA_HELP } from './commands/data.js';
import { mediaCommand, MEDIA_HELP } from './commands/media.js';
import { trainCommand, TRAIN_HELP } from './commands/train.js';
import { reportCommand, REPORT_HELP } from './commands/report.js';
import { demoCommand, DEMO_HELP } from './commands/demo.js';
import { generateCommand, longCommand, GENERATE_HELP, LONG_HELP } from './commands/generate.js';
import { studioCommand, STUDIO_HELP } from './commands/studio.js';
import { evalCommand, EVAL_HELP } from './commands/eval.js';
import { activityCommand, ACTIVITY_HELP } from './commands/activity.js';
import { codecCommand, encodeCommand, decodeCommand, exportCommand, CODEC_HELP, ENCODE_HELP, EXPORT_HELP } from './commands/codec.js';

const HELP = `avdit — any-to-any audio-video generation with one diffusion transformer (MoNL)

usage: avdit <command> [options]      (avdit <command> --help for its options)

commands:
  demo                                  reconstruct the bundled examples, then generate a2v/v2a/continue/inpaint
  eval --latents <latents> --models a=<ckpt>,b=<ckpt> --out <dir>   strategies × tasks table
  studio                                the browser studio: mark cells given/generate, generate in the page
  data prepare <folder> --out <cache>   decode a folder of clips into aligned training windows
  data inspect <cache>                  counts, durations, rates and a PNG contact sheet
  probe <file>                          what ffprobe sees in a media file
  synth --out <file.mp4>                write a synthetic bouncing-disc clip (flash + click on bounces)
  codec train --data <cache> --modality video|audio --out <run>   train a latent codec
  codec eval --data <cache> --video <ckpt> --audio <ckpt> --out <dir>   reconstruction report
  encode --data <cache> --video <ckpt> --audio <ckpt> --out <latents>  latent cache for diffusion
  decode --latents <latents> --video <ckpt> --audio <ckpt> --out <mp4> one latent window back to mp4
  train --data <latents> --out <run> [--strategy monl]   train AVDiT with a Mixture of Noise Levels
  activity train --data <latents> --out <run>   the activity net for activity guidance (V2A timing)
  report --run <run> --data <cache> --video-codec … --audio-codec …   a run's progress page (curves, influence, strips)
  generate --model <ckpt> --task a2v --input clip.mp4 --out out/x   any task or free-form condition
  long --model <ckpt> --input audio.wav --seconds 10 --out out/long   long-form audio→video
  export <checkpoint> --out <dir>       weights + config only (fp16 by default), for bundling
  engine                                which tensor device and how many threads this machine gets

${DEMO_HELP}

${STUDIO_HELP}

${DATA_HELP}

${CODEC_HELP}
${ENCODE_HELP}

${TRAIN_HELP}

${ACTIVITY_HELP}

${REPORT_HELP}

${GENERATE_HELP}

${EVAL_HELP}

${LONG_HELP}

${EXPORT_HELP}

${MEDIA_HELP}`;

/** Every command and subcommand, as its argv prefix; each answers --help with its usage and exit 0 (tested). */
export const COMMAND_TABLE: string[][] = [
  ['demo'],
  ['studio'],
  ['data', 'prepare'],
  ['data', 'inspect'],
  ['codec', 'train'],
  ['codec', 'eval'],
  ['encode'],
  ['decode'],
  ['train'],
  ['activity', 'train'],
  ['report'],
  ['generate'],
  ['long'],
  ['eval'],
  ['eval', 'check'],
  ['eval', 'asr'],
  ['export'],
  ['probe'],
  ['synth'],
  ['engine'],
];

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'data':
      return dataCommand(rest);
    case 'codec':
      return codecCommand(rest);
    case 'train':
      return trainCommand(rest);
    case 'activity':
      return activityCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'studio':
      return studioCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case 'generate':
      return generateCommand(rest);
    case 'long':
      return longCommand(rest);
    case 'encode':
      return encodeCommand(rest);
    case 'decode':
      return decodeCommand(rest);
    case 'export':
      return exportCommand(rest);
    case 'probe':
    case 'synth':
    case 'engine':
      return mediaCommand(cmd, rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return;
    default:
      throw new Error(`unknown command "${cmd}" (avdit --help lists them)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: Error) => {
      if (e instanceof HelpRequested) {
        console.log(e.text);
        process.exit(0);
      }
      console.error(`avdit: ${e.message}`);
      if (process.env.AVDIT_DEBUG) console.error(e.stack);
      process.exit(1);
    },
  );
}
