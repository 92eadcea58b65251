/** Tiny flag parser: positionals, --key value, --key=value, --flag (boolean), with unknown-flag errors. */
export interface Parsed {
  positional: string[];
  flags: Record<string, string | boolean>;
}

export function parseArgs(argv: string[], booleans: string[] = []): Parsed {
  const positional: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) flags[key] = a.slice(eq + 1);
      else if (booleans.includes(key)) flags[key] = true;
      else if (i + 1 < argv.length) flags[key] = argv[++i];
      else throw new Error(`--${key} needs a value`);
    } else if (a === '-h') flags.help = true;
    else positional.push(a);
  }
  return { positional, flags };
}

/** Reads flags against an allowed list; unknown ones are an error naming the command. */
export class Flags {
  constructor(private readonly cmd: string, private readonly p: Parsed, allowed: string[]) {
    for (const k of Object.keys(p.flags)) {
      if (k !== 'help' && !allowed.includes(k)) throw new Error(`${cmd}: unknown option --${k} (options: ${allowed.map((a) => `--${a}`).join(' ')})`);
    }
  }
  str(k: string, def: string): string;
  str(k: string): string | undefined;
  str(k: string, def?: string): string | undefined {
    const v = this.p.flags[k];
    return v === undefined || v === true ? def : String(v);
  }
  num(k: string, def: number): number {
    const v = this.p.flags[k];
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${this.cmd}: --${k} must be a number, got "${v}"`);
    return n;
  }
  bool(k: string): boolean {
    return this.p.flags[k] === true || this.p.flags[k] === 'true';
  }
  get positional(): string[] {
    return this.p.positional;
  }
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
