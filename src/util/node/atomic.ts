/**
 * Atomic file output: write to a temporary name in the same folder, then rename over the target, so
 * a reader (or a crash) never sees half a file. Inputs are never opened for writing.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
  accessSync,
  constants,
  existsSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';

/** A temporary sibling of `path` that keeps its extension (ffmpeg picks muxers by extension). */
export function tempSibling(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `.${basename(path, ext)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}${ext}`);
}

/** Makes sure `dir` exists and is writable, with an error naming it when not. */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new Error(`cannot write to output folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array | Uint8Array[]): void {
  ensureWritableDir(dirname(path));
  const tmp = tempSibling(path);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const chunk of Array.isArray(data) ? data : [data]) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Runs `produce(tmpPath)` (which writes the file) and renames the result into place; cleans up on failure. */
export async function produceAtomic<T>(path: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  ensureWritableDir(dirname(path));
  const tmp = tempSibling(path);
  try {
    const r = await produce(tmp);
    renameSync(tmp, path);
    return r;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The real path of `p` (its folder's when `p` does not exist yet), so links and `..` cannot hide a match. */
function realish(p: string): string {
  let probe = resolve(p);
  const rest: string[] = [];
  while (!existsSync(probe) && dirname(probe) !== probe) {
    rest.unshift(basename(probe));
    probe = dirname(probe);
  }
  return join(realpathSync(probe), ...rest);
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/**
 * Refuses, before any work, outputs that would overwrite or remove an input: an output equal to an
 * input, an output folder that contains an input (a checkpoint is replaced folder-wise), or an output
 * inside an input folder. One line naming both paths.
 */
export function refuseOverwrite(inputs: (string | undefined)[], outputs: string[], who: string): void {
  for (const i of inputs) {
    if (!i) continue;
    const ri = realish(i);
    for (const o of outputs) {
      const ro = realish(o);
      if (ro === ri) throw new Error(`${who}: output ${o} is the input ${i}; choose another output so the input is not overwritten`);
      if (inside(ri, ro)) throw new Error(`${who}: output ${o} contains the input ${i}; writing it would replace the input`);
      if (inside(ro, ri) && existsSync(ri) && statSync(ri).isDirectory())
        throw new Error(`${who}: output ${o} is inside the input ${i}; choose a folder outside it`);
    }
  }
}
