/**
 * Node only: exposes a WebGPU adapter through the optional `webgpu` package (Dawn), so jax-js can use
 * `webgpu` outside a browser. Returns false when the package or an adapter is missing.
 */
export async function installNodeWebGPU(): Promise<boolean> {
  const g = globalThis as Record<string, any>;
  if (g.navigator?.gpu) return true;
  let mod: any;
  try {
    mod = await import('webgpu' as string);
  } catch {
    return false;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return false;
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  if (g.navigator.userAgent === undefined)
    Object.defineProperty(g.navigator, 'userAgent', { value: `Node.js/${process.version}`, configurable: true });
  return true;
}
