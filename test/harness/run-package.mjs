#!/usr/bin/env node
// The packaged tier: tests what a person installs. Packs the .vsix (production bundles, linux-x64 native modules),
// checks its file list, unpacks it and runs the extension-host suite against the unpacked extension instead of the
// sources, so a file missing from the package (a bundle, a native binary, a webview asset) fails here.
// Writes test-results/package.json and prints `package: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './setup.mjs';
import { extractZip, listZip } from './zip.mjs';

const RESULTS = path.join(REPO_ROOT, 'test-results');
const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
const vsix = path.join(REPO_ROOT, `prm-lens-${version}.vsix`);

/** What the package must hold, and what it must not (sources, tests, other platforms' binaries). */
const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/cli.js',
  'extension/dist/openai.js',
  'extension/dist/stream-json.js',
  'extension/dist/jsonrepair.js',
  'extension/dist/onnx-host.js',
  'extension/dist/stats-worker.js',
  'extension/dist/webview/inspector.js',
  'extension/dist/webview/dataset.js',
  'extension/dist/webview/metrics.js',
  'extension/dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/dist/node_modules/@anush008/tokenizers-linux-x64-gnu/package.json',
  'extension/media/first-error.svg',
];
const FORBIDDEN = [
  /^extension\/(src|test|bench|scripts|out|webview)\//,
  /^extension\/node_modules\//,
  /napi-v6\/(darwin|win32)\//,
  /napi-v6\/linux\/arm64\//,
  /\.map$/,
  /\.d\.ts$/,
];

const checks = [];
function check(title, ok, detail) {
  checks.push({ title, ok, detail });
  console.log(`${ok ? '✓' : '✗'} package ${title}${ok ? '' : `: ${detail}`}`);
}

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', ...opts });
}

const packed = sh(process.execPath, ['scripts/package.mjs'], { stdio: 'inherit' });
check('npm run package builds the .vsix', packed.status === 0 && fs.existsSync(vsix), `exit ${packed.status}`);

let integration = { passed: 0, failed: 0, skipped: 0 };
if (fs.existsSync(vsix)) {
  const names = await listZip(vsix).catch((e) => {
    check('is a readable zip archive', false, e.message);
    return [];
  });
  const missing = REQUIRED.filter((f) => !names.includes(f));
  check(
    'holds the bundles, webview assets and the linux-x64 native modules',
    missing.length === 0,
    `missing ${missing.join(', ')}`,
  );
  const extra = names.filter((n) => FORBIDDEN.some((re) => re.test(n)));
  check(
    'leaves out sources, tests, source maps, type declarations and other platforms',
    extra.length === 0,
    `${extra.length} files, e.g. ${extra.slice(0, 5).join(', ')}`,
  );
  const sizeMb = fs.statSync(vsix).size / 2 ** 20;
  console.log(`  ${path.basename(vsix)}: ${names.length} files, ${sizeMb.toFixed(1)} MiB`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-vsix-'));
  try {
    const unpacked = await extractZip(vsix, dir).then(
      () => null,
      (e) => e.message,
    );
    check('unpacks', unpacked === null, unpacked);
    const run = sh(
      process.execPath,
      [
        path.join('test', 'harness', 'run-integration.mjs'),
        '--extension',
        path.join(dir, 'extension'),
        '--results-name',
        'package-integration',
      ],
      { stdio: 'inherit' },
    );
    const file = path.join(RESULTS, 'package-integration.json');
    integration = fs.existsSync(file)
      ? JSON.parse(fs.readFileSync(file, 'utf8'))
      : { passed: 0, failed: 1, skipped: 0, error: `run-integration exited ${run.status}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const passed = checks.filter((c) => c.ok).length + integration.passed;
const failed = checks.filter((c) => !c.ok).length + integration.failed;
fs.mkdirSync(RESULTS, { recursive: true });
fs.writeFileSync(
  path.join(RESULTS, 'package.json'),
  JSON.stringify({ tier: 'package', passed, failed, skipped: integration.skipped ?? 0, checks, integration }, null, 2),
);
console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
