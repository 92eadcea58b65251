/**
 * Plain RGB images on the host (no engine, no DOM): contact sheets, strips and borders. Pixels are
 * uint8 RGB, row-major.
 */
import type { AVClip } from './clip.js';
import { frameOf } from './clip.js';

export interface RGBImage {
  width: number;
  height: number;
  data: Uint8Array; // [height, width, 3]
}

export function blankImage(width: number, height: number, rgb: [number, number, number] = [24, 24, 24]): RGBImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

/** A [H, W, 3] float frame in [0, 1] as an image. */
export function frameImage(frame: Float32Array, width: number, height: number): RGBImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(frame[i] * 255)));
  return { width, height, data };
}

/** Copies `src` into `dst` with its top-left corner at (x, y), clipped to `dst`. */
export function blit(dst: RGBImage, src: RGBImage, x: number, y: number): void {
  for (let r = 0; r < src.height; r++) {
    const yy = y + r;
    if (yy < 0 || yy >= dst.height) continue;
    for (let c = 0; c < src.width; c++) {
      const xx = x + c;
      if (xx < 0 || xx >= dst.width) continue;
      const s = (r * src.width + c) * 3;
      const d = (yy * dst.width + xx) * 3;
      dst.data[d] = src.data[s];
      dst.data[d + 1] = src.data[s + 1];
      dst.data[d + 2] = src.data[s + 2];
    }
  }
}

/** Draws a rectangle outline `thickness` pixels wide just inside (x, y, w, h). */
export function drawBorder(img: RGBImage, x: number, y: number, w: number, h: number, rgb: [number, number, number], thickness = 2): void {
  for (let r = y; r < y + h; r++)
    for (let c = x; c < x + w; c++) {
      const edge = r - y < thickness || y + h - 1 - r < thickness || c - x < thickness || x + w - 1 - c < thickness;
      if (!edge || r < 0 || c < 0 || r >= img.height || c >= img.width) continue;
      img.data.set(rgb, (r * img.width + c) * 3);
    }
}

/** Tiles images of equal size into a grid with `gap` pixels between them. */
export function tileImages(images: RGBImage[], columns: number, gap = 2, background: [number, number, number] = [24, 24, 24]): RGBImage {
  if (images.length === 0) return blankImage(1, 1, background);
  const { width: w, height: h } = images[0];
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / cols);
  const out = blankImage(cols * w + (cols + 1) * gap, rows * h + (rows + 1) * gap, background);
  images.forEach((im, i) => blit(out, im, gap + (i % cols) * (w + gap), gap + Math.floor(i / cols) * (h + gap)));
  return out;
}

/** Every `step`-th frame of a clip, scaled up by an integer factor (nearest neighbour). */
export function clipFrames(clip: AVClip, step = 1, scale = 1): RGBImage[] {
  const out: RGBImage[] = [];
  for (let f = 0; f < clip.numFrames; f += step) out.push(upscale(frameImage(frameOf(clip, f), clip.width, clip.height), scale));
  return out;
}

export function upscale(img: RGBImage, k: number): RGBImage {
  if (k === 1) return img;
  const out = blankImage(img.width * k, img.height * k);
  for (let r = 0; r < out.height; r++)
    for (let c = 0; c < out.width; c++) {
      const s = (Math.floor(r / k) * img.width + Math.floor(c / k)) * 3;
      out.data.set(img.data.subarray(s, s + 3), (r * out.width + c) * 3);
    }
  return out;
}
