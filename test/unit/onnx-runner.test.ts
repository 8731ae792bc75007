import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCritic, parseCriticConfigs } from '../../src/core/critics/registry';
import { CancelledError, CriticConfigError } from '../../src/core/critics/types';
import { OnnxCritic } from '../../src/core/critics/onnx/critic';
import { sweepThresholds } from '../../src/core/metrics/thresholds';
import { Progress } from '../../src/core/critics/onnx/protocol';
import { OnnxRunner, defaultHostScript } from '../../src/core/critics/onnx/runner';
import { onOnnxProgress } from '../../src/core/critics/onnx/settings';
import { PrmEngine } from '../../src/onnx-host/engine';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';

// Local models as critics: inference in a child process that stays loaded, can be killed to cancel, survives
// crashes, unloads when idle; the `onnx` type in the registry and the CLI.

const tmp = tempDir('onnx-runner');
after(() => tmp.remove());

const PROBLEM = 'Tom has 12 apples and buys 7 more. How many apples does he have?';
const STEPS = ['He starts with 12 apples.', 'He buys 7 more, so 12 + 7 = 19.', 'The answer is 19.'];

let folder: string;
let slowFolder: string;
before(() => {
  folder = buildModelFolder(path.join(tmp.dir, 'tc'), { family: 'token-classification' });
  // Big enough that one forward pass on a long solution takes a while, to cancel it or crash it mid-run.
  slowFolder = buildModelFolder(path.join(tmp.dir, 'slow'), {
    family: 'token-classification',
    model: { hidden: 256, intermediate: 768, layers: 6, heads: 8, kvHeads: 4 },
    prm: { maxTokens: 16384 },
  });
});

const LONG_STEPS = Array.from(
  { length: 8 },
  (_, i) => `Step ${i + 1}: ${'we add the numbers together and multiply the result by two, '.repeat(40)}`,
);

function runner(dir: string, idleMs = 0): OnnxRunner {
  return new OnnxRunner({ folder: dir, hostScript: defaultHostScript(), threads: () => 1, idleMs: () => idleMs });
}

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ONNX host process', () => {
  test('scores in a child process exactly as in-process, and keeps the model loaded between runs', async () => {
    const r = runner(folder);
    const engine = await PrmEngine.load(folder);
    try {
      const stages: string[] = [];
      const [first] = await r.score([{ problem: PROBLEM, steps: STEPS }], undefined, (p) => stages.push(p.stage));
      assert.deepEqual(stages, ['loading', 'tokenizing', 'running']);
      const [expected] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
      assert.deepEqual(first, expected);
      const pid = r.pid;
      stages.length = 0;
      await r.score([{ problem: PROBLEM, steps: STEPS.slice(0, 2) }], undefined, (p) => stages.push(p.stage));
      assert.deepEqual(stages, ['tokenizing', 'running'], 'the second run does not load the model again');
      assert.equal(r.pid, pid);
      assert.equal(r.model?.family, 'token-classification');
    } finally {
      r.dispose();
      await engine.release();
    }
  });

  test('calls that wait while the host is busy are merged into one request and each gets its own scores', async () => {
    const r = runner(folder);
    try {
      const passes: Progress[] = [];
      const solutions = [
        { problem: PROBLEM, steps: STEPS },
        { problem: 'What is 2 + 2?', steps: ['2 + 2 = 4.'] },
        { problem: PROBLEM, steps: STEPS.slice(1) },
      ];
      const first = r.score([solutions[0]]);
      const rest = [
        r.score([solutions[1]], undefined, (p) => p.stage === 'running' && passes.push(p)),
        r.score([solutions[2]]),
      ];
      const results = [...(await first), ...(await Promise.all(rest)).flat()];
      assert.equal(passes.length, 1, 'the two waiting calls share one forward pass');
      const alone = await Promise.all(solutions.map(async (s) => (await r.score([s]))[0]));
      results.forEach((res, i) =>
        res.steps.forEach((step, k) =>
          assert.ok(Math.abs((step.score as number) - (alone[i].steps[k].score as number)) < 1e-5),
        ),
      );
    } finally {
      r.dispose();
    }
  });

  test('cancelling a run kills the host at once; the next run starts a new one', async () => {
    const r = runner(slowFolder);
    try {
      await r.load();
      const controller = new AbortController();
      const pid = r.pid;
      const run = r.score(
        [{ problem: PROBLEM, steps: LONG_STEPS }],
        controller.signal,
        (p) => p.stage === 'running' && controller.abort(),
      );
      await assert.rejects(run, CancelledError);
      assert.equal(r.alive, false, 'the process running the forward pass was stopped');
      await until('the old host process to be gone', () => {
        try {
          process.kill(pid as number, 0);
          return false;
        } catch {
          return true;
        }
      });
      const stages: string[] = [];
      const [again] = await r.score([{ problem: PROBLEM, steps: STEPS }], undefined, (p) => stages.push(p.stage));
      assert.equal(stages[0], 'loading');
      assert.ok(again.steps.every((s) => s.score !== null));
      // A call cancelled while it waits in the queue never reaches the host.
      const queuedAbort = new AbortController();
      const busy = r.score([{ problem: PROBLEM, steps: STEPS }]);
      const queued = r.score([{ problem: PROBLEM, steps: STEPS }], queuedAbort.signal);
      queuedAbort.abort();
      await assert.rejects(queued, CancelledError);
      await busy;
      assert.ok(r.alive, 'cancelling a queued call leaves the running host alone');
    } finally {
      r.dispose();
    }
  });

  test('a crash of the host process (native fault) fails the run with a clear message and nothing else', async () => {
    const r = runner(slowFolder);
    try {
      await r.load();
      const run = r.score(
        [{ problem: PROBLEM, steps: LONG_STEPS }],
        undefined,
        (p) => p.stage === 'running' && process.kill(r.pid as number, 'SIGSEGV'),
      );
      await assert.rejects(
        run,
        /the local model's process was killed by SIGSEGV while working; it restarts on the next run/,
      );
      const [after_] = await r.score([{ problem: PROBLEM, steps: STEPS }]);
      assert.equal(after_.steps.length, STEPS.length);
    } finally {
      r.dispose();
    }
  });

  test('an idle host unloads the model after the idle timeout; the next run loads it again', async () => {
    const r = runner(folder, 150);
    try {
      await r.score([{ problem: PROBLEM, steps: STEPS }]);
      assert.ok(r.alive);
      await until('idle unload', () => !r.alive);
      const stages: string[] = [];
      await r.score([{ problem: PROBLEM, steps: STEPS }], undefined, (p) => stages.push(p.stage));
      assert.equal(stages[0], 'loading');
    } finally {
      r.dispose();
    }
  });

  test('a model folder that cannot load fails every run with the reason, and a fixed folder then works', async () => {
    const broken = buildModelFolder(path.join(tmp.dir, 'broken'), {
      family: 'token-classification',
      prm: { stepTag: '<no_such_tag>' },
    });
    const r = runner(broken);
    try {
      await assert.rejects(
        r.score([{ problem: PROBLEM, steps: STEPS }]),
        /"stepTag": the tokenizer has no token "<no_such_tag>"; it encodes to \d+ tokens/,
      );
      buildModelFolder(broken, { family: 'token-classification' });
      const [ok] = await r.score([{ problem: PROBLEM, steps: STEPS }]);
      assert.ok(ok.steps.every((s) => s.score !== null));
    } finally {
      r.dispose();
    }
  });
});

describe('the onnx critic type', () => {
  test('is registered; config errors name the field', async () => {
    const { configs, errors } = parseCriticConfigs([{ id: 'local', type: 'onnx', path: folder }], 'critics.json');
    assert.deepEqual(errors, []);
    const critic = await createCritic(configs[0], {});
    try {
      assert.equal(critic.type, 'onnx');
      assert.equal(critic.label, 'tc (local)');
    } finally {
      critic.dispose?.();
    }
    await assert.rejects(
      createCritic({ id: 'x', type: 'onnx' }, {}),
      (err: Error) => err instanceof CriticConfigError && /"path" is required/.test(err.message),
    );
    await assert.rejects(
      createCritic({ id: 'x', type: 'onnx', path: folder, thread: 2 }, {}),
      /unknown field "thread"/,
    );
    await assert.rejects(
      createCritic({ id: 'x', type: 'onnx', path: folder, threads: -1 }, {}),
      /"threads" must be an integer/,
    );
  });

  test('judges steps by the model threshold, names the first error, reports tokens and progress', async () => {
    const critic = new OnnxCritic(
      { id: 'local', type: 'onnx', path: path.basename(folder) },
      { baseDir: path.dirname(folder) },
    );
    const events: string[] = [];
    const sub = onOnnxProgress((e) => events.push(`${e.criticId}:${e.progress?.stage ?? 'done'}`));
    try {
      const result = await critic.score({ problem: PROBLEM, steps: STEPS });
      const engine = await PrmEngine.load(folder);
      const [expected] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
      await engine.release();
      result.steps.forEach((s, k) => {
        assert.equal(s.score, expected.steps[k].score);
        assert.equal(s.verdict, (s.score as number) > 0.5 ? 'correct' : 'incorrect');
        assert.match(s.reason ?? '', /^P\(correct\) \d\.\d{3} at the step tag \(token \d+\), (>|≤) threshold 0\.5$/);
      });
      const firstWrong = result.steps.findIndex((s) => s.verdict === 'incorrect');
      assert.equal(result.firstError, firstWrong);
      assert.equal(result.usage?.promptTokens, expected.tokens);
      assert.deepEqual(events, ['local:loading', 'local:tokenizing', 'local:running', 'local:done']);
    } finally {
      sub.dispose();
      critic.dispose();
    }
  });

  test("a step scored exactly at the threshold is an error; the prediction is the sweep's at it", async () => {
    const engine = await PrmEngine.load(folder);
    const [expected] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    await engine.release();
    const tie = expected.steps[0].score as number;
    // The same weights (the fixture is seeded), with the threshold set to the first step's exact score.
    const dir = buildModelFolder(path.join(tmp.dir, 'tie'), {
      family: 'token-classification',
      prm: { threshold: tie },
    });
    const critic = new OnnxCritic({ id: 'tie', type: 'onnx', path: dir });
    try {
      const result = await critic.score({ problem: PROBLEM, steps: STEPS });
      assert.equal(result.steps[0].score, tie);
      assert.equal(result.steps[0].verdict, 'incorrect');
      assert.match(result.steps[0].reason ?? '', /≤ threshold/);
      assert.equal(result.firstError, 0);
      // The critic's first error is the prediction `prm-lens eval` writes; the sweep must predict the same.
      const scores = result.steps.map((s) => s.score as number);
      const [point] = sweepThresholds([{ subset: 's', label: result.firstError, scores }], [tie]);
      assert.equal(point.report.subsets.s.acc_error, 100);
    } finally {
      critic.dispose();
    }
  });

  test('carries the exact input it scored, and names a token straddling a step boundary in the reason', async () => {
    // A value head read at each step's last token, steps joined by blank lines: "." and "\n\n" are one token.
    const prm = { encoding: 'whole', stepTag: undefined, stepSeparator: '\n\n' };
    const dir = buildModelFolder(path.join(tmp.dir, 'straddle'), { family: 'value-head', prm });
    const critic = new OnnxCritic({ id: 'straddle', type: 'onnx', path: dir });
    try {
      const result = await critic.score({ problem: PROBLEM, steps: STEPS });
      assert.equal(result.raw, `<|endoftext|>${PROBLEM}\n${STEPS.join('\n\n')}`);
      result.steps.forEach((s, k) => {
        const straddles = /; token straddles the boundary: "\.\\n\\n" holds this step's last characters and the text/;
        assert.equal(straddles.test(s.reason ?? ''), k < STEPS.length - 1, `step ${k}: ${s.reason}`);
      });
    } finally {
      critic.dispose();
    }
  });

  test('a step past the context makes the first error unknown when no earlier step is wrong', async () => {
    const engine = await PrmEngine.load(folder);
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    await engine.release();
    const dir = buildModelFolder(path.join(tmp.dir, 'short'), {
      family: 'token-classification',
      prm: { maxTokens: sequences[0].reads[0] + 1, threshold: 0 },
    });
    const critic = new OnnxCritic({ id: 'short', type: 'onnx', path: dir });
    try {
      const result = await critic.score({ problem: PROBLEM, steps: STEPS });
      assert.equal(result.steps[0].verdict, 'correct');
      assert.deepEqual(
        result.steps.slice(1).map((s) => s.verdict),
        ['unknown', 'unknown'],
      );
      assert.equal(result.firstError, null);
      assert.match(result.rationale ?? '', /^Only \d+ of the \d+ tokens this solution needs fit the model's context/);
    } finally {
      critic.dispose();
    }
  });

  test('the CLI scores a file with a local model named in --config', () => {
    const dir = path.join(tmp.dir, 'cli');
    buildModelFolder(path.join(dir, 'prm'), { family: 'token-classification' });
    writeFileSync(
      path.join(dir, 'critics.json'),
      JSON.stringify({ critics: [{ id: 'local-prm', type: 'onnx', path: 'prm' }] }),
    );
    writeFileSync(path.join(dir, 'solution.md'), `## Problem\n\n${PROBLEM}\n\n## Solution\n\n${STEPS.join('\n\n')}\n`);
    const cli = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'score',
        path.join(dir, 'solution.md'),
        '--config',
        path.join(dir, 'critics.json'),
        '--critic',
        'local-prm',
        '--json',
        '--no-cache',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { critics: { id: string; steps: { score: number }[] }[] };
    assert.equal(out.critics[0].id, 'local-prm');
    assert.equal(out.critics[0].steps.length, STEPS.length);
    assert.ok(out.critics[0].steps.every((s) => s.score > 0 && s.score < 1));
  });
});
