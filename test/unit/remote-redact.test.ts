import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectoryStore, isCacheable, withCache } from '../../src/core/critics/cache';
import { RemoteError } from '../../src/core/critics/remote/http/errors';
import { serverText } from '../../src/core/critics/remote/http/redact';
import { CriticResult } from '../../src/core/critics/types';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { fakeOpenAI } from '../fixtures/servers/openai';
import { fakeVllmPooling } from '../fixtures/servers/vllm';

// A server may echo the API key anywhere: in an error, in a malformed answer, inside a critique. No message, reason,
// raw output or cache entry may carry it, whole or in part, literal or JSON-escaped.
const serve = scriptedServers();
const KEY = 'sk-proj-Q7v9ZpL2mX4wR8tN1cY6bH3jK5fD0gSaEuW'; // 43 characters, like the key of the report
assert.equal(KEY.length, 43);
const PIECE = 6;

/** JSON \uXXXX escapes decoded, so a key spelled with them is still seen. */
function decoded(text: string): string {
  return text.replace(/\\+u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Fails when `text` holds any PIECE consecutive characters of the key. */
function assertNoKey(text: string | undefined, where: string): void {
  const plain = decoded(text ?? '');
  for (let i = 0; i + PIECE <= KEY.length; i++) {
    const piece = KEY.slice(i, i + PIECE);
    assert.ok(!plain.includes(piece), `${where} leaks key characters ${i}…${i + PIECE - 1}: ${text}`);
  }
}

function assertResultClean(r: CriticResult, where: string): void {
  assertNoKey(r.raw, `${where}: raw`);
  assertNoKey(r.rationale, `${where}: rationale`);
  r.steps.forEach((s, i) => assertNoKey(s.reason, `${where}: reason of step ${i}`));
}

const escaped = (s: string) => Array.from(s, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('the API key never leaves in server text', () => {
  test('serverText removes the key before cutting, at every offset of the window, literal or JSON-escaped', () => {
    const width = 60;
    for (let offset = 0; offset <= width + 2; offset++) {
      const pad = '.'.repeat(offset);
      for (const form of [
        KEY,
        escaped(KEY),
        `${escaped(KEY.slice(0, 3))}${KEY.slice(3)}`,
        escaped(KEY).toUpperCase().replace(/\\U/g, '\\u'),
      ]) {
        const out = serverText(`${pad}${form} and more text after it`, KEY, width);
        assertNoKey(out, `offset ${offset}`);
        assert.ok(out.length <= width);
      }
    }
    assert.equal(serverText(`a ${KEY} b ${KEY}`, KEY), 'a *** b ***');
    // The key is matched exactly: other text and other cases are left alone.
    assert.equal(serverText(KEY.toUpperCase(), KEY), KEY.toUpperCase());
    assert.equal(serverText('short keys are not hunted', 'abc'), 'short keys are not hunted');
  });

  test('malformed chat answers echoing the key at every offset of the preview: errors show none', async () => {
    const server = await serve((_req, i) => ({ text: `${'.'.repeat(i)}${KEY}${'.'.repeat(40)}` }));
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', retries: 0 }, KEY);
    for (let offset = 0; offset <= 90; offset++) {
      await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
        assert.equal(err.kind, 'malformed');
        assertNoKey(err.message, `offset ${offset}`);
        return true;
      });
    }
  });

  test('vllm-pooling: the key in an unexpected answer, literal, or JSON-escaped in a body not JSON', async () => {
    const replies = (i: number) =>
      i <= 90
        ? { json: { detail: `${'.'.repeat(i)}${KEY}` } }
        : { text: `{"error": "${'.'.repeat(i - 91)}${escaped(KEY)}` };
    const server = await serve((_req, i) => replies(i));
    const c = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, retries: 0 }, KEY);
    for (let i = 0; i <= 90 + 70; i++) {
      await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
        assert.equal(err.kind, 'malformed');
        assertNoKey(err.message, `reply ${i}`);
        return true;
      });
    }
  });

  test('an error body echoing the key, split across chunks inside it, at every offset of the message', async () => {
    const server = await serve((_req, i) => {
      const body = JSON.stringify({ error: { message: `${'.'.repeat(i * 7)}Incorrect API key provided: ${KEY}` } });
      const at = body.indexOf(KEY) + 20;
      return { status: 401, chunks: [body.slice(0, at), body.slice(at, at + 5), body.slice(at + 5)], chunkDelayMs: 2 };
    });
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' }, KEY);
    for (let i = 0; i <= 45; i++) {
      await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
        assert.equal(err.kind, 'bad-key');
        assertNoKey(err.message, `padding ${i * 7}`);
        return true;
      });
    }
  });

  test('a key echoed inside critiques is kept out of raw output, rationale, reasons and the cache', async () => {
    // The excerpt of paragraph 2 is cut to 400 characters right inside the key.
    const paragraph2 = `Paragraph 2: ${'x'.repeat(380)} ${KEY} is wrong.`;
    const firstError = `Paragraph 0: fine.\nParagraph 1: fine.\n${paragraph2}\n\\boxed{2}`;
    const perStep = JSON.stringify({
      steps: STEPS.map((_, i) => ({ paragraph: i, explanation: `${'y'.repeat(390)}${KEY}`, correct: i !== 2 })),
    });
    const server = await serve(fakeOpenAI({ answer: (body) => (body.response_format ? perStep : firstError) }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-redact-'));
    try {
      const store = new DirectoryStore(dir);
      for (const config of [{ model: 'm' }, { model: 'm', mode: 'per-step' }, { model: 'm', votes: 3 }]) {
        const critic = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, ...config }, KEY);
        assert.ok(isCacheable(critic));
        const r = await withCache(critic, store).score({ problem: PROBLEM, steps: STEPS });
        assert.equal(r.firstError, 2);
        assertResultClean(r, JSON.stringify(config));
        assert.match(r.raw ?? '', /\*\*\*/);
      }
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      assert.equal(files.filter((f) => f.name.endsWith('.json')).length, 3, "three entries (and the folder's tag)");
      for (const f of files)
        assertNoKey(readFileSync(path.join(f.parentPath, f.name), 'utf8'), `cache entry ${f.name}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a critique echoing the key at every offset of the 400-character reason window', async () => {
    const critique = (pad: number) =>
      `Paragraph 0: ok.\nParagraph 1: ok.\nParagraph 2: ${'x'.repeat(pad)}${KEY}\n\\boxed{2}`;
    const server = await serve(fakeOpenAI({ answer: (_b, _c, i) => critique(340 + i) }));
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' }, KEY);
    for (let pad = 340; pad <= 400; pad++) {
      const r = await c.score({ problem: PROBLEM, steps: STEPS });
      assert.match(r.steps[2].reason ?? '', /^x+\*{0,3}…?$/);
      assertResultClean(r, `pad ${pad}`);
    }
  });

  test('chat-prm: a reply echoing the key gives a reason without it', async () => {
    const server = await serve(fakeOpenAI({ answer: (_b, _c, i) => `${'.'.repeat(i % 25)}${KEY}` }));
    const c = await testCritic(
      { type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm', logprobs: false },
      KEY,
    );
    for (let round = 0; round < 7; round++) {
      const r = await c.score({ problem: PROBLEM, steps: STEPS });
      assert.deepEqual(
        r.steps.map((s) => s.score),
        [null, null, null, null],
      );
      assertResultClean(r, `round ${round}`);
    }
  });

  test('the key of a pooling critic is kept out of its errors too', async () => {
    const server = await serve(
      fakeVllmPooling({
        key: 'other',
        outputs: () => [],
        fault: () => ({ status: 403, text: `<html><b>forbidden</b> for ${KEY}</html>` }),
      }),
    );
    const c = await testCritic({ type: 'vllm-pooling', baseURL: server.origin }, KEY);
    await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
      assert.equal(err.kind, 'forbidden');
      assert.match(err.message, /forbidden for \*\*\*/);
      assertNoKey(err.message, '403');
      return true;
    });
  });
});
