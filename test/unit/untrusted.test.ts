import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restrictedConfigurations } from '../../src/core/config/contribution';
import { RESTRICTED_SETTINGS } from '../../src/core/config/settings';
import { OnnxCritic } from '../../src/core/critics/onnx/critic';
import { createCritic } from '../../src/core/critics/registry';
import { CriticConfigError } from '../../src/core/critics/types';

// An untrusted workspace: its own values of settings that name endpoints or files, or compile a pattern, are
// ignored (the editor serves the user's values of RESTRICTED_SETTINGS), and it gets no base folder, so the user's
// critics never read a relative model or template path from it.

const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-untrusted-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TEMPLATE = 'Q: {{problem}}\n{{paragraphs}}\nAnswer in \\boxed{}.';
const judge = (promptTemplate: string) => ({
  id: 'judge',
  type: 'openai-critic',
  baseURL: 'http://127.0.0.1:9/v1',
  model: 'm',
  promptTemplate,
});

function refusedRelative(field: string, value: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CriticConfigError, String(err));
    assert.equal(err.field, field);
    const text = `"${field}" is the relative path "${value}", and relative paths are read only from a trusted`;
    assert.ok(err.message.includes(text), err.message);
    return true;
  };
}

describe('untrusted workspaces', () => {
  test('the step pattern and the strategy that runs it are restricted settings, as the critics are', () => {
    for (const key of ['critics', 'segmentation.strategy', 'segmentation.regex'] as const) {
      assert.ok(RESTRICTED_SETTINGS.includes(key), key);
      assert.ok(restrictedConfigurations().includes(`prmLens.${key}`), key);
    }
  });

  test('without a base folder a relative model path or prompt template is refused, naming the field', async () => {
    writeFileSync(path.join(dir, 'prompt.txt'), TEMPLATE);
    const local = { id: 'local', type: 'onnx', path: 'models/prm' };
    await assert.rejects(createCritic(local, {}), refusedRelative('path', 'models/prm'));
    await assert.rejects(createCritic(judge('prompt.txt'), {}), refusedRelative('promptTemplate', 'prompt.txt'));
    // With a base folder (the CLI's config folder, a trusted workspace) the same paths start there.
    assert.equal(new OnnxCritic(local, { baseDir: dir }).folder, path.join(dir, 'models', 'prm'));
    await createCritic(judge('prompt.txt'), { baseDir: dir });
  });

  test('absolute and home-relative paths need no base folder', async () => {
    const absolute = new OnnxCritic({ id: 'local', type: 'onnx', path: path.join(dir, 'prm') });
    assert.equal(absolute.folder, path.join(dir, 'prm'));
    const home = new OnnxCritic({ id: 'local', type: 'onnx', path: '~/models/prm' });
    assert.equal(home.folder, path.join(os.homedir(), 'models', 'prm'));
    await createCritic(judge(path.join(dir, 'prompt.txt')), {});
  });
});
