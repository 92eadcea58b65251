/**
 * Host-side audio DSP (no engine, browser-safe): radix-2 FFT, STFT / inverse STFT with a Hann window
 * and centre (reflect) padding, a mel filterbank, and fast Griffin–Lim (Perraudin et al. 2013, momentum
 * 0.99) to turn a magnitude spectrogram back into a waveform.
 */

export interface StftConfig {
  nFft: number;
  hop: number;
  win: number;
}

/** 16 kHz defaults: 40 ms Hann window, 10 ms hop (two STFT frames per 50 Hz latent frame). */
export const STFT_DEFAULTS: StftConfig = { nFft: 1024, hop: 160, win: 640 };

interface FftPlan {
  rev: Uint32Array;
  /** cos / sin of −2πk/n for k < n/2 */
  cos: Float64Array;
  sin: Float64Array;
}
const fftPlans = new Map<number, FftPlan>();

function fftPlan(n: number): FftPlan {
  let p = fftPlans.get(n);
  if (!p) {
    const rev = new Uint32Array(n);
    for (let i = 1, j = 0; i < n; i++) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      rev[i] = j;
    }
    const half = n >> 1;
    const cos = new Float64Array(half),
      sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos((-2 * Math.PI * k) / n);
      sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    p = { rev, cos, sin };
    fftPlans.set(n, p);
  }
  return p;
}

/**
 * In-place complex FFT (radix 2); `inverse` computes the unnormalised inverse. The bit reversal and the twiddles come
 * from a table per length (exact per angle, where the old rotation recurrence accumulated round-off).
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft: length ${n} is not a power of two`);
  const { rev, cos, sin } = fftPlan(n);
  for (let i = 1; i < n; i++) {
    const j = rev[i];
    if (i < j) {
      const tr = re[i],
        ti = im[i];
      re[i] = re[j];
      im[i] = im[j];
      re[j] = tr;
      im[j] = ti;
    }
  }
  const sign = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1,
      step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const cr = cos[k * step],
          ci = sign * sin[k * step];
        const a = i + k,
          b = a + half;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

function hann(win: number): Float64Array {
  return Float64Array.from({ length: win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win));
}

export interface Spectrum {
  frames: number;
  bins: number;
  re: Float64Array; // [frames, bins]
  im: Float64Array;
}

/** STFT of `x` with `frames` frames centred on samples 0, hop, 2·hop, … (reflect padding). */
export function stft(x: Float32Array, cfg: StftConfig = STFT_DEFAULTS, frames = Math.floor(x.length / cfg.hop)): Spectrum {
  const { nFft, hop, win } = cfg;
  const bins = nFft / 2 + 1;
  const w = hann(win);
  const re = new Float64Array(frames * bins),
    im = new Float64Array(frames * bins);
  const fr = new Float64Array(nFft),
    fi = new Float64Array(nFft);
  const off = (nFft - win) >> 1;
  const at = (i: number) => {
    const n = x.length;
    if (n === 1) return x[0];
    let j = i;
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    return x[j];
  };
  // two real frames per complex FFT: frame f in the real part, frame f + 1 in the imaginary part, split by symmetry
  for (let f = 0; f < frames; f += 2) {
    fr.fill(0);
    fi.fill(0);
    const start = f * hop - win / 2;
    for (let k = 0; k < win; k++) fr[off + k] = at(start + k) * w[k];
    const pair = f + 1 < frames;
    if (pair) for (let k = 0; k < win; k++) fi[off + k] = at(start + hop + k) * w[k];
    fft(fr, fi);
    const a = f * bins,
      b = a + bins;
    for (let k = 0; k < bins; k++) {
      const m = (nFft - k) & (nFft - 1);
      re[a + k] = 0.5 * (fr[k] + fr[m]);
      im[a + k] = 0.5 * (fi[k] - fi[m]);
      if (pair) {
        re[b + k] = 0.5 * (fi[k] + fi[m]);
        im[b + k] = 0.5 * (fr[m] - fr[k]);
      }
    }
  }
  return { frames, bins, re, im };
}

/** Inverse STFT by weighted overlap-add; returns `length` samples. */
export function istft(s: Spectrum, length: number, cfg: StftConfig = STFT_DEFAULTS): Float32Array {
  const { nFft, hop, win } = cfg;
  const w = hann(win);
  const out = new Float64Array(length),
    norm = new Float64Array(length);
  const fr = new Float64Array(nFft),
    fi = new Float64Array(nFft);
  const off = (nFft - win) >> 1;
  const half = nFft / 2;
  if (s.bins !== half + 1) throw new Error(`istft: ${s.bins} bins, expected ${half + 1} for an FFT of ${nFft}`);
  // two frames per complex inverse FFT: Z = X + iY with X, Y Hermitian gives x in the real part, y in the imaginary
  // part (the imaginary parts of bins 0 and nFft/2 do not reach a real signal and are left out)
  const addFrame = (f: number, buf: Float64Array) => {
    const start = f * hop - win / 2;
    for (let k = 0; k < win; k++) {
      const t = start + k;
      if (t < 0 || t >= length) continue;
      out[t] += (buf[off + k] / nFft) * w[k];
      norm[t] += w[k] * w[k];
    }
  };
  for (let f = 0; f < s.frames; f += 2) {
    const a = f * s.bins,
      pair = f + 1 < s.frames,
      b = pair ? a + s.bins : -1;
    for (let k = 0; k <= half; k++) {
      const xr = s.re[a + k],
        xi = k === 0 || k === half ? 0 : s.im[a + k];
      const yr = pair ? s.re[b + k] : 0,
        yi = pair && k !== 0 && k !== half ? s.im[b + k] : 0;
      fr[k] = xr - yi;
      fi[k] = xi + yr;
      if (k > 0 && k < half) {
        fr[nFft - k] = xr + yi;
        fi[nFft - k] = yr - xi;
      }
    }
    fft(fr, fi, true);
    addFrame(f, fr);
    if (pair) addFrame(f + 1, fi);
  }
  return Float32Array.from(out, (v, i) => (norm[i] > 1e-6 ? v / norm[i] : 0));
}

export function magnitude(s: Spectrum): Float32Array {
  return Float32Array.from(s.re, (r, i) => Math.hypot(r, s.im[i]));
}

/** Mel filterbank [nMels, bins] (HTK mel scale, triangular filters, Slaney area normalisation). */
export function melFilterbank(nMels: number, nFft: number, sampleRate: number, fMin = 0, fMax = sampleRate / 2): Float32Array {
  const bins = nFft / 2 + 1;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const pts = Array.from({ length: nMels + 2 }, (_, i) => hz(mel(fMin) + ((mel(fMax) - mel(fMin)) * i) / (nMels + 1)));
  const fb = new Float32Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const [a, b, c] = [pts[m], pts[m + 1], pts[m + 2]];
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const v = f < a || f > c ? 0 : f <= b ? (f - a) / (b - a) : (c - f) / (c - b);
      fb[m * bins + k] = (v * 2) / (c - a);
    }
  }
  return fb;
}

/** Fast Griffin–Lim: a waveform of `length` samples whose STFT magnitude approaches `mag` [frames, bins]. */
export function griffinLim(mag: Float32Array, frames: number, length: number, iters = 48, cfg: StftConfig = STFT_DEFAULTS, seed = 1): Float32Array {
  const bins = cfg.nFft / 2 + 1;
  let s: Spectrum = { frames, bins, re: new Float64Array(frames * bins), im: new Float64Array(frames * bins) };
  let r = seed >>> 0;
  for (let i = 0; i < mag.length; i++) {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    const ph = (r / 2 ** 32) * 2 * Math.PI;
    s.re[i] = mag[i] * Math.cos(ph);
    s.im[i] = mag[i] * Math.sin(ph);
  }
  let prev: Spectrum | null = null;
  let y = istft(s, length, cfg);
  for (let it = 0; it < iters; it++) {
    const p = stft(y, cfg, frames);
    const t: Spectrum = { frames, bins, re: new Float64Array(p.re), im: new Float64Array(p.im) };
    if (prev)
      for (let i = 0; i < t.re.length; i++) {
        t.re[i] = p.re[i] + 0.99 * (p.re[i] - prev.re[i]);
        t.im[i] = p.im[i] + 0.99 * (p.im[i] - prev.im[i]);
      }
    prev = p;
    for (let i = 0; i < t.re.length; i++) {
      const a = Math.hypot(t.re[i], t.im[i]) + 1e-12;
      s.re[i] = (mag[i] * t.re[i]) / a;
      s.im[i] = (mag[i] * t.im[i]) / a;
    }
    y = istft(s, length, cfg);
  }
  return y;
}
