import { statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { OnnxCritic } from '../src/core/critics/onnx/critic';
import { PrmEngine, sessionOptions } from '../src/onnx-host/engine';
import { DecoderConfig } from '../test/support/onnx/decoder';
import { buildModelFolder } from '../test/support/onnx/fixtures';
import { tempDir } from '../test/support/onnx/tmp';

/**
 * Local-model benchmarks (`npm run bench`): the full pipeline (child process, tokenization, inputs, score reading)
 * against a bare `session.run()` on the same input; one forward pass against prefix-by-prefix scoring; the event-loop
 * lag of the calling thread (the extension host) while a 0.5B-shaped model scores; tokens/s at 512 tokens.
 * Models are built here with the tests' graph builder (random weights, real Qwen2 structure).
 */

/** Qwen2-0.5B's shape with Qwen2.5-Math-PRM's two-label head; decoder linear layers 4-bit (MatMulNBits, block 32). */
const QWEN2_05B: Partial<DecoderConfig> = {
  hidden: 896,
  intermediate: 4864,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  vocab: 151936,
  ropeTheta: 1000000,
  rmsEps: 1e-6,
  qkvBias: true,
  tieEmbeddings: true,
  quantizeBlock: 32,
};
const SMALL: Partial<DecoderConfig> = { hidden: 256, intermediate: 768, layers: 6, heads: 8, kvHeads: 4 };

const STEP_TEXT = (i: number) =>
  `Step ${i + 1}: we add the numbers together to get the total, then multiply the result by two.`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}

/** A bare session, with the host's session options, fed what the pipeline feeds for `ids` (one unpadded row). */
async function bareSession(
  folder: string,
  threads: number,
): Promise<{ run(ids: number[]): Promise<void>; release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'), sessionOptions(threads));
  return {
    async run(ids) {
      const T = ids.length;
      await session.run(
        {
          input_ids: new ort.Tensor(
            'int64',
            BigInt64Array.from(ids, (v) => BigInt(v)),
            [1, T],
          ),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
          position_ids: new ort.Tensor(
            'int64',
            BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
            [1, T],
          ),
        },
        ['logits'],
      );
    },
    release: () => session.release(),
  };
}

/** Steps of a solution long enough that its input has at least `tokens` tokens (the count is printed). */
function solutionOf(steps: number): { problem: string; steps: string[] } {
  return {
    problem: 'Tom has 12 apples and buys 7 more. How many apples does he have now, and how many after he gives 4 away?',
    steps: Array.from({ length: steps }, (_, i) => STEP_TEXT(i)),
  };
}

async function inputIds(folder: string, solution: { problem: string; steps: string[] }): Promise<number[]> {
  const engine = await PrmEngine.load(folder, { threads: 1 });
  try {
    return (await engine.prepare([solution])).fitted[0].ids;
  } finally {
    await engine.release();
  }
}

/** Medians of interleaved runs (pipeline, bare, pipeline, …) so a busy machine slows both alike. */
async function pipelineVsBare(
  folder: string,
  solution: { problem: string; steps: string[] },
  threads: number,
  runs: number,
): Promise<{ tokens: number; pipeline: number; bare: number }> {
  const ids = await inputIds(folder, solution);
  const critic = new OnnxCritic({ id: 'bench', type: 'onnx', path: folder, threads, idleUnloadSeconds: 0 });
  const bare = await bareSession(folder, threads);
  try {
    await critic.score(solution); // loads the model
    await bare.run(ids);
    const pipeline: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      pipeline.push(await timeIt(1, () => critic.score(solution)));
      bareMs.push(await timeIt(1, () => bare.run(ids)));
    }
    return { tokens: ids.length, pipeline: median(pipeline), bare: median(bareMs) };
  } finally {
    critic.dispose();
    await bare.release();
  }
}

/**
 * The longest stretch the calling thread's event loop could not run a 10 ms timer (minus those 10 ms), including a
 * block still going on when measuring stops — which monitorEventLoopDelay would miss.
 */
function lagMonitor(): { stop(): number } {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, performance.now() - last - 10, 0);
    },
  };
}

export async function onnxBenchmarks(): Promise<void> {
  console.log('Local ONNX PRMs (models built by the benchmark, random weights):');
  const tmp = tempDir('bench-onnx');
  try {
    // --- small model: pipeline overhead and one pass vs prefix by prefix -------------------------------------------
    const small = buildModelFolder(path.join(tmp.dir, 'small'), {
      family: 'token-classification',
      model: SMALL,
      prm: { maxTokens: 8192 },
    });
    const s20 = solutionOf(20);
    const over = await pipelineVsBare(small, s20, 2, 15);
    console.log(`  small Qwen2-style PRM (hidden 256, 6 layers), ${over.tokens}-token solution, 2 threads:`);
    console.log(`    bare session.run()              ${over.bare.toFixed(1)} ms`);
    console.log(
      `    full pipeline (child process)   ${over.pipeline.toFixed(1)} ms  (overhead ratio ${(over.pipeline / over.bare).toFixed(3)}; target ≤ 1.10)`,
    );

    const critic = new OnnxCritic({ id: 'bench', type: 'onnx', path: small, threads: 2, idleUnloadSeconds: 0 });
    try {
      await critic.score(s20);
      const onePass = await timeIt(5, () => critic.score(s20));
      const prefixes = await timeIt(3, async () => {
        for (let k = 1; k <= s20.steps.length; k++)
          await critic.score({ problem: s20.problem, steps: s20.steps.slice(0, k) });
      });
      console.log(
        `    20-step solution: one pass ${onePass.toFixed(1)} ms, prefix by prefix (20 runs) ${prefixes.toFixed(1)} ms → ${(prefixes / onePass).toFixed(1)}× faster`,
      );

      // Cancelling a forward pass: from abort() to the rejected promise, the host process killed.
      const long = solutionOf(120);
      const latencies: number[] = [];
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        let aborted = 0;
        const run = critic.score({ ...long, signal: controller.signal });
        const timer = setTimeout(() => {
          aborted = performance.now();
          controller.abort();
        }, 300);
        await run.catch(() => undefined);
        clearTimeout(timer);
        if (aborted) latencies.push(performance.now() - aborted);
      }
      if (latencies.length > 0)
        console.log(
          `    cancelling a running forward pass: ${median(latencies).toFixed(1)} ms from abort() to the rejected call (median of ${latencies.length})`,
        );
    } finally {
      critic.dispose();
    }

    // --- 0.5B-shaped 4-bit model ---------------------------------------------------------------------------------
    const t0 = performance.now();
    const big = buildModelFolder(path.join(tmp.dir, 'qwen2-0.5b-q4'), {
      family: 'token-classification',
      model: QWEN2_05B,
      scale: 0.02,
      prm: { maxTokens: 32768, batchSize: 1 },
    });
    console.log(
      `  0.5B-shaped Qwen2 PRM, 4-bit decoder layers: built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(folderBytes(big) / 2 ** 20).toFixed(0)} MiB)`,
    );

    // Tokens/s at 512 tokens: a solution cut to exactly 512 tokens, bare runs with 1 and 2 threads.
    const ids512 = (await inputIds(big, solutionOf(40))).slice(0, 512);
    for (const threads of [1, 2]) {
      const bare = await bareSession(big, threads);
      try {
        await bare.run(ids512);
        const ms = await timeIt(3, () => bare.run(ids512));
        console.log(
          `    ${threads} thread${threads > 1 ? 's' : ' '}: ${ids512.length} tokens in ${ms.toFixed(0)} ms → ${((ids512.length / ms) * 1000).toFixed(0)} tokens/s (bare session.run)`,
        );
      } finally {
        await bare.release();
      }
    }

    const s512 = solutionOf(19);
    const bigOver = await pipelineVsBare(big, s512, 2, 5);
    console.log(
      `    full pipeline vs bare run on the same ${bigOver.tokens}-token input, 2 threads: ${bigOver.pipeline.toFixed(0)} ms vs ${bigOver.bare.toFixed(0)} ms → overhead ratio ${(bigOver.pipeline / bigOver.bare).toFixed(3)} (target ≤ 1.10)`,
    );

    // Event-loop lag of this thread (standing in for the extension host) while the model scores.
    const lagCritic = new OnnxCritic({ id: 'bench-lag', type: 'onnx', path: big, threads: 2, idleUnloadSeconds: 0 });
    try {
      await lagCritic.score(s512);
      const lags: number[] = [];
      let scored = 0;
      for (let i = 0; i < 3; i++) {
        const lag = lagMonitor();
        const t1 = performance.now();
        await lagCritic.score(s512);
        scored = performance.now() - t1;
        lags.push(lag.stop());
      }
      console.log(
        `    event-loop lag of the calling thread while it scores in the child process (${scored.toFixed(0)} ms a run): max ${Math.max(...lags).toFixed(1)} ms over 3 runs (target < 50 ms)`,
      );
    } finally {
      lagCritic.dispose();
    }
    const inProcess = await PrmEngine.load(big, { threads: 2 });
    try {
      const lag = lagMonitor();
      await inProcess.score([s512]);
      console.log(
        `    for comparison, the same run on the calling thread blocks its event loop for ${lag.stop().toFixed(0)} ms`,
      );
    } finally {
      await inProcess.release();
    }
  } finally {
    tmp.remove();
  }
}

if (require.main === module) {
  onnxBenchmarks().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
