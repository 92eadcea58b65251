/**
 * The studio's one binary format for a clip on the wire (server ↔ page ↔ worker): a little-endian
 * uint32 header length, a JSON header, zero padding to a multiple of 4, the frames as uint8 RGB
 * [T, H, W, 3], then the audio as float32. Browser-safe.
 */
import { makeClip, type AVClip } from '../media/clip.js';

interface Header {
  numFrames: number;
  height: number;
  width: number;
  fps: number;
  sampleRate: number;
  audioLength: number;
}

export const CLIP_MIME = 'application/x-avdit-clip';

export function encodeClipWire(clip: AVClip): Uint8Array {
  const head = new TextEncoder().encode(
    JSON.stringify({
      numFrames: clip.numFrames,
      height: clip.height,
      width: clip.width,
      fps: clip.fps,
      sampleRate: clip.sampleRate,
      audioLength: clip.audio.length,
    } satisfies Header),
  );
  const headEnd = 4 + head.length;
  const videoAt = Math.ceil(headEnd / 4) * 4;
  const audioAt = Math.ceil((videoAt + clip.video.length) / 4) * 4;
  const out = new Uint8Array(audioAt + 4 * clip.audio.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  for (let i = 0; i < clip.video.length; i++) out[videoAt + i] = Math.max(0, Math.min(255, Math.round(clip.video[i] * 255)));
  new Float32Array(out.buffer, audioAt, clip.audio.length).set(clip.audio);
  return out;
}

export function decodeClipWire(bytes: Uint8Array, source = 'clip'): AVClip {
  const bad = (why: string) => new Error(`${source}: not an avdit clip (${why})`);
  if (bytes.length < 4) throw bad('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  if (4 + n > bytes.length) throw bad('header runs past the end');
  let h: Header;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  } catch {
    throw bad('header is not JSON');
  }
  const videoAt = Math.ceil((4 + n) / 4) * 4;
  const nV = h.numFrames * h.height * h.width * 3;
  const audioAt = Math.ceil((videoAt + nV) / 4) * 4;
  if (audioAt + 4 * h.audioLength !== bytes.length) throw bad(`${bytes.length} bytes, the header describes ${audioAt + 4 * h.audioLength}`);
  const video = new Float32Array(nV);
  for (let i = 0; i < nV; i++) video[i] = bytes[videoAt + i] / 255;
  const audio = new Float32Array(h.audioLength);
  audio.set(new Float32Array(bytes.slice(audioAt, audioAt + 4 * h.audioLength).buffer));
  return makeClip({ video, numFrames: h.numFrames, height: h.height, width: h.width, fps: h.fps, audio, sampleRate: h.sampleRate });
}
