import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkerQuality, formatCheckerQuality } from '../../bench/checker-quality';

describe('checkerQuality', () => {
  test('a missing data folder is skipped with a clear message', async () => {
    const result = await checkerQuality(path.join(tmpdir(), 'prm-lens-no-such-data'));
    assert.ok('skipped' in result);
    assert.match(formatCheckerQuality(result), /^skipped: .*prm-lens-no-such-data not found$/);
  });

  test('counts flags against the labels and computes ProcessBench metrics', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prm-lens-quality-'));
    try {
      mkdirSync(path.join(dir, 'mr-ben'));
      const cases = [
        // Error at step 1, flagged there: a true positive, and a hit for acc_error.
        { id: 'a', problem: 'p', steps: ['We start.', '3 × 3 = 10', 'Done.'], label: 1 },
        // All correct but flagged at step 0: an early false flag, and a miss for acc_correct.
        { id: 'b', problem: 'p', steps: ['2 + 2 = 5', '1 + 1 = 2'], label: -1 },
        // All correct, nothing flagged: a hit for acc_correct.
        { id: 'c', problem: 'p', steps: ['5 - 1 = 4'], label: -1 },
        // Error labelled at step 0, flagged only at step 1: a late flag, a miss for acc_error.
        { id: 'd', problem: 'p', steps: ['We guess.', '6 / 2 = 4'], label: 0 },
      ];
      writeFileSync(path.join(dir, 'mr-ben', 'toy.json'), JSON.stringify(cases));
      const result = await checkerQuality(dir, { examples: 5 });
      assert.ok(!('skipped' in result));
      const [file] = result.files;
      assert.equal(file.file, path.join('mr-ben', 'toy.json'));
      assert.deepEqual(
        [file.cases, file.steps, file.flags, file.truePositives, file.earlyFalseFlags, file.lateFlags],
        [4, 8, 3, 1, 1, 1],
      );
      // Known-correct steps: 1 (case a) + 2 (b) + 1 (c) + 0 (d).
      assert.equal(file.knownCorrectSteps, 4);
      assert.equal(file.accError, 50);
      assert.equal(file.accCorrect, 50);
      assert.equal(file.f1, 50);
      assert.equal(result.flagPrecision, 0.5);
      assert.equal(result.falseFlagRate, 0.25);
      assert.deepEqual(
        result.falseFlags.map((f) => [f.id, f.step]),
        [['b', 0]],
      );
      assert.ok(result.stepsPerSecond > 0);
      assert.match(formatCheckerQuality(result), /false flags per known-correct step 25\.000% \(1\/4\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
