#!/usr/bin/env node
// Runs the extension-host integration tests (mocha inside VS Code's extension host) in code-server + headless Chromium.
//
//   node test/harness/run-integration.mjs [--extension DIR] [--tests FILE] [--folder DIR] [--grep TEXT]
//
// Defaults: the repo root as extensionDevelopmentPath, out/test/integration/index.js as extensionTestsPath, and a
// fresh temp folder holding a copy of examples/ as the workspace. Prints one plain line per test, then
// `integration: N passed, N failed`, writes test-results/integration.json, and exits 0 only if all passed.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCodeServer, stopOnSignals } from './code-server.mjs';
import { launchBrowser } from './browser.mjs';
import { REPO_ROOT } from './setup.mjs';
import { makeWorkspace } from './workspace.mjs';

/** Lines the in-host reporter (test/integration/reporter.ts) prints start with this marker. */
export const MARKER = '[prm-lens-test] ';

const { values: argv } = parseArgs({
  options: {
    extension: { type: 'string', default: process.env.PRM_LENS_EXTENSION_PATH || REPO_ROOT },
    tests: { type: 'string', default: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js') },
    folder: { type: 'string' },
    grep: { type: 'string', default: process.env.PRM_LENS_GREP ?? '' },
    timeout: { type: 'string', default: process.env.PRM_LENS_INTEGRATION_TIMEOUT ?? '600' },
    'results-name': { type: 'string', default: 'integration' },
  },
});

function writeResult(result) {
  const dir = path.join(REPO_ROOT, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${argv['results-name']}.json`), JSON.stringify(result, null, 2));
}

async function main() {
  const t0 = Date.now();
  const extensionPath = path.resolve(argv.extension);
  const testsPath = path.resolve(argv.tests);
  if (!fs.existsSync(testsPath))
    throw new Error(`no test entry at ${testsPath} (run \`npx tsc -p tsconfig.test.json\` first)`);
  if (!fs.existsSync(path.join(extensionPath, 'package.json'))) throw new Error(`no extension at ${extensionPath}`);

  const ws = argv.folder ? { dir: path.resolve(argv.folder), cleanup() {} } : makeWorkspace('integration-ws');
  const server = await startCodeServer({ name: 'integration', smokeTestDriver: true });
  let browser;
  stopOnSignals([async () => browser?.close(), server.stop, async () => ws.cleanup()]);
  const consoleLog = path.join(REPO_ROOT, 'test-results', 'logs', 'integration-console.log');
  const consoleOut = fs.createWriteStream(consoleLog);

  const tests = [];
  let summary = null;
  try {
    const launched = await launchBrowser();
    browser = launched.browser;
    const page = launched.page;
    let resolveExit;
    const exitCode = new Promise((resolve) => {
      resolveExit = resolve;
    });
    // The workbench calls window.codeAutomationExit(code) once the tests' run() promise settles.
    await page.exposeFunction('codeAutomationExit', (code) => {
      resolveExit(Number(code));
    });
    page.on('console', (msg) => {
      const text = msg.text();
      consoleOut.write(`[${msg.type()}] ${text}\n`);
      const i = text.indexOf(MARKER);
      if (i < 0) return;
      const line = text.slice(i + MARKER.length).trim();
      if (line.startsWith('SUMMARY ')) {
        try {
          summary = JSON.parse(line.slice('SUMMARY '.length));
        } catch {
          /* keep null */
        }
        return;
      }
      if (line.startsWith('RESULT ')) {
        try {
          tests.push(JSON.parse(line.slice('RESULT '.length)));
        } catch {
          /* ignore */
        }
        return;
      }
      console.log(line);
    });
    page.on('pageerror', (err) => consoleOut.write(`[pageerror] ${err.message}\n`));

    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const env = { PRM_LENS_TEST_WORKSPACE: ws.dir, PRM_LENS_REPO_ROOT: REPO_ROOT, PRM_LENS_GREP: argv.grep };
    const payload = [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(testsPath)],
      ['extensionEnvironment', JSON.stringify(env)],
    ];
    const url = `${server.baseUrl}/?folder=${encodeURIComponent(ws.dir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    console.log(`[integration] code-server ready in ${server.readyMs} ms on port ${server.port}; opening workbench`);
    await page.goto(url);

    const timeoutMs = Number(argv.timeout) * 1000;
    const code = await Promise.race([
      exitCode,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs)),
    ]);
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'integration-final.png') }).catch(() => {});
    if (code === 'timeout')
      throw new Error(
        `the extension host did not report an exit code within ${argv.timeout} s (console: ${consoleLog})`,
      );

    const passed = summary?.passed ?? tests.filter((t) => t.state === 'passed').length;
    let failed = summary?.failed ?? tests.filter((t) => t.state === 'failed').length;
    const pending = summary?.pending ?? 0;
    if (code !== 0 && failed === 0) {
      console.log(`✗ extension host test run exited with code ${code} without a failed test (see ${consoleLog})`);
      failed = 1;
    }
    if (code === 0 && passed === 0) {
      console.log('✗ the extension host ran no test');
      failed += 1;
    }
    const result = {
      tier: 'integration',
      passed,
      failed,
      skipped: pending,
      exitCode: code,
      durationMs: Date.now() - t0,
      tests,
    };
    writeResult(result);
    return result;
  } finally {
    consoleOut.end();
    await browser?.close().catch(() => {});
    await server.stop();
    ws.cleanup();
  }
}

main().then(
  (r) => {
    console.log(`[integration] ${(r.durationMs / 1000).toFixed(1)} s`);
    console.log(`integration: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
    process.exit(r.failed === 0 ? 0 : 1);
  },
  (e) => {
    console.log(`✗ integration tier could not run: ${e instanceof Error ? e.message : e}`);
    writeResult({ tier: 'integration', passed: 0, failed: 1, skipped: 0, error: String(e?.message ?? e) });
    console.log('integration: 0 passed, 1 failed');
    process.exit(1);
  },
);
