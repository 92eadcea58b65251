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

test('the bundle pipeline loads models/activity; v2a uses it unless activity: false; a condition it cannot read is refused', async () => {
  const { fromPretrained, decodeMedia } = await import('../src/node.js');
  const pipe = await fromPretrained(join(repo, 'models'));
  assert.ok(pipe.activity, 'the bundle has an activity net');
  const { clip } = await decodeMedia(join(repo, 'examples/grid-val/bbaf4p.mpg'), { ...pipe.window, crop: { w: 200, h: 200, x: 52, y: 44 } });
  const guided = await pipe.generate({ task: 'v2a', clip, steps: 2, seed: 1 });
  const plain = await pipe.generate({ task: 'v2a', clip, steps: 2, seed: 1, activity: false });
  let d = 0;
  for (let i = 0; i < guided.audio.length; i++) d = Math.max(d, Math.abs(guided.audio[i] - plain.audio[i]));
  assert.ok(d > 1e-3, `activity guidance changed the audio by at most ${d}`);
  await assert.rejects(pipe.generate({ task: 'continue', clip, steps: 1, activity: 1 }), /needs the whole video given/);
});
