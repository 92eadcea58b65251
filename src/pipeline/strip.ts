/**
 * The result strip (the layout of the paper's rating UI, Fig. 9): every frame in a row, then the
 * waveform under it; cells that were given are framed grey, generated ones green.
 */
import type { AVClip } from '../media/clip.js';
import { frameOf } from '../media/clip.js';
import { blankImage, blit, drawBorder, frameImage, upscale, type RGBImage } from '../media/image.js';
import { drawText } from '../media/font.js';
import type { SegmentLayout } from '../monl/segments.js';
import type { ConditionMask } from '../monl/tasks.js';

export const GIVEN_RGB: [number, number, number] = [150, 150, 150];
export const GENERATED_RGB: [number, number, number] = [40, 200, 80];

/** Min and max sample of each of `columns` equal slices of `audio` (0 where a slice is empty). */
export function waveformColumns(audio: Float32Array, columns: number): [number, number][] {
  const spp = audio.length / columns;
  return Array.from({ length: columns }, (_, x) => {
    let lo = 0,
      hi = 0;
    for (let i = Math.floor(x * spp); i < Math.min(audio.length, Math.floor((x + 1) * spp)); i++) {
      lo = Math.min(lo, audio[i]);
      hi = Math.max(hi, audio[i]);
    }
    return [lo, hi];
  });
}

export function renderStrip(clip: AVClip, seg: Pick<SegmentLayout, 'frames' | 'bounds'>, mask: ConditionMask, title = '', scale = 2): RGBImage {
  const fw = clip.width * scale + 8,
    fh = clip.height * scale + 8,
    wave = 70,
    top = 14;
  const W = clip.numFrames * fw,
    H = top + fh + wave + 14;
  const img = blankImage(W, H, [18, 18, 18]);
  if (title) drawText(img, title, 4, 4, [230, 230, 230]);
  const segOfFrame = (f: number) => seg.frames.findIndex(([a, b]) => f >= a && f <= b);
  for (let f = 0; f < clip.numFrames; f++) {
    const s = segOfFrame(f);
    blit(img, upscale(frameImage(frameOf(clip, f), clip.width, clip.height), scale), f * fw + 4, top + 4);
    drawBorder(img, f * fw + 1, top + 1, fw - 2, fh - 2, s >= 0 && mask[0][s] ? GIVEN_RGB : GENERATED_RGB, 3);
  }
  // waveform, one column per pixel; segment boxes by time
  const y0 = top + fh + 4,
    mid = y0 + wave / 2;
  waveformColumns(clip.audio, W).forEach(([lo, hi], x) => {
    for (let y = Math.round(mid - hi * wave * 0.5); y <= Math.round(mid - lo * wave * 0.5); y++)
      if (y >= y0 && y < y0 + wave) img.data.set([200, 200, 220], (y * W + x) * 3);
  });
  seg.bounds.forEach(([a, b], s) => {
    const x0 = Math.round((a / clip.durationSec) * W),
      x1 = Math.round((b / clip.durationSec) * W);
    drawBorder(img, x0 + 1, y0 - 2, Math.max(4, x1 - x0 - 2), wave + 4, mask[1][s] ? GIVEN_RGB : GENERATED_RGB, 2);
  });
  drawText(img, 'grey: given   green: generated', 4, H - 10, [200, 200, 200]);
  return img;
}
