// The README's library example, run as written (through the package's Node entry), with fewer steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(new URL('../..', import.meta.url).pathname);

test('README library example: fromPretrained → generate a2v → mp4', async () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const code = /## As a library\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has the example');
  const { fromPretrained, decodeMedia, encodeMedia } = await import('../src/node.js');
  const out = mkdtempSync(join(tmpdir(), 'avdit-lib-'));
  // the example's own lines, with the paths rooted in the repo, the output in a temp folder and 2 steps
  const body = code!
    .replace(/^import .*$/m, '')
    .replace(/'models'/, JSON.stringify(join(repo, 'models')))
    .replace(/'examples\//, `'${repo}/examples/`)
    .replace(/'out\/a2v\.mp4'/, JSON.stringify(join(out, 'a2v.mp4')))
    .replace(/steps: 25/, 'steps: 2');
  const steps: string[] = [];
  const log = (s: string) => steps.push(s);
  const run = new Function('fromPretrained', 'decodeMedia', 'encodeMedia', 'console', `return (async () => { ${body}; return out; })();`);
  const clip = await run(fromPretrained, decodeMedia, encodeMedia, { log });
  assert.deepEqual(steps, ['step 1/2', 'step 2/2']);
  assert.equal(clip.numFrames, 17);
  assert.equal(clip.audio.length, 34000);
  assert.ok(existsSync(join(out, 'a2v.mp4')));
});
