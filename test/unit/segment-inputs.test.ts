import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentFile } from '../../src/core/analysis/analyze';
import { compileStepRegex, regexCuts } from '../../src/core/segment/boundaries';
import { splitProblem } from '../../src/core/segment/document';
import { segment } from '../../src/core/segment/segment';
import { STEP_REGEX_TIME_LIMIT_MS } from '../../src/core/segment/stepPattern';

// Untrusted input to segmentation: a user's pattern that never ends, a byte-order mark before the problem heading.

// ^(a+)+$ tries every split of the a's before failing on "!": 2^27 paths, about a second without a limit.
const CATASTROPHIC = '^(a+)+$';
const TEXT = `${'a'.repeat(27)}!`;

describe('step regex with a time limit', () => {
  test('a backtracking pattern is stopped at the limit with an error naming it', () => {
    const t0 = performance.now();
    assert.throws(() => regexCuts(TEXT, [], compileStepRegex(CATASTROPHIC), 50), {
      message:
        'The step regex "^(a+)+$" ran for more than 50 ms on this text and was stopped ' +
        '(nested repetition such as (a+)+ can take exponential time): simplify the pattern.',
    });
    assert.ok(performance.now() - t0 < 2000, `stopped after ${Math.round(performance.now() - t0)} ms`);
  });

  test('segment() applies the default limit', () => {
    const t0 = performance.now();
    // 2^30 paths: several seconds without a limit, well past the default of one second.
    const text = `${'a'.repeat(30)}!`;
    assert.throws(() => segment(text, { strategy: 'regex', regex: CATASTROPHIC }), /ran for more than 1000 ms/);
    assert.ok(performance.now() - t0 < STEP_REGEX_TIME_LIMIT_MS + 2000);
  });

  test('after a stopped pattern, patterns still run; line starts, case and zero-width matches as before', () => {
    assert.throws(() => regexCuts(TEXT, [], compileStepRegex(CATASTROPHIC), 20));
    const text = 'Intro\nstep 1: a\nStep 2: b\nSTEP 3: c';
    assert.deepEqual(
      segment(text, { strategy: 'regex', regex: '^step \\d' }).steps.map((s) => s.text),
      ['Intro', 'step 1: a\nStep 2: b\nSTEP 3: c'],
    );
    assert.deepEqual(regexCuts('ab😀ab', [], compileStepRegex('(?=ab)')), [
      { end: 0, next: 0 },
      { end: 4, next: 4 },
    ]);
  });
});

describe('openers without closers', () => {
  test('thousands of unclosed \\begin{…} and \\[ cost linear time (each scanned the rest of the text)', () => {
    for (const opener of ['\\begin{a}', '\\[']) {
      const text = `${opener} x\n\n`.repeat(20_000);
      const t0 = performance.now();
      assert.equal(segment(text, { strategy: 'paragraphs' }).steps.length, 20_000);
      assert.ok(performance.now() - t0 < 1500, `${opener}: ${Math.round(performance.now() - t0)} ms`);
    }
  });

  test('an unclosed environment around a closed one of the same name: only the closed one is protected', () => {
    const text = '\\begin{a}\n\nx \\begin{a} y\n\nz \\end{a}\n\nw';
    assert.deepEqual(
      segment(text, { strategy: 'paragraphs' }).steps.map((s) => s.text),
      ['\\begin{a}', 'x \\begin{a} y\n\nz \\end{a}', 'w'],
    );
  });
});

describe('byte-order mark', () => {
  test('a mark before "## Problem" does not hide the problem; offsets count the mark', () => {
    const text = '\ufeff## Problem\nWhat is 2 + 2?\n\n## Solution\n2 + 2 = 4\n\nSo 4.';
    const doc = splitProblem(text);
    assert.equal(doc.problem, 'What is 2 + 2?');
    assert.equal(text.slice(doc.problemStart, doc.problemEnd), doc.problem);
    const { segmentation } = segmentFile(text, {});
    assert.deepEqual(
      segmentation.steps.map((s) => text.slice(s.start, s.end)),
      ['2 + 2 = 4', 'So 4.'],
    );
  });

  test('a mark before a solution without a problem is not part of the first step', () => {
    const { document, segmentation } = segmentFile('\ufeff1 + 1 = 2\n\n2 + 2 = 4', {});
    assert.equal(document.problem, '');
    assert.deepEqual(
      segmentation.steps.map((s) => [s.start, s.text]),
      [
        [1, '1 + 1 = 2'],
        [12, '2 + 2 = 4'],
      ],
    );
  });
});
