import Mocha from 'mocha';

/**
 * Mocha reporter for the extension host. Its console reaches the browser console with a prefix and mangles
 * multi-argument output, so every line is one string, starts with MARKER and never spans lines; the launcher
 * (test/harness/run-integration.mjs) picks these lines out of the browser console.
 */
export const MARKER = '[prm-lens-test] ';

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

export class PlainLineReporter {
  constructor(runner: Mocha.Runner) {
    let passed = 0;
    let failed = 0;
    let pending = 0;
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    const emit = (line: string) => console.log(MARKER + line);
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      passed++;
      emit(`✓ ${oneLine(test.fullTitle())} (${test.duration ?? 0} ms)`);
      emit(`RESULT ${JSON.stringify({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 })}`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      failed++;
      const message = oneLine(err?.message ?? String(err));
      emit(`✗ ${oneLine(test.fullTitle())}: ${message}`);
      emit(`RESULT ${JSON.stringify({ title: test.fullTitle(), state: 'failed', error: message })}`);
      // The stack goes to the console log file only (test-results/logs/integration-console.log).
      if (err?.stack) console.log(`stack of "${test.fullTitle()}": ${err.stack}`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      pending++;
      emit(`- ${oneLine(test.fullTitle())} (skipped)`);
    });
    runner.once(EVENT_RUN_END, () => {
      emit(`SUMMARY ${JSON.stringify({ passed, failed, pending })}`);
    });
  }
}
