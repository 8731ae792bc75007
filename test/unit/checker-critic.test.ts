import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CheckerCritic } from '../../src/core/critics/checker';
import { CancelledError } from '../../src/core/critics/types';

const solution = [
  'Each box holds 6 pencils, and there are 4 boxes.',
  'So there are 6 × 4 = 24 pencils in total.',
  'She gives away 1/3 of them: 24 / 3 = 9 pencils.',
  'That leaves 24 - 9 = 15 pencils.',
];

describe('CheckerCritic', () => {
  test('identity and defaults', () => {
    const critic = new CheckerCritic();
    assert.equal(critic.id, 'checker');
    assert.equal(critic.type, 'checker');
    assert.equal(critic.label, 'Built-in arithmetic checker');
    const named = new CheckerCritic({ id: 'strict-math', label: 'My checker' });
    assert.equal(named.id, 'strict-math');
    assert.equal(named.label, 'My checker');
  });

  test('judges each step; firstError is the first incorrect step', async () => {
    const before = Date.now();
    const result = await new CheckerCritic().score({ problem: 'How many pencils are left?', steps: solution });
    assert.equal(result.criticId, 'checker');
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['unknown', 'correct', 'incorrect', 'correct'],
    );
    assert.ok(result.steps.every((s) => s.score === null));
    assert.equal(result.steps[2].reason, '24 / 3 = 9, but 24 / 3 = 8');
    assert.equal(result.steps[1].reason, '1 arithmetic claim checks out');
    assert.equal(result.firstError, 2);
    assert.ok(result.timing.startedAt >= before && result.timing.startedAt <= Date.now());
    assert.ok(result.timing.durationMs >= 0);
  });

  test('no error found: firstError is -1', async () => {
    const result = await new CheckerCritic().score({ problem: '', steps: ['2 + 2 = 4', 'Nothing to check here.'] });
    assert.equal(result.firstError, -1);
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['correct', 'unknown'],
    );
  });

  test('no steps', async () => {
    const result = await new CheckerCritic().score({ problem: 'p', steps: [] });
    assert.deepEqual(result.steps, []);
    assert.equal(result.firstError, -1);
  });

  test('the problem informs the reading: modular arithmetic', async () => {
    const steps = ['In this ring, 7 + 5 = 0.'];
    const plain = await new CheckerCritic().score({ problem: 'Add 7 and 5.', steps });
    const modular = await new CheckerCritic().score({ problem: 'Compute in the integers modulo 12.', steps });
    assert.equal(plain.firstError, 0);
    assert.equal(modular.firstError, -1);
  });

  test('an aborted signal cancels with CancelledError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      new CheckerCritic().score({ problem: '', steps: solution, signal: controller.signal }),
      (e: unknown) => e instanceof CancelledError,
    );
  });
});
