/** Per-channel mean and std of channels-last latents, accumulated in float64 over several batches. */
import type { HostParams } from '../util/safetensors.js';

export class ChannelStats {
  #sum: Float64Array;
  #sq: Float64Array;
  #n = 0;
  constructor(readonly channels: number) {
    this.#sum = new Float64Array(channels);
    this.#sq = new Float64Array(channels);
  }

  add(z: Float32Array): void {
    const C = this.channels;
    for (let k = 0; k < z.length; k++) {
      this.#sum[k % C] += z[k];
      this.#sq[k % C] += z[k] * z[k];
    }
    this.#n += z.length / C;
  }

  /** As checkpoint tensors `latent.mean` and `latent.std`. */
  toParams(): HostParams {
    const mean = Float32Array.from(this.#sum, (s) => s / this.#n);
    const std = Float32Array.from(this.#sq, (s, i) => Math.sqrt(Math.max(1e-8, s / this.#n - mean[i] ** 2)));
    return { 'latent.mean': { shape: [this.channels], data: mean }, 'latent.std': { shape: [this.channels], data: std } };
  }
}
