/**
 * avdit's Node-only entry: engine start-up with worker threads, media I/O through ffmpeg, and the
 * dataset pipeline. Never imported by the browser bundle.
 */
export * from './index.js';
export { initNodeEngine, type NodeEngineOptions } from './engine/node.js';
