// Condition specs: the paper's task layouts, the free form, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition, formatCondition, TASKS, type TaskName } from './tasks.js';

const t = true,
  f = false;

test('named tasks match the paper table for 5 segments', () => {
  assert.deepEqual(parseCondition('joint', 5), [
    [f, f, f, f, f],
    [f, f, f, f, f],
  ]);
  assert.deepEqual(parseCondition('a2v', 5), [
    [f, f, f, f, f],
    [t, t, t, t, t],
  ]);
  assert.deepEqual(parseCondition('v2a', 5), [
    [t, t, t, t, t],
    [f, f, f, f, f],
  ]);
  assert.deepEqual(parseCondition('continue', 5), [
    [t, t, f, f, f],
    [t, t, f, f, f],
  ]);
  assert.deepEqual(parseCondition('continue-2s', 5), [
    [t, f, f, f, f],
    [t, f, f, f, f],
  ]);
  assert.deepEqual(parseCondition('inpaint', 5), [
    [t, f, f, f, t],
    [t, f, f, f, t],
  ]);
  assert.deepEqual(parseCondition('interp', 5), [
    [t, f, f, f, t],
    [t, t, t, t, t],
  ]);
});

test('free form: indices, ranges, all/none, and round trip', () => {
  assert.deepEqual(parseCondition('video:0,4 audio:all', 5), [
    [t, f, f, f, t],
    [t, t, t, t, t],
  ]);
  assert.deepEqual(parseCondition('audio:1-3', 5), [
    [f, f, f, f, f],
    [f, t, t, t, f],
  ]);
  for (const name of Object.keys(TASKS) as TaskName[]) {
    const m = parseCondition(name, 5);
    assert.deepEqual(parseCondition(formatCondition(m), 5), m);
  }
});

test('invalid specs get a clear error', () => {
  assert.throws(() => parseCondition('video:all audio:all', 5), /gives every cell: there is nothing to generate/);
  assert.throws(() => parseCondition('video:7', 5), /segment 7 does not exist \(this layout has segments 0–4\)/);
  assert.throws(() => parseCondition('pictures:1', 5), /neither a task/);
  assert.throws(() => parseCondition('video:x', 5), /"x" is not a segment index/);
  assert.throws(() => parseCondition('video:1 video:2', 5), /video is given twice/);
});
