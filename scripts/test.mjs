#!/usr/bin/env node
// `npm test`: dependencies, lint, typecheck, build, compiled tests, then the tiers in order:
//   unit         node --test over out/test/unit/**/*.test.js
//   integration  mocha inside VS Code's extension host (code-server + headless Chromium)
//   ui           playwright-core driving the workbench (code-server + headless Chromium)
//   package      the packed .vsix: its file list, then the extension-host suite against the unpacked package
// Ends with one line `N passed, N failed` over all tiers; a failed step (lint, typecheck, build, compile) or a
// tier that could not run counts as one failure. Exits non-zero when anything failed.
//
// PRM_LENS_TIERS=unit,integration,ui,package   tiers to run (default: all)
// PRM_LENS_SKIP_CHECKS=1               skip lint and typecheck (development only)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'test-results');
const ALL_TIERS = ['unit', 'integration', 'ui', 'package'];
const tiers = (process.env.PRM_LENS_TIERS ?? ALL_TIERS.join(','))
  .split(',')
  .map((t) => t.trim())
  .filter(Boolean);
for (const t of tiers) {
  if (!ALL_TIERS.includes(t)) {
    console.error(`PRM_LENS_TIERS: unknown tier "${t}" (known: ${ALL_TIERS.join(', ')})`);
    process.exit(2);
  }
}

const timings = [];
const stepFailures = [];

function run(label, cmd, args, opts = {}) {
  const started = Date.now();
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  const seconds = (Date.now() - started) / 1000;
  timings.push([label, seconds]);
  const ok = r.status === 0;
  console.log(
    `=== ${label}: ${ok ? 'ok' : `FAILED (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`} in ${seconds.toFixed(1)} s`,
  );
  return ok;
}

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

/** True when node_modules is missing or does not match package-lock.json (npm's own record in node_modules). */
function dependenciesStale() {
  const hidden = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lockFile = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(hidden)) return 'node_modules is missing';
  if (!fs.existsSync(lockFile)) return false;
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages ?? {};
  const installed = JSON.parse(fs.readFileSync(hidden, 'utf8')).packages ?? {};
  for (const [key, meta] of Object.entries(lock)) {
    if (key === '' || !key.startsWith('node_modules/')) continue;
    if (meta.optional && !installed[key]) continue; // optional dependencies for other platforms
    if (installed[key]?.version !== meta.version) return `${key} ${meta.version} is not installed`;
  }
  return false;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function findFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

function step(label, ok) {
  if (!ok) stepFailures.push(label);
  return ok;
}

const t0 = Date.now();
fs.mkdirSync(RESULTS, { recursive: true });

// 1. dependencies
const stale = dependenciesStale();
if (stale) {
  console.log(`dependencies: ${stale}; running npm ci`);
  // onnxruntime-node's install script stays off through allowScripts (npm 11.17+); the variable keeps it off for an
  // older npm too (it would download CUDA files, and fail offline).
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  if (!step('npm ci', run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], { env }))) {
    console.log('\n0 passed, 1 failed');
    process.exit(1);
  }
}

// 2. lint, formatting (prettier) and typecheck
if (!process.env.PRM_LENS_SKIP_CHECKS) {
  step('lint', run('lint', bin('eslint'), ['.']));
  step('format', run('format', bin('prettier'), ['--check', '--log-level', 'warn', '**/*.{ts,mjs,js,css}']));
  step('typecheck', run('typecheck', 'npm', ['run', 'typecheck']));
}

// 3. build and compile the tests (tsc emits even when it reports type errors, so the tiers can still run)
const built = step('build', run('build', 'npm', ['run', 'build']));
fs.rmSync(path.join(ROOT, 'out', 'test'), { recursive: true, force: true }); // no stale compiled tests
step('compile tests', run('compile tests', bin('tsc'), ['-p', 'tsconfig.test.json']));

// 4. tiers
const tierResults = [];

function tierUnit() {
  const files = findFiles(path.join(ROOT, 'out', 'test', 'unit'), '.test.js');
  if (files.length === 0) {
    console.log('\n=== unit: no compiled unit tests in out/test/unit (nothing to run)');
    return { tier: 'unit', passed: 0, failed: 0, skipped: 0 };
  }
  const countsFile = path.join(RESULTS, 'unit-counts.json');
  fs.rmSync(countsFile, { force: true });
  const ok = run('unit', process.execPath, [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(ROOT, 'test', 'harness', 'node-test-counter.mjs')}`,
    `--test-reporter-destination=${countsFile}`,
    ...files.map((f) => path.relative(ROOT, f)),
  ]);
  const counts = readJson(countsFile);
  if (!counts) return { tier: 'unit', passed: 0, failed: 1, skipped: 0, error: 'node --test wrote no counts' };
  if (!ok && counts.failed === 0) counts.failed = 1; // the runner failed without a failed test (a crash, say)
  return { tier: 'unit', ...counts };
}

function tierHarness(tier, script, needsBuild) {
  const file = path.join(RESULTS, `${tier}.json`);
  fs.rmSync(file, { force: true });
  if (needsBuild && !built) {
    console.log(`\n=== ${tier}: could not run (the build failed)`);
    return { tier, passed: 0, failed: 1, skipped: 0, error: 'build failed' };
  }
  const ok = run(tier, process.execPath, [path.join('test', 'harness', script)]);
  const result = readJson(file) ?? { tier, passed: 0, failed: 1, skipped: 0, error: `${script} wrote no result` };
  if (!ok && result.failed === 0) result.failed = 1;
  return result;
}

let setupOk = true;
if (tiers.some((t) => t !== 'unit')) {
  // Chromium, Node 24 and code-server (cached in .vscode-test/); slow only the first time on a machine.
  // A failure here is counted by the tiers that could then not run.
  setupOk = run('setup (chromium, node 24, code-server)', process.execPath, [
    path.join('test', 'harness', 'setup.mjs'),
  ]);
}
for (const tier of tiers) {
  if (tier === 'unit') tierResults.push(tierUnit());
  else if (!setupOk) tierResults.push({ tier, passed: 0, failed: 1, skipped: 0, error: 'setup failed' });
  else if (tier === 'integration') tierResults.push(tierHarness('integration', 'run-integration.mjs', true));
  else if (tier === 'ui') tierResults.push(tierHarness('ui', 'run-ui.mjs', true));
  else if (tier === 'package') tierResults.push(tierHarness('package', 'run-package.mjs', true));
}

// 5. summary
console.log('\n=== summary');
for (const [label, seconds] of timings) console.log(`  ${label.padEnd(38)} ${seconds.toFixed(1).padStart(7)} s`);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of tierResults) {
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped ?? 0;
  const extra = r.error ? ` (${r.error})` : r.failures?.length ? ` (failed: ${r.failures.join('; ')})` : '';
  console.log(
    `  tier ${r.tier.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${extra}`,
  );
}
for (const s of stepFailures) {
  console.log(`  step ${s} FAILED (counted as 1 failure)`);
  failed += 1;
}
if (skipped) console.log(`  ${skipped} skipped`);
if (passed + failed === 0) console.log('  no test ran');
console.log(`  total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
