/** `avdit probe`, `avdit synth`, `avdit engine`. */
import { Flags, parseArgs } from '../args.js';
import { probe, encode } from '../../src/media/node/ffmpeg.js';
import { syntheticClip } from '../../src/media/synthetic.js';
import { initNodeEngine } from '../../src/engine/node.js';

export const MEDIA_HELP = `avdit probe <file>
avdit synth --out <file.mp4> [--seed 0] [--frames 17] [--size 64] [--fps 8] [--sample-rate 16000]
avdit engine [--device auto|wasm|webgpu|cpu]`;

export async function mediaCommand(cmd: string, argv: string[]): Promise<void> {
  if (cmd === 'probe') {
    const f = new Flags('probe', parseArgs(argv), []);
    const [file] = f.positional;
    if (!file) throw new Error('usage: avdit probe <file>');
    console.log(JSON.stringify(await probe(file), null, 2));
  } else if (cmd === 'synth') {
    const f = new Flags('synth', parseArgs(argv), ['out', 'seed', 'frames', 'size', 'fps', 'sample-rate']);
    const out = f.str('out');
    if (!out) throw new Error('usage: avdit synth --out <file.mp4>');
    const size = f.num('size', 64);
    const s = syntheticClip({ seed: f.num('seed', 0), numFrames: f.num('frames', 17), width: size, height: size, fps: f.num('fps', 8), sampleRate: f.num('sample-rate', 16000) });
    await encode(s.clip, out);
    console.log(`wrote ${out}: ${s.clip.numFrames} frames, onsets at ${s.onsets.map((t) => t.toFixed(3)).join(', ')} s`);
  } else if (cmd === 'engine') {
    const f = new Flags('engine', parseArgs(argv), ['device']);
    const info = await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
    console.log(JSON.stringify(info));
  }
}
