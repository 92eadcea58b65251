/**
 * Reconstruction metrics on the host: PSNR and SSIM for frames in [0,1]; multi-resolution STFT
 * distance and log-spectral distance for waveforms.
 */
import { magnitude, stft } from '../audio/dsp.js';
import { boxPixels, type Box } from '../data/config.js';

/** The frames [T, H, W, 3] inside `box` → [T, h, w, 3] with its pixel size. */
export function cropVideo(
  video: Float32Array,
  numFrames: number,
  height: number,
  width: number,
  box: Box,
): { video: Float32Array; height: number; width: number } {
  const r = boxPixels(box, width, height);
  const h = r.y1 - r.y0,
    w = r.x1 - r.x0;
  const out = new Float32Array(numFrames * h * w * 3);
  for (let t = 0; t < numFrames; t++)
    for (let y = 0; y < h; y++) {
      const src = ((t * height + r.y0 + y) * width + r.x0) * 3;
      out.set(video.subarray(src, src + w * 3), (t * h + y) * w * 3);
    }
  return { video: out, height: h, width: w };
}

export function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return 10 * Math.log10(1 / Math.max(1e-12, se / a.length));
}

/**
 * Mean SSIM (Wang et al. 2004) over frames [T, H, W, 3] in [0,1]: 11×11 Gaussian window (σ = 1.5),
 * C1 = 0.01², C2 = 0.03², per channel then averaged; valid region only. `radius` 3 (a 7×7 window) suits
 * small boxes such as a 64×64 frame's mouth; a box smaller than the window is an error.
 */
export function ssim(a: Float32Array, b: Float32Array, numFrames: number, height: number, width: number, radius = 5): number {
  const r = radius,
    sigma = 1.5;
  if (height <= 2 * r || width <= 2 * r) throw new Error(`ssim: ${width}×${height} is smaller than the ${2 * r + 1}×${2 * r + 1} window`);
  const g = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const gs = g.reduce((s, v) => s + v, 0);
  const w = g.map((v) => v / gs);
  const C1 = 0.01 ** 2,
    C2 = 0.03 ** 2;
  let total = 0,
    count = 0;
  const blur = (img: Float64Array) => {
    const tmp = new Float64Array(height * width),
      out = new Float64Array(height * width);
    for (let y = 0; y < height; y++)
      for (let x = r; x < width - r; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += w[k + r] * img[y * width + x + k];
        tmp[y * width + x] = s;
      }
    for (let y = r; y < height - r; y++)
      for (let x = r; x < width - r; x++) {
        let s = 0;
        for (let k = -r; k <= r; k++) s += w[k + r] * tmp[(y + k) * width + x];
        out[y * width + x] = s;
      }
    return out;
  };
  for (let f = 0; f < numFrames; f++)
    for (let c = 0; c < 3; c++) {
      const n = height * width;
      const A = new Float64Array(n),
        B = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        A[i] = a[(f * n + i) * 3 + c];
        B[i] = b[(f * n + i) * 3 + c];
      }
      const mA = blur(A),
        mB = blur(B);
      const sAA = blur(A.map((v) => v * v)),
        sBB = blur(B.map((v) => v * v)),
        sAB = blur(A.map((v, i) => v * B[i]));
      for (let y = r; y < height - r; y++)
        for (let x = r; x < width - r; x++) {
          const i = y * width + x;
          const va = sAA[i] - mA[i] ** 2,
            vb = sBB[i] - mB[i] ** 2,
            cov = sAB[i] - mA[i] * mB[i];
          total += ((2 * mA[i] * mB[i] + C1) * (2 * cov + C2)) / ((mA[i] ** 2 + mB[i] ** 2 + C1) * (va + vb + C2));
          count++;
        }
    }
  return total / count;
}

/**
 * Multi-resolution STFT distance (Yamamoto et al. 2020, as in Parallel WaveGAN / SoundStream-style
 * losses): mean over FFT sizes 512/1024/2048 (hop ¼, Hann) of spectral convergence + mean |log mag
 * difference|. 0 for identical signals.
 */
export function multiResolutionStftDistance(x: Float32Array, y: Float32Array): number {
  let total = 0;
  const sizes = [512, 1024, 2048];
  for (const n of sizes) {
    const cfg = { nFft: n, hop: n / 4, win: n };
    const frames = Math.floor(Math.min(x.length, y.length) / cfg.hop);
    const X = magnitude(stft(x, cfg, frames)),
      Y = magnitude(stft(y, cfg, frames));
    let num = 0,
      den = 0,
      logd = 0;
    for (let i = 0; i < X.length; i++) {
      num += (X[i] - Y[i]) ** 2;
      den += X[i] ** 2;
      logd += Math.abs(Math.log(X[i] + 1e-5) - Math.log(Y[i] + 1e-5));
    }
    total += Math.sqrt(num / Math.max(den, 1e-12)) + logd / X.length;
  }
  return total / sizes.length;
}

/** Log-spectral distance in dB between two waveforms (1024-point STFT, hop 256, power spectra). */
export function logSpectralDistanceDb(x: Float32Array, y: Float32Array): number {
  const cfg = { nFft: 1024, hop: 256, win: 1024 };
  const frames = Math.floor(Math.min(x.length, y.length) / cfg.hop);
  const X = magnitude(stft(x, cfg, frames)),
    Y = magnitude(stft(y, cfg, frames));
  const bins = 513;
  let total = 0;
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let k = 0; k < bins; k++) {
      const d = 10 * Math.log10((X[f * bins + k] ** 2 + 1e-10) / (Y[f * bins + k] ** 2 + 1e-10));
      s += d * d;
    }
    total += Math.sqrt(s / bins);
  }
  return total / frames;
}
