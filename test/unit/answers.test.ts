import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractAnswer } from '../../src/core/answers/extract';
import { answerKey, answersEquivalent } from '../../src/core/answers/equivalent';
import { normalizeAnswer, toMathjs } from '../../src/core/answers/normalize';

describe('extractAnswer', () => {
  test('the last \\boxed{} with balanced braces', () => {
    assert.equal(extractAnswer('First \\boxed{3}, then so \\boxed{\\frac{1}{2}}.'), '\\frac{1}{2}');
    const pair = '\\left(2, \\frac{\\pi}{3}\\right)';
    assert.equal(extractAnswer(`We get $\\boxed{${pair}}$`), pair);
    assert.equal(extractAnswer('\\boxed{7} and an unclosed \\boxed{8'), '7');
    assert.equal(extractAnswer('\\fbox{12}'), '12');
  });

  test('else "The answer is" or "Final answer:", the last one, without its full stop', () => {
    assert.equal(extractAnswer('So the answer is 4.\nWait, the answer is $5$.'), '5');
    assert.equal(extractAnswer('Step 3: done.\nFinal answer: 12 apples'), '12 apples');
    assert.equal(extractAnswer('The final answer is: x = 3'), 'x = 3');
  });

  test('none stated: null (never chosen)', () => {
    assert.equal(extractAnswer('I could not finish.'), null);
    assert.equal(extractAnswer('\\boxed{}'), null);
  });
});

describe('normalizeAnswer', () => {
  for (const [raw, normal] of [
    ['\\text{(B)}', '(B)'],
    ['5 \\text{ cm}', '5'],
    ['12 dollars', '12'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\tfrac12', '\\frac{1}{2}'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['50\\%', '50'],
    ['30^\\circ', '30'],
    ['45^{\\circ}', '45'],
    ['\\$4.50', '4.50'],
    ['\\sqrt2', '\\sqrt{2}'],
    ['x = 5', '5'],
    ['1,000,000', '1000000'],
    ['7.000', '7'],
    ['.5', '0.5'],
    ['{9}', '9'],
  ] as const) {
    test(`${raw} → ${normal}`, () => assert.equal(normalizeAnswer(raw), normal));
  }

  test('LaTeX to mathjs syntax', () => {
    assert.equal(toMathjs('\\frac{1}{\\sqrt{2}}'), '((1)/(sqrt((2))))');
    assert.equal(toMathjs('\\sqrt[3]{8}'), 'nthRoot((8),(3))');
    assert.equal(toMathjs('2^{10}\\cdot3'), '2^(10)*3');
    assert.equal(toMathjs('\\pi'), ' pi ');
    assert.equal(toMathjs('\\infty'), null);
  });
});

describe('answersEquivalent (PRM800K grader cases)', () => {
  const equal: [string, string][] = [
    ['0.5', '\\frac12'],
    ['\\dfrac{1}{2}', '\\frac{1}{2}'],
    ['1/2', '\\frac{1}{2}'],
    ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt2}'],
    ['2\\sqrt{3}', '\\sqrt{12}'],
    ['10.0', '10'],
    ['1,234', '1234'],
    ['x=7', '7'],
    ['\\text{7 inches}', '7'],
    ['25\\%', '25'],
    ['90^\\circ', '90'],
    ['(1, \\frac{1}{2})', '\\left(1,0.5\\right)'],
    ['[0, \\frac{3}{2})', '[0,1.5)'],
    ['2x+2', '2(x+1)'],
    ['\\frac{x^2-1}{x-1}', 'x+1'],
    ['\\pi/2', '\\frac{\\pi}{2}'],
    ['2^{10}', '1024'],
    ['3\\cdot 4', '12'],
  ];
  for (const [a, b] of equal) test(`${a} ≡ ${b}`, () => assert.ok(answersEquivalent(a, b)));

  const different: [string, string][] = [
    ['0.5', '\\frac13'],
    ['(1,2)', '[1,2]'],
    ['(1,2)', '(2,1)'],
    ['(1,2)', '(1,2,3)'],
    ['2x', '2y'],
    ['x^2', 'x'],
    ['\\infty', '1'],
    ['', '0'],
    ['5', '5.0001'],
  ];
  for (const [a, b] of different) test(`${a} ≢ ${b}`, () => assert.ok(!answersEquivalent(a, b)));

  test('answerKey groups equal values without pairwise algebra', () => {
    assert.equal(answerKey('0.5'), answerKey('\\frac{1}{2}'));
    assert.equal(answerKey('(1, 0.5)'), answerKey('\\left(1,\\frac12\\right)'));
    assert.notEqual(answerKey('0.5'), answerKey('\\frac13'));
    assert.equal(answerKey('x+1'), 'x+1');
  });
});
