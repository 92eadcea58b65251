/**
 * A pretrained face network for evaluation: @vladmandic/face-api (MIT; weights ship inside the npm
 * package) on TensorFlow.js's wasm backend — its own engine, used only here, never for training or
 * generation. Tiny face detector (input 160) on frames upscaled to 256 px (measured on GRID s1: every
 * frame found at 64×64 and at 128×128; SSD MobileNet finds none at 64×64), then 68 landmarks and the
 * 128-d descriptor. The packages are dev dependencies: where they are missing, `loadFaceNet` says so and
 * evaluation keeps the hand-made proxies (SyncCorr, ID-dist).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FaceFrame } from '../face-metrics.js';

const UPSCALE = 256;

export interface FaceNet {
  /** faces of T frames [T, H, W, 3] in [0,1]; descriptors only when asked (they cost as much again) */
  frames(video: Float32Array, T: number, H: number, W: number, o?: { descriptors?: boolean }): Promise<FaceFrame[]>;
}

let loaded: Promise<FaceNet> | null = null;

/** The face network, or an error naming what to install. */
export function loadFaceNet(): Promise<FaceNet> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    let faceapi: any;
    try {
      faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    } catch (e) {
      throw new Error(
        `face metrics need @vladmandic/face-api, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm (npm install them; ${(e as Error).message.split('\n')[0]})`,
      );
    }
    const tf = faceapi.tf;
    await tf.setBackend('wasm');
    await tf.ready();
    const models = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(models);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
    await faceapi.nets.faceRecognitionNet.loadFromDisk(models);
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 160, scoreThreshold: 0.3 });
    return {
      async frames(video, T, H, W, o = {}) {
        const out: FaceFrame[] = [];
        const fsz = H * W * 3;
        for (let t = 0; t < T; t++) {
          const px = Int32Array.from(video.subarray(t * fsz, (t + 1) * fsz), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
          const img = tf.tensor3d(px, [H, W, 3], 'int32');
          const up = tf.tidy(() => tf.image.resizeBilinear(img, [UPSCALE, UPSCALE]).toInt());
          let task = faceapi.detectSingleFace(up, options).withFaceLandmarks();
          if (o.descriptors) task = task.withFaceDescriptor();
          const r = await task;
          img.dispose();
          up.dispose();
          if (!r) out.push({ landmarks: null, descriptor: null });
          else {
            const sx = W / UPSCALE,
              sy = H / UPSCALE;
            const lm = new Float32Array(136);
            r.landmarks.positions.forEach((p: { x: number; y: number }, i: number) => ((lm[2 * i] = p.x * sx), (lm[2 * i + 1] = p.y * sy)));
            out.push({ landmarks: lm, descriptor: r.descriptor ? Float32Array.from(r.descriptor) : null });
          }
        }
        return out;
      },
    };
  })();
  return loaded;
}
