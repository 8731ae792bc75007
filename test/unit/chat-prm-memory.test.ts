import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createCritic } from '../../src/core/critics/registry';
import { CancelledError, CriticConfig } from '../../src/core/critics/types';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const CONCURRENCY = 4;

function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Steps answered before the server holds the requests: the item is well under way when its heap is measured. */
const ANSWERED = 20;

/**
 * The heap a chat-prm item of `steps` steps holds while it runs: a server on 127.0.0.1 answers "+" at once (and keeps
 * no request) for the first steps, then holds the requests; once `concurrency` are held the heap is measured, less
 * the heap before the item started.
 */
async function heapWhileScoring(steps: number): Promise<number> {
  let held = 0;
  let allHeld!: () => void;
  const full = new Promise<void>((resolve) => (allHeld = resolve));
  let received = 0;
  const server = http.createServer((req, res) => {
    const index = received++;
    req.resume();
    req.on('end', () => {
      if (index >= ANSWERED) {
        if (++held === CONCURRENCY) allHeld();
        return;
      }
      const message = { role: 'assistant', content: '+' };
      const choices = [{ index: 0, message, finish_reason: 'stop', logprobs: null }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `c${index}`, object: 'chat.completion', created: 0, model: 'prm', choices }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const config = { id: 'prm', type: 'chat-prm', baseURL, model: 'prm', logprobs: false, concurrency: CONCURRENCY };
    const critic = await createCritic(config as CriticConfig, { apiKey: () => undefined });
    const texts = Array.from({ length: steps }, (_, i) => `Step ${i}: we add ${i} and ${i + 1}.`);
    const before = settledHeap();
    const cancel = new AbortController();
    const scoring = critic.score({ problem: 'Add the numbers.', steps: texts, signal: cancel.signal });
    await full;
    const grown = settledHeap() - before;
    cancel.abort();
    await assert.rejects(scoring, CancelledError);
    return grown;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('chat-prm: the memory an item holds grows linearly with its steps, not with their square', async () => {
  await heapWhileScoring(ANSWERED + 10); // loads what the first request loads
  const small = await heapWhileScoring(2000);
  const large = await heapWhileScoring(4000);
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  // Each step's conversation holds all the steps before it: built up front, 4000 steps took about 550 MB.
  assert.ok(large < 3 * Math.max(small, 0) + 2 ** 21, `${mb(small)} for 2000 steps, ${mb(large)} for 4000`);
});

test('items scored at once finish in the order they started: the steps of the first are asked first', async () => {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const messages = (JSON.parse(body) as { messages: { content: string }[] }).messages;
      asked.push(messages[messages.length - 1].content);
      const choices = [
        { index: 0, message: { role: 'assistant', content: '+' }, finish_reason: 'stop', logprobs: null },
      ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'prm', choices }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const config = { id: 'prm', type: 'chat-prm', baseURL, model: 'prm', logprobs: false, concurrency: 1 };
    const critic = await createCritic(config as CriticConfig, { apiKey: () => undefined });
    const item = (name: string) => ({
      problem: `Problem ${name}`,
      steps: ['one', 'two', 'three'].map((s) => `${name} ${s}`),
    });
    await Promise.all([critic.score(item('A')), critic.score(item('B'))]);
    // The first step's turn holds the problem too: compare the step names only.
    assert.deepEqual(
      asked.map((text) => /([AB] \w+)$/.exec(text)?.[1]),
      ['A one', 'A two', 'A three', 'B one', 'B two', 'B three'],
    );
    critic.dispose?.();
  } finally {
    server.close();
  }
});
