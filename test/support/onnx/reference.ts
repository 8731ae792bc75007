import { DecoderConfig } from './decoder';
import { WeightSource } from './weights';

export interface ReferenceOptions {
  /** Rotary inverse frequencies (default 1 / theta^(2i/d)); Llama 3's rope scaling changes them. */
  invFreq?: Float64Array;
  /** Mistral's sliding window: a query attends to at most this many keys, itself included. */
  slidingWindow?: number;
}

/**
 * A plain, loop-by-loop forward pass of the same architecture (written like llama2.c's, with rotate-half rotary
 * embeddings), used to check that the ONNX graphs compute what a Llama/Qwen2/Mistral decoder computes.
 * Returns the head's output for every position of one unpadded sequence: [T][vocab | labels | 1].
 */
export function referenceForward(
  cfg: DecoderConfig,
  weights: WeightSource,
  ids: readonly number[],
  options: ReferenceOptions = {},
): Float64Array[] {
  const { hidden: D, heads: H, kvHeads: K, intermediate: I } = cfg;
  const hd = D / H;
  const rep = H / K;
  const w = (name: string, shape: number[]) => weights.tensor(name, shape);
  const matvec = (m: Float32Array, x: Float64Array, out: number, inp: number, bias?: Float32Array) => {
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < inp; i++) s += m[o * inp + i] * x[i];
      y[o] = s;
    }
    return y;
  };
  const rms = (x: Float64Array, g: Float32Array) => {
    let ss = 0;
    for (const v of x) ss += v * v;
    const inv = 1 / Math.sqrt(ss / x.length + cfg.rmsEps);
    return x.map((v, i) => v * inv * g[i]);
  };
  const rope = (v: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < hd / 2; j++) {
        const angle = pos * (options.invFreq ? options.invFreq[j] : 1 / Math.pow(cfg.ropeTheta, (2 * j) / hd));
        const a = v[h * hd + j];
        const b = v[h * hd + j + hd / 2];
        v[h * hd + j] = a * Math.cos(angle) - b * Math.sin(angle);
        v[h * hd + j + hd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
  };

  const embed = w('model.embed_tokens.weight', [cfg.vocab, D]);
  const layers = Array.from({ length: cfg.layers }, (_, l) => {
    const p = `model.layers.${l}`;
    const bias = (name: string, n: number) => (cfg.qkvBias ? w(`${name}.bias`, [n]) : undefined);
    const inNorm = w(`${p}.input_layernorm.weight`, [D]);
    const q = w(`${p}.self_attn.q_proj.weight`, [H * hd, D]);
    const qb = bias(`${p}.self_attn.q_proj`, H * hd);
    const k = w(`${p}.self_attn.k_proj.weight`, [K * hd, D]);
    const kb = bias(`${p}.self_attn.k_proj`, K * hd);
    const v = w(`${p}.self_attn.v_proj.weight`, [K * hd, D]);
    const vb = bias(`${p}.self_attn.v_proj`, K * hd);
    const o = w(`${p}.self_attn.o_proj.weight`, [D, H * hd]);
    const postNorm = w(`${p}.post_attention_layernorm.weight`, [D]);
    const gate = w(`${p}.mlp.gate_proj.weight`, [I, D]);
    const up = w(`${p}.mlp.up_proj.weight`, [I, D]);
    const down = w(`${p}.mlp.down_proj.weight`, [D, I]);
    return { inNorm, q, qb, k, kb, v, vb, o, postNorm, gate, up, down };
  });
  const finalNorm = w('model.norm.weight', [D]);
  const labels = cfg.labels ?? 2;
  let head: (x: Float64Array) => Float64Array;
  if (cfg.head === 'lm') {
    const lm = cfg.tieEmbeddings ? embed : w('lm_head.weight', [cfg.vocab, D]);
    head = (x) => matvec(lm, x, cfg.vocab, D);
  } else if (cfg.head === 'token-classification') {
    const [a, ab, b, bb] = [
      w('score.0.weight', [D, D]),
      w('score.0.bias', [D]),
      w('score.2.weight', [labels, D]),
      w('score.2.bias', [labels]),
    ];
    head = (x) =>
      matvec(
        b,
        matvec(a, x, D, D, ab).map((v) => Math.max(0, v)),
        labels,
        D,
        bb,
      );
  } else {
    const [a, ab] = [w('v_head.summary.weight', [1, D]), w('v_head.summary.bias', [1])];
    head = (x) => matvec(a, x, 1, D, ab);
  }

  const keys: Float64Array[][] = layers.map(() => []);
  const values: Float64Array[][] = layers.map(() => []);
  const outputs: Float64Array[] = [];
  ids.forEach((id, pos) => {
    let x = Float64Array.from(embed.subarray(id * D, (id + 1) * D));
    layers.forEach((L, l) => {
      const h = rms(x, L.inNorm);
      const q = matvec(L.q, h, H * hd, D, L.qb);
      const k = matvec(L.k, h, K * hd, D, L.kb);
      rope(q, H, pos);
      rope(k, K, pos);
      keys[l].push(k);
      values[l].push(matvec(L.v, h, K * hd, D, L.vb));
      const att = new Float64Array(H * hd);
      for (let head = 0; head < H; head++) {
        const kvHead = Math.floor(head / rep);
        const first = options.slidingWindow ? Math.max(0, pos + 1 - options.slidingWindow) : 0;
        const scores = keys[l].map((kk, t) => {
          if (t < first) return -Infinity;
          let s = 0;
          for (let j = 0; j < hd; j++) s += q[head * hd + j] * kk[kvHead * hd + j];
          return s / Math.sqrt(hd);
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        e.forEach((p, t) => {
          for (let j = 0; j < hd; j++) att[head * hd + j] += (p / sum) * values[l][t][kvHead * hd + j];
        });
      }
      const projected = matvec(L.o, att, D, H * hd);
      x = x.map((v, i) => v + projected[i]);
      const m = rms(x, L.postNorm);
      const g = matvec(L.gate, m, I, D);
      const u = matvec(L.up, m, I, D);
      const act = g.map((v, i) => (v / (1 + Math.exp(-v))) * u[i]);
      const down = matvec(L.down, act, D, I);
      x = x.map((v, i) => v + down[i]);
    });
    outputs.push(head(rms(x, finalNorm)));
  });
  return outputs;
}
