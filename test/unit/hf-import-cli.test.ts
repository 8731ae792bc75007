import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { writeHfCheckpoint } from '../support/hf/checkpoint';
import { tempDir } from '../support/onnx/tmp';

// `prm-lens import` as users run it: the bundled dist/cli.js (npm test builds it first), with the presets of models/.
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const tmp = tempDir('hf-import-cli');
after(() => tmp.remove());

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('prm-lens import', () => {
  const source = path.join(tmp.dir, 'skywork-like');
  writeHfCheckpoint(source, { family: 'qwen2', head: 'value', model: { hidden: 64, intermediate: 128 } });

  test('writes the model folder and reports what it chose', () => {
    const out = path.join(tmp.dir, 'out');
    const r = run('import', source, '--out', out, '--weights', 'int4', '--json');
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { head: string; weights: string; preset: string };
    assert.deepEqual(
      [result.head, result.weights, result.preset],
      ['value', 'int4', 'skywork-o1-open-prm-qwen-2.5-7b'],
    );
    assert.deepEqual(readdirSync(out).sort(), [
      'model.onnx',
      'model.onnx.data',
      'prm.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.match(r.stderr, /import: 28\/28 tensors/);
  });

  test('forked with an IPC channel (as Add Local Model… runs it), it sends every progress step', async () => {
    const out = path.join(tmp.dir, 'out-ipc');
    const child = fork(cli, ['import', source, '--out', out, '--weights', 'int8', '--json', '--quiet'], {
      cwd: root,
      silent: true,
    });
    const steps: { tensors: number; totalTensors: number; bytesWritten: number }[] = [];
    child.on('message', (m: { progress?: (typeof steps)[number] }) => m.progress && steps.push(m.progress));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    // Every tensor's step, in order, ending with the whole count (the importer also reports its start and end).
    const counts = steps.map((p) => p.tensors);
    assert.ok(
      counts.every((n, i) => i === 0 || n >= counts[i - 1]),
      `in order: ${counts}`,
    );
    assert.deepEqual(
      [...new Set(counts)].filter((n) => n > 0),
      Array.from({ length: 28 }, (_, i) => i + 1),
    );
    assert.equal(counts[counts.length - 1], 28);
    assert.ok(steps.every((p) => p.totalTensors === 28));
    assert.ok(steps[27].bytesWritten > 0);
  });

  test('bad arguments and a folder it cannot import exit 2 with the reason', () => {
    const out = path.join(tmp.dir, 'never');
    const bad = run('import', source, '--out', out, '--weights', 'int3');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--weights int3 is not one of int4, int8, fp16, fp32, auto/);
    assert.match(run('import', source).stderr, /--out DIR is required/);
    const lm = run('import', source, '--out', out, '--head', 'lm');
    assert.equal(lm.code, 2);
    assert.match(lm.stderr, /no preset matches a qwen2 model with a lm head: name the prm\.json to use with --preset/);
    assert.equal(existsSync(out), false);
  });
});
