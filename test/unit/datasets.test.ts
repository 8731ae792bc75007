import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputFileError } from '../../src/core/datasets/files';
import { readDataset } from '../../src/core/datasets/read';
import type { SubsetReport } from '../../src/core/datasets/subsets';
import { readResults, writeResultsAtomic } from '../../src/core/datasets/results';
import type { DatasetItem, InputIssue, ResultRecord } from '../../src/core/datasets/types';

// Compiled tests run from out/test/unit; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'datasets');
const fixture = (name: string): string => join(FIXTURES, name);

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function readAll(file: string, signal?: AbortSignal): Promise<{ items: DatasetItem[]; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const items = await collect(readDataset(file, { onIssue: (i) => issues.push(i), ...(signal ? { signal } : {}) }));
  return { items, issues };
}

/** Issues as compact "position field" keys, to compare against hand-made lists. */
const keys = (issues: InputIssue[]): string[] =>
  issues.map(
    (i) => `${i.line !== undefined ? `L${i.line}` : ''}${i.index !== undefined ? `#${i.index}` : ''} ${i.field ?? '-'}`,
  );

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prm-lens-datasets-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('readDataset: JSON lines', () => {
  test('bad lines are reported with line and field; every good record is yielded', async () => {
    const file = fixture('mini.jsonl');
    const { items, issues } = await readAll(file);
    assert.deepEqual(keys(issues), [
      'L3 -',
      'L4 problem',
      'L5 label',
      'L6 steps[0]',
      'L9 steps',
      'L10 -',
      'L11 generator',
      'L11 final_answer_correct',
      'L12 label',
    ]);
    assert.ok(issues.every((i) => i.file === file));
    assert.match(issues[0]!.message, /^invalid JSON: .+; record skipped$/);
    assert.equal(issues[1]!.message, 'missing; record skipped');
    assert.equal(issues[2]!.message, '2 is out of range: expected an integer in [-1, 1] (2 steps); record skipped');
    assert.equal(issues[3]!.message, 'expected a string, got 1; record skipped');
    assert.equal(issues[4]!.message, 'expected a non-empty array of strings, got an empty array; record skipped');
    assert.equal(issues[5]!.message, 'expected a JSON object, got an array; record skipped');
    assert.equal(issues[6]!.message, 'expected a string, got 42; ignored');
    assert.equal(issues[8]!.message, '1.5 is not an integer in [-1, 1] (2 steps); record skipped');

    assert.deepEqual(items, [
      {
        id: 'a',
        subset: 'mini',
        problem: 'What is 1+1?',
        steps: ['1+1 = 2.', 'So 2.', 'Answer: 2'],
        label: -1,
        generator: 'Qwen',
        finalAnswerCorrect: true,
        source: { file, line: 1 },
      },
      { id: '7', subset: 'custom', problem: 'p', steps: ['s0', 's1'], label: 1, source: { file, line: 7 } },
      {
        id: 'mini.jsonl:8',
        subset: 'mini',
        problem: 'no id',
        steps: ['only step'],
        label: 0,
        source: { file, line: 8 },
      },
      { id: 'g', subset: 'mini', problem: 'p', steps: ['s0'], label: -1, source: { file, line: 11 } },
    ]);
  });

  test('CRLF line endings and a byte-order mark', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'math.test.jsonl');
      await writeFile(
        file,
        '\uFEFF{"id":"x","problem":"p","steps":["a"],"label":0}\r\n\r\n{"id":"y","problem":"p","steps":["a"],"label":-1}\r\n',
      );
      const { items, issues } = await readAll(file);
      assert.deepEqual(issues, []);
      assert.deepEqual(
        items.map((i) => [i.id, i.subset, i.source.line]),
        [
          ['x', 'math', 1],
          ['y', 'math', 3],
        ],
      );
    });
  });
});

describe('readDataset: JSON array', () => {
  test('bad elements are reported with their index and field; the good ones are yielded', async () => {
    const file = fixture('mini.json');
    const { items, issues } = await readAll(file);
    assert.deepEqual(keys(issues), ['#1 label', '#3 -', '#4 problem', '#4 steps']);
    assert.equal(issues[0]!.message, '-2 is not an integer in [-1, 0] (1 steps); record skipped');
    assert.deepEqual(
      items.map((i) => [i.id, i.subset, i.source]),
      [
        ['a', 'gsm8k', { file, index: 0 }],
        ['mini.json:2', 'mini', { file, index: 2 }],
      ],
    );
  });

  test('a syntax error part-way: reported with its position, the items before it kept, the file stopped', async () => {
    const file = fixture('broken.json');
    const { items, issues } = await readAll(file);
    assert.deepEqual(
      items.map((i) => i.id),
      ['a', 'b'],
    );
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.line, 4);
    assert.match(
      issues[0]!.message,
      /^JSON syntax error at line 4, column \d+: .+; stopped reading this file after 2 array elements$/,
    );
  });

  test('an error deep in a larger file (with a byte-order mark and emoji): every element before it is yielded', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'olympiad.json');
      const lines = Array.from({ length: 3000 }, (_, i) =>
        i === 2500
          ? '{"id":2500,"problem":tru,"steps":["s"],"label":0}'
          : JSON.stringify({ id: i, problem: `P 😀 ${i}`, steps: ['é'.repeat(150)], label: 0 }),
      );
      await writeFile(file, `\uFEFF[\n${lines.join(',\n')}\n]\n`);
      const { items, issues } = await readAll(file);
      assert.equal(items.length, 2500);
      assert.deepEqual(items.at(-1)!.source, { file, index: 2499 });
      assert.equal(items.at(-1)!.problem, 'P 😀 2499');
      assert.deepEqual(issues, [
        {
          file,
          line: 2502,
          message:
            'JSON syntax error at line 2502, column 22: expected a value; stopped reading this file after 2500 array elements',
        },
      ]);
    });
  });

  test('the layout comes from the first non-whitespace character, not the extension', async () => {
    const { items, issues } = await readAll(fixture('array_content.jsonl'));
    assert.deepEqual(issues, []);
    assert.deepEqual(
      items.map((i) => [i.id, i.source.index]),
      [
        ['x', 0],
        ['y', 1],
      ],
    );
  });
});

describe('readDataset: files', () => {
  test('a missing file throws an Error naming it', async () => {
    const file = join(FIXTURES, 'no-such-file.jsonl');
    await assert.rejects(readAll(file), { message: `Dataset file not found: ${file}` });
  });

  test('a directory throws an InputFileError naming it', async () => {
    const named = `Dataset file ${FIXTURES} is a folder, not a file`;
    await assert.rejects(readAll(FIXTURES), (e: Error) => e instanceof InputFileError && e.message === named);
  });

  test('an empty file is one issue and no items', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'empty.jsonl');
      await writeFile(file, ' \n\n');
      const { items, issues } = await readAll(file);
      assert.deepEqual(items, []);
      assert.deepEqual(issues, [{ file, message: 'the file is empty: no records' }]);
    });
  });

  test('an aborted signal ends the generator quietly', async () => {
    const controller = new AbortController();
    const items: DatasetItem[] = [];
    for await (const item of readDataset(fixture('mini.jsonl'), {
      onIssue: () => undefined,
      signal: controller.signal,
    })) {
      items.push(item);
      controller.abort();
    }
    assert.equal(items.length, 1);
  });

  test('a ~50 MB JSONL file streams with bounded memory', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'big.jsonl');
      const step = 'We compute the sum carefully, step by step, and check it. '.repeat(6);
      const out = createWriteStream(file);
      const n = 100_000;
      for (let i = 0; i < n; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++)
          chunk += `${JSON.stringify({ id: j, problem: `Problem ${j}`, steps: [step, step], label: (j % 3) - 1 })}\n`;
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');

      const before = process.memoryUsage().heapUsed;
      let peak = before;
      let count = 0;
      let issueCount = 0;
      for await (const item of readDataset(file, { onIssue: () => issueCount++ })) {
        count += 1;
        if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        assert.equal(item.id, String(count - 1));
      }
      assert.equal(count, n);
      assert.equal(issueCount, 0);
      // The file is ~53 MB; holding it (or its records) would grow the heap by far more than this.
      assert.ok(peak - before < 40 * 1024 * 1024, `heap grew by ${Math.round((peak - before) / 1e6)} MB`);
    });
  });
});

const RECORDS: ResultRecord[] = [
  { id: 'a', subset: 'gsm8k', label: 1, prediction: 1, critic: 'c1', scores: [0.9, 0.2] },
  { id: 'b', subset: 'math', label: -1, prediction: null, critic: 'c2', scores: null },
];

describe('results files', () => {
  test('write then read round-trips; keys are in the documented order', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'results.jsonl');
      async function* gen(): AsyncGenerator<ResultRecord> {
        yield* RECORDS;
      }
      assert.equal(await writeResultsAtomic(file, gen()), 2);
      const text = await readFile(file, 'utf8');
      assert.equal(
        text,
        '{"id":"a","subset":"gsm8k","label":1,"prediction":1,"critic":"c1","scores":[0.9,0.2]}\n' +
          '{"id":"b","subset":"math","label":-1,"prediction":null,"critic":"c2","scores":null}\n',
      );
      const issues: InputIssue[] = [];
      assert.deepEqual(await collect(readResults(file, { onIssue: (i) => issues.push(i) })), RECORDS);
      assert.deepEqual(issues, []);
      assert.deepEqual(await readdir(dir), ['results.jsonl']);
    });
  });

  test('a failing source leaves no file and no temporary file; an existing target is untouched', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'out.jsonl');
      async function* failing(): AsyncGenerator<ResultRecord> {
        yield RECORDS[0]!;
        throw new Error('critic crashed');
      }
      await assert.rejects(writeResultsAtomic(file, failing()), /critic crashed/);
      assert.deepEqual(await readdir(dir), []);

      await writeFile(file, 'previous\n');
      await assert.rejects(writeResultsAtomic(file, failing()), /critic crashed/);
      assert.deepEqual(await readdir(dir), ['out.jsonl']);
      assert.equal(await readFile(file, 'utf8'), 'previous\n');
    });
  });

  test('an invalid record fails the write with its position and field', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'out.jsonl');
      const bad = { ...RECORDS[1]!, scores: [0.5, Number.NaN] };
      await assert.rejects(writeResultsAtomic(file, [RECORDS[0]!, bad]), {
        message: `Cannot write result 2 (id "b") to ${file}: scores[1]: expected a finite number or null (not scored), got NaN`,
      });
      assert.deepEqual(await readdir(dir), []);
    });
  });

  test('readResults reports bad lines with line and field and applies the defaults', async () => {
    const file = fixture('results.jsonl');
    const issues: InputIssue[] = [];
    const records = await collect(readResults(file, { onIssue: (i) => issues.push(i) }));
    assert.deepEqual(keys(issues), ['L3 prediction', 'L4 critic', 'L4 scores[1]', 'L5 -', 'L6 id', 'L6 label']);
    assert.equal(issues[0]!.message, 'expected an integer or null, got "0"; line skipped');
    assert.match(issues[3]!.message, /^invalid JSON: .+; line skipped$/);
    assert.deepEqual(records, [
      { id: 'a', subset: 'gsm8k', label: 1, prediction: 1, critic: 'c1', scores: [0.9, 0.2] },
      { id: '2', subset: 'gsm8k', label: -1, prediction: null, critic: 'unknown', scores: null },
      { id: 'd', subset: 'math', label: 2, prediction: null, critic: 'c2', scores: [0.1, 0.2, 0.3] },
    ]);
  });

  test('a missing results file throws an Error naming it', async () => {
    const file = join(FIXTURES, 'missing-results.jsonl');
    await assert.rejects(collect(readResults(file, { onIssue: () => undefined })), {
      message: `Results file not found: ${file}`,
    });
  });
});

describe('subsets of a dataset file', () => {
  const rec = (id: string, extra: object = {}) => ({ id, problem: 'p', steps: ['s'], label: -1, ...extra });
  async function subsetsOf(name: string, records: object[]): Promise<{ pairs: string[]; report?: SubsetReport }> {
    return withTempDir(async (dir) => {
      const file = join(dir, name);
      await writeFile(file, records.map((r) => JSON.stringify(r)).join('\n'));
      let report: SubsetReport | undefined;
      const items = await collect(readDataset(file, { onIssue: () => {}, onSubsets: (r) => (report = r) }));
      return { pairs: items.map((i) => `${i.id}:${i.subset}`), report };
    });
  }

  test('a combined file without `subset` fields: each item in order takes its id prefix', async () => {
    const { pairs, report } = await subsetsOf('processbench.jsonl', [
      rec('gsm8k-0'),
      rec('gsm8k-1'),
      rec('note'),
      rec('math-0'),
      rec('olympiadbench-7'),
      rec('x-1', { subset: 'processbench' }),
    ]);
    assert.deepEqual(pairs, [
      'gsm8k-0:gsm8k',
      'gsm8k-1:gsm8k',
      'note:processbench',
      'math-0:math',
      'olympiadbench-7:olympiadbench',
      'x-1:processbench',
    ]);
    assert.equal(report?.rule, 'id-prefix');
    assert.deepEqual(report?.subsets, ['gsm8k', 'processbench', 'math', 'olympiadbench']);
  });

  test('one prefix: the file name; `subset` fields win; the rule is reported', async () => {
    const one = await subsetsOf('test.jsonl', [rec('gsm8k-0'), rec('gsm8k-1')]);
    assert.deepEqual(one.pairs, ['gsm8k-0:test', 'gsm8k-1:test']);
    assert.deepEqual(one.report, { file: one.report!.file, rule: 'file-name', subsets: ['test'] });
    const fields = await subsetsOf('all.jsonl', [rec('gsm8k-0', { subset: 'a' }), rec('math-0', { subset: 'b' })]);
    assert.deepEqual(fields.pairs, ['gsm8k-0:a', 'math-0:b']);
    assert.equal(fields.report?.rule, 'field');
  });
});
