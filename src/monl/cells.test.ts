// Cells ↔ latent elements: the one mapping the training batch and the sampling loop share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentLayout } from './segments.js';
import { makeTokenLayout } from './layout.js';
import { parseCondition } from './tasks.js';
import { cellsToFrames, frameCells, generatedElements, maskCells } from './cells.js';

// 17 frames at 8 fps, 106 audio latent frames of 20 ms: segments [0.125 | 0.5 | 0.5 | 0.5 | 0.5] s
const l = makeTokenLayout(segmentLayout(17, 8, 106, 0.02), { L: 5, h: 4, w: 4, C: 2 }, { La: 106, C: 3 }, 2, 8, 0.02);

test('every latent frame has its cell: video frame i → cell i, audio frames by centre time → S + segment', () => {
  const fc = frameCells(l);
  assert.deepEqual([...fc.video], [0, 1, 2, 3, 4]);
  const counts = [0, 0, 0, 0, 0];
  for (const c of fc.audio) counts[c - 5]++;
  assert.deepEqual(counts, [6, 25, 25, 25, 25]);
  assert.deepEqual([...fc.audio.slice(0, 7)], [5, 5, 5, 5, 5, 5, 6]);
});

test('per-cell timesteps spread to frames per example; a mask picks the generated elements', () => {
  const t = Int32Array.from({ length: 2 * 10 }, (_, i) => 100 + i); // 2 examples × 10 cells
  const f = cellsToFrames(l, t, 2);
  assert.deepEqual([...f.video], [100, 101, 102, 103, 104, 110, 111, 112, 113, 114]);
  assert.equal(f.audio[0], 105);
  assert.equal(f.audio[106 + 105], 119);
  assert.deepEqual([...maskCells(parseCondition('a2v', 5))], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  const a2v = generatedElements(l, parseCondition('a2v', 5), 2);
  assert.equal(a2v.nV, 5 * 32);
  assert.equal(
    a2v.video.reduce((a, b) => a + b, 0),
    2 * 5 * 32,
  ); // all video generated
  assert.equal(
    a2v.audio.reduce((a, b) => a + b, 0),
    0,
  ); // all audio given
  const cont = generatedElements(l, parseCondition('continue', 5), 1);
  assert.equal(
    cont.video.reduce((a, b) => a + b, 0),
    3 * 32,
  ); // segments 2–4
  assert.equal(
    cont.audio.reduce((a, b) => a + b, 0),
    75 * 3,
  ); // 75 audio frames × 3 channels
  assert.equal(cont.audio[31 * 3 - 1], 0); // the last frame of segment 1 is given
  assert.equal(cont.audio[31 * 3], 1); // the first of segment 2 is generated
});
