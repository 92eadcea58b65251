/**
 * Condition specs: which (modality × segment) cells are given. A task *is* its mask (paper-notes §4,
 * §11): given cells are fed clean at t = 0, the others are generated. Named presets follow the paper's
 * task table for the 5-segment layout ([1 | 4 | 4 | 4 | 4] frames); the free form is
 * `video:0,4 audio:all` (segments by index, `all`, `none`, or ranges like `1-3`).
 */
import { MODALITIES, type Modality } from './layout.js';

/** given[m][s] */
export type ConditionMask = boolean[][];

export interface TaskPreset {
  description: string;
  /** builds the mask for S segments */
  mask(S: number): ConditionMask;
}

const rows =
  (video: (s: number, S: number) => boolean, audio: (s: number, S: number) => boolean) =>
  (S: number): ConditionMask => [Array.from({ length: S }, (_, s) => video(s, S)), Array.from({ length: S }, (_, s) => audio(s, S))];
const none = () => false;
const all = () => true;

export const TASKS = {
  joint: { description: 'generate video and audio from nothing', mask: rows(none, none) },
  a2v: { description: 'audio given, video generated', mask: rows(none, all) },
  v2a: { description: 'video given, audio generated', mask: rows(all, none) },
  continue: {
    description: 'first 5 frames + 0.625 s given (segments 0–1), the rest generated',
    mask: rows(
      (s) => s < 2,
      (s) => s < 2,
    ),
  },
  'continue-2s': {
    description: 'first frame + 0.125 s given (segment 0), the rest generated',
    mask: rows(
      (s) => s < 1,
      (s) => s < 1,
    ),
  },
  inpaint: {
    description: 'first frame and last 4 frames with their audio given, the middle generated',
    mask: rows(
      (s, S) => s === 0 || s === S - 1,
      (s, S) => s === 0 || s === S - 1,
    ),
  },
  interp: {
    description: 'audio given, video given only at both ends (audio-conditioned interpolation)',
    mask: rows((s, S) => s === 0 || s === S - 1, all),
  },
} as const satisfies Record<string, TaskPreset>;
export type TaskName = keyof typeof TASKS;

/** Parses a preset name or a free-form spec like `video:0,4 audio:all` into a mask over S segments. */
export function parseCondition(spec: string, S: number): ConditionMask {
  const trimmed = spec.trim();
  if (trimmed in TASKS) return checkMask(TASKS[trimmed as TaskName].mask(S), trimmed);
  const mask: ConditionMask = [Array(S).fill(false), Array(S).fill(false)];
  const seen = new Set<string>();
  for (const part of trimmed.split(/\s+/).filter(Boolean)) {
    const m = /^(video|audio):(.+)$/.exec(part);
    if (!m)
      throw new Error(
        `condition "${spec}": "${part}" is neither a task (${Object.keys(TASKS).join(', ')}) nor modality:segments like video:0,4 or audio:all`,
      );
    const mod = m[1] as Modality;
    if (seen.has(mod)) throw new Error(`condition "${spec}": ${mod} is given twice`);
    seen.add(mod);
    const row = mask[MODALITIES.indexOf(mod)];
    for (const item of m[2].split(',')) {
      if (item === 'all') row.fill(true);
      else if (item === 'none') row.fill(false);
      else {
        const r = /^(\d+)(?:-(\d+))?$/.exec(item);
        if (!r) throw new Error(`condition "${spec}": "${item}" is not a segment index, a range like 1-3, all or none`);
        const a = Number(r[1]),
          b = r[2] === undefined ? a : Number(r[2]);
        if (a > b || b >= S)
          throw new Error(`condition "${spec}": segment ${b >= S ? b : `${a}-${b}`} does not exist (this layout has segments 0–${S - 1})`);
        for (let s = a; s <= b; s++) row[s] = true;
      }
    }
  }
  return checkMask(mask, spec);
}

function checkMask(mask: ConditionMask, spec: string): ConditionMask {
  if (mask.every((r) => r.every(Boolean))) throw new Error(`condition "${spec}" gives every cell: there is nothing to generate`);
  return mask;
}

/** `video:0,4 audio:all`-style text for a mask (round-trips through parseCondition). */
export function formatCondition(mask: ConditionMask): string {
  return MODALITIES.map((m, i) => {
    const idx = mask[i].flatMap((g, s) => (g ? [s] : []));
    return `${m}:${idx.length === mask[i].length ? 'all' : idx.length === 0 ? 'none' : idx.join(',')}`;
  }).join(' ');
}
