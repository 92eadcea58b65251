/**
 * `avdit codec eval`: reconstruction report on the validation split. Video PSNR/SSIM, audio
 * multi-resolution STFT distance and log-spectral distance (also for Griffin–Lim on the *true*
 * magnitudes, which bounds what the vocoder alone allows), plus files to look at and listen to:
 * side-by-side.mp4 (original | reconstruction; each clip plays with the original sound, then with the
 * reconstructed sound), contact-sheet.png (rows: original, reconstruction, then the mouth zoomed: original,
 * reconstruction) and spectrograms.png.
 */
import { join } from 'node:path';
import { ClipCache } from '../../data/node/cache.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import { VideoCodec, AudioCodec, type CodecCheckpoint } from '../../codecs/codec.js';
import { psnr, ssim, multiResolutionStftDistance, logSpectralDistanceDb, cropVideo } from '../recon-metrics.js';
import { syncCorr } from '../av-metrics.js';
import { bootstrap, meanOf } from '../stats.js';
import { detectionRate, lipSyncLm, lmdMouth, type FaceFrame } from '../face-metrics.js';
import type { Box } from '../../data/config.js';
import { griffinLim, magnitude, stft } from '../../audio/dsp.js';
import { blankImage, blit, frameImage, tileImages, upscale, type RGBImage } from '../../media/image.js';
import { drawText } from '../../media/font.js';
import { makeClip, type AVClip } from '../../media/clip.js';
import { encode } from '../../media/node/ffmpeg.js';
import { writePNG } from '../../media/node/png.js';
import { writeFileAtomic, ensureWritableDir } from '../../util/node/atomic.js';

export interface RegionScores {
  psnr: number;
  ssim: number;
}

export interface CodecReport {
  clips: number;
  video?: {
    psnr: number;
    ssim: number;
    psnrMin: number;
    /** per region of the dataset config (GRID: mouth, eyes). */
    regions: Record<string, RegionScores>;
    /** SyncCorr of the reconstructed frames against the real audio, the real clips', and real frames against
     * the next clip's audio (shuffled: what no lip sync scores). */
    syncCorr: SyncScores;
    /** with `face`: the face network's lip sync (landmark mouth opening vs audio) and mouth landmark distance */
    face?: { lipSync: { reconstruction: number; real: number }; lmdMouth: number; found: number };
  };
  audio?: { mrStft: number; lsdDb: number; griffinLimOnTrue: { mrStft: number; lsdDb: number } };
  files: string[];
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/** SSIM window radius inside boxes: 7×7 (GRID's eye box is 10 px high at 64×64). */
const REGION_SSIM_RADIUS = 3;

/** PSNR / SSIM (7×7 window) inside each box, averaged over clips. */
export function regionScores(
  orig: Float32Array[],
  rec: Float32Array[],
  T: number,
  H: number,
  W: number,
  regions: Record<string, Box>,
): Record<string, RegionScores> {
  return Object.fromEntries(
    Object.entries(regions).map(([name, box]) => {
      const pairs = orig.map((o, i) => [cropVideo(o, T, H, W, box), cropVideo(rec[i], T, H, W, box)] as const);
      return [
        name,
        {
          psnr: mean(pairs.map(([a, b]) => psnr(a.video, b.video))),
          ssim: mean(pairs.map(([a, b]) => ssim(a.video, b.video, T, a.height, a.width, REGION_SSIM_RADIUS))),
        },
      ];
    }),
  );
}

export interface SyncScores {
  reconstruction: number;
  /** 95% bootstrap interval of `reconstruction` over the windows */
  interval: [number, number];
  /** the reconstruction's SyncCorr per window (in window order: two codecs on the same windows compare pairwise) */
  perWindow: number[];
  real: number;
  shuffled: number;
}

/** SyncCorr (av-metrics) of reconstructed frames with the real audio, of the real clips, and of real frames
 * with the next clip's audio (a pairing with no sync), averaged over clips. */
export function syncScores(clips: AVClip[], rec: Float32Array[]): SyncScores {
  const n = clips.length;
  const perWindow = clips.map((c, i) => syncCorr({ ...c, video: rec[i] }));
  const ci = bootstrap(n, meanOf(perWindow));
  return {
    reconstruction: mean(perWindow),
    interval: [ci.lo, ci.hi],
    perWindow,
    real: mean(clips.map((c) => syncCorr(c))),
    shuffled: n < 2 ? NaN : mean(clips.map((c, i) => syncCorr({ ...c, audio: clips[(i + 1) % n].audio }))),
  };
}

/** The face network's view (eval/face-metrics.ts): landmark lip sync of reconstruction and originals, mouth LMD. */
async function faceScores(clips: AVClip[], rec: Float32Array[]): Promise<NonNullable<NonNullable<CodecReport['video']>['face']>> {
  const { loadFaceNet } = await import('./face.js');
  const net = await loadFaceNet();
  const fin = (x: number[]) => mean(x.filter(Number.isFinite));
  const real: FaceFrame[][] = [],
    recon: FaceFrame[][] = [];
  for (let i = 0; i < clips.length; i++) {
    const c = clips[i];
    real.push(await net.frames(c.video, c.numFrames, c.height, c.width));
    recon.push(await net.frames(rec[i], c.numFrames, c.height, c.width));
  }
  const all = Array.from({ length: clips[0].numFrames }, (_, t) => t);
  return {
    lipSync: {
      reconstruction: fin(clips.map((c, i) => lipSyncLm(recon[i], c.audio, c.sampleRate, c.fps))),
      real: fin(clips.map((c, i) => lipSyncLm(real[i], c.audio, c.sampleRate, c.fps))),
    },
    lmdMouth: fin(clips.map((_, i) => lmdMouth(recon[i], real[i], all))),
    found: mean(recon.map((f) => detectionRate(f))),
  };
}

/** A crop zoomed by the largest whole factor that fits a W×H tile, centred (nearest neighbour). */
function zoomTile(crop: { video: Float32Array; height: number; width: number }, W: number, H: number): RGBImage {
  const k = Math.max(1, Math.floor(Math.min(W / crop.width, H / crop.height)));
  const tile = blankImage(W, H, [0, 0, 0]);
  blit(tile, upscale(frameImage(crop.video, crop.width, crop.height), k), (W - k * crop.width) >> 1, (H - k * crop.height) >> 1);
  return tile;
}

/** A labelled log-magnitude spectrogram (512-point STFT, hop 128; 80 dB range) of 16 kHz audio. */
export function spectrogramImage(x: Float32Array, label: string): RGBImage {
  const cfg = { nFft: 512, hop: 128, win: 512 };
  const frames = Math.floor(x.length / cfg.hop);
  const m = magnitude(stft(x, cfg, frames));
  const bins = 257;
  const img = blankImage(frames, bins + 12, [0, 0, 0]);
  for (let f = 0; f < frames; f++)
    for (let k = 0; k < bins; k++) {
      const db = 20 * Math.log10(m[f * bins + k] + 1e-6);
      const v = Math.max(0, Math.min(1, (db + 80) / 80));
      img.data.set(
        [Math.round(255 * Math.min(1, 1.5 * v)), Math.round(255 * v * v), Math.round(255 * Math.max(0, 1 - 2 * v) * v * 2)],
        ((12 + bins - 1 - k) * frames + f) * 3,
      );
    }
  drawText(img, label, 2, 2, [255, 255, 255]);
  return img;
}

export async function codecReport(o: {
  cache: string;
  video?: string;
  audio?: string;
  out: string;
  maxClips?: number;
  mp4Clips?: number;
  split?: 'val' | 'all';
  face?: boolean;
}): Promise<CodecReport> {
  ensureWritableDir(o.out);
  const cache = new ClipCache(o.cache);
  const dc = cache.config;
  const windows = cache
    .clips(o.split === 'all' ? undefined : 'val')
    .slice(0, o.maxClips ?? 26)
    .map((clip) => ({ clip, start: 0 }));
  if (windows.length === 0) throw new Error(`${o.cache}: no ${o.split === 'all' ? '' : 'validation '}clips`);
  const clips = windows.map((w) => cache.loadWindow(w));
  const T = dc.windowFrames;
  const vcodec = o.video ? VideoCodec.fromCheckpoint(loadCheckpoint(o.video) as CodecCheckpoint, o.video) : null;
  const acodec = o.audio ? AudioCodec.fromCheckpoint(loadCheckpoint(o.audio) as CodecCheckpoint, o.audio) : null;
  const recV: Float32Array[] = [];
  const recA: Float32Array[] = [];
  const report: CodecReport = { clips: clips.length, files: [] };
  if (vcodec) {
    for (let i = 0; i < clips.length; i += 8) {
      const part = clips.slice(i, i + 8);
      const x = new Float32Array(part.length * part[0].video.length);
      part.forEach((c, j) => x.set(c.video, j * c.video.length));
      const y = await vcodec.decode(await vcodec.encode(x, part.length, T), part.length, 1 + (T - 1) / 4);
      part.forEach((c, j) => recV.push(y.subarray(j * c.video.length, (j + 1) * c.video.length)));
    }
    const ps = clips.map((c, i) => psnr(c.video, recV[i]));
    report.video = {
      psnr: mean(ps),
      psnrMin: Math.min(...ps),
      ssim: mean(clips.map((c, i) => ssim(c.video, recV[i], T, dc.height, dc.width))),
      regions: regionScores(
        clips.map((c) => c.video),
        recV,
        T,
        dc.height,
        dc.width,
        dc.regions ?? {},
      ),
      syncCorr: syncScores(clips, recV),
    };
    if (o.face) report.video.face = await faceScores(clips, recV);
  }
  if (acodec) {
    const L = acodec.latentFrames(clips[0].audio.length) * acodec.config.hopSamples;
    const gl: Float32Array[] = [];
    for (const c of clips) {
      const x = c.audio.subarray(0, L);
      recA.push(await acodec.decode(await acodec.encode(x, 1, c.sampleRate), 1, L));
      const frames = 2 * (L / acodec.config.hopSamples);
      gl.push(griffinLim(magnitude(stft(x, acodec.config.stft, frames)), frames, L, acodec.config.griffinLimIters, acodec.config.stft));
    }
    const orig = clips.map((c) => c.audio.subarray(0, L));
    report.audio = {
      mrStft: mean(orig.map((x, i) => multiResolutionStftDistance(x, recA[i]))),
      lsdDb: mean(orig.map((x, i) => logSpectralDistanceDb(x, recA[i]))),
      griffinLimOnTrue: {
        mrStft: mean(orig.map((x, i) => multiResolutionStftDistance(x, gl[i]))),
        lsdDb: mean(orig.map((x, i) => logSpectralDistanceDb(x, gl[i]))),
      },
    };
  }

  // ---- files to look at and listen to
  const n = Math.min(o.mp4Clips ?? 4, clips.length);
  const { width: W, height: H } = dc;
  const fsz = W * H * 3;
  const k = 3; // upscale for viewing
  const panelW = 2 * W * k + 3 * 4,
    panelH = H * k + 16;
  const frames: RGBImage[] = [];
  const audio: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    for (const which of ['original', 'reconstruction'] as const) {
      for (let f = 0; f < T; f++) {
        const img = blankImage(panelW, panelH, [16, 16, 16]);
        blit(img, upscale(frameImage(clips[i].video.subarray(f * fsz, (f + 1) * fsz), W, H), k), 4, 14);
        const rv = recV[i] ? recV[i].subarray(f * fsz, (f + 1) * fsz) : new Float32Array(fsz);
        blit(img, upscale(frameImage(rv, W, H), k), 8 + W * k, 14);
        drawText(
          img,
          `original | reconstruction    sound: ${which === 'original' || !recA[i] ? 'original' : 'reconstruction'}`,
          4,
          4,
          [230, 230, 230],
        );
        frames.push(img);
      }
      const a = new Float32Array(clips[i].audio.length);
      a.set(which === 'original' || !recA[i] ? clips[i].audio : recA[i]);
      audio.push(a);
    }
  }
  const video = new Float32Array(frames.length * panelW * panelH * 3);
  frames.forEach((im, i) => im.data.forEach((v, j) => (video[i * im.data.length + j] = v / 255)));
  const total = new Float32Array(audio.reduce((s, a) => s + a.length, 0));
  let off = 0;
  for (const a of audio) {
    total.set(a, off);
    off += a.length;
  }
  const sbs: AVClip = makeClip({
    video,
    numFrames: frames.length,
    height: panelH,
    width: panelW,
    fps: dc.fps,
    audio: total,
    sampleRate: dc.sampleRate,
  });
  const mp4 = join(o.out, 'side-by-side.mp4');
  await encode(sbs, mp4);
  report.files.push(mp4);
  if (recV.length) {
    const rows: RGBImage[] = [];
    const mouth = dc.regions?.mouth;
    for (let i = 0; i < Math.min(6, clips.length); i++) {
      for (const src of [clips[i].video, recV[i]]) {
        for (let f = 0; f < T; f += 2) rows.push(frameImage(src.subarray(f * fsz, (f + 1) * fsz), W, H));
      }
      if (mouth)
        for (const src of [clips[i].video, recV[i]]) {
          for (let f = 0; f < T; f += 2) rows.push(zoomTile(cropVideo(src.subarray(f * fsz, (f + 1) * fsz), 1, H, W, mouth), W, H));
        }
    }
    const sheet = join(o.out, 'contact-sheet.png');
    writePNG(sheet, upscale(tileImages(rows, Math.ceil(T / 2)), 2));
    report.files.push(sheet);
  }
  if (recA.length) {
    const imgs = [0, 1]
      .filter((i) => i < clips.length)
      .flatMap((i) => [spectrogramImage(clips[i].audio, `clip ${i} original`), spectrogramImage(recA[i], `clip ${i} reconstruction`)]);
    const spec = join(o.out, 'spectrograms.png');
    writePNG(spec, upscale(tileImages(imgs, 1), 2));
    report.files.push(spec);
  }
  writeFileAtomic(join(o.out, 'report.json'), JSON.stringify(report, null, 2));
  const md = [
    `# Codec reconstruction on ${clips.length} ${o.split === 'all' ? '' : 'validation '}windows (${o.cache})`,
    '',
    `video checkpoint: ${o.video ?? '—'}; audio checkpoint: ${o.audio ?? '—'}`,
    '',
    '| metric | value |',
    '|---|---|',
    ...(report.video
      ? [
          `| video PSNR (dB, mean / worst clip) | ${report.video.psnr.toFixed(2)} / ${report.video.psnrMin.toFixed(2)} |`,
          `| video SSIM | ${report.video.ssim.toFixed(4)} |`,
        ]
      : []),
    ...(report.video
      ? [
          ...Object.entries(report.video.regions).map(
            ([k, r]) => `| ${k} box PSNR (dB) / SSIM (7×7) | ${r.psnr.toFixed(2)} / ${r.ssim.toFixed(4)} |`,
          ),
          `| SyncCorr: reconstruction vs real audio / real clips / shuffled pairs | ${report.video.syncCorr.reconstruction.toFixed(3)} [${report.video.syncCorr.interval.map((v) => v.toFixed(3)).join(', ')}] / ${report.video.syncCorr.real.toFixed(3)} / ${report.video.syncCorr.shuffled.toFixed(3)} |`,
          ...(report.video.face
            ? [
                `| LipSync-lm (face network): reconstruction / real clips | ${report.video.face.lipSync.reconstruction.toFixed(3)} / ${report.video.face.lipSync.real.toFixed(3)} |`,
                `| LMD-mouth of the reconstruction (÷ face width; faces found in ${(100 * report.video.face.found).toFixed(1)}% of frames) | ${report.video.face.lmdMouth.toFixed(4)} |`,
              ]
            : []),
        ]
      : []),
    ...(report.audio
      ? [
          `| audio multi-resolution STFT distance | ${report.audio.mrStft.toFixed(3)} |`,
          `| audio log-spectral distance (dB) | ${report.audio.lsdDb.toFixed(2)} |`,
          `| Griffin–Lim on the true magnitudes: MR-STFT / LSD (dB) | ${report.audio.griffinLimOnTrue.mrStft.toFixed(3)} / ${report.audio.griffinLimOnTrue.lsdDb.toFixed(2)} |`,
        ]
      : []),
    '',
    `Files: ${report.files.map((f) => '`' + f + '`').join(', ')}`,
  ].join('\n');
  writeFileAtomic(join(o.out, 'report.md'), md + '\n');
  report.files.push(join(o.out, 'report.md'), join(o.out, 'report.json'));
  return report;
}
