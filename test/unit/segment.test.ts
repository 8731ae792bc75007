import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitProblem } from '../../src/core/segment/document';
import { segment } from '../../src/core/segment/segment';
import type { Segmentation, SegmentOptions } from '../../src/core/segment/types';

/** Segments and checks the invariants every result must satisfy: exact slices, tight spans, 0..n-1 indices. */
function seg(text: string, options?: SegmentOptions, base = 0): Segmentation {
  const result = segment(text, options, base);
  result.steps.forEach((s, i) => {
    assert.equal(s.index, i);
    assert.equal(text.slice(s.start - base, s.end - base), s.text);
    assert.equal(s.text, s.text.trim());
    assert.ok(s.text.length > 0);
  });
  return result;
}

/** [start, end, text] triples, for exact expectations. */
const spans = (r: Segmentation): [number, number, string][] => r.steps.map((s) => [s.start, s.end, s.text]);

describe('paragraphs', () => {
  test('blank lines separate steps; spans are tight', () => {
    const r = seg('  First step.\n\n\nSecond\nstill second.  \n \t\nThird', { strategy: 'paragraphs' });
    assert.deepEqual(spans(r), [
      [2, 13, 'First step.'],
      [16, 36, 'Second\nstill second.'],
      [42, 47, 'Third'],
    ]);
    assert.equal(r.strategy, 'paragraphs');
    assert.equal(r.requested, 'paragraphs');
  });

  test('CRLF: \\r\\n\\r\\n separates paragraphs and offsets stay exact', () => {
    const text = 'Step A\r\nmore\r\n\r\nStep B\r\n';
    assert.deepEqual(spans(seg(text, { strategy: 'paragraphs' })), [
      [0, 12, 'Step A\r\nmore'],
      [16, 22, 'Step B'],
    ]);
  });

  test('baseOffset shifts every span', () => {
    assert.deepEqual(spans(seg('a\n\nb', { strategy: 'paragraphs' }, 100)), [
      [100, 101, 'a'],
      [103, 104, 'b'],
    ]);
  });

  test('no split inside a fenced code block (backticks with info string, indented, or tildes)', () => {
    const text = 'Intro\n\n   ```python title="x"\ndef f():\n\n    return 1\n   ```\n\n~~~~\na\n\nb\n~~~~\n\nEnd';
    const r = seg(text, { strategy: 'paragraphs' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      ['Intro', '```python title="x"\ndef f():\n\n    return 1\n   ```', '~~~~\na\n\nb\n~~~~', 'End'],
    );
  });

  test('a closing fence must be at least as long as the opener; an unclosed fence runs to the end', () => {
    const r = seg('A\n\n````\nx\n```\n\ny\n````\n\nB\n\n```\nopen\n\nstill open', { strategy: 'paragraphs' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      ['A', '````\nx\n```\n\ny\n````', 'B', '```\nopen\n\nstill open'],
    );
  });

  test('no split inside $$…$$, \\[…\\] or \\begin{align}…\\end{align}', () => {
    const text =
      'P1\n\n$$\na\n\nb\n$$\n\n\\[\nc\n\nd\n\\]\n\n\\begin{align}\ne &= 1 \\\\\n\n\\begin{align}x\\end{align}\nf\n\\end{align}\n\nP5';
    assert.deepEqual(
      seg(text, { strategy: 'paragraphs' }).steps.map((s) => s.text),
      [
        'P1',
        '$$\na\n\nb\n$$',
        '\\[\nc\n\nd\n\\]',
        '\\begin{align}\ne &= 1 \\\\\n\n\\begin{align}x\\end{align}\nf\n\\end{align}',
        'P5',
      ],
    );
  });

  test('an unclosed or escaped $$ does not protect anything', () => {
    assert.deepEqual(
      seg('costs \\$$5\n\nnext $$ no close\n\nlast', { strategy: 'paragraphs' }).steps.map((s) => s.text),
      ['costs \\$$5', 'next $$ no close', 'last'],
    );
  });
});

describe('lines', () => {
  test('one step per non-empty line, CRLF included', () => {
    assert.deepEqual(spans(seg('a\r\n\r\n  b  \r\nc', { strategy: 'lines' })), [
      [0, 1, 'a'],
      [7, 8, 'b'],
      [12, 13, 'c'],
    ]);
  });

  test('a fenced block or display math stays in one step', () => {
    const r = seg('x = 1\n```\ncode 1\ncode 2\n```\nwe get $$\ny\n$$ done\nz', { strategy: 'lines' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      ['x = 1', '```\ncode 1\ncode 2\n```', 'we get $$\ny\n$$ done', 'z'],
    );
  });
});

describe('numbered', () => {
  test('all "Step N" marker forms start steps; text before the first marker is its own step', () => {
    const text = [
      'Let us solve it.',
      'Step 1: a',
      'Step 2. b',
      '**Step 3**',
      'c',
      '**Step 4:** d',
      '## Step 5',
      '### Step 6: e',
      'step 7 f',
    ].join('\n');
    const r = seg(text, { strategy: 'numbered' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      [
        'Let us solve it.',
        'Step 1: a',
        'Step 2. b',
        '**Step 3**\nc',
        '**Step 4:** d',
        '## Step 5',
        '### Step 6: e',
        'step 7 f',
      ],
    );
    assert.deepEqual(r.steps[1]!.start, 17);
  });

  test('"N." and "N)" list markers when there is no "Step N" marker; "3.5" is not a marker', () => {
    const r = seg('1. first\n3.5 is a number\n2) second\n10. tenth', { strategy: 'numbered' });
    assert.deepEqual(spans(r), [
      [0, 24, '1. first\n3.5 is a number'],
      [25, 34, '2) second'],
      [35, 44, '10. tenth'],
    ]);
  });

  test('"Step N" markers win over a numbered list inside a step', () => {
    const r = seg('Step 1: cases\n1. a\n2. b\nStep 2: done', { strategy: 'numbered' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      ['Step 1: cases\n1. a\n2. b', 'Step 2: done'],
    );
  });

  test('markers inside a code fence do not start steps; markers indented 4+ spaces do not either', () => {
    const r = seg('Step 1: a\n```\nStep 2: in code\n```\n    Step 3: indented\nStep 4: b', { strategy: 'numbered' });
    assert.deepEqual(
      r.steps.map((s) => s.text),
      ['Step 1: a\n```\nStep 2: in code\n```\n    Step 3: indented', 'Step 4: b'],
    );
  });
});

describe('tags', () => {
  test('Math-Shepherd " ки" (and "ки" without the space) ends steps; the tag is not part of a step', () => {
    const text = 'Step 1: 2+2=4 ки\nStep 2: so 4ки\nStep 3: trailing text';
    assert.deepEqual(spans(seg(text, { strategy: 'tags' })), [
      [0, 13, 'Step 1: 2+2=4'],
      [17, 29, 'Step 2: so 4'],
      [32, 53, 'Step 3: trailing text'],
    ]);
  });

  test('"ки" inside a Cyrillic word is not a tag', () => {
    assert.deepEqual(
      seg('Задачки и кино ки Второй ки', { strategy: 'tags' }).steps.map((s) => s.text),
      ['Задачки и кино', 'Второй'],
    );
  });

  test('options.tag overrides the tag', () => {
    assert.deepEqual(spans(seg('a <END>b<END> ки', { strategy: 'tags', tag: '<END>' })), [
      [0, 1, 'a'],
      [7, 8, 'b'],
      [14, 16, 'ки'],
    ]);
  });

  test('an empty tag is an error', () => {
    assert.throws(() => segment('a', { strategy: 'tags', tag: '' }), /non-empty tag/);
  });
});

describe('regex', () => {
  test('each match starts a step and belongs to it; the m flag is on', () => {
    assert.deepEqual(spans(seg('pre\n## A\nx\n## B\ny', { strategy: 'regex', regex: '^## ' })), [
      [0, 3, 'pre'],
      [4, 10, '## A\nx'],
      [11, 17, '## B\ny'],
    ]);
  });

  test('a zero-width pattern works and a match inside display math does not split', () => {
    assert.deepEqual(
      seg('Then $$\nThen x\n$$\nThen y', { strategy: 'regex', regex: '(?=Then)' }).steps.map((s) => s.text),
      ['Then $$\nThen x\n$$', 'Then y'],
    );
  });

  test('a step may start exactly where a protected block starts', () => {
    assert.deepEqual(
      seg('intro\n```\ncode\n```\nafter', { strategy: 'regex', regex: '^```$' }).steps.map((s) => s.text),
      ['intro', '```\ncode\n```\nafter'],
    );
  });

  test('an invalid pattern throws an Error naming the pattern and the reason', () => {
    assert.throws(() => segment('x', { strategy: 'regex', regex: '(unclosed' }), {
      message: 'Invalid step regex "(unclosed": Unterminated group',
    });
    assert.throws(() => segment('x', { strategy: 'regex' }), /regex strategy needs a non-empty pattern/);
  });
});

describe('unicode offsets', () => {
  const text = 'Step 1: 😀 🧮 x² = 4\n\nStep 2: 第二步：计算 ∑\n\nStep 3: Cafe\u0301 na\u0308ive 👩‍👩‍👧\n\n🎉';
  for (const strategy of ['paragraphs', 'lines', 'numbered', 'regex', 'auto'] as const) {
    test(`${strategy}: emoji, CJK and combining marks keep exact UTF-16 offsets`, () => {
      const r = seg(text, { strategy, regex: '第' });
      assert.ok(r.steps.length >= 2);
    });
  }

  test('exact spans with surrogate pairs', () => {
    assert.deepEqual(spans(seg(text, { strategy: 'paragraphs' })), [
      [0, 20, 'Step 1: 😀 🧮 x² = 4'],
      [22, 38, 'Step 2: 第二步：计算 ∑'],
      [40, 69, 'Step 3: Cafe\u0301 na\u0308ive 👩‍👩‍👧'],
      [71, 73, '🎉'],
    ]);
  });

  test('tags after emoji', () => {
    assert.deepEqual(spans(seg('😀 ки🎉 ки', { strategy: 'tags' })), [
      [0, 2, '😀'],
      [5, 7, '🎉'],
    ]);
  });
});

describe('auto', () => {
  const cases: [string, string, string, RegExp, number][] = [
    ['tags win', 'Step 1: a ки\n\nStep 2: b ки', 'tags', /2 step tags " ки"/, 2],
    ['"Step N" markers', 'Step 1: a\nStep 2: b\n\nmore of 2', 'numbered', /2 "Step N" markers/, 2],
    ['paragraphs', 'Para 1\n\nPara 2\n1. a\n2. b', 'paragraphs', /2 blank-line separated paragraphs/, 2],
    ['list without blank lines', '1. a\n2. b\n3. c', 'numbered', /3 numbered-list markers and no blank lines/, 3],
    ['one marker, no blank lines', 'Step 1: a\nb\nc', 'lines', /one step per line/, 3],
    ['blank lines only inside a fence', 'a\n```\n\n```', 'lines', /one step per line/, 2],
  ];
  for (const [name, text, strategy, reason, count] of cases) {
    test(name, () => {
      const r = seg(text);
      assert.equal(r.requested, 'auto');
      assert.equal(r.strategy, strategy);
      assert.match(r.reason, reason);
      assert.equal(r.steps.length, count);
    });
  }

  test('a custom tag is what auto looks for', () => {
    const r = seg('a<s>b<s>', { tag: '<s>' });
    assert.equal(r.strategy, 'tags');
    assert.match(r.reason, /2 step tags "<s>"/);
  });

  test('an unknown strategy is an error naming the valid ones', () => {
    assert.throws(
      () => segment('a', { strategy: 'sentences' as never }),
      /Unknown segmentation strategy "sentences"; expected one of auto, paragraphs/,
    );
  });

  test('empty and whitespace-only text give no steps', () => {
    assert.deepEqual(seg('').steps, []);
    assert.deepEqual(seg(' \n\r\n\t').steps, []);
  });
});

describe('splitProblem', () => {
  /** The parts must be exact slices of the file. */
  function split(text: string) {
    const doc = splitProblem(text);
    assert.equal(text.slice(doc.problemStart, doc.problemEnd), doc.problem);
    assert.equal(text.slice(doc.solutionStart), doc.solution);
    return doc;
  }

  test('"Problem:" … "Solution:" with text on the heading lines', () => {
    const text = 'Problem: What is 2+2?\nShow work.\nSolution: Add them.\n\nIt is 4.';
    assert.deepEqual(split(text), {
      problem: 'What is 2+2?\nShow work.',
      problemStart: 9,
      problemEnd: 32,
      solutionStart: 43,
      solution: 'Add them.\n\nIt is 4.',
    });
  });

  test('leading blank lines, a "# Title", bold headings', () => {
    const text = '\n\n# Homework 3\n\n**Problem:** Find x.\n\nGiven x+1=2.\n\n**Solution:**\nx = 1.\n';
    const doc = split(text);
    assert.equal(doc.problem, 'Find x.\n\nGiven x+1=2.');
    assert.equal(doc.problemStart, text.indexOf('Find'));
    assert.equal(doc.solution, 'x = 1.\n');
    assert.equal(doc.solutionStart, text.indexOf('x = 1.'));
  });

  test('Markdown headings "## Problem" / "# Solution", CRLF', () => {
    const text = '## Problem\r\n\r\nCompute 3·3.\r\n\r\n# Solution\r\n\r\nStep 1: 9.\r\n';
    const doc = split(text);
    assert.equal(doc.problem, 'Compute 3·3.');
    assert.equal(doc.solution, 'Step 1: 9.\r\n');
  });

  test('without a solution heading the problem ends at the first blank line after its text', () => {
    const text = 'Problem:\n\nFind y.\n\nStep 1: y = 2.\n\nStep 2: done.';
    assert.deepEqual(split(text), {
      problem: 'Find y.',
      problemStart: 10,
      problemEnd: 17,
      solutionStart: 19,
      solution: 'Step 1: y = 2.\n\nStep 2: done.',
    });
  });

  test('a problem section with nothing after it has an empty solution at the end of the file', () => {
    const text = '# Problem\nOnly a problem.';
    assert.deepEqual(split(text), {
      problem: 'Only a problem.',
      problemStart: 10,
      problemEnd: 25,
      solutionStart: 25,
      solution: '',
    });
  });

  test('no problem section: the whole file is the solution', () => {
    for (const text of ['# Title\n\nStep 1: x\n\nProblem: late heading', 'The problem is hard.\n\nSolution: no', '']) {
      assert.deepEqual(split(text), { problem: '', problemStart: 0, problemEnd: 0, solutionStart: 0, solution: text });
    }
  });

  test('segmenting the solution with solutionStart gives offsets into the file', () => {
    const text = 'Problem: 😀 Sum 1..3?\nSolution:\n1+2 = 3 ки\n3+3 = 6 ки';
    const doc = split(text);
    const steps = segment(doc.solution, { strategy: 'auto' }, doc.solutionStart).steps;
    assert.deepEqual(
      steps.map((s) => text.slice(s.start, s.end)),
      ['1+2 = 3', '3+3 = 6'],
    );
  });
});

describe('newline-split (Skywork: Python\'s split("\\n"))', () => {
  test('every segment is a step with its exact span: empty ones, whitespace and \\r kept; display math split', () => {
    const text = 'a = 1\n\n  b = 2 \r\n\\[\nx\n\\]\n';
    const r = segment(text, { strategy: 'newline-split' }, 10);
    assert.equal(r.strategy, 'newline-split');
    assert.deepEqual(spans(r), [
      [10, 15, 'a = 1'],
      [16, 16, ''],
      [17, 26, '  b = 2 \r'],
      [27, 29, '\\['],
      [30, 31, 'x'],
      [32, 34, '\\]'],
      [35, 35, ''],
    ]);
    assert.deepEqual(
      r.steps.map((s) => s.text),
      text.split('\n'),
    );
    r.steps.forEach((s, i) => assert.equal(s.index, i));
  });

  test('auto never picks it; text without a newline is one step', () => {
    assert.notEqual(segment('a\n\nb').strategy, 'newline-split');
    assert.deepEqual(spans(segment('', { strategy: 'newline-split' })), [[0, 0, '']]);
  });
});
