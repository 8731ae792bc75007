import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPENAI_BASE_URL } from '../../src/core/config/critics';
import { DEFAULT_FIRST_USER } from '../../src/core/critics/chatLayout';
import { criticIdentity } from '../../src/core/critics/identity';
import type { Critic, CriticConfig, CriticInput, CriticResult } from '../../src/core/critics/types';
import type { DatasetItem } from '../../src/core/datasets/types';
import { runItems } from '../../src/core/run/engine';
import { contentKey } from '../../src/core/run/identity';
import { ResultCache } from '../../src/core/run/resultCache';
import { DatasetSession } from '../../src/views/datasetSession';

const id = (config: Omit<CriticConfig, 'id'> & { id?: string }, options = {}) =>
  criticIdentity({ id: 'c', ...config } as CriticConfig, options);

const REMOTE_PACING = {
  id: 'renamed',
  label: 'Another label',
  apiKeyEnv: 'SOME_KEY',
  concurrency: 32,
  timeoutMs: 5,
  retries: 0,
  retryDelayMs: 1,
  maxResponseBytes: 2048,
  maxConsecutiveFailures: 0,
  rpm: 30,
  tpm: 10_000,
};

describe('the one cache identity', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-identity-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('names, keys, pacing and request limits never change it (rpm, tpm, maxResponseBytes, … included)', () => {
    const critics: Omit<CriticConfig, 'id'>[] = [
      { type: 'openai-critic', model: 'm' },
      { type: 'chat-prm', baseURL: 'http://127.0.0.1:1/v1', model: 'm' },
      { type: 'vllm-pooling', baseURL: 'http://127.0.0.1:1', model: 'm' },
    ];
    for (const config of critics) {
      const base = id(config);
      assert.equal(id({ ...config, ...REMOTE_PACING }), base, String(config.type));
      for (const [field, value] of Object.entries(REMOTE_PACING)) {
        assert.equal(id({ ...config, [field]: value }), base, `${config.type}: ${field}`);
      }
    }
    assert.equal(
      id({ type: 'openai-critic', model: 'm', parallelSamples: false }),
      id({ type: 'openai-critic', model: 'm' }),
    );
    const onnx = { type: 'onnx', path: path.join(dir, 'no-model') };
    assert.equal(id({ ...onnx, threads: 3, idleUnloadSeconds: 9, label: 'x' }), id(onnx));
  });

  test('an explicit default is the same identity as the omitted field', () => {
    assert.equal(
      id({ type: 'openai-critic', model: 'm', votes: 1, mode: 'first-error', maxTokens: 8192, structuredOutput: true }),
      id({ type: 'openai-critic', model: 'm' }),
    );
    assert.equal(
      id({ type: 'openai-critic', model: 'm', baseURL: `${OPENAI_BASE_URL}/` }),
      id({ type: 'openai-critic', model: 'm' }),
    );
    const prm = { type: 'chat-prm', baseURL: 'http://127.0.0.1:1/v1', model: 'm' };
    const explicit = {
      ...prm,
      threshold: 0.5,
      topLogprobs: 10,
      positiveToken: '+',
      logprobs: true,
      firstUser: DEFAULT_FIRST_USER,
    };
    assert.equal(id(explicit), id(prm));
    const pooling = { type: 'vllm-pooling', baseURL: 'http://127.0.0.1:1', model: 'm' };
    assert.equal(id({ ...pooling, input: 'chat', stepTag: '<extra_0>', positiveIndex: 1 }), id(pooling));
    // Key order never matters.
    assert.equal(
      id({ model: 'm', type: 'openai-critic', votes: 3 }),
      id({ type: 'openai-critic', votes: 3, model: 'm' }),
    );
  });

  test('settings that change answers change it; a threshold only where verdicts are stored', () => {
    const base = { type: 'openai-critic', model: 'm' };
    for (const change of [{ model: 'n' }, { temperature: 1 }, { votes: 3 }, { mode: 'per-step' }, { maxTokens: 10 }]) {
      assert.notEqual(id({ ...base, ...change }), id(base), JSON.stringify(change));
    }
    assert.notEqual(id({ ...base, baseURL: 'http://127.0.0.1:1/v1' }), id(base));
    assert.notEqual(
      id({ type: 'vllm-pooling', baseURL: 'http://h', model: 'm' }),
      id({ type: 'chat-prm', baseURL: 'http://h', model: 'm' }),
    );
    const prm = { type: 'chat-prm', baseURL: 'http://127.0.0.1:1/v1', model: 'm' };
    assert.notEqual(id({ ...prm, threshold: 0.7 }), id(prm), 'the run log keeps predictions: a threshold changes them');
    const reapplied = { verdictsReapplied: true };
    assert.equal(id({ ...prm, threshold: 0.7 }, reapplied), id(prm, reapplied), 'the request cache re-applies it');
    assert.notEqual(id({ ...prm, firstUser: '{problem} {step}' }, reapplied), id(prm, reapplied));
  });

  test('a prompt template counts by its content, wherever it lies', () => {
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    const text = 'Problem: {{problem}}\n{{paragraphs}}\nThe earliest wrong one in \\boxed{}.';
    fs.writeFileSync(path.join(dir, 'a', 'prompt.txt'), text);
    fs.writeFileSync(path.join(dir, 'b', 'judge.txt'), text);
    const judge = (file: string) => ({ type: 'openai-critic', model: 'm', promptTemplate: file });
    const inA = id(judge('prompt.txt'), { baseDir: path.join(dir, 'a') });
    assert.equal(id(judge(path.join(dir, 'b', 'judge.txt'))), inA, 'the same content elsewhere: the same identity');
    assert.equal(id(judge('prompt.txt'), { loaded: { promptTemplate: text } }), inA, 'what the critic loaded');
    assert.notEqual(inA, id({ type: 'openai-critic', model: 'm' }));
    fs.writeFileSync(path.join(dir, 'a', 'prompt.txt'), `${text}\nThink hard.`);
    assert.notEqual(id(judge('prompt.txt'), { baseDir: path.join(dir, 'a') }), inA, 'an edited template');
  });

  test('a model folder counts by its prm.json and its files, not by its path', () => {
    const make = (name: string) => {
      const folder = path.join(dir, name);
      fs.mkdirSync(path.join(folder, 'onnx'), { recursive: true });
      const prm = {
        family: 'token-classification',
        model: 'onnx/model.onnx',
        tokenizer: 'tokenizer.json',
        threshold: 0.5,
      };
      fs.writeFileSync(path.join(folder, 'prm.json'), JSON.stringify(prm));
      fs.writeFileSync(path.join(folder, 'tokenizer.json'), '{}');
      fs.writeFileSync(path.join(folder, 'onnx', 'model.onnx'), 'graph');
      fs.writeFileSync(path.join(folder, 'onnx', 'model.onnx_data'), 'weights');
      const at = new Date('2025-01-01T00:00:00Z');
      for (const f of ['prm.json', 'tokenizer.json', 'onnx/model.onnx', 'onnx/model.onnx_data']) {
        fs.utimesSync(path.join(folder, f), at, at);
      }
      return folder;
    };
    const model = make('qwen-prm');
    const copy = make('qwen-prm-copy');
    const onnx = (folder: string) => id({ type: 'onnx', path: folder });
    const first = onnx(model);
    assert.equal(onnx(copy), first, 'the same files elsewhere');
    assert.equal(id({ type: 'onnx', path: 'qwen-prm' }, { baseDir: dir }), first, 'a relative path');
    fs.writeFileSync(path.join(model, 'README.md'), 'notes');
    assert.equal(onnx(model), first, 'a file beside prm.json, not beside the graph, does not count');
    fs.writeFileSync(path.join(model, 'onnx', 'model.onnx_data'), 'other weights');
    assert.notEqual(onnx(model), first, 'new weights');
    const prm = JSON.parse(fs.readFileSync(path.join(copy, 'prm.json'), 'utf8'));
    fs.writeFileSync(path.join(copy, 'prm.json'), JSON.stringify({ ...prm, threshold: 0.7 }));
    assert.notEqual(onnx(copy), first, 'another threshold in prm.json');
  });
});

/** A critic that names step 1 as the first error with scores per step, counting its calls. */
class Judge implements Critic {
  readonly type = 'scripted';
  readonly label = 'judge';
  calls = 0;
  constructor(readonly id: string) {}
  async score(input: CriticInput): Promise<CriticResult> {
    this.calls += 1;
    return {
      criticId: this.id,
      steps: input.steps.map((_, i) => ({ score: i === 1 ? 0.1 : 0.9, verdict: i === 1 ? 'incorrect' : 'correct' })),
      firstError: 1,
      timing: { startedAt: 0, durationMs: 1 },
    };
  }
}

const items: DatasetItem[] = Array.from({ length: 4 }, (_, i) => ({
  id: `q${i}`,
  subset: 's',
  problem: `Problem ${i}`,
  steps: ['one', 'two', 'three'],
  label: 1,
  source: { file: 'mem' },
}));

describe("the dataset view's run log", () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-runlog-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('changing rpm or maxResponseBytes, or writing a default out, keeps the results of a dataset', async () => {
    const dataset = path.join(dir, 'data.jsonl');
    fs.writeFileSync(dataset, `${items.map((it) => JSON.stringify({ ...it, source: undefined })).join('\n')}\n`);
    const config: CriticConfig = { id: 'prm', type: 'chat-prm', baseURL: 'http://127.0.0.1:1/v1', model: 'm' };
    const session = new DatasetSession(dataset, new ResultCache(path.join(dir, 'run.jsonl')));
    const judge = new Judge('prm');
    await session.run([{ id: 'prm', config: criticIdentity(config), critic: judge }], [0, 1, 2, 3]);
    assert.equal(judge.calls, 4);
    const edited: CriticConfig[] = [
      { ...config, rpm: 30, tpm: 5000 },
      { ...config, maxResponseBytes: 4096, maxConsecutiveFailures: 2 },
      { ...config, topLogprobs: 10, threshold: 0.5 },
    ];
    for (const now of edited) {
      const shown = session.predictions([{ id: 'prm', config: criticIdentity(now) }]);
      assert.equal(shown.length, 4, JSON.stringify(now));
      await session.run([{ id: 'prm', config: criticIdentity(now), critic: judge }], [0, 1, 2, 3]);
    }
    assert.equal(judge.calls, 4, 'no edit above asks the critic again');
    await session.run([{ id: 'prm', config: criticIdentity({ ...config, threshold: 0.2 }), critic: judge }], [0]);
    assert.equal(judge.calls, 5, 'a new threshold changes the predictions: asked again');
  });

  test('lines that are not answers are skipped with a warning; one not fitting its item is re-asked', async () => {
    const file = path.join(dir, 'damaged.jsonl');
    const content = (i: number) => contentKey(items[i].problem, items[i].steps);
    const lines = [
      { critic: 'k', content: content(0), prediction: 1.5, scores: null },
      { critic: 'k', content: content(1), prediction: 1, scores: [0.9, 2, 0.9] },
      { critic: 'k', content: content(2), prediction: -2, scores: null },
      { critic: 'k', content: content(3), prediction: 7, scores: null },
      { critic: 'k', content: content(0), prediction: 1, scores: [0.9, 0.1] },
    ];
    fs.writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const warnings: string[] = [];
    const store = new ResultCache(file, (m) => warnings.push(m));
    await store.load();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /skipped 3 line\(s\) that are not answers/);
    const judge = new Judge('k');
    const outcomes = [];
    for await (const o of runItems(items, {
      critics: [{ id: 'k', identity: 'k', critic: judge }],
      concurrency: 2,
      store,
    })) {
      outcomes.push(o);
    }
    assert.equal(judge.calls, 4, 'every item is asked again');
    assert.match(warnings.join('\n'), /prediction 7 for 3 steps/);
    assert.match(warnings.join('\n'), /2 scores for 3 steps/);
    assert.deepEqual(
      outcomes.map((o) => o.records[0].prediction),
      [1, 1, 1, 1],
    );
    const reloaded = new ResultCache(file, (m) => warnings.push(m));
    await reloaded.load();
    for (let i = 0; i < 4; i++)
      assert.deepEqual(reloaded.get('k', content(i), 3), { prediction: 1, scores: [0.9, 0.1, 0.9] });
  });
});
