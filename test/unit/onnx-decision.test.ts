import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePrmSpec } from '../../src/core/critics/onnx/spec';
import { judgeScores } from '../../src/core/critics/judgement';

const preset = () =>
  JSON.parse(
    readFileSync(path.resolve(__dirname, '..', '..', '..', 'models', 'rlhflow-llama3.1-8b-prm', 'prm.json'), 'utf8'),
  );

describe('prm.json "decision" (chat-tag-token)', () => {
  test("ProcessBench's variant of the RLHFlow preset: blank-line first turn, greedy = p(+) > 0.5, tie an error", () => {
    const own = parsePrmSpec(preset(), 'prm.json');
    assert.deepEqual([own.decision, own.chat?.firstUser], ['threshold', '{problem} {step}']);
    const rest = preset();
    delete rest.threshold;
    const pb = parsePrmSpec({ ...rest, chat: { firstUser: '{problem}\n\n{step}' }, decision: 'greedy' }, 'prm.json');
    assert.deepEqual([pb.decision, pb.threshold, pb.chat?.firstUser], ['greedy', 0.5, '{problem}\n\n{step}']);
    // The argmax of two logits: equal logits (p(+) = 0.5) are not a "+" win.
    assert.deepEqual(
      judgeScores([0.51, 0.5], pb.threshold).steps.map((s) => s.verdict),
      ['correct', 'incorrect'],
    );
  });

  test('greedy with another threshold, a bad value, or another family is refused', () => {
    assert.throws(
      () => parsePrmSpec({ ...preset(), decision: 'greedy', threshold: 0.7 }, 'prm.json'),
      /"threshold" must be 0\.5/,
    );
    assert.throws(() => parsePrmSpec({ ...preset(), decision: 'argmax' }, 'prm.json'), /"decision" must be one of/);
    const tc = { family: 'token-classification', stepTag: '<extra_0>', decision: 'greedy' };
    assert.throws(() => parsePrmSpec(tc, 'prm.json'), /"decision" is not a field of a token-classification prm\.json/);
  });
});
