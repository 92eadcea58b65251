// Conformance on wasm with worker threads (all cores), the default CPU configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';

const info = await initNodeEngine({ device: 'wasm', threads: Math.max(2, os.availableParallelism()) });
test('engine runs on wasm with worker threads', () => {
  assert.equal(info.device, 'wasm');
  assert.ok(info.threads >= 2, `threads = ${info.threads}`);
});
for (const c of conformanceCases()) test(`wasm×${info.threads}: ${c.name}`, c.run);
