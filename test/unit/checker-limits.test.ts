import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_LIMITS, CheckerCritic, checkStep } from '../../src/core/critics/checker';

// Bounded work per step: whatever the input, the checker answers in bounded time and stack, and a step it cannot
// afford to read gets verdict unknown with a reason saying so ("not checked: …"), never a crash.

const notChecked = (text: string, problem?: string) => {
  const result = checkStep(text, problem === undefined ? {} : { problem });
  assert.equal(result.verdict, 'unknown');
  assert.deepEqual(result.claims, []);
  return result.reason ?? '';
};

describe('checker size and depth limits', () => {
  test('a step longer than the limit is not checked, one at the limit is', () => {
    const claim = '2 + 2 = 4. ';
    const atLimit = claim.repeat(Math.floor(CHECK_LIMITS.stepChars / claim.length));
    assert.equal(checkStep(atLimit).verdict, 'correct');
    const over = `${atLimit}${'x'.repeat(CHECK_LIMITS.stepChars + 1 - atLimit.length)}`;
    assert.equal(
      notChecked(over),
      `not checked: the step is ${(CHECK_LIMITS.stepChars + 1).toLocaleString('en-US')} characters long; ` +
        `the checker reads up to ${CHECK_LIMITS.stepChars.toLocaleString('en-US')} characters`,
    );
  });

  test('a problem longer than its limit leaves every step unchecked', () => {
    const problem = 'A farmer has apples. '.repeat(Math.ceil((CHECK_LIMITS.problemChars + 1) / 21));
    assert.match(notChecked('12 × 7 = 74', problem), /^not checked: the problem is [\d,]+ characters long/);
  });

  test('brackets, signs, powers, roots and fractions nested past the limit', () => {
    const deep = CHECK_LIMITS.nesting + 1;
    const message = `not checked: an expression nested more than ${CHECK_LIMITS.nesting} levels deep`;
    assert.equal(notChecked(`${'('.repeat(deep)}2${')'.repeat(deep)} = 2`), message);
    assert.equal(notChecked(`${'-'.repeat(deep + 1)}1 = 1`), message);
    assert.equal(notChecked(`${'2^'.repeat(deep)}1 = 2`), message);
    assert.equal(notChecked(`${'√'.repeat(deep)}1 = 1`), message);
    assert.equal(notChecked(`${'\\frac{'.repeat(deep)}1${'}{1}'.repeat(deep)} = 1`), message);
    // Just inside the limit the claim is read.
    const inside = CHECK_LIMITS.nesting - 1;
    assert.equal(checkStep(`${'('.repeat(inside)}2 + 1${')'.repeat(inside)} = 4`).verdict, 'incorrect');
  });

  test('nested brackets cost linear time (printing a claim once cost 2^depth)', () => {
    const t0 = performance.now();
    assert.equal(checkStep(`${'('.repeat(24)}2 + 1${')'.repeat(24)} = 4`).verdict, 'incorrect');
    assert.ok(performance.now() - t0 < 1000, `took ${Math.round(performance.now() - t0)} ms`);
  });

  test('expressions nested thousands deep or summing thousands of terms: no stack overflow', () => {
    // Before the limits these threw "Maximum call stack size exceeded" (parser, evaluation, unit walks).
    const nested = `${'('.repeat(4000)}1${')'.repeat(4000)} = 1`;
    assert.match(notChecked(nested), /^not checked: an expression of 8001 symbols/);
    assert.match(notChecked(`${'1+'.repeat(4989)}1 = 4990`), /^not checked: an expression of 9979 symbols/);
    assert.match(notChecked(`${'-'.repeat(5000)}1 = 1`), /^not checked: an expression of 5001 symbols/);
  });

  test('a long sum within the limit is still checked', () => {
    const terms = Math.floor(CHECK_LIMITS.operandItems / 2);
    assert.equal(checkStep(`${'1 + '.repeat(terms - 1)}1 = ${terms + 1}`).verdict, 'incorrect');
  });

  test('binomials: the shorter product is computed, too large ones are not', () => {
    assert.equal(checkStep('$\\binom{5000}{4998} = 12497500$').verdict, 'correct');
    assert.equal(checkStep('$\\binom{2000}{1000} = 5$').verdict, 'unknown');
  });

  test('a problem naming many moduli reads as "modulus unknown"', () => {
    const problem = `Work ${Array.from({ length: 19 }, (_, k) => `mod ${k + 2}`).join(', ')}.`;
    assert.equal(checkStep('8 + 8 = 6', { problem: 'Work mod 10.' }).verdict, 'correct');
    assert.equal(checkStep('8 + 8 = 6', { problem }).verdict, 'unknown');
  });
});

describe('CheckerCritic on steps it cannot check', () => {
  test('the other steps keep their verdicts and the first error is still found', async () => {
    const steps = ['6 × 4 = 24', `${'('.repeat(5000)}1${')'.repeat(5000)} = 1`, '24 / 3 = 9'];
    const result = await new CheckerCritic().score({ problem: '', steps });
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['correct', 'unknown', 'incorrect'],
    );
    assert.match(result.steps[1].reason ?? '', /^not checked: /);
    assert.equal(result.firstError, 2);
  });

  test('a long run yields to the event loop between steps', async () => {
    const step = '12 × 7 = 84, 3 + 4 = 7, 1/3 + 1/6 = 1/2. '.repeat(40);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    let runs = 0;
    try {
      // Enough work to pass the time slice more than once on any machine.
      while (performance.now() - t0 < 120) {
        await new CheckerCritic().score({ problem: '', steps: Array(20).fill(step) });
        runs++;
      }
    } finally {
      clearInterval(timer);
    }
    assert.ok(runs > 0);
    assert.ok(ticks > 0, 'the timer never ran while the checker worked');
  });
});
