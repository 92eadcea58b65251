/** Messages between the studio page and its Web Worker (structured-cloned; typed arrays transferred). */
import type { AVClip } from '../media/clip.js';
import type { ConditionMask } from '../monl/tasks.js';
import type { DeviceRequest } from '../engine/index.js';

export type ToWorker =
  | { type: 'init'; device: DeviceRequest; base: string; threads?: number }
  | {
      type: 'generate';
      id: number;
      source?: AVClip;
      mask: ConditionMask;
      steps: number;
      guidance: number;
      temperature: number;
      seed: number;
      previewEvery: number;
    };

export interface ModelFacts {
  fps: number;
  sampleRate: number;
  windowFrames: number;
  width: number;
  height: number;
  numSegments: number;
  /** pixel frames [first, last] and times [start, end) of each segment */
  frames: [number, number][];
  bounds: [number, number][];
  params: number;
  strategy: string;
}

export type FromWorker =
  | { type: 'status'; text: string }
  | { type: 'ready'; device: string; threads: number; adapter?: string; loadMs: number; model: ModelFacts }
  | { type: 'step'; id: number; step: number; total: number; msPerStep: number; preview?: Float32Array }
  /** msPerStep: mean over steps 2…n (the first also encodes the given cells and compiles) */
  | { type: 'done'; id: number; clip: AVClip; firstStepMs: number; msPerStep: number; totalMs: number }
  | { type: 'error'; id?: number; message: string };
