// Conformance on WebGPU when an adapter exists (a GPU, or Mesa's llvmpipe); skipped otherwise.
import { test } from 'node:test';
import { installNodeWebGPU } from './node-webgpu.js';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';

const available = await installNodeWebGPU();
const info = available ? await initNodeEngine({ device: 'webgpu' }) : null;
const skip = available ? false : 'no WebGPU adapter here (needs the "webgpu" package and a Vulkan driver)';
test('webgpu adapter', { skip }, () => {
  console.log(`webgpu exercised on: ${info?.adapter}`);
});
for (const c of conformanceCases()) test(`webgpu: ${c.name}`, { skip }, c.run);
