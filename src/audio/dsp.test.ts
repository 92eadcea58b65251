// Audio DSP: FFT against a direct DFT, STFT → iSTFT reconstruction, Griffin–Lim convergence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fft, stft, istft, magnitude, griffinLim, melFilterbank, STFT_DEFAULTS } from './dsp.js';
import { syntheticClip } from '../media/synthetic.js';

test('fft matches a direct DFT and inverts', () => {
  const n = 16;
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + 0.2 * i);
  const re = Float64Array.from(x),
    im = new Float64Array(n);
  fft(re, im);
  for (let k = 0; k < n; k++) {
    let r = 0,
      q = 0;
    for (let t = 0; t < n; t++) {
      r += x[t] * Math.cos((-2 * Math.PI * k * t) / n);
      q += x[t] * Math.sin((-2 * Math.PI * k * t) / n);
    }
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
