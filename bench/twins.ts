/**
 * Runs a network's PyTorch twin (bench/twins/*.py, Debian python3-torch) on the same weights and inputs
 * as avdit, for parity tests and side-by-side timing. Skips cleanly where torch is missing.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
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

/**
 * A twin process that stays alive and runs one of its steps when asked (bench/twins/serve.py), for paired timing
 * (timePaired in timing.ts): avdit's and PyTorch's steps alternate, so the minutes-long drifts of a shared VM's speed
 * slow both sides alike instead of whichever ran in the slow minute.
 */
export class LiveTwin {
  private readonly lines: string[] = [];
  private readonly waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  private readonly stderr: string[] = [];
  private failure: Error | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const w = this.waiting.shift();
      if (w) w.resolve(l);
      else this.lines.push(l);
    });
    child.stderr.on('data', (b) => this.stderr.push(String(b)));
    child.on('close', (code) => {
      this.failure = new Error(`PyTorch twin exited (${code}): ${this.stderr.join('').trim().split('\n').slice(-3).join(' | ')}`);
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    });
  }

  /** Starts `python3 args…` and waits for its READY line (the steps are warm then); returns the twin and what READY said. */
  static async start(args: string[], env: NodeJS.ProcessEnv): Promise<{ twin: LiveTwin; info: any }> {
    const twin = new LiveTwin(spawn(PY, args, { env }));
    const ready = await twin.next();
    if (!ready.startsWith('READY ')) throw new Error(`PyTorch twin: expected READY, got "${ready.slice(0, 200)}"`);
    return { twin, info: JSON.parse(ready.slice('READY '.length)) };
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Runs step `i` once in the twin; its milliseconds as the twin measured them. */
  async time(i: number): Promise<number> {
    this.child.stdin.write(`${i}\n`);
    return Number(await this.next());
  }

  /** Ends the twin; its final JSON line. */
  async finish(): Promise<any> {
    this.child.stdin.write('end\n');
    const out = JSON.parse(await this.next());
    this.child.stdin.end();
    return out;
  }
}

function writeJob(weights: HostParams, tensors: Record<string, { data: Float32Array; shape: number[] }>, job: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'avdit-twin-'));
  writeFileSync(join(dir, 'w.safetensors'), encodeSafetensors(weights));
  const shapes: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(tensors)) {
    writeFileSync(join(dir, `${k}.f32`), t.data);
    shapes[k] = t.shape;
  }
  writeFileSync(join(dir, 'job.json'), JSON.stringify({ weights: 'w.safetensors', shapes, ...job }));
  return dir;
}

const twinResults = (dir: string, out: any): TwinResult[] =>
  out.results.map((x: any) => ({ ...x, output: x.output ? readF32(join(dir, `${x.output}.f32`)) : undefined }));

/**
 * runTwin's calls in a live twin: outputs are computed at once; each call with `reps` becomes a step to time with
 * `twin.time(i)` (i = the call's index); `finish()` gives the outputs and the twin's peak memory.
 */
export async function startTwin(
  weights: HostParams,
  tensors: Record<string, { data: Float32Array; shape: number[] }>,
  calls: TwinCall[],
  threads = 2,
): Promise<{ twin: LiveTwin; version: string; finish: () => Promise<{ results: TwinResult[]; maxRssKb: number }> }> {
  const dir = writeJob(weights, tensors, { threads, calls, interactive: true });
  const { twin, info } = await LiveTwin.start([join(process.cwd(), 'bench', 'twins', 'run.py'), dir], torchEnv(threads));
  return {
    twin,
    version: info.version,
    finish: async () => {
      const out = await twin.finish();
      return { results: twinResults(dir, out), maxRssKb: out.max_rss_kb };
    },
  };
}

export function runTwin(
  weights: HostParams,
  tensors: Record<string, { data: Float32Array; shape: number[] }>,
  calls: TwinCall[],
  threads = 2,
): { version: string; results: TwinResult[]; maxRssKb: number } {
  const dir = writeJob(weights, tensors, { threads, calls });
  const r = spawnSync(PY, [join(process.cwd(), 'bench', 'twins', 'run.py'), dir], {
    encoding: 'utf8',
    env: torchEnv(threads),
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`PyTorch twin failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { version: out.version, maxRssKb: out.max_rss_kb, results: twinResults(dir, out) };
}
