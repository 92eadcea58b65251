/** Reading JSON files with errors that name the file and the problem (never a bare SyntaxError). */
import { existsSync, readFileSync } from 'node:fs';

export function readJsonFile<T = unknown>(path: string, what = 'file'): T {
  if (!existsSync(path)) throw new Error(`${path}: ${what} not found`);
  const text = readFileSync(path, 'utf8');
  if (!text.trim()) throw new Error(`${path}: ${what} is empty`);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${path}: ${what} is not valid JSON (${(e as Error).message.split('\n')[0]}); it is damaged — restore it or rebuild it`);
  }
}
