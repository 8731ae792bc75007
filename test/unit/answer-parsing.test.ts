import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { processBenchExtract, pythonInt, voteFirstError } from '../../src/core/critics/remote/answer-vote';
import { firstErrorJudgement } from '../../src/core/critics/remote/openai-critic';
import { UsageTotals } from '../../src/cli/commands/usage';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { fakeOpenAI } from '../fixtures/servers/openai';

const serve = scriptedServers();
const sample = (text: string) => ({ text, finishReason: 'stop' });

describe("ProcessBench's answer rule", () => {
  test("pythonInt is Python's int() on a str", () => {
    const accepted: [string, number][] = [
      ['3', 3],
      [' 3 ', 3],
      ['\t-1\n', -1],
      ['+2', 2],
      ['-0', 0],
      ['1_0', 10],
      ['\u0663', 3], // ARABIC-INDIC DIGIT THREE
      ['\uff11\uff12', 12], // FULLWIDTH 1 2
      ['\u{1D7D9}', 1], // MATHEMATICAL DOUBLE-STRUCK DIGIT ONE (third run of ten in its block)
      ['\u2003 4\u3000', 4], // Unicode spaces Python strips
      ['\x1c5', 5], // Python counts \x1c as whitespace, JavaScript's \s does not
    ];
    for (const [s, n] of accepted) assert.equal(pythonInt(s), n, JSON.stringify(s));
    const rejected = ['3.0', '', ' ', '\u22121', '- 1', '1__0', '_1', '1_', '3.', '0x3', '1e3', '\ufeff3', '++1'];
    for (const s of rejected) assert.equal(pythonInt(s), undefined, JSON.stringify(s));
  });

  test('the last \\boxed{…} without inner braces, stripped; nested or wrapped answers do not read', () => {
    assert.equal(processBenchExtract('\\boxed{1} then \\boxed{ 2 }'), '2');
    // The regex stops at the first "}": \text{3} extracts "\text{3", which int() refuses.
    assert.equal(processBenchExtract('\\boxed{\\text{3}}'), '\\text{3');
    assert.equal(processBenchExtract('\\boxed {3}'), undefined);
    assert.equal(processBenchExtract('\\boxed{4} and \\boxed{5'), '4');
    for (const text of ['\\boxed{\\text{3}}', '\\boxed{$3$}', '\\boxed{\u22121}', '\\boxed{3.}']) {
      assert.equal(voteFirstError([text], 5, 'processbench').index, null, text);
      assert.notEqual(voteFirstError([text], 5, 'lenient').index, null, text);
    }
  });

  test('voting counts RAW strings, ties to the first seen, THEN int(): a winning non-integer is a miss', () => {
    // "3" and " 3" strip to the same string; "03" is another string although int("03") == 3.
    const v = voteFirstError(
      ['\\boxed{03}', '\\boxed{3}', '\\boxed{1}', '\\boxed{ 3 }', '\\boxed{1}'],
      5,
      'processbench',
    );
    assert.deepEqual([v.index, v.chosen, v.count], [3, 1, 2]);
    // Lenient voting merges 03 and 3 (3 votes) — the benchmark does not.
    assert.deepEqual(
      [voteFirstError(['\\boxed{03}', '\\boxed{1}', '\\boxed{3}', '\\boxed{1}'], 5, 'lenient').index],
      [3],
    );
    assert.equal(voteFirstError(['\\boxed{03}', '\\boxed{1}', '\\boxed{3}', '\\boxed{1}'], 5, 'processbench').index, 1);
    // Tie: the string seen first wins.
    assert.equal(voteFirstError(['\\boxed{2}', '\\boxed{1}', '\\boxed{1}', '\\boxed{2}'], 5, 'processbench').index, 2);
    // The non-integer majority wins the vote and then fails int(): no prediction, although "1" was readable.
    const miss = voteFirstError(['\\boxed{x}', '\\boxed{1}', '\\boxed{x}'], 5, 'processbench');
    assert.equal(miss.index, null);
    assert.match(miss.why ?? '', /\\boxed\{x\} is not an integer/);
    // Samples without a \boxed{} do not vote: one "1" beats two answers without a box.
    assert.equal(voteFirstError(['no box', 'none either', '\\boxed{1}'], 5, 'processbench').index, 1);
    // An integer outside -1…n-1 can never match a label: a miss.
    assert.equal(voteFirstError(['\\boxed{7}'], 5, 'processbench').index, null);
  });

  test('the lenient-only count: samples the benchmark misses but the lenient rule reads', () => {
    const texts = ['\\boxed{\\text{2}}', '\\boxed{2}', '\\boxed{$1$}', 'no box', '\\boxed{x}'];
    assert.equal(voteFirstError(texts, 5, 'processbench').lenientOnly, 2);
    assert.equal(voteFirstError(texts, 5, 'lenient').lenientOnly, 2);
    // Each raw string once: the first, "\text{2", wins the benchmark's vote and fails int(); leniently 2 wins.
    const j = firstErrorJudgement(texts.map(sample), 5, 'processbench');
    assert.deepEqual([j.firstError, j.lenientOnly], [null, 2]);
    assert.deepEqual([firstErrorJudgement(texts.map(sample), 5, 'lenient').firstError], [2]);
  });
});

describe('answerParsing on a served critic', () => {
  test('default "processbench": a \\text{} answer is a miss, counted as lenient-only in the eval totals', async () => {
    const server = await serve(fakeOpenAI({ answer: () => 'Paragraph 2 is wrong. \\boxed{\\text{2}}' }));
    const strict = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' });
    const r = await strict.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, null);
    assert.equal(r.usage?.lenientOnlyAnswers, 1);
    const totals = new UsageTotals();
    totals.add(r);
    totals.add(r);
    assert.deepEqual(totals.lenientOnlyLines(), [
      'critic c: 2 answer(s) only answerParsing "lenient" would have read ' +
        "(missed under ProcessBench's rule, as in the benchmark)",
    ]);
    const lenient = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      answerParsing: 'lenient',
    });
    assert.equal((await lenient.score({ problem: PROBLEM, steps: STEPS })).firstError, 2);
  });

  test('8 votes over HTTP: the raw-string majority, then int()', async () => {
    const answers = [
      '\\boxed{ 2 }',
      '\\boxed{2.0}',
      '\\boxed{2.0}',
      '\\boxed{2}',
      '\\boxed{2.0}',
      'x',
      '\\boxed{1}',
      'y',
    ];
    const server = await serve(fakeOpenAI({ answer: (_b, choice) => answers[choice] }));
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', votes: 8 });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, null); // "2.0" (3 votes) beats "2" (2 votes), then int("2.0") fails
    assert.equal(server.requests.length, 1);
  });
});
