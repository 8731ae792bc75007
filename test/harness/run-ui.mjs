#!/usr/bin/env node
// Runs the UI tests (test/ui/*.test.mjs): mocha in plain Node, each suite driving a real workbench through
// test/harness/workbench.mjs. Prints one plain line per test, then `ui: N passed, N failed`, writes
// test-results/ui.json, and exits 0 only if all passed.
//
//   node test/harness/run-ui.mjs [--grep TEXT] [files...]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { REPO_ROOT, ensureAll } from './setup.mjs';

const { values: argv, positionals } = parseArgs({
  allowPositionals: true,
  options: { grep: { type: 'string', default: process.env.PRM_LENS_GREP ?? '' } },
});

const oneLine = (s) =>
  String(s)
    .replace(/\s*\n\s*/g, ' ')
    .trim();

function writeResult(result) {
  const dir = path.join(REPO_ROOT, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'ui.json'), JSON.stringify(result, null, 2));
}

/** One plain line per test; collects the results for test-results/ui.json. */
function makeReporter(results) {
  return function PlainLineReporter(runner) {
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
    runner.on(EVENT_TEST_PASS, (test) => {
      results.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
      console.log(`✓ ${oneLine(test.fullTitle())} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const message = oneLine(err?.message ?? err);
      results.push({ title: test.fullTitle(), state: 'failed', error: message });
      console.log(`✗ ${oneLine(test.fullTitle())}: ${message}`);
      if (process.env.PRM_LENS_VERBOSE && err?.stack) console.log(err.stack);
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      results.push({ title: test.fullTitle(), state: 'skipped' });
      console.log(`- ${oneLine(test.fullTitle())} (skipped)`);
    });
  };
}

async function main() {
  const t0 = Date.now();
  ensureAll(); // before mocha's timeouts start: a first install takes minutes
  const dir = path.join(REPO_ROOT, 'test', 'ui');
  const files = positionals.length
    ? positionals.map((f) => path.resolve(f))
    : fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.test.mjs'))
        .sort()
        .map((f) => path.join(dir, f));
  if (files.length === 0) throw new Error(`no UI test files in ${dir}`);
  const results = [];
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, slow: 10_000, color: false, reporter: makeReporter(results) });
  if (argv.grep) mocha.grep(argv.grep);
  for (const f of files) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  const passed = results.filter((r) => r.state === 'passed').length;
  let failed = results.filter((r) => r.state === 'failed').length;
  if (failures > failed) failed = failures; // hook failures are reported through `fail` too; be safe
  const skipped = results.filter((r) => r.state === 'skipped').length;
  const result = { tier: 'ui', passed, failed, skipped, durationMs: Date.now() - t0, tests: results };
  if (passed + failed === 0) {
    console.log('✗ the UI tier ran no test');
    result.failed = 1;
  }
  writeResult(result);
  return result;
}

main().then(
  (r) => {
    console.log(`[ui] ${(r.durationMs / 1000).toFixed(1)} s; screenshots in test-results/screenshots/`);
    console.log(`ui: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
    process.exit(r.failed === 0 ? 0 : 1);
  },
  (e) => {
    console.log(`✗ UI tier could not run: ${e instanceof Error ? e.message : e}`);
    writeResult({ tier: 'ui', passed: 0, failed: 1, skipped: 0, error: String(e?.message ?? e) });
    console.log('ui: 0 passed, 1 failed');
    process.exit(1);
  },
);
