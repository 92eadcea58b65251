// Adds the `<split>.quiet` tensors (the audio latent frames SAA calls quiet; `avdit train --quiet-weight`) to a latent
// cache encoded before `avdit encode` wrote them, without re-encoding: a new cache folder with the same latents and
// manifest; the input stays as it is.
//   node scripts/add-quiet.mjs <clip-cache> <latent-cache> <out>
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLatentCache, quietTensors } from '../dist/src/codecs/node/latents.js';
import { encodeSafetensors } from '../dist/src/util/safetensors.js';
import { ensureWritableDir, writeFileAtomic } from '../dist/src/util/node/atomic.js';

const [clips, lat, out] = process.argv.slice(2);
if (!clips || !lat || !out) throw new Error('usage: node scripts/add-quiet.mjs <clip-cache> <latent-cache> <out>');
if (existsSync(join(out, 'latents.json'))) throw new Error(`${out}: already holds a latent cache`);
const { manifest, tensors } = openLatentCache(lat);
const q = quietTensors(clips, manifest);
for (const split of ['train', 'val']) {
  const d = q[`${split}.quiet`].data;
  console.log(
    `${split}: ${manifest.windows[split].length} windows, ${((100 * d.reduce((a, b) => a + b, 0)) / d.length).toFixed(1)}% of audio latent frames quiet`,
  );
}
ensureWritableDir(out);
writeFileAtomic(join(out, 'latents.safetensors'), encodeSafetensors({ ...tensors, ...q }));
writeFileAtomic(join(out, 'latents.json'), readFileSync(join(lat, 'latents.json')));
console.log(`${out}: latents of ${lat} + quiet masks`);
