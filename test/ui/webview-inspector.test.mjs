// UI tests of the step inspector: a person scores the example, opens the inspector from the status bar, and the
// inspector and the editor follow each other (click → selection, cursor → highlight, keyboard navigation); step
// labels; the panel comes back after a reload. Screenshots go to test-results/screenshots/webview-inspector-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { describeExample } from './example.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const EXAMPLE = 'arithmetic-slip.md';

describe('Step inspector webview', function () {
  this.timeout(90_000);
  const ex = describeExample(EXAMPLE);
  let ws;
  let wb;
  let frame;

  const currentStep = () =>
    frame.evaluate(() => document.querySelector('.row.step.current')?.getAttribute('data-step') ?? null);

  /** Ln/Col of the editor as the status bar shows it once the editor has focus (Ctrl+1 keeps the selection). */
  async function editorCursor() {
    await wb.page.keyboard.press('Control+1');
    return until('the cursor position in the status bar', async () =>
      (await wb.statusBarTexts()).find((t) => /^Ln \d+, Col \d+/.test(t)),
    );
  }

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-inspector-ws');
    wb = await Workbench.start({ name: 'ui-webview-inspector', folder: ws.dir });
  });

  after(async () => {
    if (wb) await wb.screenshot('webview-inspector-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
  });

  it('the status bar opens the inspector with every step, the first error and the reason', async () => {
    await wb.openFromExplorer(EXAMPLE);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForDecorations(ex.steps.length);
    await wb.page
      .locator('.statusbar-item', { hasText: /steps? · first error/ })
      .first()
      .click();
    frame = await webviewFrame(wb.page, 'inspector', { ready: '.row.step' });
    const rows = await frame.$$eval('.row.step', (els) =>
      els.map((e) => e.querySelector('.step-text')?.textContent?.trim()),
    );
    assert.equal(rows.length, ex.steps.length);
    assert.match(rows[ex.wrongStep], /12 × 7 = 74/);
    const wrong = await frame.$eval(`.row.step[data-step="${ex.wrongStep}"]`, (row) => ({
      cells: [...row.querySelectorAll('.judge')].map((c) => ({ cls: c.className, text: c.textContent })),
    }));
    assert.match(wrong.cells[0].cls, /kind-bad/);
    assert.match(wrong.cells[0].cls, /first-error/);
    assert.match(wrong.cells[0].text, new RegExp(String(ex.wrong.correct)), 'the reason gives the right product');
    assert.match(
      await frame.$eval('.summary', (s) => s.textContent),
      new RegExp(`first error: step ${ex.wrongStep + 1}`),
    );
    await screenshotWebview(wb.page, frame, 'webview-inspector-01-opened');
  });

  it('clicking a step selects it in the editor', async () => {
    await frame.click(`.row.step[data-step="${ex.wrongStep}"] .step-no`);
    assert.equal(await currentStep(), String(ex.wrongStep));
    // The selection arrives through the host (message, then showTextDocument): wait for it rather than read once.
    const selected = new RegExp(`^Ln ${ex.wrongStepLine}, Col \\d+ \\(\\d+ selected\\)`);
    await until(`line ${ex.wrongStepLine} selected in the editor`, async () => selected.test(await editorCursor()));
    await wb.screenshot('webview-inspector-02-click-selects');
  });

  it('moving the cursor in the editor highlights its step in the inspector', async () => {
    const target = ex.steps.length - 1;
    const snippet = ex.steps[target].slice(0, 20);
    // The text editor's group must be the active one (focus may still be in the inspector after the last click).
    const box = await until(`"${snippet}" visible in the editor`, async () => {
      await wb.page.keyboard.press('Control+1');
      return wb.textBox(snippet);
    });
    await wb.page.mouse.click(box.x + 5, box.y + box.height / 2);
    await until(`step ${target} highlighted`, async () => (await currentStep()) === String(target));
    await screenshotWebview(wb.page, frame, 'webview-inspector-03-cursor-highlights');
  });

  it('keyboard: j/k move between steps and keep the editor in sync; labels with c/x', async () => {
    await frame.click('.row.step[data-step="0"] .step-no');
    await frame.press('.row.step[data-step="0"] .text', 'j');
    await until('step 1 current', async () => (await currentStep()) === '1');
    await frame.press('.row.step[data-step="1"] .text', 'j');
    await until('step 2 current', async () => (await currentStep()) === '2');
    await frame.press('.row.step[data-step="2"] .text', 'k');
    await until('step 1 current again', async () => (await currentStep()) === '1');
    await frame.press('.row.step[data-step="1"] .text', 'c');
    await until('step 2 labelled correct', () =>
      frame.$eval('.row.step[data-step="1"] .human-correct', (b) => b.getAttribute('aria-pressed') === 'true'),
    );
    await frame.click(`.row.step[data-step="${ex.wrongStep}"] .human-incorrect`);
    await until('the wrong step labelled incorrect', () =>
      frame.$eval(
        `.row.step[data-step="${ex.wrongStep}"] .human-incorrect`,
        (b) => b.getAttribute('aria-pressed') === 'true',
      ),
    );
    await screenshotWebview(wb.page, frame, 'webview-inspector-04-keyboard-labels');
  });

  it('the inspector comes back after a window reload (panel serializer)', async () => {
    await wb.page.reload();
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await webviewFrame(wb.page, 'inspector', { timeout: 60_000, ready: 'h1' });
    assert.match(await frame.$eval('h1', (e) => e.textContent), new RegExp(EXAMPLE.replace('.', '\\.')));
    // The analysis is not persisted: the restored panel offers to score the file again.
    const scoreButton = await frame.waitForSelector('vscode-button', { timeout: 10_000 });
    await scoreButton.click();
    await frame.waitForSelector('.row.step', { timeout: 30_000 });
    assert.equal(await frame.$$eval('.row.step', (r) => r.length), ex.steps.length);
    const labelled = await frame.$eval('.row.step[data-step="1"] .human-correct', (b) =>
      b.getAttribute('aria-pressed'),
    );
    assert.equal(labelled, 'true', 'step labels persist in the workspace');
    await screenshotWebview(wb.page, frame, 'webview-inspector-05-restored');
  });
});
