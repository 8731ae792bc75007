import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { activationCost } from '../../bench/activation';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BUNDLE = path.join(ROOT, 'dist', 'extension.js');

// Activation must stay light: heavy modules load when a feature first needs them, never at startup.
test(
  'activating the built extension loads no heavy module (openai client, ONNX runtime, tokenizers)',
  { skip: !existsSync(BUNDLE) && 'dist/extension.js is missing: run npm run build' },
  async () => {
    const cost = await activationCost(ROOT);
    const heavy = cost.modules.filter((m) => /openai|onnxruntime|tokenizers|markdown-it|katex|chart\.js/.test(m));
    assert.deepEqual(heavy, [], `required at activation: ${cost.modules.join(', ')}`);
    assert.ok(cost.bundleBytes < 600 * 1024, `dist/extension.js is ${(cost.bundleBytes / 1024).toFixed(0)} KiB`);
  },
);

// Lazy chunks (scripts/build.mjs): every file the extension bundle requires from dist/ exists and exports what the
// bundle takes from it, so a dataset read or a per-step critique never fails for a missing name in the packaged build.
test(
  "the extension's lazy chunks exist and export the names the bundle reads from them",
  { skip: !existsSync(BUNDLE) && 'dist/extension.js is missing: run npm run build' },
  async () => {
    const source = readFileSync(BUNDLE, 'utf8');
    const chunks = new Set(Array.from(source.matchAll(/require\("\.\/([\w-]+\.js)"\)/g), (m) => m[1]));
    assert.deepEqual([...chunks].sort(), ['jsonrepair.js', 'openai.js', 'stream-json.js']);
    const load = createRequire(__filename);
    const exported = (file: string) => Object.keys(load(path.join(ROOT, 'dist', file)) as object);
    assert.ok(exported('openai.js').includes('OpenAI'));
    assert.ok(exported('jsonrepair.js').includes('jsonrepair'));
    for (const name of ['pipe', 'parser', 'streamArray', 'jsonVerifier']) {
      assert.ok(exported('stream-json.js').includes(name), `dist/stream-json.js exports ${name}`);
    }
  },
);
