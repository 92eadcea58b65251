/** Line plots as RGB images (loss curves): log or linear y, axes with min/max labels, a legend. */
import { blankImage, type RGBImage } from './image.js';
import { drawText, textWidth } from './font.js';

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

const COLORS: [number, number, number][] = [
  [80, 160, 255],
  [255, 120, 80],
  [120, 220, 120],
  [230, 200, 80],
  [200, 120, 240],
  [90, 220, 220],
  [240, 240, 240],
];

function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? v.toExponential(1) : String(+v.toPrecision(3));
}

export function linePlot(series: Series[], opts: { title?: string; logY?: boolean; width?: number; height?: number } = {}): RGBImage {
  const W = opts.width ?? 640,
    H = opts.height ?? 360,
    S = 2;
  const img = blankImage(W, H, [20, 20, 24]);
  const left = 70,
    right = 12,
    top = 28,
    bottom = 36;
  const all = series.flatMap((s) => s.y.map((y, i) => [s.x[i], y] as const)).filter(([, y]) => Number.isFinite(y) && (!opts.logY || y > 0));
  if (all.length === 0) return img;
  const tf = (y: number) => (opts.logY ? Math.log10(y) : y);
  const xs = all.map(([x]) => x),
    ys = all.map(([, y]) => tf(y));
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
  const py = (y: number) => top + (1 - (tf(y) - y0) / (y1 - y0)) * (H - top - bottom);
  const axis: [number, number, number] = [150, 150, 150];
  for (let x = left; x < W - right; x++) img.data.set(axis, ((H - bottom) * W + x) * 3);
  for (let y = top; y <= H - bottom; y++) img.data.set(axis, (y * W + left) * 3);
  const inv = (v: number) => (opts.logY ? 10 ** v : v);
  drawText(img, fmt(inv(y1)), left - 6 - textWidth(fmt(inv(y1)), S), top, axis, S);
  drawText(img, fmt(inv(y0)), left - 6 - textWidth(fmt(inv(y0)), S), H - bottom - 10, axis, S);
  drawText(img, fmt(x0), left, H - bottom + 8, axis, S);
  drawText(img, fmt(x1), W - right - textWidth(fmt(x1), S), H - bottom + 8, axis, S);
  if (opts.title) drawText(img, opts.title + (opts.logY ? ' (log y)' : ''), left, 8, [230, 230, 230], S);
  series.forEach((s, si) => {
    const col = COLORS[si % COLORS.length];
    let prev: [number, number] | null = null;
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.y[i]) || (opts.logY && s.y[i] <= 0)) continue;
      const p: [number, number] = [px(s.x[i]), py(s.y[i])];
      if (prev) line(img, prev, p, col);
      // a marker on every point of a short series (one point draws no line)
      if (s.x.length <= 40)
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) {
            const xx = Math.round(p[0]) + dx,
              yy = Math.round(p[1]) + dy;
            if (xx >= 0 && xx < W && yy >= 0 && yy < H) img.data.set(col, (yy * W + xx) * 3);
          }
      prev = p;
    }
    const lx = W - right - 170,
      ly = top + 4 + si * 14;
    for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) img.data.set(col, ((ly + dy) * W + lx + dx) * 3);
    drawText(img, s.name, lx + 12, ly - 1, [220, 220, 220], S);
  });
  return img;
}

function line(img: RGBImage, [xa, ya]: [number, number], [xb, yb]: [number, number], rgb: [number, number, number]): void {
  const n = Math.ceil(Math.max(Math.abs(xb - xa), Math.abs(yb - ya), 1));
  for (let i = 0; i <= n; i++) {
    const x = Math.round(xa + ((xb - xa) * i) / n);
    const y = Math.round(ya + ((yb - ya) * i) / n);
    for (const [dx, dy] of [
      [0, 0],
      [0, 1],
    ]) {
      const xx = x + dx,
        yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < img.width && yy < img.height) img.data.set(rgb, (yy * img.width + xx) * 3);
    }
  }
}
