import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cacheKey,
  canonicalJson,
  CacheableCritic,
  CacheEntryError,
  DirectoryStore,
  isCacheable,
  isCachedResult,
  withCache,
} from '../../src/core/critics/cache';
import { CACHE_MARKER } from '../../src/core/critics/cacheFolder';
import { clearCache } from '../../src/core/critics/cacheMaintenance';
import { criticIdentity } from '../../src/core/critics/identity';
import { createCritic } from '../../src/core/critics/registry';
import { CriticConfig, CriticInput, CriticResult } from '../../src/core/critics/types';
import { ScriptedServer } from '../fixtures/servers/http';
import { fakeOpenAI } from '../fixtures/servers/openai';

/** The entry files of a cache folder (its tag left out). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== CACHE_MARKER)
    .map((e) => path.join(e.parentPath, e.name));
}

/** A cacheable critic that counts its calls and says step `firstError` is wrong. */
function countingCritic(firstError: number, identity = 'identity-x') {
  const calls: CriticInput[] = [];
  const critic: CacheableCritic = {
    id: 'counting',
    type: 'test',
    label: 'counting',
    cacheIdentity: () => identity,
    async score(input) {
      calls.push(input);
      return {
        criticId: 'counting',
        steps: input.steps.map((_, i) => ({
          score: i < firstError ? 0.9 : 0.1,
          verdict: i < firstError ? 'correct' : 'incorrect',
        })),
        firstError,
        timing: { startedAt: 0, durationMs: 12 },
        usage: { promptTokens: 10, completionTokens: 2, requests: 1 },
      } satisfies CriticResult;
    },
  };
  return { critic, calls };
}

describe('result cache', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cache-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keys hash problem, steps and identity; key order in the identity does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
    const k = cacheKey({ model: 'm', t: 0 }, 'p', ['a', 'b']);
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(cacheKey({ t: 0, model: 'm' }, 'p', ['a', 'b']), k);
    assert.notEqual(cacheKey({ model: 'm', t: 0 }, 'p', ['a', 'b ']), k);
    assert.notEqual(cacheKey({ model: 'm', t: 0 }, 'q', ['a', 'b']), k);
    assert.notEqual(cacheKey({ model: 'n', t: 0 }, 'p', ['a', 'b']), k);
    // Steps are a list, not a joined string: moving text across a boundary changes the key.
    assert.notEqual(cacheKey({}, 'p', ['ab', 'c']), cacheKey({}, 'p', ['a', 'bc']));
  });

  test('a hit returns the stored result under the current id without calling the critic; misses are stored', async () => {
    const store = new DirectoryStore(path.join(dir, 'hits'));
    const { critic, calls } = countingCritic(1);
    const cached = withCache(critic, store);
    const input = { problem: 'p', steps: ['a', 'b', 'c'] };
    const first = await cached.score(input);
    assert.equal(calls.length, 1);
    assert.equal(isCachedResult(first), false);
    const second = await cached.score(input);
    assert.equal(calls.length, 1, 'the second run must come from the cache');
    assert.equal(isCachedResult(second), true);
    assert.deepEqual({ ...second }, { ...first });
    const renamed = withCache({ ...critic, id: 'renamed', score: critic.score }, store);
    assert.equal((await renamed.score(input)).criticId, 'renamed');
    await cached.score({ problem: 'p', steps: ['a', 'b'] });
    assert.equal(calls.length, 2, 'other steps are a miss');
    const files = filesUnder(store.dir);
    assert.equal(files.length, 2);
    for (const f of files) assert.match(path.relative(store.dir, f), /^[0-9a-f]{2}\/[0-9a-f]{64}\.json$/);
  });

  test('corrupt or foreign entries are misses and get replaced; failures are not cached; store errors do not fail scoring', async () => {
    const store = new DirectoryStore(path.join(dir, 'corrupt'));
    const { critic, calls } = countingCritic(0);
    const cached = withCache(critic, store);
    const input = { problem: 'p', steps: ['a'] };
    await cached.score(input);
    const [file] = filesUnder(store.dir);
    writeFileSync(file, '{"key": "trunc');
    await cached.score(input);
    assert.equal(calls.length, 2);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).result.firstError, 0);

    let fail = true;
    const flaky: CacheableCritic = {
      ...critic,
      score: async (i) => (fail ? Promise.reject(new Error('down')) : critic.score(i)),
    };
    const c2 = withCache(flaky, store);
    const other = { problem: 'other', steps: ['x'] };
    await assert.rejects(c2.score(other), /down/);
    fail = false;
    await c2.score(other);
    assert.equal(calls.length, 3, 'a failure must not be cached');

    const errors: unknown[] = [];
    const unwritable = new DirectoryStore(path.join(file, 'not-a-dir'));
    const r = await withCache(critic, unwritable, (e) => errors.push(e)).score({ problem: 'z', steps: ['z'] });
    assert.equal(r.firstError, 0);
    assert.equal(errors.length, 1);
    await clearCache(store.dir);
    assert.deepEqual(filesUnder(store.dir), []);
  });

  test('a stored entry that is not a result on the solution is a miss with a warning, and gets replaced', async () => {
    const store = new DirectoryStore(path.join(dir, 'invalid'));
    const { critic, calls } = countingCritic(1);
    const errors: unknown[] = [];
    const cached = withCache(critic, store, (e) => errors.push(e));
    const input = { problem: 'p', steps: ['a', 'b', 'c'] };
    const good = await cached.score(input);
    const [file] = filesUnder(store.dir);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    const step = good.steps[0];
    const damage: [string, Record<string, unknown>, RegExp][] = [
      ['firstError 1.5', { firstError: 1.5 }, /firstError is 1\.5/],
      ['firstError past the last step', { firstError: 3 }, /firstError is 3/],
      ['firstError below -1', { firstError: -2 }, /firstError is -2/],
      ['a step too many', { steps: [...good.steps, step] }, /4 step judgements for 3 steps/],
      ['a score above 1', { steps: [{ ...step, score: 1.5 }, step, step] }, /steps\[0\]\.score is 1\.5/],
      ['a score that is no number', { steps: [step, { ...step, score: 'high' }, step] }, /steps\[1\]\.score/],
      ['an unknown verdict', { steps: [step, step, { ...step, verdict: 'maybe' }] }, /steps\[2\]\.verdict is "maybe"/],
      ['a reason that is no text', { steps: [{ ...step, reason: 3 }, step, step] }, /steps\[0\]\.reason/],
      ['no timing', { timing: undefined }, /timing/],
      ['negative usage', { usage: { requests: -1 } }, /usage\.requests is -1/],
      ['a raw answer that is no text', { raw: { text: 'x' } }, /raw is not a string/],
    ];
    for (const [what, change, message] of damage) {
      writeFileSync(file, JSON.stringify({ ...entry, result: { ...entry.result, ...change } }));
      const before = calls.length;
      const again = await cached.score(input);
      assert.equal(calls.length, before + 1, `${what}: asked again`);
      assert.deepEqual(again.firstError, 1);
      const warning = errors.at(-1);
      assert.ok(warning instanceof CacheEntryError, what);
      assert.match(warning.message, message, what);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).result.firstError, 1, `${what}: replaced`);
      assert.equal(isCachedResult(await cached.score(input)), true, `${what}: the replacement is a hit`);
    }
    writeFileSync(file, '{"key": "trunc');
    await cached.score(input);
    assert.match(String(errors.at(-1)), /not JSON/, 'an unreadable entry is reported too');
  });

  test('an entry names its critic (id, type, identity); a hit marks it used', async () => {
    const store = new DirectoryStore(path.join(dir, 'named'));
    const { critic } = countingCritic(1, 'identity-y');
    const cached = withCache(critic, store);
    const input = { problem: 'p', steps: ['a', 'b'] };
    await cached.score(input);
    const [file] = filesUnder(store.dir);
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(JSON.parse(text).critic, { id: 'counting', type: 'test', identity: 'identity-y' });
    const first = text.indexOf('"critic"') < text.indexOf('"result"');
    assert.ok(first, 'the critic comes first: summaries read only the head');
    const old = new Date(Date.now() - 30 * 24 * 3600_000);
    utimesSync(file, old, old);
    await cached.score(input);
    assert.ok(Date.now() - statSync(file).mtimeMs < 60_000, 'the hit moved its last use to now');
  });

  test('remote critics: id, concurrency, timeouts and the key stay out of the key; the threshold is re-applied on a hit', async () => {
    const key = 'sk-cache-test-7d1f22';
    const server = await ScriptedServer.start(
      fakeOpenAI({
        key,
        answer: (b) => ({
          content: '+',
          top: [
            { token: '+', logprob: Math.log([0.9, 0.6, 0.2][(b.messages.length - 1) / 2]) },
            { token: '-', logprob: Math.log(1 - [0.9, 0.6, 0.2][(b.messages.length - 1) / 2]) },
          ],
        }),
      }),
    );
    try {
      const store = new DirectoryStore(path.join(dir, 'remote'));
      const build = async (extra: Partial<CriticConfig>) => {
        const critic = await createCritic(
          { id: 'prm', type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'm', ...extra } as CriticConfig,
          { apiKey: () => key },
        );
        assert.ok(isCacheable(critic));
        return withCache(critic, store);
      };
      const input = { problem: 'p', steps: ['a', 'b', 'c'] };
      const r1 = await (await build({})).score(input);
      assert.equal(r1.firstError, 2);
      assert.equal(server.requests.length, 3);
      const r2 = await (await build({ id: 'other', concurrency: 1, timeoutMs: 5000, retries: 0 })).score(input);
      assert.equal(server.requests.length, 3, 'same model and prompt layout: a hit');
      assert.equal(r2.criticId, 'other');
      const strict = await (await build({ threshold: 0.7 })).score(input);
      assert.equal(server.requests.length, 3);
      assert.equal(strict.firstError, 1, 'a cached result is judged with the current threshold');
      assert.equal(strict.steps[1].verdict, 'incorrect');
      await (await build({ model: 'm2' })).score(input);
      assert.equal(server.requests.length, 6, 'another model is a miss');
      for (const f of filesUnder(store.dir))
        assert.ok(!readFileSync(f, 'utf8').includes(key), `${f} contains the API key`);
    } finally {
      await server.close();
    }
  });

  test('remote critics: pacing, limits (rpm, tpm, maxResponseBytes…) and explicit defaults keep results', async () => {
    const server = await ScriptedServer.start(fakeOpenAI({ answer: () => '\\boxed{1}' }));
    try {
      const store = new DirectoryStore(path.join(dir, 'pacing'));
      const base = { id: 'judge', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' };
      const build = async (extra: Record<string, unknown>) => {
        const critic = await createCritic({ ...base, ...extra } as CriticConfig, { apiKey: () => 'k' });
        assert.ok(isCacheable(critic));
        return withCache(critic, store);
      };
      const input = { problem: 'p', steps: ['a', 'b', 'c'] };
      await (await build({})).score(input);
      assert.equal(server.requests.length, 1);
      const same = [
        { rpm: 60, tpm: 100_000, maxResponseBytes: 4096, maxConsecutiveFailures: 0 },
        { retries: 0, retryDelayMs: 5, concurrency: 1, timeoutMs: 10, apiKeyEnv: 'K', label: 'L', id: 'renamed' },
        { parallelSamples: false, votes: 1, mode: 'first-error', maxTokens: 8192, structuredOutput: true },
        { baseURL: `${server.origin}/v1/` },
      ];
      for (const extra of same) {
        const r = await (await build(extra)).score(input);
        assert.equal(isCachedResult(r), true, JSON.stringify(extra));
      }
      assert.equal(server.requests.length, 1, 'none of these changes an answer');
      await (await build({ maxTokens: 100 })).score(input);
      assert.equal(server.requests.length, 2, 'maxTokens does');
    } finally {
      await server.close();
    }
  });

  test("a remote critic's cache identity is the one identity of its configuration", async () => {
    const baseURL = 'http://127.0.0.1:9/v1';
    const config: CriticConfig = { id: 'prm', type: 'chat-prm', baseURL, model: 'm', threshold: 0.7 };
    const critic = await createCritic(config, { apiKey: () => 'k' });
    assert.ok(isCacheable(critic));
    assert.equal(critic.cacheIdentity(), criticIdentity(config, { verdictsReapplied: true }));
    assert.equal(critic.cacheIdentity(), criticIdentity({ ...config, threshold: 0.2 }, { verdictsReapplied: true }));
    const template = path.join(dir, 'template.txt');
    writeFileSync(template, 'Problem: {{problem}}\n{{paragraphs}}\nThe earliest wrong one in \\boxed{}.');
    const judge: CriticConfig = { id: 'j', type: 'openai-critic', model: 'm', promptTemplate: 'template.txt' };
    const llm = await createCritic(judge, { apiKey: () => 'k', baseDir: dir });
    assert.ok(isCacheable(llm));
    assert.equal(llm.cacheIdentity(), criticIdentity(judge, { baseDir: dir }));
  });
});
