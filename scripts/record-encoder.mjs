// Adds `encoderSha256` to the codec records of a model (or latent cache) made before avdit recorded it, so a codec whose
// decoder alone was fine-tuned (`avdit codec train --freeze encoder`) is accepted with it. Checks first that the
// codec given is the one recorded (same file sha256); writes config.json (or latents.json) atomically.
//   node scripts/record-encoder.mjs <model dir | latent cache dir> video|audio <the codec it was made with>
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encoderSha256, fileSha256 } from '../dist/src/codecs/node/latents.js';
import { writeFileAtomic } from '../dist/src/util/node/atomic.js';

const [dir, what, codec] = process.argv.slice(2);
if (!dir || !['video', 'audio'].includes(what) || !codec)
  throw new Error('usage: node scripts/record-encoder.mjs <model | latents> video|audio <codec>');
const file = existsSync(join(dir, 'latents.json')) ? join(dir, 'latents.json') : join(dir, 'config.json');
const cfg = JSON.parse(readFileSync(file, 'utf8'));
const rec = (cfg.latents ?? cfg).codecs?.[what];
if (!rec?.sha256) throw new Error(`${file}: records no ${what} codec`);
const got = fileSha256(join(codec, 'model.safetensors'));
if (got !== rec.sha256) throw new Error(`${codec}: sha256 ${got.slice(0, 12)}… is not the recorded ${rec.sha256.slice(0, 12)}…`);
rec.encoderSha256 = encoderSha256(codec);
writeFileAtomic(file, JSON.stringify(cfg, null, 2));
console.log(`${file}: ${what} encoderSha256 ${rec.encoderSha256.slice(0, 12)}… (from ${codec})`);
