/**
 * safetensors (huggingface format): an 8-byte little-endian header length, a JSON header mapping names to
 * {dtype, shape, data_offsets}, then the raw little-endian bytes. Browser-safe (no fs). We write F32 or F16
 * and read F32/F16/BF16 into Float32Array.
 */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export type HostParams = Record<string, HostTensor>;

function f32ToF16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  if (exp >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (exp <= 0) {
    if (exp < -10) return sign; // underflow → 0
    mant |= 0x800000;
    const shift = 14 - exp;
    let h = mant >> shift;
    if ((mant >> (shift - 1)) & 1 && (mant & ((1 << (shift - 1)) - 1) || h & 1)) h++;
    return sign | h;
  }
  let h = sign | (exp << 10) | (mant >> 13);
  if (mant & 0x1000 && mant & 0x2fff) h++; // round to nearest even
  return h;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function encodeSafetensors(tensors: HostParams, metadata: Record<string, string> = {}, dtype: 'F32' | 'F16' = 'F32'): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const bytesPer = dtype === 'F32' ? 4 : 2;
  for (const n of names) {
    const t = tensors[n];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`safetensors: ${n} has ${t.data.length} values for shape [${t.shape}]`);
    header[n] = { dtype, shape: t.shape, data_offsets: [offset, offset + count * bytesPer] };
    offset += count * bytesPer;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const n of names) {
    const d = tensors[n].data;
    if (dtype === 'F32') {
      for (let i = 0; i < d.length; i++) dv.setFloat32(p + 4 * i, d[i], true);
      p += 4 * d.length;
    } else {
      for (let i = 0; i < d.length; i++) dv.setUint16(p + 2 * i, f32ToF16(d[i]), true);
      p += 2 * d.length;
    }
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): { tensors: HostParams; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${source}: not a safetensors file (too short)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new Error(`${source}: not a safetensors file (bad header length)`);
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new Error(`${source}: not a safetensors file (header is not JSON)`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new Error(`${source}: not a safetensors file (header is not a JSON object)`);
  const base = 8 + n;
  const payload = bytes.length - base;
  const tensors: HostParams = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const shape = info?.shape,
      offsets = info?.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0))
      throw new Error(`${source}: tensor ${name} has no valid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0))
      throw new Error(`${source}: tensor ${name} has no valid data_offsets`);
    const [a, b] = offsets as [number, number];
    const count = (shape as number[]).reduce((x: number, y: number) => x * y, 1);
    const width = info.dtype === 'F32' ? 4 : info.dtype === 'F16' || info.dtype === 'BF16' ? 2 : 0;
    if (!width) throw new Error(`${source}: tensor ${name} has unsupported dtype ${info.dtype}`);
    if (b > payload) throw new Error(`${source}: truncated: tensor ${name} ends at byte ${base + b}, the file has ${bytes.length} bytes`);
    if (b - a !== count * width)
      throw new Error(`${source}: tensor ${name} has shape [${shape}] (${count * width} bytes) but its offsets hold ${b - a} bytes`);
    const data = new Float32Array(count);
    if (info.dtype === 'F32') for (let i = 0; i < count; i++) data[i] = dv.getFloat32(base + a + 4 * i, true);
    else if (info.dtype === 'F16') for (let i = 0; i < count; i++) data[i] = f16ToF32(dv.getUint16(base + a + 2 * i, true));
    else if (info.dtype === 'BF16')
      for (let i = 0; i < count; i++) data[i] = new Float32Array(new Uint32Array([dv.getUint16(base + a + 2 * i, true) << 16]).buffer)[0];
    tensors[name] = { shape, data };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}
