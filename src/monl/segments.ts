/**
 * Time segments (paper-notes §6, §11): segment 0 is the first video frame alone, then one segment per
 * group of 4 frames, i.e. one per video latent frame. Each audio latent frame belongs to the segment
 * containing its centre time. At 8 fps / 16 kHz / 320-sample hop, a 17-frame clip has 5 segments
 * [0.125 | 0.5 | 0.5 | 0.5 | 0.5] s holding audio latent frames [6 | 25 | 25 | 25 | 25].
 */
export interface SegmentLayout {
  numSegments: number;
  /** segment start/end times in seconds. */
  bounds: [number, number][];
  /** for each video latent frame, its segment (the identity). */
  videoSegment: number[];
  /** for each audio latent frame, its segment. */
  audioSegment: number[];
  /** the pixel frames [first, last] of each segment. */
  frames: [number, number][];
}

export function segmentLayout(numFrames: number, fps: number, numAudioLatents: number, audioLatentSec: number): SegmentLayout {
  if ((numFrames - 1) % 4 !== 0) throw new Error(`segments: ${numFrames} frames is not 1 + 4k`);
  const n = 1 + (numFrames - 1) / 4;
  const frames: [number, number][] = Array.from({ length: n }, (_, i) => (i === 0 ? [0, 0] : [4 * i - 3, 4 * i]));
  const bounds = frames.map(([a, b]): [number, number] => [a / fps, (b + 1) / fps]);
  const audioSegment = Array.from({ length: numAudioLatents }, (_, j) => {
    const t = (j + 0.5) * audioLatentSec;
    const s = bounds.findIndex(([a, b]) => t >= a && t < b);
    return s < 0 ? n - 1 : s;
  });
  return { numSegments: n, bounds, videoSegment: [...Array(n).keys()], audioSegment, frames };
}
