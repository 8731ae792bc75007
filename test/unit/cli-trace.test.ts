import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The CLI contract for long reasoning traces, run as users run it: the bundled dist/cli.js in a child process.
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Span {
  start: number;
  end: number;
}
interface Out {
  parts: (Span & { kind: string })[];
  sections: (Span & { index: number; kind: string; firstStep: number; lastStep: number })[];
  steps: (Span & { index: number; text: string; part: string; section: number | null })[];
}

function segmentJson(file: string): Out {
  const r = run('segment', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Out;
}

describe('prm-lens on long reasoning traces', () => {
  let dir = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-trace-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('segment --json: parts and sections cover exactly, and every offset slices the right text', () => {
    const file = path.join(dir, 'trace.md');
    const text =
      '## Problem\n\n😀 Add 2 and 3.\n\n<think>\r\nTry 2 + 3 = 5.\r\n\r\nWait, check: 3 + 2 = 5.\r\n\r\n' +
      'Alternatively, count up.\r\n</think>\r\n\r\nThe answer is 5.';
    writeFileSync(file, text);
    const out = segmentJson(file);
    assert.deepEqual(
      out.parts.map((p) => [p.kind, text.slice(p.start, p.end)]),
      [
        ['thinking', 'Try 2 + 3 = 5.\r\n\r\nWait, check: 3 + 2 = 5.\r\n\r\nAlternatively, count up.'],
        ['answer', 'The answer is 5.'],
      ],
    );
    assert.deepEqual(
      out.sections.map((s) => [s.index, s.kind, s.firstStep, s.lastStep, text.slice(s.start, s.end)]),
      [
        [0, 'attempt', 0, 0, 'Try 2 + 3 = 5.'],
        [1, 'verification', 1, 1, 'Wait, check: 3 + 2 = 5.'],
        [2, 'strategy-shift', 2, 2, 'Alternatively, count up.'],
      ],
    );
    assert.deepEqual(
      out.steps.map((s) => [s.index, s.part, s.section, text.slice(s.start, s.end) === s.text]),
      [
        [0, 'thinking', 0, true],
        [1, 'thinking', 1, true],
        [2, 'thinking', 2, true],
        [3, 'answer', null, true],
      ],
    );
  });

  test('segment --json on the example: sections cover every thinking step exactly once, in order', () => {
    const file = path.join(root, 'examples', 'long-trace.md');
    const text = readFileSync(file, 'utf8');
    const out = segmentJson(file);
    const thinking = out.steps.filter((s) => s.part === 'thinking');
    const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, k) => first + k);
    const covered = out.sections.flatMap((s) => range(s.firstStep, s.lastStep));
    assert.deepEqual(
      covered,
      thinking.map((s) => s.index),
    );
    for (const p of out.parts) assert.ok(!text.slice(p.start, p.end).includes('think>'), 'tags are outside the parts');
  });

  test('a file without thinking has one answer part and no sections', () => {
    const out = segmentJson(path.join(root, 'examples', 'arithmetic-slip.md'));
    assert.deepEqual(
      out.parts.map((p) => p.kind),
      ['answer'],
    );
    assert.deepEqual(out.sections, []);
    assert.ok(out.steps.every((s) => s.part === 'answer' && s.section === null));
    const r = run('segment', path.join(root, 'examples', 'arithmetic-slip.md'));
    assert.doesNotMatch(r.stdout, /^(parts|sections):/m);
    assert.match(r.stdout, /^idx +start +end +text$/m);
  });

  test('segment without --json shows parts and sections compactly', () => {
    const r = run('segment', path.join(root, 'examples', 'long-trace.md'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^parts: thinking \d+-\d+ \(36 steps\), answer \d+-\d+ \(2 steps\)$/m);
    assert.match(r.stdout, /^sections: 0 attempt 0-7 · 1 verification 8-9 · /m);
  });

  test('score on the example trace: the checker flags the early slip, not the tags', () => {
    const r = run('score', path.join(root, 'examples', 'long-trace.md'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Out & { critics: { firstError: number; steps: { reason: string }[] }[] };
    assert.equal(out.critics[0].firstError, 4);
    assert.match(out.critics[0].steps[4].reason, /28 × 19 = 522 square metres, but 28 × 19 = 532/);
    assert.equal(out.steps[4].part, 'thinking');
    assert.ok(out.steps.every((s) => !s.text.includes('<think>') && !s.text.includes('</think>')));
  });
});

describe('prm-lens on chat transcripts', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-transcript-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const conversation = [
    { role: 'user', content: 'What is 3 × 4?' },
    { role: 'assistant', content: 'It is 12.', reasoning_content: '3 × 4 = 13.\n\nWait, 3 × 4 = 12.' },
  ];

  for (const [name, body] of [
    ['chat.json', JSON.stringify({ choices: [{ message: conversation[1] }] })],
    ['chat.jsonl', conversation.map((m) => JSON.stringify(m)).join('\n')],
  ]) {
    test(`segment --json on ${name}: offsets slice the included trace text`, () => {
      const file = path.join(dir, name);
      writeFileSync(file, body);
      const r = run('segment', file, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Out & { text: string };
      assert.deepEqual(
        out.steps.map((s) => [s.part, s.section, out.text.slice(s.start, s.end)]),
        [
          ['thinking', 0, '3 × 4 = 13.'],
          ['thinking', 1, 'Wait, 3 × 4 = 12.'],
          ['answer', null, 'It is 12.'],
        ],
      );
    });
  }

  test('score on a transcript: the checker sees the reasoning steps', () => {
    const file = path.join(dir, 'scored.jsonl');
    writeFileSync(file, conversation.map((m) => JSON.stringify(m)).join('\n'));
    const r = run('score', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { critics: { firstError: number }[] }).critics[0].firstError, 0);
  });

  test('a .json file that is not a transcript is bad input (exit 2)', () => {
    const file = path.join(dir, 'other.json');
    writeFileSync(file, '{"question": "q"}');
    const r = run('segment', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /other\.json: not a chat transcript: not a chat message/);
  });
});
