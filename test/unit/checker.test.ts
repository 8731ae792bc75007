import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStep } from '../../src/core/critics/checker';
import type { StepCheck } from '../../src/core/critics/checker';

/** Checks a step and the invariants of every claim: the span slices out the claim text. */
function check(text: string, problem?: string): StepCheck {
  const result = checkStep(text, problem === undefined ? {} : { problem });
  for (const c of result.claims) {
    assert.equal(text.slice(c.start, c.end), c.text);
    assert.ok(c.start < c.end);
    assert.equal(c.ok, c.reason === undefined);
  }
  return result;
}

const verdictOf = (text: string, problem?: string): string => check(text, problem).verdict;

function assertFlags(text: string, reason?: string): void {
  const r = check(text);
  assert.equal(r.verdict, 'incorrect', `expected a flag on ${JSON.stringify(text)}, got ${r.verdict}: ${r.reason}`);
  if (reason !== undefined) assert.equal(r.reason, reason);
}

function assertPasses(text: string): void {
  const r = check(text);
  assert.equal(r.verdict, 'correct', `expected ${JSON.stringify(text)} to check out, got ${r.verdict}: ${r.reason}`);
}

function assertUnknown(text: string): void {
  const r = check(text);
  assert.equal(
    r.verdict,
    'unknown',
    `expected nothing checkable in ${JSON.stringify(text)}, got ${r.verdict}: ${r.reason}`,
  );
}

describe('wrong arithmetic is flagged', () => {
  test('products, sums, differences and quotients', () => {
    assertFlags('So the farmer has 12 × 7 = 74 eggs.', '12 × 7 = 74, but 12 × 7 = 84');
    assertFlags('Adding them, 45 + 38 = 73.', '45 + 38 = 73, but 45 + 38 = 83');
    assertFlags('She is left with 100 - 37 = 63 marbles, then 63 - 20 = 53.', '63 - 20 = 53, but 63 - 20 = 43');
    assertFlags('Each friend gets 96 / 8 = 11 cards.', '96 / 8 = 11, but 96 / 8 = 12');
    assertFlags('The area is 15 * 4 = 64 square feet.');
    assertFlags('2 x 3 = 7', '2 x 3 = 7, but 2 x 3 = 6');
    assertFlags('Then 2^5 = 30.');
  });

  test('fractions and LaTeX', () => {
    assertFlags(
      'We add $\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}$.',
      '\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}, but \\frac{1}{2} + \\frac{1}{3} = 5/6',
    );
    assertFlags('So 1/2 + 1/4 = 2/6 of the pie is gone.', '1/2 + 1/4 = 2/6, but 1/2 + 1/4 = 3/4');
    assertFlags('\\(3 \\times 4 \\div 2 = 8\\)');
    assertFlags('$\\dfrac{9}{3} \\cdot 2 = 5$');
    assertFlags('\\[ \\sqrt{81} = 8 \\]');
    assertFlags('$\\left(2 + 3\\right) \\times 4 = 24$');
    assertFlags('$\\tfrac{3}{4} - \\tfrac{1}{4} = \\tfrac{1}{4}$');
  });

  test('percentages and currency', () => {
    assertFlags('The tip is 20% of 50 = 12 dollars.', '20% of 50 = 12 dollars, but 20% of 50 = 10');
    assertFlags('That is 15% * 80 = 10.');
    assertFlags('So the share is 12/48 = 30%.', '12/48 = 30%, but 12/48 = 25%');
    assertFlags('The total is \\$12.50 × 4 = \\$48.', '$12.50 × 4 = $48, but $12.50 × 4 = 50');
    assertFlags('Two tickets cost €7.25 + €7.25 = €15.');
    assertFlags('He pays $3 + $4 = $8 in total.');
  });

  test('a wrong second link of a chain', () => {
    const r = check('Total = (4 + 6) × 3 = 10 × 3 = 33.');
    assert.equal(r.verdict, 'incorrect');
    assert.deepEqual(
      r.claims.map((c) => [c.text, c.ok]),
      [
        ['(4 + 6) × 3 = 10 × 3', true],
        ['10 × 3 = 33', false],
      ],
    );
    assert.equal(r.reason, '10 × 3 = 33, but 10 × 3 = 30');
  });

  test('expression against expression', () => {
    assertFlags('(2 + 5) × 3 = 7 × 4', '(2 + 5) × 3 = 7 × 4, but the left side is 21 and the right side is 28');
  });

  test('numbers with thousands separators, decimals and units', () => {
    assertFlags('1,250 + 2,500 = 3,850', '1,250 + 2,500 = 3,850, but 1,250 + 2,500 = 3,750');
    assertFlags('0.25 × 8 = 2.5', '0.25 × 8 = 2.5, but 0.25 × 8 = 2');
    assertFlags('12 apples × 3 = 32 apples');
    assertFlags('5 km + 3 km = 9 km');
  });

  test('a written number on the left of the computation', () => {
    assertFlags('74 = 12 × 7', '74 = 12 × 7, but 12 × 7 = 84');
  });

  test('a running computation that starts from a wrong number', () => {
    assertFlags('5 + 3 = 9 × 2 = 18', '5 + 3 = 9, but 5 + 3 = 8');
  });

  test('roots and rounding that does not match the written decimals', () => {
    assertFlags('√50 = 7', '√50 = 7, but √50 ≈ 7.0711');
    assertFlags('10/3 = 3.4', '10/3 = 3.4, but 10/3 ≈ 3.3333');
    assertFlags('7/2 = 3', '7/2 = 3, but 7/2 = 3.5');
    assertFlags('0.5 + 0.25 = 0.85');
  });

  test('a letter the step itself defines', () => {
    assertFlags('Let x = 3, so 2x + 1 = 8.', '2x + 1 = 8, but 2x + 1 = 7');
  });

  test('unit symbols and compound units', () => {
    assertFlags('The total time is 2 h + 1.5 h = 4.5 h.', '2 h + 1.5 h = 4.5 h, but 2 h + 1.5 h = 3.5');
    // Measured data gets 1% of slack; this is 2% off.
    assertFlags('The speed is 330 / 3.5 = 92.29 km/h.', '330 / 3.5 = 92.29 km/h, but 330 / 3.5 ≈ 94.2857');
    // Not measured: the shown digits must be the quotient rounded (or cut), not merely close to it.
    assertFlags('The speed is 330 / 35 = 9.49 km/h.', '330 / 35 = 9.49 km/h, but 330 / 35 ≈ 9.4286');
    assertFlags('5 m/s × 3 = 16 m/s');
  });
});

describe('correct arithmetic passes', () => {
  test('plain text and LaTeX', () => {
    assertPasses('So 12 * 7 = 84 apples.');
    assertPasses('0.1 + 0.2 = 0.3');
    assertPasses('$\\frac{3}{4} \\times \\frac{2}{3} = \\frac{1}{2}$');
    assertPasses('$\\sqrt{144} = 12$ and $\\sqrt[3]{27} = 3$');
    assertPasses('$2^{10} = 1024$');
    assertPasses('$3(4 + 5) = 27$');
    assertPasses('$(2)(3)(4) = 24$');
    assertPasses('$\\frac{3}{4} = 0.75$');
    assertPasses('$\\binom{7}{3} = 35$');
    assertPasses('$27^{2/3} = 9$');
    assertPasses('$2\\sqrt{2} \\cdot \\sqrt{2} = 4$');
    assertPasses('The answer is $\\boxed{6 \\times 7 = 42}$.');
    assertPasses('4 ÷ 0.5 = 8');
    assertPasses('−3 − 4 = −7');
    assertPasses('5² + 12² = 13²');
  });

  test('Markdown, bullets, GSM8K calculator notes and emoji around the arithmetic', () => {
    assert.equal(check('- $-6 + 17 = 11$').claims[0].text, '-6 + 17 = 11');
    assert.equal(verdictOf('- $-6 + 17 = 11$'), 'correct');
    assertPasses('**Step 2.** 9 × 9 = 81');
    assertPasses('He baked 36/3 = <<36/3=12>>12 pies.');
    assertPasses('We check $x=5$: $2(5)+1 = 11$. ✓');
    assertPasses('✅ 3 + 3 = 6');
  });

  test('chains, including running computations', () => {
    const r = check('Let us compute B = (-7 - 4 - 0) = (-7 - 4) = -11.');
    assert.equal(r.verdict, 'correct');
    assert.equal(r.reason, '2 arithmetic claims check out');
    assert.equal(check('5 + 3 = 8 × 2 = 16').claims.length, 2);
    assertPasses('2 + 3 = 5 = 10 / 2');
    assertPasses('$$\n(1+2)^2\n= 9\n$$');
    assert.equal(check('\\begin{align*} 2 + 3 &= 5 \\\\ &= 10 - 5 \\end{align*}').claims.length, 2);
  });

  test('percentages, both readings of a result written as a percentage', () => {
    assertPasses('20% of 50 = 10');
    assertPasses('10/50 × 100 = 20%');
    assertPasses('10/50 = 20%');
    assertPasses('0.35 = 35%');
    assertPasses('\\(15\\% \\times 200 = 30\\)');
    assertPasses('1/3 × 100 = 33%');
    assertPasses('Two thirds of them: 2/3 of 90 = 60 people.');
    assertPasses('The tax is 8 percent of 25 = 2 dollars.');
  });

  test('currency, thousands separators and units', () => {
    assertPasses('He earns $12.50 × 8 = $100 per day.');
    assertPasses('\\$1,200 - \\$350 = \\$850');
    assertPasses('1,000,000 + 250,000 = 1,250,000');
    assertPasses('12 apples × 3 = 36 apples');
    assertPasses('5 km + 3 km = 8 km');
    assertPasses('3 boxes × 4 = 12');
    assertPasses('The rug is 4 by 5, so it covers 4 x 5 = 20 square feet.');
    assertPasses('$180^\\circ - 90^\\circ - 35^\\circ = 55^\\circ$');
    assertPasses('25 cm^2 × 4 = 100 cm^2');
  });

  test('rounding to the written decimals, announced or not', () => {
    assertPasses('10/3 = 3.33');
    assertPasses('2/3 = 0.67');
    assertPasses('2/3 = 0.66');
    assertPasses('0.33 = 1/3');
    assertPasses('√2 = 1.414');
    assertPasses('22/7 ≈ 3.14');
    assertPasses('100/7 ≈ 14');
    assertPasses('So 100/7 = 14 after rounding to the nearest whole number.');
    assertPasses('It is approximately 19.9 / 4 = 5.');
    assertPasses('The speed is 50 / 3 = about 16.7 km per hour.');
    assertPasses('π × 3^2 ≈ 28.27');
    assertPasses('1.496 × 10^8 × 2 = 3.0 × 10^8');
  });

  test('unit symbols and compound units: the showcase example checks out', () => {
    assertPasses('The total time is 2 h + 1.5 h = 3.5 h.');
    assertPasses('The average speed is total distance over total time: 330 / 3.5 = 94.29 km/h, about 94.3 km/h.');
    assertPasses('The speed is 330 / 35 = 9.43 km/h.');
    assertPasses('9.8 m/s^2 × 2 = 19.6 m/s^2');
    assertPasses('12 m × 3 = 36 m');
    assertPasses('The molar mass is 56 g/mol + 16 g/mol = 72 g/mol.');
  });

  test('measured quantities quoted to a few figures', () => {
    assertPasses('The ratio is 4.13 / 1.37 = 3.');
    assertPasses('The mass is 150 / 0.4536 = 331 pounds.');
  });

  test('a letter the step itself defines', () => {
    assertPasses('Let x = 3, so 2x + 1 = 7.');
    assertPasses('With n = 12 / 4, n^2 = 9.');
  });

  test('modular arithmetic equal modulo the modulus of the problem', () => {
    assert.equal(verdictOf('So 7 + 9 = 6 and 4 × 4 = 6.', 'Work in the integers modulo 10.'), 'correct');
    assert.equal(verdictOf('So 7 + 9 = 5.', 'Work in the integers modulo 10.'), 'incorrect');
    assert.equal(verdictOf('So 7 + 9 = 5.', 'Which residues are congruent?'), 'unknown');
  });
});

describe('nothing checkable: unknown, never a pass or a flag', () => {
  test('no numbers, no equations', () => {
    assertUnknown('We need to find how many apples are left.');
    assertUnknown('');
    assertUnknown('The answer is 42.');
  });

  test('equations with unknowns', () => {
    assertUnknown('We solve 2x + 3 = 11.');
    assertUnknown('$3p + e = 1.24$ and $5p + e = 1.82$');
    assertUnknown('Then y = mx + b = 2m + 5.');
    assertUnknown('f(2) = 4a + 1');
  });

  test('dates, times, ranges, ratios, lists, versions', () => {
    assertUnknown('On 2024-01-05 = a Friday, she started.');
    assertUnknown('From 3:45 + 15 = 4:00 the store is open.');
    assertUnknown('It takes 3-5 days = 4 days on average.');
    assertUnknown('The ratio is 3 : 4 = 6 : 8.');
    assertUnknown('The ratio is 3:4 = 0.75.');
    assertUnknown('The values (7-4), (9-4) = 3, 5 are the differences.');
    assertUnknown('Version 1.2.3 = 4');
    assertUnknown('Points (3,4) = 5 units apart.');
    assertUnknown('Using decimal commas, 1,5 + 2 = 3,5.');
  });

  test('step labels and enumerations are not part of the arithmetic', () => {
    assert.deepEqual(
      check('Step 3: 4 + 5 = 9').claims.map((c) => c.text),
      ['4 + 5 = 9'],
    );
    assert.deepEqual(
      check('2. 6 × 7 = 42').claims.map((c) => c.text),
      ['6 × 7 = 42'],
    );
    assert.equal(verdictOf('Step 3 = 4'), 'unknown');
  });

  test('numbers that are part of words around the expression', () => {
    assertUnknown('5 times 3 + 1 = 16');
    assertUnknown('5 squared + 1 = 26');
    assertUnknown('half of 10 + 2 = 7');
    assertUnknown('3 out of 4 = 75%');
    assertUnknown('1 in 4 = 25%');
    assertUnknown('1 1/2 + 1/2 = 2');
    assertUnknown('$2 \\frac{1}{2} + \\frac{1}{2} = 3$');
    assertUnknown('The 3rd term + 2 = 9');
    assertUnknown('Take 2x3 = 6 blocks.');
  });

  test('one-letter unit symbols that may be variables', () => {
    // "3 m" may be 3·m: 2 × 3m = 12 solves for m, and 3m + 2 = 5m is an equation.
    assertUnknown('2 × 3 m = 12');
    assertUnknown('3 m + 2 = 5 m');
    assertUnknown('2 m × 3 m = 6 m');
    assertUnknown('2 m + 3 m = 5 m^2');
    assertUnknown('60 km/h × 2 = 120 km');
  });

  test('conversions and units that do not match', () => {
    assertUnknown('1 hour = 60 minutes');
    assertUnknown('2 hours × 60 = 120 minutes');
    assertUnknown('1.5 hours + 30 minutes = 2 hours');
    assertUnknown('500,000 + 1.5 million = 2 million');
    assertUnknown('90° = π/2');
    assert.deepEqual(
      check('2 hours = 2 × 60 = 120 minutes').claims.map((c) => c.text),
      ['2 × 60 = 120 minutes'],
    );
  });

  test('inequalities, approximate readings and unreadable notation', () => {
    assertUnknown('2 + 2 < 5');
    assertUnknown('5! = 121');
    assertUnknown('-3^2 = 9');
    assertUnknown('6/2(1+2) = 1');
    assertUnknown('120/1/6 = 720');
    assertUnknown('|−3| = 4');
    assertUnknown('$x^2 = 4$, so $\\log 100 = 2$.');
    assertUnknown('17 ≡ 2 (mod 5)');
    assertUnknown('3.0e5 = 300000');
    assertUnknown('$\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} = \\frac{5}{6}$');
    assertUnknown('Profit π = 3');
  });

  test('equalities the step tests, supposes or rejects', () => {
    assertUnknown('Is 13^2 + 15^2 = 20^2?');
    assertUnknown('Plugging in gives 1 = 3 + 4, which is false.');
    assertUnknown('Suppose 2 + 2 = 5.');
    assertUnknown('Either b = 1 or b^2 + b - 6 = 0.');
    assertUnknown('250 ÷ 70 = 3 with a remainder of 40.');
    assertUnknown('So 7 ÷ 2 = 3 R1.');
    assertUnknown('The mixed number is 11/3 = 3 and 2/3.');
    assertUnknown('Half of them: 7/2 = 3 and a half.');
    assertUnknown('Each group gets 10/3 = 3 or 4 members.');
  });

  test('other bases and modular arithmetic without a modulus', () => {
    assertUnknown('101 + 11 = 1000 in base 2');
    assertUnknown('$47_8 - 15_8 = 32_8$');
    assert.equal(verdictOf('Then 9 + 6 = 3.', 'Find the residue of the sum.'), 'unknown');
    assert.equal(verdictOf('Then 9 + 6 = 16.', 'Write the answer in base 10.'), 'incorrect');
  });
});

describe('claim records', () => {
  test('exact UTF-16 offsets, normalized expressions and values', () => {
    const text = 'First, 😀 12 × 7 = 74; then 3 + 4 = 7.';
    const r = check(text);
    assert.equal(r.claims.length, 2);
    const [a, b] = r.claims;
    assert.deepEqual(
      { start: a.start, end: a.end, expression: a.expression, asserted: a.asserted, computed: a.computed, ok: a.ok },
      { start: 10, end: 21, expression: '12 × 7', asserted: '74', computed: '84', ok: false },
    );
    assert.equal(a.assertedValue, '74');
    assert.deepEqual([b.start, b.end, b.text, b.ok, b.match], [28, 37, '3 + 4 = 7', true, 'exact']);
  });

  test('offsets inside LaTeX skip the math delimiters', () => {
    const text = 'So $\\frac{6}{4} = 1.5$.';
    const [c] = check(text).claims;
    assert.equal(c.text, '\\frac{6}{4} = 1.5');
    assert.equal(c.expression, '6/4');
    assert.equal(c.computed, '1.5');
  });

  test('how passing claims matched', () => {
    assert.equal(check('10/3 = 3.33').claims[0].match, 'rounded');
    assert.equal(check('22/7 ≈ 3.1').claims[0].match, 'rounded');
    assert.equal(check('99 / 10 ≈ 10').claims[0].match, 'rounded');
    assert.equal(check('4.13 / 1.37 = 3').claims[0].match, 'approximate');
    assert.equal(check('5 + 3 = 8 × 2 = 16').claims[0].match, 'running');
    assert.equal(check('7 + 9 = 6', 'Work modulo 10.').claims[0].match, 'congruent');
  });

  test('corrections are written like the claim', () => {
    assert.equal(check('1/2 + 1/3 = 2/5').reason, '1/2 + 1/3 = 2/5, but 1/2 + 1/3 = 5/6');
    assert.equal(check('1/2 + 1/3 = 0.9').reason, '1/2 + 1/3 = 0.9, but 1/2 + 1/3 ≈ 0.8333');
    assert.equal(check('2.5 × 4 = 11').reason, '2.5 × 4 = 11, but 2.5 × 4 = 10');
    assert.equal(check('12,000 + 500 = 13,000').reason, '12,000 + 500 = 13,000, but 12,000 + 500 = 12,500');
    assert.equal(check('10 ÷ 4 = 2').reason, '10 ÷ 4 = 2, but 10 ÷ 4 = 2.5');
    assert.equal(check('2^100 = 5').reason, '2^100 = 5, but 2^100 ≈ 1.2677 × 10^30');
    assert.equal(check('22/7 ≈ 3.5').reason, '22/7 ≈ 3.5, but 22/7 ≈ 3.1429');
  });

  test('several wrong claims are counted in the reason', () => {
    const r = check('2 + 2 = 5 and 3 + 3 = 7 and 4 + 4 = 9');
    assert.equal(r.reason, '2 + 2 = 5, but 2 + 2 = 4 (and 2 more wrong claims)');
    assert.equal(r.claims.filter((c) => !c.ok).length, 3);
  });

  test('huge and undefined values are not checked', () => {
    assertUnknown('10^100000 = 1');
    assertUnknown('5 / 0 = 0');
    assertUnknown('$\\sqrt{-4} = 2$');
  });
});
