// The engine seam stays narrow: only src/engine/ imports jax-js, and every op is conformance-checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ops from './ops.js';
import { OP_COVERAGE, conformanceCases } from './conformance.js';

const root = join(fileURLToPath(import.meta.url), '../../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' ? [] : tsFiles(p);
    return n.endsWith('.ts') ? [p] : [];
  });
}

test('only src/engine/ imports @jax-js/jax', () => {
  const offenders = ['src', 'cli', 'bench', 'test', 'studio']
    .flatMap((d) => {
      try {
        return tsFiles(join(root, d));
      } catch {
        return [];
      }
    })
    .filter((f) => !relative(root, f).startsWith(join('src', 'engine')))
    .filter((f) => /from\s+['"]@jax-js\/|import\(\s*['"]@jax-js\//.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    offenders.map((f) => relative(root, f)),
    [],
  );
});

test('every op exported by ops.ts has a conformance case', () => {
  const names = conformanceCases().map((c) => c.name);
  for (const op of Object.keys(ops)) {
    const label = (OP_COVERAGE as Record<string, string>)[op];
    assert.ok(label, `ops.${op} has no entry in OP_COVERAGE`);
    assert.ok(
      names.some((n) => n.includes(label)),
      `ops.${op}: no conformance case named like "${label}"`,
    );
  }
});
