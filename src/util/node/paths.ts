/**
 * Paths recorded in configs and manifests: relative to the folder the command ran in (how people type
 * them, and valid on another machine with the same checkout), never the absolute path of this machine.
 * They are for people to read; files are matched by their sha256, not by these paths.
 */
import { relative, resolve, sep } from 'node:path';

export function recordedPath(p: string): string {
  const r = relative(process.cwd(), resolve(p));
  return (r === '' ? '.' : r).split(sep).join('/');
}
