/** A 3×5 pixel font (digits, lower-case letters, a few signs) for labels on PNG plots and strips. */
import type { RGBImage } from './image.js';

// each glyph: 5 rows of 3 bits (MSB = left)
const G: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 3, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 2, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  a: [2, 5, 7, 5, 5],
  b: [6, 5, 6, 5, 6],
  c: [3, 4, 4, 4, 3],
  d: [6, 5, 5, 5, 6],
  e: [7, 4, 6, 4, 7],
  f: [7, 4, 6, 4, 4],
  g: [3, 4, 5, 5, 3],
  h: [5, 5, 7, 5, 5],
  i: [7, 2, 2, 2, 7],
  j: [1, 1, 1, 5, 2],
  k: [5, 5, 6, 5, 5],
  l: [4, 4, 4, 4, 7],
  m: [5, 7, 7, 5, 5],
  n: [6, 5, 5, 5, 5],
  o: [2, 5, 5, 5, 2],
  p: [6, 5, 6, 4, 4],
  q: [2, 5, 5, 6, 3],
  r: [6, 5, 6, 5, 5],
  s: [3, 4, 2, 1, 6],
  t: [7, 2, 2, 2, 2],
  u: [5, 5, 5, 5, 7],
  v: [5, 5, 5, 5, 2],
  w: [5, 5, 7, 7, 5],
  x: [5, 5, 2, 5, 5],
  y: [5, 5, 2, 2, 2],
  z: [7, 1, 2, 4, 7],
  '.': [0, 0, 0, 0, 2],
  '-': [0, 0, 7, 0, 0],
  '+': [0, 2, 7, 2, 0],
  ':': [0, 2, 0, 2, 0],
  '/': [1, 1, 2, 4, 4],
  '(': [1, 2, 2, 2, 1],
  ')': [4, 2, 2, 2, 4],
  '=': [0, 7, 0, 7, 0],
  '%': [5, 1, 2, 4, 5],
  ' ': [0, 0, 0, 0, 0],
  '|': [2, 2, 2, 2, 2],
  _: [0, 0, 0, 0, 7],
  '>': [4, 2, 1, 2, 4],
  '<': [1, 2, 4, 2, 1],
};

/** Width in pixels of `text` at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length * 4 * scale - scale;
}

/** Draws `text` (lower-cased; unknown characters as blanks) with its top-left at (x, y). */
export function drawText(img: RGBImage, text: string, x: number, y: number, rgb: [number, number, number], scale = 1): void {
  const s = text.toLowerCase();
  for (let ci = 0; ci < s.length; ci++) {
    const g = G[s[ci]] ?? G[' '];
    for (let r = 0; r < 5; r++)
      for (let c = 0; c < 3; c++) {
        if (!((g[r] >> (2 - c)) & 1)) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const px = x + (ci * 4 + c) * scale + dx;
            const py = y + r * scale + dy;
            if (px >= 0 && py >= 0 && px < img.width && py < img.height) img.data.set(rgb, (py * img.width + px) * 3);
          }
      }
  }
}
