import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { PlainLineReporter } from './reporter';

/**
 * Entry point VS Code's extension host loads as `extensionTestsPath` (compiled to out/test/integration/index.js).
 * Runs every `*.test.js` next to it with mocha; the returned promise rejects when a test failed, which makes the
 * workbench call `codeAutomationExit(1)`.
 */
export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 30_000,
    slow: 5_000,
    reporter: PlainLineReporter as unknown as typeof Mocha.reporters.Base,
  });
  const grep = process.env.PRM_LENS_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
