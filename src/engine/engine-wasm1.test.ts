// Conformance on wasm without threads (what a browser without cross-origin isolation gets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';

const info = await initNodeEngine({ device: 'wasm', threads: 1 });
test('engine runs on wasm single-threaded', () => {
  assert.equal(info.device, 'wasm');
  assert.equal(info.threads, 1);
  assert.equal((globalThis as any).Worker, undefined);
});
for (const c of conformanceCases()) test(`wasm×1: ${c.name}`, c.run);
