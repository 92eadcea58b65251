/**
 * Runs a network's PyTorch twin (bench/twins/*.py, Debian python3-torch) on the same weights and inputs
 * as avdit, for parity tests and side-by-side timing. Skips cleanly where torch is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors, type HostParams } from '../src/util/safetensors.js';

export interface TwinCall {
  module: string;
  fn: string;
  config: unknown;
  inputs: string[];
  output?: string;
  reps?: number;
  train?: boolean;
}

export interface TwinResult {
  output?: Float32Array;
  shape?: number[];
  ms?: number;
  min_ms?: number;
}

/**
 * The environment a fair PyTorch reference runs in. Besides 2 threads and OMP_WAIT_POLICY=PASSIVE, glibc's
 * malloc must keep freed memory: by default every large tensor is a fresh mmap that is faulted in page by page
 * and unmapped when freed, and on a Firecracker VM (the 2-core AMD EPYC kind, kernel *-fc-*) those faults made
 * PyTorch's AVDiT step 2.5× slower (1380–1440 → 560 ms, docs/performance.md, session 21).
 */
export function torchEnv(threads = 2): NodeJS.ProcessEnv {
  return { ...mallocKeepsEnv(), OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) };
}

/**
 * The process environment with glibc malloc set to keep freed memory (a user's own values win). Both sides of
 * `npm run bench` run with it: Node's large ArrayBuffers (a read of a kernel's output) are malloc'd too, and a fresh
 * 7 MB one cost ≈ 25 ms of page faults on the Firecracker VMs (docs/performance.md, session 22).
 */
export function mallocKeepsEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? String(2 ** 32),
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? String(2 ** 34),
  };
}

// Debian's python3-torch here; on a lent GPU machine the image's own (AVDIT_PYTHON=$(command -v python3))
const PY = process.env.AVDIT_PYTHON || '/usr/bin/python3';

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** Why the PyTorch twin cannot run here, or null when it can. */
export function twinUnavailable(): string | null {
  const r = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)';
}

export function runTwin(
  weights: HostParams,
  tensors: Record<string, { data: Float32Array; shape: number[] }>,
  calls: TwinCall[],
  threads = 2,
): { version: string; results: TwinResult[]; maxRssKb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'avdit-twin-'));
  writeFileSync(join(dir, 'w.safetensors'), encodeSafetensors(weights));
  const shapes: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(tensors)) {
    writeFileSync(join(dir, `${k}.f32`), t.data);
    shapes[k] = t.shape;
  }
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ weights: 'w.safetensors', threads, shapes, calls }));
  const r = spawnSync(PY, [join(process.cwd(), 'bench', 'twins', 'run.py'), dir], {
    encoding: 'utf8',
    env: torchEnv(threads),
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`PyTorch twin failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return {
    version: out.version,
    maxRssKb: out.max_rss_kb,
    results: out.results.map((x: any) => ({
      ...x,
      output: x.output ? readF32(join(dir, `${x.output}.f32`)) : undefined,
    })),
  };
}
