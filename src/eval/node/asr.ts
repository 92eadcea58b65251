/**
 * An objective stand-in for "is the speech recognisable by ear": CMU PocketSphinx (Debian packages
 * `pocketsphinx` + `pocketsphinx-en-us`, BSD licence, runs offline) constrained by GRID's sentence
 * grammar (command colour preposition letter digit adverb), scored as the fraction of the 6 word slots
 * recognised correctly. Chance level is about 0.19 (1/4, 1/4, 1/4, 1/25, 1/10, 1/4).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipCache } from '../../data/node/cache.js';
import type { AudioCodec } from '../../codecs/codec.js';
import { spokenWords } from '../av-metrics.js';
import { loadAlign } from './metric-check.js';

export const GRID_JSGF = `#JSGF V1.0;
grammar grid;
public <s> = <cmd> <color> <prep> <letter> <digit> <adv>;
<cmd> = bin | lay | place | set;
<color> = blue | green | red | white;
<prep> = at | by | in | with;
<letter> = a | b | c | d | e | f | g | h | i | j | k | l | m | n | o | p | q | r | s | t | u | v | x | y | z;
<digit> = zero | one | two | three | four | five | six | seven | eight | nine;
<adv> = again | now | please | soon;
`;

export const POCKETSPHINX = '/usr/bin/pocketsphinx_continuous';

export function asrAvailable(): boolean {
  return existsSync(POCKETSPHINX) && existsSync('/usr/share/pocketsphinx/model/en-us/en-us');
}

function wav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + 2 * samples.length);
  const dv = new DataView(out.buffer);
  const str = (o: number, s: string) => [...s].forEach((c, i) => dv.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  dv.setUint32(4, 36 + 2 * samples.length, true);
  str(8, 'WAVEfmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, 2 * sampleRate, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  str(36, 'data');
  dv.setUint32(40, 2 * samples.length, true);
  samples.forEach((v, i) => dv.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(v * 32767))), true));
  return out;
}

/** The GRID sentence PocketSphinx hears in 16 kHz mono audio ([] when it finds none). */
export function recogniseGrid(samples: Float32Array, sampleRate: number): string[] {
  if (!asrAvailable()) throw new Error(`ASR needs Debian's pocketsphinx and pocketsphinx-en-us (${POCKETSPHINX} not found)`);
  if (sampleRate !== 16000) throw new Error(`ASR: audio is ${sampleRate} Hz, PocketSphinx's en-us model needs 16000 Hz`);
  const dir = mkdtempSync(join(tmpdir(), 'avdit-asr-'));
  try {
    writeFileSync(join(dir, 'grid.jsgf'), GRID_JSGF);
    writeFileSync(join(dir, 'a.wav'), wav16(samples, sampleRate));
    const r = spawnSync(POCKETSPHINX, ['-infile', join(dir, 'a.wav'), '-jsgf', join(dir, 'grid.jsgf'), '-logfn', '/dev/null'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pocketsphinx failed: ${(r.stderr || '').split('\n')[0]}`);
    return r.stdout.trim().split(/\s+/).filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fraction of the reference's words found in the same slot (GRID sentences have 6). */
export function slotAccuracy(hyp: string[], ref: string[]): number {
  if (ref.length === 0) return 0;
  let ok = 0;
  ref.forEach((w, i) => (hyp[i] === w ? ok++ : 0));
  return ok / ref.length;
}

/**
 * Slot accuracy of PocketSphinx on whole clips of a split: the original audio vs its reconstruction
 * through an audio codec (encode → decode with Griffin–Lim).
 */
export async function codecAsrCheck(o: {
  cache: string;
  align: string;
  audioCodec: AudioCodec;
  split?: 'train' | 'val';
  log?: (s: string) => void;
}): Promise<{ original: number; codec: number; clips: number }> {
  const cache = new ClipCache(o.cache);
  let a = 0,
    b = 0,
    n = 0;
  for (const e of cache.clips(o.split ?? 'val')) {
    const words = loadAlign(o.align, e.file);
    if (!words) throw new Error(`${e.file}: no .align file in ${o.align}`);
    const ref = spokenWords(words);
    const clip = cache.loadClip(e);
    const hop = o.audioCodec.config.hopSamples;
    const x = clip.audio.subarray(0, Math.floor(clip.audio.length / hop) * hop);
    const y = await o.audioCodec.decode(await o.audioCodec.encode(x, 1, clip.sampleRate), 1, x.length);
    const ha = recogniseGrid(x, clip.sampleRate),
      hb = recogniseGrid(y, clip.sampleRate);
    a += slotAccuracy(ha, ref);
    b += slotAccuracy(hb, ref);
    n++;
    o.log?.(`${e.file}: "${ref.join(' ')}"  original heard "${ha.join(' ')}"  codec heard "${hb.join(' ')}"`);
  }
  return { original: a / n, codec: b / n, clips: n };
}
