import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CriticResult } from '../../src/core/critics/types';
import type { SegmentOptions } from '../../src/core/segment/types';
import { apiCriticConfig, baseURLProblem, criticIdProblem, suggestCriticId } from '../../src/extension/criticDraft';
import { firstErrorIcon, inspectorIcon, inspectorIconState, type SeverityName } from '../../src/extension/markStyle';
import { MAX_SEGMENTATION_OVERRIDES, pruneOverrides, recordOverride } from '../../src/extension/segmentationOverrides';

const MEDIA = path.resolve(__dirname, '..', '..', '..', 'media');

function result(firstError: number | null): CriticResult {
  return { criticId: 'c', steps: [], firstError, timing: { durationMs: 1 } } as unknown as CriticResult;
}

describe('first-error and inspector icons', () => {
  test('the first error icon follows the severity, and every icon exists in media/', () => {
    const severities: SeverityName[] = ['error', 'warning', 'information'];
    const icons = severities.map(firstErrorIcon);
    assert.equal(new Set(icons).size, 3, 'one icon per severity');
    assert.equal(firstErrorIcon('error'), 'first-error.svg');
    for (const icon of [...icons, inspectorIcon('noError', 'error'), inspectorIcon('neutral', 'error')]) {
      assert.ok(existsSync(path.join(MEDIA, icon)), `media/${icon} is missing`);
    }
  });

  test('the inspector shows the first-error icon only when some critic found an error', () => {
    assert.equal(inspectorIconState(undefined), 'neutral');
    assert.equal(inspectorIconState({ results: [result(-1), result(2)], failures: [] }), 'firstError');
    assert.equal(inspectorIconState({ results: [result(-1)], failures: [] }), 'noError');
    const noPrediction = { results: [result(-1), result(null)], failures: [] };
    assert.equal(inspectorIconState(noPrediction), 'neutral', 'a critic without a prediction');
    const failed = { results: [result(-1)], failures: [{ criticId: 'x', message: 'down' }] };
    assert.equal(inspectorIconState(failed), 'neutral', 'a failed critic');
    assert.equal(inspectorIconState({ results: [], failures: [] }), 'neutral');
    assert.equal(inspectorIcon('firstError', 'warning'), firstErrorIcon('warning'));
    assert.ok(!/first-error/.test(inspectorIcon('noError', 'error')));
    assert.ok(!/first-error/.test(inspectorIcon('neutral', 'error')));
  });
});

describe('segmentation overrides', () => {
  const keepAll = () => true;

  test('a new choice goes last; choosing again for a file moves it last without a duplicate', () => {
    let o = recordOverride({}, 'file:///a.md', { strategy: 'lines' }, keepAll);
    o = recordOverride(o, 'file:///b.md', { strategy: 'numbered' }, keepAll);
    o = recordOverride(o, 'file:///a.md', { strategy: 'regex', regex: '^Step' }, keepAll);
    assert.deepEqual(Object.keys(o), ['file:///b.md', 'file:///a.md']);
    assert.deepEqual(o['file:///a.md'], { strategy: 'regex', regex: '^Step' });
  });

  test('the list never grows beyond its cap: the oldest choices are forgotten', () => {
    let o = {};
    for (let i = 0; i < MAX_SEGMENTATION_OVERRIDES + 25; i++) {
      o = recordOverride(o, `file:///f${i}.md`, { strategy: 'lines' }, keepAll);
    }
    const keys = Object.keys(o);
    assert.equal(keys.length, MAX_SEGMENTATION_OVERRIDES);
    assert.equal(keys[0], 'file:///f25.md');
    assert.equal(keys.at(-1), `file:///f${MAX_SEGMENTATION_OVERRIDES + 24}.md`);
  });

  test('entries the keep rule rejects are dropped (legacy dataset items, files that are gone)', () => {
    const legacy: Record<string, SegmentOptions> = {
      'prm-lens-item:/d.jsonl/1.md': { strategy: 'paragraphs' },
      'file:///gone.md': { strategy: 'lines' },
      'file:///here.md': { strategy: 'lines' },
    };
    const keep = (k: string) => k.startsWith('file:') && k !== 'file:///gone.md';
    assert.deepEqual(Object.keys(pruneOverrides(legacy, keep)), ['file:///here.md']);
    const recorded = recordOverride(legacy, 'file:///new.md', {}, keep);
    assert.deepEqual(Object.keys(recorded), ['file:///here.md', 'file:///new.md']);
  });
});

describe('Add Critic drafts', () => {
  const taken = new Set(['checker', 'judge']);

  test('an API critic becomes a prmLens.critics entry, trailing slashes dropped', () => {
    const url = 'http://127.0.0.1:8001/v1';
    const prm = apiCriticConfig({ type: 'chat-prm', id: 'rlhflow', baseURL: ` ${url}/ `, model: 'RLHFlow/PRM' }, taken);
    assert.deepEqual(prm, { config: { id: 'rlhflow', type: 'chat-prm', baseURL: url, model: 'RLHFlow/PRM' } });
    const root = 'http://127.0.0.1:8002';
    const pooling = apiCriticConfig({ type: 'vllm-pooling', id: 'qwen', baseURL: root, model: '' }, taken);
    assert.deepEqual(pooling, { config: { id: 'qwen', type: 'vllm-pooling', baseURL: root } }, 'no model: none sent');
  });

  test('every problem is named: a taken or malformed id, a bad URL, a missing model, an unknown type', () => {
    const bad = apiCriticConfig({ type: 'openai-critic', id: 'judge', baseURL: 'ftp://x', model: ' ' }, taken);
    assert.ok('problems' in bad);
    assert.equal(bad.problems.length, 3, bad.problems.join(' | '));
    assert.match(criticIdProblem('two words', taken) ?? '', /letters, digits/);
    assert.equal(criticIdProblem('fresh-id.2', taken), undefined);
    assert.match(baseURLProblem('localhost:8000') ?? '', /http/);
    assert.equal(baseURLProblem('https://api.example.test/v1'), undefined);
    assert.ok('problems' in apiCriticConfig({ type: 'onnx' as never, id: 'x', baseURL: 'http://h' }, taken));
  });

  test('suggested ids come from the model name and never clash', () => {
    assert.equal(suggestCriticId('Qwen/Qwen2.5-Math-PRM-7B', 'vllm-pooling', new Set()), 'qwen2.5-math-prm-7b');
    assert.equal(suggestCriticId('judge', 'openai-critic', taken), 'judge-2');
    assert.equal(suggestCriticId('', 'chat-prm', new Set(['chat-prm'])), 'chat-prm-2');
    assert.equal(suggestCriticId(undefined, 'vllm-pooling', new Set()), 'vllm-pooling');
  });
});
