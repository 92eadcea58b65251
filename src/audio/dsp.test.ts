// Audio DSP: FFT, STFT and iSTFT against a direct DFT, STFT → iSTFT reconstruction, Griffin–Lim convergence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fft, stft, istft, magnitude, griffinLim, melFilterbank, STFT_DEFAULTS } from './dsp.js';
import { syntheticClip } from '../media/synthetic.js';

/** Bin k of the direct DFT of a real signal: [re, im]. */
function dftBin(x: ArrayLike<number>, k: number): [number, number] {
  const n = x.length;
  let r = 0,
    q = 0;
  for (let t = 0; t < n; t++) {
    r += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
    q += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
  }
  return [r, q];
}

test('fft matches a direct DFT and inverts', () => {
  const n = 16;
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + 0.2 * i);
  const re = Float64Array.from(x),
    im = new Float64Array(n);
  fft(re, im);
  for (let k = 0; k < n; k++) {
    const [r, q] = dftBin(x, k);
    assert.ok(Math.abs(re[k] - r) < 1e-9 && Math.abs(im[k] - q) < 1e-9, `bin ${k}`);
  }
  fft(re, im, true);
  for (let t = 0; t < n; t++) assert.ok(Math.abs(re[t] / n - x[t]) < 1e-9);
});

test('STFT → iSTFT reconstructs the signal', () => {
  const x = syntheticClip({ numFrames: 9 }).clip.audio;
  const y = istft(stft(x), x.length);
  let err = 0;
  for (let i = 400; i < x.length - 400; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  assert.ok(err < 1e-5, `max error ${err}`);
});

test('STFT and iSTFT, two frames per FFT, match a direct DFT per frame (odd frame count, DC and Nyquist imaginary parts)', () => {
  const cfg = { nFft: 16, hop: 4, win: 8 },
    n = cfg.nFft,
    bins = n / 2 + 1,
    frames = 5,
    len = 20;
  const x = Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.7) + 0.1 * i);
  const w = Float64Array.from({ length: cfg.win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / cfg.win));
  const at = (i: number) => x[i < 0 ? -i : i >= len ? 2 * (len - 1) - i : i];
  const s = stft(x, cfg, frames);
  for (let f = 0; f < frames; f++) {
    const buf = new Float64Array(n);
    for (let k = 0; k < cfg.win; k++) buf[(n - cfg.win) / 2 + k] = at(f * cfg.hop - cfg.win / 2 + k) * w[k];
    for (let k = 0; k < bins; k++) {
      const [r, q] = dftBin(buf, k);
      assert.ok(Math.abs(s.re[f * bins + k] - r) < 1e-12 && Math.abs(s.im[f * bins + k] - q) < 1e-12, `frame ${f} bin ${k}`);
    }
  }
  // an arbitrary spectrum: each frame's real signal is Re(inverse DFT) of its Hermitian extension
  const z = { frames, bins, re: Float64Array.from(s.re, (v, i) => v + Math.cos(i)), im: Float64Array.from(s.im, (v, i) => v + Math.sin(3 * i)) };
  const out = new Float64Array(len),
    norm = new Float64Array(len);
  for (let f = 0; f < frames; f++)
    for (let t = 0; t < n; t++) {
      let v = 0;
      for (let k = 0; k < n; k++) {
        const m = k <= n / 2 ? k : n - k,
          sign = k <= n / 2 ? 1 : -1;
        const re = z.re[f * bins + m],
          im = m === 0 || m === n / 2 ? 0 : sign * z.im[f * bins + m];
        v += re * Math.cos((2 * Math.PI * k * t) / n) - im * Math.sin((2 * Math.PI * k * t) / n);
      }
      const j = t - (n - cfg.win) / 2,
        pos = f * cfg.hop - cfg.win / 2 + j;
      if (j < 0 || j >= cfg.win || pos < 0 || pos >= len) continue;
      out[pos] += (v / n) * w[j];
      norm[pos] += w[j] * w[j];
    }
  const y = istft(z, len, cfg);
  for (let i = 0; i < len; i++) {
    const want = norm[i] > 1e-6 ? out[i] / norm[i] : 0;
    assert.ok(Math.abs(y[i] - want) < 1e-5 * (1 + Math.abs(want)), `sample ${i}: ${y[i]} vs ${want}`);
  }
});

test('Griffin–Lim recovers a signal with the target magnitude (spectral convergence < 0.1)', () => {
  const x = syntheticClip({ numFrames: 9, seed: 2 }).clip.audio;
  const frames = Math.floor(x.length / STFT_DEFAULTS.hop);
  const mag = magnitude(stft(x));
  const y = griffinLim(mag, frames, x.length, 48);
  const m2 = magnitude(stft(y, STFT_DEFAULTS, frames));
  let num = 0,
    den = 0;
  for (let i = 0; i < mag.length; i++) {
    num += (mag[i] - m2[i]) ** 2;
    den += mag[i] ** 2;
  }
  const sc = Math.sqrt(num / den);
  assert.ok(sc < 0.1, `spectral convergence ${sc}`);
});

test('mel filterbank covers the spectrum with positive, triangular filters', () => {
  const fb = melFilterbank(80, 1024, 16000);
  const bins = 513;
  for (let m = 0; m < 80; m++) {
    const row = fb.subarray(m * bins, (m + 1) * bins);
    assert.ok(
      row.some((v) => v > 0),
      `mel band ${m} is empty`,
    );
    const peak = row.indexOf(Math.max(...row));
    for (let k = 1; k <= peak; k++) assert.ok(row[k] >= row[k - 1] - 1e-9);
  }
});
