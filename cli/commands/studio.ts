/** `avdit studio`: serves the browser studio on loopback and prints its URL; runs until Ctrl-C. */
import { join, resolve } from 'node:path';
import { Flags } from '../args.js';
import { startStudio } from '../../src/studio/node/server.js';

export const STUDIO_HELP = `avdit studio [--port 8080] [--host 127.0.0.1] [--model models/avdit] [--video models/video-codec]
             [--audio models/audio-codec] [--examples examples/grid-val]
    serves the browser studio on loopback (127.0.0.1, ::1 or localhost only); the model runs in the page`;

export async function studioCommand(argv: string[]): Promise<void> {
  const f = new Flags('studio', argv, { options: ['port', 'host', 'model', 'video', 'audio', 'examples'], help: STUDIO_HELP });
  const port = f.int('port', 8080, 0, 65535);
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const s = await startStudio({
    root,
    port,
    host: f.str('host', '127.0.0.1'),
    model: f.str('model', join(root, 'models', 'avdit')),
    videoCodec: f.str('video', join(root, 'models', 'video-codec')),
    audioCodec: f.str('audio', join(root, 'models', 'audio-codec')),
    examples: f.str('examples', join(root, 'examples', 'grid-val')),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw new Error(`studio: port ${port} is in use; pick another with --port`);
    throw e;
  });
  console.log(`avdit studio: open ${s.url}  (Ctrl-C stops it)`);
  await new Promise<void>((ok) => process.once('SIGINT', () => s.close().then(ok)));
}
