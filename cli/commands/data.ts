/** `avdit data prepare|inspect`. */
import { resolve } from 'node:path';
import { Flags, formatDuration } from '../args.js';
import { DATA_DEFAULTS, parseRegions, type DataConfig } from '../../src/data/config.js';
import { prepare } from '../../src/data/node/prepare.js';
import { inspect } from '../../src/data/node/inspect.js';
import { parseCrop, cropToString } from '../../src/media/node/ffmpeg.js';

export const DATA_HELP = `avdit data prepare <folder> --out <cache> [options]
  Decodes every clip under <folder> (recursively) and writes a cache of aligned windows.
    --size 64            frame size in pixels (square)      --fps 8         frames per second
    --sample-rate 16000  audio rate (mono)                  --window 17     frames per window (1+4k)
    --hop 4              frames between window starts       --val 10        validation share, percent
    --crop center        center | none | W:H:X:Y (source pixels, e.g. 200:200:52:44 for GRID)
    --shard 32           clips per shard                    --jobs 2        parallel ffmpeg decodes
    --allow-damaged      keep clips whose decoder concealed damaged blocks (excluded by default)
    --regions <spec>     boxes where people look, "mouth=x0,y0,x1,y1;eyes=…" as fractions of the frame, or
                         "grid" (GRID's mouth and eyes for crop 200:200:52:44); the video codec weights its
                         loss there and codec eval scores them; can be added to a prepared cache later
avdit data inspect <cache> [--sheet <png>]
  Prints counts, durations and rates; writes a PNG contact sheet (default <cache>/contact-sheet.png).`;

export async function dataCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'prepare') {
    const f = new Flags('data prepare', rest, {
      options: ['out', 'size', 'fps', 'sample-rate', 'window', 'hop', 'val', 'crop', 'shard', 'jobs', 'regions'],
      booleans: ['allow-damaged'],
      help: DATA_HELP,
    });
    const [folder] = f.positional;
    if (!folder) throw new Error('data prepare: which folder? usage: avdit data prepare <folder> --out <cache>');
    const out = f.need('out', 'cache folder');
    const size = f.int('size', DATA_DEFAULTS.width, 8, 4096);
    const cfg: DataConfig = {
      fps: f.num('fps', DATA_DEFAULTS.fps, { above: 0, max: 240 }),
      width: size,
      height: size,
      sampleRate: f.int('sample-rate', DATA_DEFAULTS.sampleRate, 1000, 192000),
      windowFrames: f.int('window', DATA_DEFAULTS.windowFrames),
      hopFrames: f.int('hop', DATA_DEFAULTS.hopFrames),
      crop: parseCrop(f.str('crop', 'center')),
      valPercent: f.num('val', DATA_DEFAULTS.valPercent, { min: 0, max: 100 }),
      ...(f.str('regions') ? { regions: parseRegions(f.str('regions')!) } : {}),
    };
    console.log(
      `preparing ${resolve(folder)} → ${resolve(out)}  (${cfg.width}×${cfg.height}, ${cfg.fps} fps, ${cfg.sampleRate} Hz, windows of ${cfg.windowFrames} frames every ${cfg.hopFrames}, crop ${cropToString(cfg.crop)})`,
    );
    const r = await prepare(folder, out, cfg, {
      clipsPerShard: f.int('shard', 32),
      concurrency: f.int('jobs', 2, 1, 64),
      allowDamaged: f.bool('allow-damaged'),
      onRepair: (ps) => console.log(`repairing the cache: ${ps.join('; ')} — decoding those clips again`),
      onProgress: (p) => {
        if (p.entry.status !== 'ok') console.log(`  [${p.done}/${p.total}] ${p.entry.file}: ${p.entry.status}: ${p.entry.reason}`);
        if (p.done % 25 === 0 || p.done === p.total) {
          console.log(`  [${p.done}/${p.total}] ${p.clipsPerSec.toFixed(1)} clips/s, ETA ${formatDuration(p.etaSec)}`);
        }
      },
    });
    const ok = r.manifest.clips.filter((c) => c.status === 'ok');
    const win = (s: string) => ok.filter((c) => c.split === s).reduce((a, c) => a + (c.windows?.length ?? 0), 0);
    console.log(
      `done: ${r.scanned} media files (${r.decodedNow} decoded now, ${r.reused} already in the cache); ${ok.length} usable clips, ${win('train')} train / ${win('val')} val windows`,
    );
    if (r.problems.length > 0) {
      console.log(`${r.problems.length} skipped:`);
      for (const p of r.problems) console.log(`  ${p.file}: ${p.status}: ${p.reason}`);
    }
    if (ok.length === 0) throw new Error(`no usable clips in ${folder}`);
  } else if (sub === 'inspect') {
    const f = new Flags('data inspect', rest, { options: ['sheet'], help: DATA_HELP });
    const [dir] = f.positional;
    if (!dir) throw new Error('data inspect: which cache? usage: avdit data inspect <cache>');
    const s = inspect(dir, f.str('sheet'));
    const c = s.config;
    console.log(
      `cache ${s.dir}: ${c.width}×${c.height} px, ${c.fps} fps, ${c.sampleRate} Hz mono, windows of ${c.windowFrames} frames (${(c.windowFrames / c.fps).toFixed(3)} s) every ${c.hopFrames}, crop ${cropToString(c.crop)}`,
    );
    console.log(
      `clips: ${s.counts.total} (${s.counts.ok} ok: ${s.counts.train} train, ${s.counts.val} val; ${s.counts.failed} failed, ${s.counts.damaged} damaged)`,
    );
    console.log(`windows: ${s.windows.train} train, ${s.windows.val} val`);
    console.log(`duration: ${s.durationSec.total.toFixed(1)} s in all, ${s.durationSec.min.toFixed(2)}–${s.durationSec.max.toFixed(2)} s per clip`);
    for (const p of s.problems) console.log(`  skipped ${p.file}: ${p.status}: ${p.reason}`);
    console.log(`contact sheet: ${s.contactSheet}`);
  } else {
    if (sub && sub !== '--help' && sub !== '-h') throw new Error(`unknown data command "${sub}" (prepare or inspect)`);
    console.log(DATA_HELP);
  }
}
