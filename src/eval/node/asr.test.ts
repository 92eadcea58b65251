// GRID-grammar ASR (PocketSphinx): recognises a real GRID clip, scores slots; skips without pocketsphinx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { decode } from '../../media/node/ffmpeg.js';
import { parseAlign, spokenWords } from '../av-metrics.js';
import { asrAvailable, recogniseGrid, slotAccuracy } from './asr.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);

test('slot accuracy', () => {
  assert.equal(slotAccuracy(['bin', 'blue', 'at', 'f', 'four', 'please'], ['bin', 'blue', 'at', 'f', 'four', 'please']), 1);
  assert.equal(slotAccuracy(['bin', 'red', 'at', 'f', 'two', 'please'], ['bin', 'blue', 'at', 'f', 'four', 'please']), 4 / 6);
  assert.equal(slotAccuracy([], ['bin']), 0);
});

test(
  'PocketSphinx with the GRID grammar hears a bundled clip; silence is not that sentence',
  { skip: !asrAvailable() && 'pocketsphinx + pocketsphinx-en-us not installed' },
  async () => {
    const clip = (await decode(join(root, 'examples/grid-val/bbaf4p.mpg'), { width: 16, height: 16, fps: 8, sampleRate: 16000 })).clip;
    const ref = spokenWords(parseAlign(readFileSync(join(root, 'examples/grid-val/bbaf4p.align'), 'utf8')));
    assert.ok(slotAccuracy(recogniseGrid(clip.audio, 16000), ref) >= 4 / 6);
    const noise = Float32Array.from({ length: 32000 }, (_, i) => 0.001 * Math.sin(i));
    assert.ok(slotAccuracy(recogniseGrid(noise, 16000), ref) < 0.5);
  },
);
