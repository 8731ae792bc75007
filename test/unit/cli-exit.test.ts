import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScriptedServer } from '../fixtures/servers/http';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const tmp = tempDir('cli-exit');
after(() => tmp.remove());

test('eval exits within a second of writing: kept-alive sockets, aborted requests, a loaded local model', async () => {
  assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
  // The server keeps idle connections for 30 s; q1's step 2 fails while its step 1 hangs, so that request is aborted.
  const server = await ScriptedServer.start(
    fakeOpenAI({
      answer: (body) => (body.messages[0].role === 'system' ? '\\boxed{-1}' : '+'),
      fault: ({ body }) => {
        const { messages } = body as ChatBody;
        if (!messages[0].content.startsWith('q1')) return undefined;
        return messages.length === 1 ? { hang: true } : { status: 400, json: { error: { message: 'no' } } };
      },
    }),
  );
  try {
    const data = path.join(tmp.dir, 'data.jsonl');
    const steps = ['2 + 2 = 4.', 'So 4.'];
    const items = [0, 1, 2, 3].map((i) => ({ id: `q${i}`, problem: `q${i}: add 2 and 2.`, steps, label: -1 }));
    writeFileSync(data, items.map((item) => JSON.stringify(item)).join('\n'));
    buildModelFolder(path.join(tmp.dir, 'prm'), { family: 'token-classification' });
    const baseURL = `${server.origin}/v1`;
    const critics = [
      { id: 'prm', type: 'chat-prm', baseURL, model: 'm', logprobs: false },
      { id: 'judge', type: 'openai-critic', baseURL, model: 'm', votes: 2 },
      { id: 'local', type: 'onnx', path: 'prm' },
    ];
    writeFileSync(path.join(tmp.dir, 'critics.json'), JSON.stringify({ critics }));
    const out = path.join(tmp.dir, 'out.jsonl');
    const args = ['eval', data, '--config', path.join(tmp.dir, 'critics.json'), '--out', out];
    const child = spawn(process.execPath, [cli, ...args, ...critics.flatMap((c) => ['--critic', c.id]), '--no-cache']);
    let stderr = '';
    let wroteAt = 0;
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!wroteAt && /wrote 12 result lines/.test(stderr)) wroteAt = performance.now();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lingered = performance.now() - wroteAt;
    assert.equal(code, 1, stderr);
    assert.match(stderr, /critic prm failed on 1 item/);
    assert.ok(wroteAt > 0, stderr);
    assert.ok(lingered < 1000, `eval exited ${Math.round(lingered)} ms after writing its results`);
  } finally {
    await server.close();
  }
});
