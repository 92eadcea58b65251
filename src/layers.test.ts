// Imports only go down the layers of src/ (src/layers.ts), and the rule catches a deliberately added upward import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { layerViolations } from './layers.js';

const root = join(fileURLToPath(import.meta.url), '../../..');

function sources(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.ts')) out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

test('no module of src/ imports from a higher layer', () => {
  assert.deepEqual(layerViolations(sources(join(root, 'src'))), []);
});

test('the rule fails on an upward import and on node: outside a node/ folder', () => {
  const files = {
    'src/model/load.ts': "import type { AvditModel } from '../pipeline/generate.js';\nimport { x } from '../monl/layout.js';",
    'src/media/strip.ts': "import { segmentLayout } from '../monl/segments.js';",
    'src/codecs/codec.ts': "import { readFileSync } from 'node:fs';",
    'src/codecs/node/latents.ts': "import { readFileSync } from 'node:fs';\nimport { ClipCache } from '../../data/node/cache.js';",
    'src/codecs/codec.test.ts': "import { writeTinyCodecs } from '../testing/node/tiny.js';",
    'src/train/trainer.ts': "import { appendFileSync } from 'node:fs';",
  };
  assert.deepEqual(layerViolations(files), [
    'src/model/load.ts -> src/pipeline/generate.js (model imports from the higher layer pipeline)',
    'src/media/strip.ts -> src/monl/segments.js (media imports from the higher layer monl)',
    'src/codecs/codec.ts -> node:fs (Node-only import outside a node/ folder)',
  ]);
});
