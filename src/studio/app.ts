/**
 * The studio page: load a clip (bundled example, file picker or drop), mark each (modality × segment)
 * cell as given or generated on a two-track timeline, and generate in a Web Worker with live progress
 * and x̂0 previews. The result plays as a webm with sound (encoded by the local server's ffmpeg) and can
 * be downloaded as webm, mp4 or the PNG strip. Browser-only code; no model code lives here.
 */
import { sliceClip, type AVClip } from '../media/clip.js';
import { renderStrip, waveformColumns } from '../pipeline/strip.js';
import { frameImage, tileImages, type RGBImage } from '../media/image.js';
import { TASKS, formatCondition, parseCondition, type ConditionMask, type TaskName } from '../monl/tasks.js';
import { decodeClipWire, encodeClipWire, CLIP_MIME } from './wire.js';
import type { FromWorker, ModelFacts, ToWorker } from './protocol.js';
import type { DeviceRequest } from '../engine/index.js';
import { MAX_TEMPERATURE, defaultGuidance, defaultTemperature } from '../pipeline/defaults.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface StudioState {
  model: ModelFacts | null;
  device: string;
  clip: AVClip | null;
  clipName: string;
  start: number;
  mask: ConditionMask;
  preset: TaskName | null;
  busy: boolean;
  /** the user typed a guidance: it no longer follows the condition's default */
  guidanceEdited: boolean;
  /** the same for the temperature */
  temperatureEdited: boolean;
  nextId: number;
  /** x̂0 preview every this many steps; null: about 5 per run (the end-to-end test sets 0 to time the model alone) */
  previewEvery: number | null;
  lastResult: {
    clip: AVClip;
    source: AVClip | null;
    mask: ConditionMask;
    msPerStep: number;
    firstStepMs: number;
    totalMs: number;
    steps: number;
  } | null;
  lastError: string | null;
}

const state: StudioState = {
  model: null,
  device: '',
  clip: null,
  clipName: '',
  start: 0,
  mask: [[], []],
  preset: null,
  busy: false,
  guidanceEdited: false,
  temperatureEdited: false,
  nextId: 1,
  previewEvery: null,
  lastResult: null,
  lastError: null,
};
// for people poking in the console and for the end-to-end test (as any: a deliberate, untyped global)
(globalThis as any).avditStudio = { state };

const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
let pending: { id: number; source: AVClip | null; mask: ConditionMask; steps: number } | null = null;

function showMessage(text: string, kind: 'error' | 'info' = 'error'): void {
  const m = $('message');
  m.textContent = text;
  m.className = kind;
  m.hidden = false;
  if (kind === 'error') state.lastError = text;
}

function clearMessage(): void {
  $('message').hidden = true;
  state.lastError = null;
}

function windowClip(): AVClip | null {
  if (!state.clip || !state.model) return null;
  return sliceClip(state.clip, state.start, state.model.windowFrames);
}

// ---- drawing ------------------------------------------------------------------------------------

function putImage(canvas: HTMLCanvasElement, img: RGBImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d')!;
  const id = ctx.createImageData(img.width, img.height);
  for (let i = 0; i < img.width * img.height; i++) {
    id.data[4 * i] = img.data[3 * i];
    id.data[4 * i + 1] = img.data[3 * i + 1];
    id.data[4 * i + 2] = img.data[3 * i + 2];
    id.data[4 * i + 3] = 255;
  }
  ctx.putImageData(id, 0, 0);
}

function drawFrames(canvas: HTMLCanvasElement, frames: Float32Array, first: number, count: number, W: number, H: number): void {
  const fsz = W * H * 3;
  putImage(
    canvas,
    tileImages(
      Array.from({ length: count }, (_, k) => frameImage(frames.subarray((first + k) * fsz, (first + k + 1) * fsz), W, H)),
      count,
      0,
    ),
  );
}

function drawWave(canvas: HTMLCanvasElement, audio: Float32Array | null): void {
  canvas.width = 200;
  canvas.height = 56;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, 200, 56);
  if (!audio || audio.length === 0) return;
  ctx.fillStyle = '#c8c8dc';
  waveformColumns(audio, 200).forEach(([lo, hi], x) => ctx.fillRect(x, 28 - hi * 27, 1, Math.max(1, (hi - lo) * 27)));
}

function renderTimeline(): void {
  const m = state.model;
  if (!m) return;
  const win = windowClip();
  for (const [row, id] of [
    [0, 'track-video'],
    [1, 'track-audio'],
  ] as const) {
    const track = $(id);
    track.replaceChildren();
    for (let s = 0; s < m.numSegments; s++) {
      const [a, b] = m.frames[s];
      const cell = document.createElement('button');
      cell.className = `cell ${state.mask[row][s] ? 'given' : 'gen'}`;
      cell.style.flexGrow = String(b - a + 1);
      cell.dataset.modality = row === 0 ? 'video' : 'audio';
      cell.dataset.segment = String(s);
      cell.title = `${row === 0 ? 'video' : 'audio'} segment ${s}: ${m.bounds[s][0].toFixed(3)}–${m.bounds[s][1].toFixed(3)} s — click to toggle`;
      const canvas = document.createElement('canvas');
      if (row === 0) {
        if (win) drawFrames(canvas, win.video, a, b - a + 1, win.width, win.height);
        else drawFrames(canvas, new Float32Array(m.width * m.height * 3 * (b - a + 1)).fill(0.07), 0, b - a + 1, m.width, m.height);
      } else {
        const [t0, t1] = m.bounds[s];
        drawWave(canvas, win ? win.audio.subarray(Math.round(t0 * win.sampleRate), Math.round(t1 * win.sampleRate)) : null);
      }
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = state.mask[row][s] ? 'given' : 'generate';
      cell.append(canvas, badge);
      cell.onclick = () => {
        state.mask[row][s] = !state.mask[row][s];
        state.preset = null;
        refresh();
      };
      track.append(cell);
    }
  }
}

function refresh(): void {
  renderTimeline();
  $('spec').textContent = formatCondition(state.mask);
  if (!state.guidanceEdited) ($('guidance') as HTMLInputElement).value = String(defaultGuidance(state.mask));
  if (!state.temperatureEdited) ($('temperature') as HTMLInputElement).value = String(defaultTemperature(state.mask));
  for (const b of $('presets').querySelectorAll('button')) b.classList.toggle('active', b.dataset.task === state.preset);
  const gen = $('generate') as HTMLButtonElement;
  gen.disabled = state.busy || !state.model;
  gen.textContent = state.busy ? 'Generating…' : state.model ? 'Generate' : 'Loading the model…';
  ($('load-example') as HTMLButtonElement).disabled = state.busy;
}

// ---- clips --------------------------------------------------------------------------------------

async function errorText(r: Response): Promise<string> {
  try {
    return (await r.json()).error ?? `HTTP ${r.status}`;
  } catch {
    return `HTTP ${r.status}`;
  }
}

async function loadClip(request: Promise<Response>, name: string): Promise<void> {
  clearMessage();
  showMessage(`decoding ${name}…`, 'info');
  try {
    const r = await request;
    if (!r.ok) throw new Error(await errorText(r));
    if (r.headers.get('Content-Type') !== CLIP_MIME) throw new Error(`${name}: the server sent ${r.headers.get('Content-Type')}, not a clip`);
    const clip = decodeClipWire(new Uint8Array(await r.arrayBuffer()), name);
    state.clip = clip;
    state.clipName = name;
    state.start = 0;
    const start = $('start') as HTMLInputElement;
    start.max = String(clip.numFrames - (state.model?.windowFrames ?? clip.numFrames));
    start.value = '0';
    $('window-row').hidden = false;
    $('clip-info').textContent = `${name}: ${clip.durationSec.toFixed(2)} s, ${clip.width}×${clip.height} at ${clip.fps} fps, ${clip.sampleRate} Hz`;
    updateStartLabel();
    clearMessage();
    refresh();
  } catch (e) {
    showMessage((e as Error).message);
  }
}

function updateStartLabel(): void {
  const m = state.model;
  if (!m) return;
  $('start-label').textContent = `${(state.start / m.fps).toFixed(3)} s – ${((state.start + m.windowFrames) / m.fps).toFixed(3)} s`;
}

function loadFile(file: File): void {
  void loadClip(fetch(`/api/decode?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file }), file.name);
}

// ---- generation ---------------------------------------------------------------------------------

function generate(): void {
  const m = state.model;
  if (!m || state.busy) return;
  clearMessage();
  try {
    parseCondition(formatCondition(state.mask), m.numSegments);
  } catch (e) {
    return showMessage(`${(e as Error).message}: mark at least one cell "generate"`);
  }
  const anyGiven = state.mask.some((r) => r.some(Boolean));
  const source = anyGiven ? windowClip() : null;
  if (anyGiven && !source)
    return showMessage('Some cells are marked "given" but no clip is loaded: load an example or a file first, or choose the "joint" task.');
  const steps = Math.max(1, Math.min(1000, Math.round(Number(($('steps') as HTMLInputElement).value) || 25)));
  const guidance = Math.max(0, Number(($('guidance') as HTMLInputElement).value) || 0);
  const seed = Math.max(0, Math.round(Number(($('seed') as HTMLInputElement).value) || 0));
  const typed = Number(($('temperature') as HTMLInputElement).value);
  const temperature = typed > 0 ? Math.min(MAX_TEMPERATURE, typed) : defaultTemperature(state.mask);
  const id = state.nextId++;
  const mask = state.mask.map((r) => r.slice());
  pending = { id, source, mask, steps };
  state.busy = true;
  refresh();
  ($('progress') as HTMLProgressElement).value = 0;
  $('progress-text').textContent = 'encoding the given cells and compiling…';
  const previewEvery = state.previewEvery ?? Math.max(1, Math.round(steps / 5));
  const msg: ToWorker = {
    type: 'generate',
    id,
    source: source ? { ...source, video: source.video.slice(), audio: source.audio.slice() } : undefined,
    mask,
    steps,
    guidance,
    temperature,
    seed,
    previewEvery,
  };
  worker.postMessage(msg);
}

async function showResult(clip: AVClip, msPerStep: number, firstStepMs: number, totalMs: number): Promise<void> {
  const m = state.model!;
  const p = pending!;
  state.lastResult = { clip, source: p.source, mask: p.mask, msPerStep, firstStepMs, totalMs, steps: p.steps };
  const title = `${formatCondition(p.mask)}  ${p.steps} steps`;
  const strip = $('strip') as HTMLCanvasElement;
  putImage(strip, renderStrip(clip, m, p.mask, title));
  strip.toBlob((b) => b && (($('download-strip') as HTMLAnchorElement).href = URL.createObjectURL(b)));
  $('result-info').textContent =
    `${p.steps} steps in ${(totalMs / 1000).toFixed(1)} s on ${state.device} (first step ${firstStepMs.toFixed(0)} ms incl. encoding + compiling, then ${msPerStep.toFixed(0)} ms/step)`;
  $('result-section').hidden = false;
  const wire = encodeClipWire(clip);
  const enc = async (format: 'webm' | 'mp4') => {
    const r = await fetch(`/api/encode?format=${format}`, { method: 'POST', body: wire as BodyInit });
    if (!r.ok) throw new Error(`encoding the result as ${format}: ${await errorText(r)}`);
    return URL.createObjectURL(await r.blob());
  };
  const video = $('result-video') as HTMLVideoElement;
  video.src = await enc('webm');
  ($('download-webm') as HTMLAnchorElement).href = video.src;
  ($('download-mp4') as HTMLAnchorElement).href = await enc('mp4');
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const r = e.data;
  switch (r.type) {
    case 'status':
      $('engine').textContent = r.text;
      break;
    case 'ready':
      state.model = r.model;
      state.device =
        r.device === 'wasm' ? `wasm (${r.threads} thread${r.threads > 1 ? 's' : ''})` : `${r.device}${r.adapter ? ` (${r.adapter})` : ''}`;
      $('engine').textContent =
        `model ready: AVDiT ${(r.model.params / 1e6).toFixed(2)}M parameters (${r.model.strategy}) on ${state.device}, loaded in ${(r.loadMs / 1000).toFixed(1)} s · window ${(r.model.windowFrames / r.model.fps).toFixed(3)} s = ${r.model.numSegments} segments`;
      state.mask = TASKS.a2v.mask(r.model.numSegments);
      state.preset = 'a2v';
      updateStartLabel();
      refresh();
      break;
    case 'step': {
      ($('progress') as HTMLProgressElement).value = r.step / r.total;
      $('progress-text').textContent =
        `step ${r.step}/${r.total} · ${r.msPerStep.toFixed(0)} ms/step · ETA ${((r.msPerStep * (r.total - r.step)) / 1000).toFixed(1)} s`;
      if (r.preview && state.model) {
        const c = $('preview') as HTMLCanvasElement;
        c.hidden = false;
        drawFrames(c, r.preview, 0, state.model.windowFrames, state.model.width, state.model.height);
      }
      break;
    }
    case 'done':
      $('progress-text').textContent = `done: ${(r.totalMs / 1000).toFixed(1)} s · encoding the video…`;
      showResult(r.clip, r.msPerStep, r.firstStepMs, r.totalMs)
        .then(() => ($('progress-text').textContent = `done in ${(r.totalMs / 1000).toFixed(1)} s`))
        .catch((err) => showMessage((err as Error).message))
        .finally(() => {
          state.busy = false;
          refresh();
        });
      break;
    case 'error':
      showMessage(r.message);
      if (r.id !== undefined) {
        state.busy = false;
        $('progress-text').textContent = 'failed';
      } else $('engine').textContent = 'the model could not be loaded';
      refresh();
      break;
  }
};
worker.onerror = (e) => showMessage(`the model worker failed: ${e.message}`);

// ---- wiring -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const device = (query.get('device') ?? 'auto') as DeviceRequest;
  const threads = query.has('threads') ? Math.max(1, Math.round(Number(query.get('threads'))) || 1) : undefined;
  worker.postMessage({ type: 'init', device, base: new URL('.', location.href).href, threads } satisfies ToWorker);
  // the guidance field shows the library's default for the current condition (3 for a2v/v2a, 2 otherwise) until edited
  ($('guidance') as HTMLInputElement).oninput = () => (state.guidanceEdited = true);
  // the temperature field likewise (0.5 for a2v, 1 otherwise)
  ($('temperature') as HTMLInputElement).oninput = () => (state.temperatureEdited = true);
  for (const name of Object.keys(TASKS) as TaskName[]) {
    const b = document.createElement('button');
    b.textContent = name;
    b.dataset.task = name;
    b.title = TASKS[name].description;
    b.onclick = () => {
      if (!state.model) return;
      state.mask = TASKS[name].mask(state.model.numSegments);
      state.preset = name;
      refresh();
    };
    $('presets').append(b);
  }
  $('load-example').onclick = () => {
    const name = ($('example') as HTMLSelectElement).value;
    if (name) void loadClip(fetch(`/api/example/${encodeURIComponent(name)}`), name);
  };
  $('file').onchange = () => {
    const f = ($('file') as HTMLInputElement).files?.[0];
    if (f) loadFile(f);
  };
  $('start').oninput = () => {
    state.start = Number(($('start') as HTMLInputElement).value);
    updateStartLabel();
    renderTimeline();
  };
  $('generate').onclick = generate;
  document.body.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  document.body.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  document.body.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (f) loadFile(f);
  });
  try {
    const r = await fetch('/api/examples');
    const { examples } = (await r.json()) as { examples: { name: string; title: string }[] };
    const sel = $('example') as HTMLSelectElement;
    for (const ex of examples) sel.append(new Option(ex.title, ex.name));
    if (examples.length === 0) sel.append(new Option('(no bundled examples)', ''));
    else if (!state.clip) void loadClip(fetch(`/api/example/${encodeURIComponent(examples[0].name)}`), examples[0].name); // something to look at right away
  } catch (e) {
    showMessage(`could not list the examples: ${(e as Error).message}`);
  }
  refresh();
}

void main();
