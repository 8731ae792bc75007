import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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
