/**
 * Audio activity per video frame, SAA's rule (src/eval/av-metrics.ts re-exports these): log energy per frame, active
 * within `rangeDb` of the loudest frame and above `floorDb`, and the same as quiet masks per audio latent frame (the
 * latent cache's `<split>.quiet`, which the trainers' `--quiet-weight` reads: below eval, so codecs may use it).
 */
/** Audio log energy (dB) per video frame: the samples of [t/fps, (t+1)/fps). */
export function energyDbPerFrame(audio: Float32Array, sampleRate: number, fps: number, numFrames: number): number[] {
  return Array.from({ length: numFrames }, (_, t) => {
    const i0 = Math.round((t / fps) * sampleRate),
      i1 = Math.round(((t + 1) / fps) * sampleRate);
    let s = 0;
    for (let i = i0; i < i1 && i < audio.length; i++) s += audio[i] * audio[i];
    return 10 * Math.log10(1e-8 + s / Math.max(1, i1 - i0));
  });
}

/** Per video frame: log energy within `rangeDb` of the loudest frame and above `floorDb`. */
export function activityFromAudio(audio: Float32Array, sampleRate: number, fps: number, numFrames: number, rangeDb = 20, floorDb = -55): boolean[] {
  const e = energyDbPerFrame(audio, sampleRate, fps, numFrames);
  const top = Math.max(...e);
  return e.map((v) => v > top - rangeDb && v > floorDb);
}

/**
 * Per audio latent frame (`hopSamples` each): 1 where SAA calls the video frame holding its centre quiet
 * (activityFromAudio: more than `rangeDb` below the window's loudest frame, or under `floorDb`), else 0. The
 * latent cache keeps it as `<split>.quiet` for the trainer's `--quiet-weight`.
 */
export function quietLatentFrames(
  audio: Float32Array,
  sampleRate: number,
  fps: number,
  numFrames: number,
  latentFrames: number,
  hopSamples: number,
): Float32Array {
  const active = activityFromAudio(audio, sampleRate, fps, numFrames);
  return Float32Array.from({ length: latentFrames }, (_, i) => {
    const f = Math.min(numFrames - 1, Math.floor((((i + 0.5) * hopSamples) / sampleRate) * fps));
    return active[f] ? 0 : 1;
  });
}
