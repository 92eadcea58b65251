/**
 * The CLI's one validation layer for flags: strict parsing on node:util's parseArgs (an unknown flag is an
 * error naming the flag and the command's options), `--help`/`-h` on every command (prints its usage, exit
 * 0), and typed readers that refuse bad values before any work starts (`--steps -5`, `--seed 1.5`,
 * `--guidance 1e30`, `--device gpu` → one line naming the flag and what it accepts).
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import { SUPPORTED_DEVICES, type DeviceRequest } from '../src/engine/index.js';

/** Thrown by Flags when `--help` / `-h` is given: the entry prints `text` and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super(text);
  }
}

export interface NumRule {
  /** inclusive bounds */
  min?: number;
  max?: number;
  /** strictly greater than */
  above?: number;
  integer?: boolean;
}

export interface FlagSpec {
  /** flags taking a value */
  options: string[];
  /** flags without a value */
  booleans?: string[];
  /** the command's usage text, printed by --help */
  help: string;
}

/** 2^32: seeds are unsigned 32-bit integers (larger or fractional values would alias smaller ones). */
export const SEED_LIMIT = 2 ** 32;

export class Flags {
  readonly positional: string[];
  private readonly values: Record<string, string | boolean | undefined>;

  constructor(
    private readonly cmd: string,
    argv: string[],
    spec: FlagSpec,
  ) {
    const booleans = new Set([...(spec.booleans ?? []), 'help']);
    const options = Object.fromEntries([
      ...spec.options.filter((k) => !booleans.has(k)).map((k) => [k, { type: 'string' as const }]),
      ...[...booleans].map((k) => [k, { type: 'boolean' as const, ...(k === 'help' ? { short: 'h' } : {}) }]),
    ]);
    // "--start -5": a value that looks like a negative number belongs to the flag before it
    const args: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i],
        next = argv[i + 1];
      const key = a.startsWith('--') && !a.includes('=') ? a.slice(2) : '';
      if (key && !booleans.has(key) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
        args.push(`${a}=${next}`);
        i++;
      } else args.push(a);
    }
    let parsed;
    try {
      parsed = nodeParseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (e) {
      const err = e as Error & { code?: string };
      const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
      const list = spec.options
        .concat(spec.booleans ?? [])
        .map((k) => `--${k}`)
        .join(' ');
      if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
        throw new Error(`${cmd}: unknown option ${flag} (options: ${list || 'none'}; --help for usage)`);
      if (/does not take an argument/.test(err.message)) throw new Error(`${cmd}: ${flag} is a switch and takes no value`);
      if (/argument missing/.test(err.message)) throw new Error(`${cmd}: ${flag} needs a value`);
      throw new Error(`${cmd}: ${err.message.split('\n')[0]}`);
    }
    if ((parsed.values as Record<string, unknown>).help) throw new HelpRequested(spec.help);
    this.values = parsed.values as Record<string, string | boolean | undefined>;
    this.positional = parsed.positionals;
  }

  has(k: string): boolean {
    return this.values[k] !== undefined;
  }

  str(k: string, def: string): string;
  str(k: string): string | undefined;
  str(k: string, def?: string): string | undefined {
    const v = this.values[k];
    if (v === '') throw new Error(`${this.cmd}: --${k} is empty`);
    return typeof v === 'string' ? v : def;
  }

  /** A required string flag (`what` says what it is in the error). */
  need(k: string, what = 'a value'): string {
    const v = this.str(k);
    if (v === undefined) throw new Error(`${this.cmd}: --${k} <${what}> is required (--help for usage)`);
    return v;
  }

  num(k: string, def: number, rule: NumRule = {}): number {
    const v = this.values[k];
    if (v === undefined) return def;
    const n = Number(v);
    const bounds = describe(rule);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n))
      throw new Error(`${this.cmd}: --${k} must be a ${rule.integer ? 'whole ' : ''}number${bounds}, got "${v}"`);
    if (
      (rule.integer && !Number.isInteger(n)) ||
      (rule.min !== undefined && n < rule.min) ||
      (rule.max !== undefined && n > rule.max) ||
      (rule.above !== undefined && !(n > rule.above))
    ) {
      throw new Error(`${this.cmd}: --${k} must be a ${rule.integer ? 'whole ' : ''}number${bounds}, got ${v}`);
    }
    return n;
  }

  /** A number flag with no fixed default: undefined when absent (the library then picks, e.g. guidance per condition). */
  optNum(k: string, rule: NumRule = {}): number | undefined {
    return this.values[k] === undefined ? undefined : this.num(k, 0, rule);
  }

  /** `LO:HI`, two numbers with 0 ≤ LO ≤ HI (e.g. the timesteps guidance runs at); undefined when absent. */
  interval(k: string): [number, number] | undefined {
    const v = this.str(k);
    if (v === undefined) return undefined;
    const m = /^\s*([0-9.]+)\s*:\s*([0-9.]+)\s*$/.exec(v);
    const lo = Number(m?.[1]),
      hi = Number(m?.[2]);
    if (!m || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi)
      throw new Error(`${this.cmd}: --${k} must be LO:HI with 0 ≤ LO ≤ HI, got "${v}"`);
    return [lo, hi];
  }

  /** A whole number ≥ `min` (default 1) and ≤ `max`. */
  int(k: string, def: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    return this.num(k, def, { integer: true, min, max });
  }

  /** A random seed: a whole number in [0, 2^32). */
  seed(k = 'seed', def = 0): number {
    return this.num(k, def, { integer: true, min: 0, max: SEED_LIMIT - 1 });
  }

  choice<T extends string>(k: string, choices: readonly T[], def: T): T {
    const v = this.str(k, def);
    if (!(choices as readonly string[]).includes(v)) throw new Error(`${this.cmd}: --${k} must be one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  }

  /** `--device auto|wasm|webgpu|cpu`, or undefined (then AVDIT_DEVICE / auto). */
  device(): DeviceRequest | undefined {
    return this.has('device') ? this.choice('device', SUPPORTED_DEVICES, 'auto') : undefined;
  }

  bool(k: string): boolean {
    return this.values[k] === true;
  }
}

function describe(r: NumRule): string {
  const parts: string[] = [];
  if (r.max === Number.MAX_SAFE_INTEGER) r = { ...r, max: undefined };
  if (r.min !== undefined && r.max !== undefined) parts.push(`in [${r.min}, ${r.max}]`);
  else if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  else if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  return parts.length ? ' ' + parts.join(' and ') : '';
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}
