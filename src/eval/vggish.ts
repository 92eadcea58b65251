/**
 * VGGish (Hershey et al. 2017), the audio network behind published FAD numbers, for users who have its
 * weights. avdit ships no weights (they cannot be downloaded here); pass a safetensors file holding the
 * state dict of the PyTorch port `torchvggish` (names `features.{0,3,6,8,11,13}.{weight,bias}`,
 * `embeddings.{0,2,4}.{weight,bias}`, torch layouts; the PCA post-processing is not used). Convert a
 * `vggish-10086976.pth` with: `python3 -c "import torch; from safetensors.torch import save_file;
 * save_file(torch.load('vggish-10086976.pth'), 'vggish.safetensors')"`.
 *
 * Input features follow VGGish's own front end: 16 kHz, 25 ms periodic-Hann frames every 10 ms, 512-point
 * FFT magnitude, 64 mel bands 125–7500 Hz (HTK mel, unnormalised triangles), log(mel + 0.01), examples of
 * 96 frames (0.96 s); here examples hop by 48 frames so short generated segments give more rows.
 * Output: one 128-d embedding (after the last ReLU) per example. Browser-safe.
 */
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { toDevice } from '../nn/params.js';
import type { HostParams, HostTensor } from '../util/safetensors.js';
import { fft } from '../audio/dsp.js';

/** torchvggish state-dict shapes. */
export const VGGISH_SHAPES: Record<string, number[]> = {
  'features.0.weight': [64, 1, 3, 3],
  'features.0.bias': [64],
  'features.3.weight': [128, 64, 3, 3],
  'features.3.bias': [128],
  'features.6.weight': [256, 128, 3, 3],
  'features.6.bias': [256],
  'features.8.weight': [256, 256, 3, 3],
  'features.8.bias': [256],
  'features.11.weight': [512, 256, 3, 3],
  'features.11.bias': [512],
  'features.13.weight': [512, 512, 3, 3],
  'features.13.bias': [512],
  'embeddings.0.weight': [4096, 12288],
  'embeddings.0.bias': [4096],
  'embeddings.2.weight': [4096, 4096],
  'embeddings.2.bias': [4096],
  'embeddings.4.weight': [128, 4096],
  'embeddings.4.bias': [128],
};
const CONVS = [0, 3, 6, 8, 11, 13];
const POOL_AFTER = new Set([0, 3, 8, 13]);
export const VGGISH_FRAMES = 96,
  VGGISH_BANDS = 64;

/** VGGish log-mel examples [n, 96, 64] for 16 kHz audio, hopping `hopFrames` frames. */
export function vggishExamples(audio: Float32Array, sampleRate: number, hopFrames = 48): { data: Float32Array; count: number } {
  if (sampleRate !== 16000) throw new Error(`VGGish: audio is ${sampleRate} Hz, VGGish needs 16000 Hz`);
  const win = 400,
    hop = 160,
    nFft = 512,
    bins = nFft / 2 + 1;
  const frames = audio.length < win ? 0 : 1 + Math.floor((audio.length - win) / hop);
  const count = frames < VGGISH_FRAMES ? 0 : 1 + Math.floor((frames - VGGISH_FRAMES) / hopFrames);
  const hz2mel = (f: number) => 1127 * Math.log(1 + f / 700);
  const lo = hz2mel(125),
    hi = hz2mel(7500);
  const edges = Array.from({ length: VGGISH_BANDS + 2 }, (_, i) => lo + ((hi - lo) * i) / (VGGISH_BANDS + 1));
  const fb = new Float64Array(bins * VGGISH_BANDS);
  for (let k = 1; k < bins; k++) {
    const m = hz2mel((k * sampleRate) / nFft);
    for (let b = 0; b < VGGISH_BANDS; b++) {
      const w = Math.max(0, Math.min((m - edges[b]) / (edges[b + 1] - edges[b]), (edges[b + 2] - m) / (edges[b + 2] - edges[b + 1])));
      fb[k * VGGISH_BANDS + b] = w;
    }
  }
  const logmel = new Float32Array(frames * VGGISH_BANDS);
  const re = new Float64Array(nFft),
    im = new Float64Array(nFft),
    mel = new Float64Array(VGGISH_BANDS);
  const hann = Float64Array.from({ length: win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win)); // periodic
  for (let f = 0; f < frames; f++) {
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < win; i++) re[i] = audio[f * hop + i] * hann[i];
    fft(re, im);
    mel.fill(0);
    for (let k = 1; k < bins; k++) {
      const mag = Math.hypot(re[k], im[k]);
      for (let b = 0; b < VGGISH_BANDS; b++) mel[b] += mag * fb[k * VGGISH_BANDS + b];
    }
    for (let b = 0; b < VGGISH_BANDS; b++) logmel[f * VGGISH_BANDS + b] = Math.log(mel[b] + 0.01);
  }
  const data = new Float32Array(count * VGGISH_FRAMES * VGGISH_BANDS);
  for (let e = 0; e < count; e++)
    data.set(logmel.subarray(e * hopFrames * VGGISH_BANDS, (e * hopFrames + VGGISH_FRAMES) * VGGISH_BANDS), e * VGGISH_FRAMES * VGGISH_BANDS);
  return { data, count };
}

/** torch layouts → ours: conv [out, in, kh, kw] → [kh, kw, in, out]; linear [out, in] → [in, out]. */
function toOurLayout(w: HostParams, source: string): HostParams {
  const out: HostParams = {};
  for (const [name, shape] of Object.entries(VGGISH_SHAPES)) {
    const t = w[name];
    if (!t) throw new Error(`${source}: not torchvggish weights (missing ${name})`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`${source}: ${name} has shape [${t.shape}], torchvggish's is [${shape}]`);
    const conv = shape.length === 4,
      lin = shape.length === 2;
    if (conv) {
      const [o, i, kh, kw] = shape;
      const d = new Float32Array(t.data.length);
      for (let a = 0; a < o; a++)
        for (let b = 0; b < i; b++)
          for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) d[((y * kw + x) * i + b) * o + a] = t.data[((a * i + b) * kh + y) * kw + x];
      out[name] = { shape: [kh, kw, i, o], data: d } satisfies HostTensor;
    } else if (lin) {
      const [o, i] = shape;
      const d = new Float32Array(t.data.length);
      for (let a = 0; a < o; a++) for (let b = 0; b < i; b++) d[b * o + a] = t.data[a * i + b];
      out[name] = { shape: [i, o], data: d };
    } else out[name] = t;
  }
  return out;
}

function maxPool2(x: Tensor): Tensor {
  const [B, H, W, C] = x.shape;
  return ops.max(ops.reshape(x, [B, H / 2, 2, W / 2, 2, C]), [2, 4]);
}

/** examples [B, 96, 64] → embeddings [B, 128]. */
export function vggishForward(p: Params, x: Tensor): Tensor {
  const B = x.shape[0];
  let h = ops.reshape(x, [B, VGGISH_FRAMES, VGGISH_BANDS, 1]);
  for (const i of CONVS) {
    h = ops.relu(
      ops.add(
        ops.conv(h, p[`features.${i}.weight`].ref, {
          padding: [
            [1, 1],
            [1, 1],
          ],
        }),
        p[`features.${i}.bias`].ref,
      ),
    );
    if (POOL_AFTER.has(i)) h = maxPool2(h);
  }
  // torchvggish flattens in TF's order: [B, 6, 4, 512] (channels last) — which is our layout already
  h = ops.reshape(h, [B, 6 * 4 * 512]);
  for (const i of [0, 2, 4]) h = ops.relu(ops.add(ops.matmul(h, p[`embeddings.${i}.weight`].ref), p[`embeddings.${i}.bias`].ref));
  return h;
}

export class Vggish {
  readonly name = 'vggish';
  readonly dim = 128;
  readonly params: Params;
  #fwd = jit((p: Params, x: Tensor) => vggishForward(p, x));

  constructor(weights: HostParams, source = 'vggish weights') {
    this.params = toDevice(toOurLayout(weights, source));
  }

  async embedExamples(examples: Float32Array, count: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    return ops.read(this.#fwd(refTree(this.params), ops.tensor(examples, [count, VGGISH_FRAMES, VGGISH_BANDS])));
  }

  /** 128-d rows for 16 kHz audio (one per 0.96 s example, hop 0.48 s). */
  async rows(audio: Float32Array, sampleRate: number): Promise<Float64Array> {
    const ex = vggishExamples(audio, sampleRate);
    return Float64Array.from(await this.embedExamples(ex.data, ex.count));
  }
}
