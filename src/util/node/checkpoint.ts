/**
 * Checkpoints: a folder with model.safetensors (weights, plus extra tensors such as normalisation
 * statistics) and config.json (the resolved config, so loading never depends on today's defaults); a
 * training checkpoint adds optimizer.safetensors (AdamW moments, EMA) and trainer.json (step, seed).
 * Written into a temporary folder and swapped in with renames, so a crash leaves either the old or the
 * new checkpoint, never a mix.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type HostParams } from '../safetensors.js';
import { ensureWritableDir } from './atomic.js';
import { readJsonFile } from './json.js';

export interface Checkpoint<C = unknown> {
  config: C;
  params: HostParams;
  optimizer?: HostParams;
  trainer?: Record<string, unknown>;
}

export function saveCheckpoint(dir: string, ck: Checkpoint, dtype: 'F32' | 'F16' = 'F32'): void {
  ensureWritableDir(dirname(dir));
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(ck.config, null, 2));
  writeFileSync(join(tmp, 'model.safetensors'), encodeSafetensors(ck.params, { format: 'avdit' }, dtype));
  if (ck.optimizer) writeFileSync(join(tmp, 'optimizer.safetensors'), encodeSafetensors(ck.optimizer));
  if (ck.trainer) writeFileSync(join(tmp, 'trainer.json'), JSON.stringify(ck.trainer, null, 2));
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Whether `dir` (or `<dir>.old`, left by a crash between the two renames) holds a checkpoint. */
export const hasCheckpoint = (dir: string): boolean => existsSync(join(dir, 'config.json')) || existsSync(join(`${dir}.old`, 'config.json'));

/** Loads a checkpoint folder (falls back to `<dir>.old` if a crash hit between the two renames). */
export function loadCheckpoint<C = unknown>(dir: string): Checkpoint<C> {
  const d = !existsSync(join(dir, 'config.json')) && existsSync(join(`${dir}.old`, 'config.json')) ? `${dir}.old` : dir;
  const cfgPath = join(d, 'config.json');
  const modelPath = join(d, 'model.safetensors');
  if (!existsSync(cfgPath) || !existsSync(modelPath)) throw new Error(`${dir}: not a checkpoint (needs config.json and model.safetensors)`);
  const config = readJsonFile<C>(cfgPath, 'checkpoint config');
  const params = decodeSafetensors(readFileSync(modelPath), modelPath).tensors;
  const ck: Checkpoint<C> = { config, params };
  const opt = join(d, 'optimizer.safetensors');
  if (existsSync(opt)) ck.optimizer = decodeSafetensors(readFileSync(opt), opt).tensors;
  const tr = join(d, 'trainer.json');
  if (existsSync(tr)) ck.trainer = readJsonFile(tr, 'trainer state');
  return ck;
}
