/**
 * A tiny structural check for configs read from disk: every field the code reads must be there with the
 * right type, or loading fails with one line naming the field and the file (browser-safe).
 *   'number' | 'string' | 'boolean' | 'number[]' | 'object' (anything non-null) | a nested spec; a trailing
 *   '?' makes a field optional.
 */
export type FieldSpec =
  'number' | 'string' | 'boolean' | 'number[]' | 'object' | `${'number' | 'string' | 'boolean' | 'number[]' | 'object'}?` | Schema;
export interface Schema {
  [field: string]: FieldSpec;
}

function typeOk(v: unknown, t: string): boolean {
  if (t === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (t === 'number[]') return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (t === 'object') return v !== null && typeof v === 'object';
  return typeof v === t;
}

export function checkSchema(value: unknown, schema: Schema, source: string, path = ''): void {
  if (value === null || typeof value !== 'object') throw new Error(`${source}: ${path || 'config'} must be an object`);
  const o = value as Record<string, unknown>;
  for (const [k, spec] of Object.entries(schema)) {
    const at = path ? `${path}.${k}` : k;
    const v = o[k];
    if (typeof spec === 'string') {
      const optional = spec.endsWith('?');
      const t = optional ? spec.slice(0, -1) : spec;
      if (v === undefined) {
        if (!optional) throw new Error(`${source}: config field "${at}" is missing`);
        continue;
      }
      if (!typeOk(v, t))
        throw new Error(
          `${source}: config field "${at}" must be ${t === 'number[]' ? 'a list of numbers' : `a ${t}`}, got ${JSON.stringify(v)?.slice(0, 40)}`,
        );
    } else {
      if (v === undefined) throw new Error(`${source}: config field "${at}" is missing`);
      checkSchema(v, spec, source, at);
    }
  }
}
