// Restricted Mode (an untrusted folder): the extension declares limited support, so the built-in offline checker
// must still score a file there.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { describeExample } from './example.mjs';

const EXAMPLE = 'arithmetic-slip.md';

describe('PRM Lens in Restricted Mode', function () {
  this.timeout(60_000);
  const ex = describeExample(EXAMPLE);
  let ws;
  let wb;

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-restricted-ws');
    wb = await Workbench.start({ name: 'ui-restricted', folder: ws.dir, workspaceTrust: true });
  });

  after(async () => {
    await wb?.close();
    ws?.cleanup();
  });

  it('opens the folder untrusted and the checker still scores the example', async () => {
    await wb.waitForExplorer();
    await wb.waitForStatusBar(/Restricted Mode/, 20_000);
    await wb.quickOpen(EXAMPLE);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForDecorations(ex.steps.length);
    const status = await wb.waitForStatusBar(/\d+ steps?/);
    assert.match(status, new RegExp(`${ex.steps.length} steps · first error: step ${ex.wrongStep + 1} \\(checker\\)`));
    await wb.screenshot('08-restricted-mode-scored');
  });
});
