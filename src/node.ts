/**
 * avdit's Node-only entry: engine start-up with worker threads, media I/O through ffmpeg, and the
 * dataset pipeline. Never imported by the browser bundle.
 */
export * from './index.js';
export { initNodeEngine, type NodeEngineOptions } from './engine/node.js';

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AvditPipeline } from './api.js';
import { initNodeEngine as startEngine, type NodeEngineOptions as EngineOptions } from './engine/node.js';

/** Node: starts the engine (once) and loads a bundle folder laid out like `models/` (avdit/, video-codec/, audio-codec/). */
export async function fromPretrained(dir: string, o: EngineOptions = {}): Promise<AvditPipeline> {
  await startEngine(o);
  return AvditPipeline.fromPretrained(dir, { read: async (path) => new Uint8Array(await readFile(join(dir, path))) });
}
export { decode as decodeMedia, encode as encodeMedia } from './media/node/ffmpeg.js';
