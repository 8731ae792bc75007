import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';

const tmp = tempDir('onnx-host-lifecycle');
after(() => tmp.remove());

/** False once `pid` has exited (a zombie nobody reaped yet counts as exited). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

const LIMITS = { timeout: 60_000 };

test('an ONNX host stops its forward pass within a second of its parent being SIGKILLed', LIMITS, async () => {
  // One pass over 12 long steps on this model takes tens of seconds: a host that outlives its parent is seen.
  const folder = buildModelFolder(path.join(tmp.dir, 'slow'), {
    family: 'token-classification',
    model: { hidden: 256, intermediate: 768, layers: 6, heads: 8, kvHeads: 4 },
    prm: { maxTokens: 16384 },
  });
  const script = path.resolve(__dirname, '..', 'support', 'onnx', 'hostParent.js');
  const parent = spawn(process.execPath, [script, folder, '12'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let host = 0;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      parent.on('exit', () => reject(new Error(`the parent exited first: ${out}`)));
    });
    host = Number(line);
    assert.ok(Number.isInteger(host) && host > 0, line);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(running(host), 'the host runs its forward pass');
    parent.kill('SIGKILL');
    const killed = Date.now();
    while (running(host) && Date.now() - killed < 3000) await new Promise((resolve) => setTimeout(resolve, 50));
    const lived = Date.now() - killed;
    assert.ok(!running(host), `the host still runs ${lived} ms after its parent was killed`);
    assert.ok(lived < 1500, `the host outlived its parent by ${lived} ms`);
  } finally {
    parent.kill('SIGKILL');
    if (host && running(host)) process.kill(host, 'SIGKILL');
  }
});
