import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CriticResult } from '../../src/core/critics/types';
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
    assert.equal(inspectorIconState({ results: [result(-1), result(null)], failures: [] }), 'neutral', 'a critic without a prediction');
    assert.equal(inspectorIconState({ results: [result(-1)], failures: [{ criticId: 'x', message: 'down' }] }), 'neutral', 'a failed critic');
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
    for (let i = 0; i < MAX_SEGMENTATION_OVERRIDES + 25; i++) o = recordOverride(o, `file:///f${i}.md`, { strategy: 'lines' }, keepAll);
    const keys = Object.keys(o);
    assert.equal(keys.length, MAX_SEGMENTATION_OVERRIDES);
    assert.equal(keys[0], 'file:///f25.md');
    assert.equal(keys.at(-1), `file:///f${MAX_SEGMENTATION_OVERRIDES + 24}.md`);
  });

  test('entries the keep rule rejects are dropped (legacy dataset items, files that are gone)', () => {
    const legacy = { 'prm-lens-item:/d.jsonl/1.md': { strategy: 'paragraphs' as const }, 'file:///gone.md': { strategy: 'lines' as const }, 'file:///here.md': { strategy: 'lines' as const } };
    const keep = (k: string) => k.startsWith('file:') && k !== 'file:///gone.md';
    assert.deepEqual(Object.keys(pruneOverrides(legacy, keep)), ['file:///here.md']);
    assert.deepEqual(Object.keys(recordOverride(legacy, 'file:///new.md', {}, keep)), ['file:///here.md', 'file:///new.md']);
  });
});
