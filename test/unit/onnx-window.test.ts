import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OnnxCritic } from '../../src/core/critics/onnx/critic';
import { planWindow } from '../../src/core/critics/onnx/window';
import type { CriticResult } from '../../src/core/critics/types';
import { PrmEngine } from '../../src/onnx-host/engine';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';

// Local PRMs on long traces: the scope (only the answer or the thinking is sent) and the opt-in sliding window past
// maxTokens, on the tiny models the tests build. A windowed score must be exactly the score of its window alone.

const tmp = tempDir('onnx-window');
after(() => tmp.remove());

const PROBLEM = 'A tank holds 12 litres and loses 3 litres an hour. When is it empty?';
const STEPS = Array.from(
  { length: 12 },
  (_, i) => `Step ${i + 1}: after ${i + 1} hours it holds 12 - ${3 * (i + 1)} = ${12 - 3 * (i + 1)} litres.`,
);

/** A critic on `folder` (window off unless given), and its result on `steps` alone. */
async function scoreAlone(folder: string, steps: readonly string[]): Promise<CriticResult> {
  const critic = new OnnxCritic({ id: 'alone', type: 'onnx', path: folder });
  try {
    return await critic.score({ problem: PROBLEM, steps });
  } finally {
    critic.dispose();
  }
}

/** Each windowed step's window start (1-based step) from its reason; 1 for the first window's steps. */
function windowStarts(result: CriticResult): number[] {
  return result.steps.map((s) => {
    const m = /scored in window \d+ of \d+, which starts at step (\d+): earlier steps not seen/.exec(s.reason ?? '');
    return m ? Number(m[1]) : 1;
  });
}

for (const family of ['token-classification', 'tag-token', 'value-head']) {
  describe(`sliding window over steps (${family})`, () => {
    let folder: string;
    let full: number;
    before(async () => {
      const probe = buildModelFolder(path.join(tmp.dir, `${family}-probe`), { family });
      const engine = await PrmEngine.load(probe);
      const [scored] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
      await engine.release();
      full = scored.fullTokens;
      // About a third of what the whole solution needs: at least three windows.
      folder = buildModelFolder(path.join(tmp.dir, family), { family, prm: { maxTokens: Math.floor(full / 3) } });
    });

    test('off (the default): steps past maxTokens stay unscored, and the first error unknown after them', async () => {
      const result = await scoreAlone(folder, STEPS);
      const unscored = result.steps.filter((s) => s.score === null);
      assert.ok(unscored.length > 0);
      assert.match(unscored[0].reason ?? '', /^not scored: the solution needs \d+ tokens and the model takes \d+/);
    });

    test('sliding: every step scored, each exactly as its window scored alone, later windows marked', async () => {
      const critic = new OnnxCritic({ id: 'win', type: 'onnx', path: folder, window: 'sliding', windowOverlap: 0.5 });
      let result: CriticResult;
      try {
        result = await critic.score({ problem: PROBLEM, steps: STEPS });
      } finally {
        critic.dispose();
      }
      assert.ok(
        result.steps.every((s) => s.score !== null),
        'every step scored',
      );
      const starts = windowStarts(result);
      const windows = [...new Set(starts)];
      assert.ok(windows.length >= 3, `windows: ${windows.join(', ')}`);
      assert.match(result.rationale ?? '', new RegExp(`scored in ${windows.length} windows`));
      // A later window carries steps before its first scored one (the overlap).
      const carried = windows.slice(1).some((start) => starts.indexOf(start) > start - 1);
      assert.ok(carried, 'some window carries earlier steps as context');
      for (const start of windows) {
        const mine = starts.flatMap((s, k) => (s === start ? [k] : []));
        const last = mine[mine.length - 1];
        const alone = await scoreAlone(folder, STEPS.slice(start - 1, last + 1));
        for (const k of mine) {
          assert.equal(result.steps[k].score, alone.steps[k - (start - 1)].score, `step ${k + 1} (window at ${start})`);
          assert.equal(/earlier steps not seen/.test(result.steps[k].reason ?? ''), start > 1);
        }
      }
      // The first window is the ordinary run: its scores are the unwindowed ones.
      const plain = await scoreAlone(folder, STEPS);
      starts.forEach((s, k) => s === 1 && assert.equal(result.steps[k].score, plain.steps[k].score));
      assert.match(result.raw ?? '', /^──── window 1 of \d+: steps 1–\d+ ────\n/);
    });
  });
}

describe('scope of a local PRM', () => {
  let folder: string;
  before(() => {
    folder = buildModelFolder(path.join(tmp.dir, 'scope'), { family: 'token-classification' });
  });
  const THINKING = 4;

  async function scoped(scope: string, thinkingSteps?: number): Promise<CriticResult> {
    const critic = new OnnxCritic({ id: 'scoped', type: 'onnx', path: folder, scope });
    try {
      return await critic.score({ problem: PROBLEM, steps: STEPS, thinkingSteps });
    } finally {
      critic.dispose();
    }
  }

  test('answer: the thinking is not sent; answer steps score exactly as the problem + answer alone', async () => {
    const result = await scoped('answer', THINKING);
    const alone = await scoreAlone(folder, STEPS.slice(THINKING));
    for (let k = 0; k < THINKING; k++) {
      assert.deepEqual(result.steps[k], {
        score: null,
        verdict: 'unknown',
        reason: "outside the critic's scope (answer)",
      });
    }
    for (let k = THINKING; k < STEPS.length; k++) assert.deepEqual(result.steps[k], alone.steps[k - THINKING]);
    const first = alone.firstError as number;
    assert.equal(result.firstError, first < 0 ? -1 : first + THINKING);
    assert.equal(result.raw, alone.raw, 'the model saw the problem and the answer steps only');
    assert.match(result.rationale ?? '', /^Scope "answer": only steps 5–12 of 12 were sent to the model/);
  });

  test('thinking: only the thinking is sent', async () => {
    const result = await scoped('thinking', THINKING);
    const alone = await scoreAlone(folder, STEPS.slice(0, THINKING));
    for (let k = 0; k < THINKING; k++) assert.deepEqual(result.steps[k], alone.steps[k]);
    assert.ok(result.steps.slice(THINKING).every((s) => s.reason === "outside the critic's scope (thinking)"));
  });

  test('thinking on a solution without thinking scores nothing and says so; answer and all score everything', async () => {
    const nothing = await scoped('thinking');
    assert.ok(nothing.steps.every((s) => s.score === null && s.verdict === 'unknown'));
    assert.equal(nothing.firstError, null);
    assert.equal(
      nothing.rationale,
      'Nothing scored: the critic\'s scope is "thinking" and this solution has no thinking part.',
    );
    const plain = await scoreAlone(folder, STEPS);
    assert.deepEqual((await scoped('answer')).steps, plain.steps);
    assert.deepEqual((await scoped('all', THINKING)).steps, plain.steps);
  });

  test('scope and window together: window marks number the steps of the whole trace', async () => {
    const engine = await PrmEngine.load(folder);
    const [scored] = await engine.score([{ problem: PROBLEM, steps: STEPS.slice(THINKING) }]);
    await engine.release();
    const small = buildModelFolder(path.join(tmp.dir, 'scope-window'), {
      family: 'token-classification',
      prm: { maxTokens: Math.floor(scored.fullTokens / 2) },
    });
    const config = { id: 'sw', type: 'onnx', path: small, scope: 'answer', window: 'sliding' };
    const critic = new OnnxCritic(config);
    try {
      const result = await critic.score({ problem: PROBLEM, steps: STEPS, thinkingSteps: THINKING });
      assert.ok(result.steps.slice(THINKING).every((s) => s.score !== null));
      const starts = windowStarts(result).slice(THINKING);
      assert.ok(
        starts.some((s) => s > THINKING + 1),
        'a later window starts inside the answer',
      );
    } finally {
      critic.dispose();
    }
  });
});

describe('planWindow', () => {
  test('carries the preceding steps that fit in overlap × budget, then new steps up to the budget', () => {
    const tokens = [10, 10, 10, 10, 10, 10, 10, 10];
    assert.deepEqual(planWindow(tokens, 4, 40, 0.5), { first: 2, last: 5 });
    assert.deepEqual(planWindow(tokens, 4, 40, 0), { first: 4, last: 7 });
    // A step larger than the budget still forms a window of its own.
    assert.deepEqual(planWindow([10, 100, 10], 1, 40, 0.5), { first: 0, last: 1 });
  });
});
