/**
 * The studio's Web Worker: starts the engine (WebGPU when the browser has a hardware adapter, else wasm
 * with threads when the page is cross-origin isolated), loads the bundled model and codecs over HTTP
 * through the public entry (`AvditPipeline.fromPretrained`), and runs its generation (the same
 * `generateClipSteps` as the CLI), posting
 * step progress and x̂0 previews.
 */
import { initEngine, AvditPipeline, stepTimer } from '../index.js';
import type { FromWorker, ToWorker } from './protocol.js';

const scope = self as unknown as {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
let pipe: AvditPipeline | null = null;
let queue: Promise<void> = Promise.resolve();

const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

async function init(device: ToWorker & { type: 'init' }): Promise<void> {
  const t0 = performance.now();
  post({ type: 'status', text: 'starting the engine…' });
  // as any: the worker's `self` type (lib webworker) is not in this build's lib set
  const threads = (self as any).crossOriginIsolated ? (device.threads ?? (navigator.hardwareConcurrency || 1)) : 1;
  const info = await initEngine(device.device, threads);
  post({ type: 'status', text: `loading the model on ${info.device}…` });
  pipe = await AvditPipeline.fromPretrained(`${device.base}models`);
  const model = pipe.model;
  const d = model.checkpoint.latents.data,
    seg = model.checkpoint.latents.segmentLayout;
  const params = Object.values(model.params).reduce((n, t) => n + t.size, 0);
  post({
    type: 'ready',
    device: info.device,
    threads: info.threads,
    adapter: info.adapter,
    loadMs: performance.now() - t0,
    model: {
      fps: d.fps,
      sampleRate: d.sampleRate,
      windowFrames: d.windowFrames,
      width: d.width,
      height: d.height,
      numSegments: seg.numSegments,
      frames: seg.frames,
      bounds: seg.bounds,
      params,
      strategy: model.checkpoint.strategy ?? 'monl',
    },
  });
}

async function run(req: ToWorker & { type: 'generate' }): Promise<void> {
  if (!pipe) throw new Error('the model is not loaded yet');
  const t0 = performance.now();
  const timer = stepTimer();
  const it = pipe.steps({
    task: req.mask,
    clip: req.source,
    steps: req.steps,
    guidance: req.guidance,
    temperature: req.temperature,
    seed: req.seed,
    previewEvery: req.previewEvery,
  });
  for (;;) {
    const r = await it.next();
    if (r.done) {
      const clip = r.value;
      post(
        {
          type: 'done',
          id: req.id,
          clip,
          firstStepMs: timer.firstMs,
          msPerStep: timer.msPerStep,
          totalMs: performance.now() - t0,
        },
        [clip.video.buffer, clip.audio.buffer],
      );
      return;
    }
    timer.lap(r.value.step);
    const preview = r.value.previewFrames;
    post(
      {
        type: 'step',
        id: req.id,
        step: r.value.step,
        total: r.value.total,
        msPerStep: timer.msPerStep,
        preview,
      },
      preview ? [preview.buffer] : [],
    );
  }
}

scope.onmessage = (e) => {
  const m = e.data;
  queue = queue
    .then(() => (m.type === 'init' ? init(m) : run(m)))
    .catch((err: unknown) => post({ type: 'error', id: m.type === 'generate' ? m.id : undefined, message: (err as Error)?.message ?? String(err) }));
};
