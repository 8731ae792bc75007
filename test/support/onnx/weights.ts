import { transpose } from '../../../src/core/hf-import/quantize';
import { seededRandom } from '../../../src/core/util/random';

export { seededRandom, transpose };

/** Weights for the test decoders, named and laid out as in Hugging Face checkpoints (linear layers [out, in]). */
export interface WeightSource {
  tensor(name: string, shape: readonly number[]): Float32Array;
}

/**
 * Random weights: norms near 1, everything else uniform in ±scale. Each tensor's numbers depend only on the seed and
 * its name, so two models built from the same seed share every tensor they both have. The default scale is large
 * enough that a tiny model's outputs vary from token to token (a score read at the wrong position differs).
 */
export class RandomWeights implements WeightSource {
  constructor(
    private readonly seed: number,
    private readonly scale = 0.3,
  ) {}

  tensor(name: string, shape: readonly number[]): Float32Array {
    let h = this.seed >>> 0;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    const random = seededRandom(h);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNorm = /norm/.test(name);
    for (let i = 0; i < out.length; i++) {
      const u = random() * 2 - 1;
      out[i] = isNorm ? 1 + 0.1 * u : this.scale * u;
    }
    return out;
  }
}
