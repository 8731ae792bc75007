// UI test: a person adds a local ONNX PRM with "PRM Lens: Add Local Model…" (the folder picker), accepts "Score with
// It" and sees the example coloured by the model, its first error framed, and its scores in the hover. The model
// folder is a tiny Qwen2-style token-classification PRM built by the tests. Screenshots: local-model-*.png.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { compiled } from '../harness/compiled.mjs';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { describeExample } from './example.mjs';
import { until } from './webview-frames.mjs';

const { buildModelFolder } = compiled('support/onnx/fixtures');
const { tempDir } = compiled('support/onnx/tmp');

const EXAMPLE = 'arithmetic-slip.md';

describe('A local ONNX model in the workbench', function () {
  this.timeout(90_000);
  const ex = describeExample(EXAMPLE);
  const tmp = tempDir('ui-local-model');
  let ws;
  let wb;
  let folder;

  before(async function () {
    this.timeout(180_000);
    // threshold 1: every step scores below it, so the model's first error is step 1 whatever its random weights say.
    folder = buildModelFolder(path.join(tmp.dir, 'tiny-prm'), {
      family: 'token-classification',
      prm: { name: 'Tiny PRM', threshold: 1 },
    });
    ws = makeWorkspace('ui-local-model-ws');
    wb = await Workbench.start({ name: 'ui-local-model', folder: ws.dir });
  });

  after(async () => {
    if (wb) await wb.screenshot('local-model-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
    tmp.remove();
  });

  it('Add Local Model… picks the folder, checks it, and "Score with It" colours the steps by the model', async () => {
    await wb.openFromExplorer(EXAMPLE);
    await wb.runCommand('PRM Lens: Add Local Model…');
    // code-server's folder picker is a quick input holding a path: type the folder, then accept it.
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // The picker fills in its own starting folder as it loads: type again until the value holds.
    await until('the picker shows the model folder', async () => {
      if ((await input.inputValue()) !== `${folder}/`) await input.fill(`${folder}/`);
      await wb.page.waitForTimeout(300);
      return (await input.inputValue()) === `${folder}/`;
    });
    await wb.screenshot('local-model-01-picker');
    await wb.page.locator('.quick-input-widget .monaco-button', { hasText: 'Add Local Model' }).click();
    await input.waitFor({ state: 'hidden' });

    const added = await wb.notification('was added as the critic "tiny-prm"', 60_000);
    assert.match(await added.innerText(), /Tiny PRM \(token-classification\) was added as the critic "tiny-prm"/);
    await wb.screenshot('local-model-02-added');
    await added.getByRole('button', { name: 'Score with It' }).click();
    await wb.hideNotifications();

    await wb.waitForDecorations(ex.steps.length, 60_000);
    const status = await wb.waitForStatusBar(/\(tiny-prm\)/, 60_000);
    assert.match(status, new RegExp(`${ex.steps.length} steps · first error: step 1 \\(tiny-prm\\)`));
    const first = ex.steps[0].slice(0, 20);
    const marks = await wb.lineDecorations(first);
    assert.ok(
      marks?.some((d) => d.where === 'content' && d.borderStyle === 'solid'),
      `the model's first error (step 1) is framed: ${JSON.stringify(marks)}`,
    );
    const hover = await wb.hover(first, { expect: 'tiny-prm' });
    assert.match(hover, /tiny-prm\s*⚑?\s+0\.\d+/, `the hover shows the model's score: ${hover}`);
    assert.match(hover, /checker/, 'the checker still runs beside it');
    await wb.screenshotEditor('local-model-03-scored');
  });
});
