/** `avdit probe`, `avdit synth`, `avdit engine`. */
import { Flags } from '../args.js';
import { probe, encode } from '../../src/media/node/ffmpeg.js';
import { syntheticClip } from '../../src/media/synthetic.js';
import { initNodeEngine } from '../../src/engine/node.js';

export const MEDIA_HELP = `avdit probe <file>
avdit synth --out <file.mp4> [--seed 0] [--frames 17] [--size 64] [--fps 8] [--sample-rate 16000]
avdit engine [--device auto|wasm|webgpu|cpu]`;

export async function mediaCommand(cmd: string, argv: string[]): Promise<void> {
  if (cmd === 'probe') {
    const f = new Flags('probe', argv, { options: [], help: MEDIA_HELP });
    const [file] = f.positional;
    if (!file) throw new Error('probe: which file? usage: avdit probe <file>');
    console.log(JSON.stringify(await probe(file), null, 2));
  } else if (cmd === 'synth') {
    const f = new Flags('synth', argv, { options: ['out', 'seed', 'frames', 'size', 'fps', 'sample-rate'], help: MEDIA_HELP });
    const out = f.need('out', 'file.mp4');
    const size = f.int('size', 64, 8, 4096);
    const s = syntheticClip({
      seed: f.seed(),
      numFrames: f.int('frames', 17, 1, 100000),
      width: size,
      height: size,
      fps: f.num('fps', 8, { above: 0, max: 240 }),
      sampleRate: f.int('sample-rate', 16000, 1000, 192000),
    });
    await encode(s.clip, out);
    console.log(`wrote ${out}: ${s.clip.numFrames} frames, onsets at ${s.onsets.map((t) => t.toFixed(3)).join(', ')} s`);
  } else if (cmd === 'engine') {
    const f = new Flags('engine', argv, { options: ['device'], help: MEDIA_HELP });
    const info = await initNodeEngine({ device: f.device() });
    console.log(JSON.stringify(info));
  }
}
