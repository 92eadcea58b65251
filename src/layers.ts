/**
 * The folders of src/ as layers, lowest first: a module may import from its own layer and those below,
 * never from one above (layers.test.ts checks every file). Node-only imports (`node:*`) live in `node/`
 * folders, the engine's Node entry files, or `src/node.ts`.
 */
export const LAYERS = [
  'util',
  'engine',
  'media',
  'audio',
  'nn',
  'data',
  'monl',
  'diffusion',
  'codecs',
  'model',
  'train',
  'pipeline',
  'eval',
  'studio',
  'testing',
] as const;

/** Allowed exceptions, each with its reason. */
export const LAYER_EXCEPTIONS: Record<string, string> = {
  'src/train/trainer.ts -> node:*':
    'the training loop appends metrics.jsonl and writes the loss curve as it goes; a node/ trainer split is the next step of issue 16',
};

/** Upward imports (and node: imports outside node/ folders) in `files` (repo-relative path → source). */
export function layerViolations(files: Record<string, string>): string[] {
  const rank = new Map<string, number>(LAYERS.map((l, i) => [l, i]));
  const out: string[] = [];
  for (const [path, src] of Object.entries(files)) {
    const parts = path.split('/');
    if (parts[0] !== 'src' || parts.length < 3) continue; // src/index.ts, src/node.ts, src/api.ts sit on top
    const from = rank.get(parts[1]);
    if (from === undefined || path.endsWith('.test.ts')) continue; // tests may import anything (fixtures live in testing/)
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('node:')) {
        const ok = parts.includes('node') || /^src\/engine\/node[\w-]*\.ts$/.test(path) || LAYER_EXCEPTIONS[`${path} -> node:*`];
        if (!ok) out.push(`${path} -> ${spec} (Node-only import outside a node/ folder)`);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = normalise([...parts.slice(0, -1), ...spec.split('/')]);
      if (target[0] !== 'src' || target.length < 3) continue;
      const to = rank.get(target[1]);
      if (to !== undefined && to > from) {
        const key = `${path} -> ${target.join('/')}`;
        if (!LAYER_EXCEPTIONS[key]) out.push(`${key} (${parts[1]} imports from the higher layer ${target[1]})`);
      }
    }
  }
  return out;
}

function normalise(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out;
}
