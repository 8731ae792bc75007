// UI tests: a person opens the example in VS Code, scores it from the command palette, and reads the marks,
// the hover, the Problems panel and the status bar. Screenshots go to test-results/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { describeExample } from './example.mjs';

const EXAMPLE = 'arithmetic-slip.md';
const SCORE = 'PRM Lens: Score Steps in Current File';
const CLEAR = 'PRM Lens: Clear Step Marks';

describe('PRM Lens in the workbench', function () {
  this.timeout(60_000);
  const ex = describeExample(EXAMPLE);
  let ws;
  let wb;
  let rulerBefore;

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-ws');
    // A longer pause before re-scoring than the default keeps the "marks gone while typing" check robust on a busy
    // machine (it also shows the setting is read).
    wb = await Workbench.start({ name: 'ui', folder: ws.dir, settings: { 'prmLens.rescoreDelay': 1500 } });
  });

  after(async () => {
    if (wb) await wb.screenshot('zz-final-window').catch(() => {});
    await wb?.close();
    ws?.cleanup();
  });

  it('opens the example from the Explorer, unmarked', async () => {
    await wb.openFromExplorer(EXAMPLE);
    assert.ok(await wb.textBox(ex.wrong.claim), `the editor should show "${ex.wrong.claim}"`);
    const counts = await wb.decorationCounts();
    assert.deepEqual(counts, { content: {}, margin: {} }, 'no step marks before scoring');
    rulerBefore = await wb.overviewRulerPng();
    await wb.screenshotEditor('01-example-unscored');
  });

  it('scores from the command palette and paints every step, the first error distinctly', async () => {
    await wb.runCommand(SCORE);
    await wb.waitForDecorations(ex.steps.length);
    // status bar: "N steps · first error: step K (checker)"
    const status = await wb.waitForStatusBar(/\d+ steps?/);
    assert.match(status, new RegExp(`${ex.steps.length} steps · first error: step ${ex.wrongStep + 1} \\(checker\\)`));

    const wrongLine = await wb.lineDecorations(ex.wrong.claim);
    assert.ok(wrongLine && wrongLine.length > 0, 'the wrong step has decorations');
    const border = wrongLine.find((d) => d.where === 'content' && d.borderStyle === 'solid');
    assert.ok(border, `the first error has a solid border: ${JSON.stringify(wrongLine)}`);
    const badBackground = wrongLine.find(
      (d) => d.where === 'content' && !/rgba\(0, 0, 0, 0\)|transparent/.test(d.background),
    );
    assert.ok(badBackground, `the wrong step has a background: ${JSON.stringify(wrongLine)}`);
    const gutter = wrongLine.find((d) => d.where === 'margin' && d.backgroundImage !== 'none');
    assert.ok(gutter, `the first error has a gutter icon: ${JSON.stringify(wrongLine)}`);
    // The default prmLens.diagnosticSeverity is "warning": the gutter shows the warning icon, as the Problems panel.
    assert.match(gutter.backgroundImage, /first-error-warning\.svg/);

    assert.ok(ex.goodStepSnippet, 'the example should have a correct step after the slip');
    const goodLine = await wb.lineDecorations(ex.goodStepSnippet);
    assert.ok(goodLine && goodLine.length > 0, 'a correct step has a decoration');
    assert.ok(
      !goodLine.some((d) => d.borderStyle === 'solid'),
      `only the first error has the solid border: ${JSON.stringify(goodLine)}`,
    );
    assert.ok(!goodLine.some((d) => d.where === 'margin'), 'only the first error has a gutter icon');
    const goodBackgrounds = goodLine.filter((d) => d.where === 'content').map((d) => d.background);
    assert.ok(
      !goodBackgrounds.includes(badBackground.background),
      `a correct step is not coloured like the wrong one (${badBackground.background})`,
    );

    const rulerAfter = await wb.overviewRulerPng();
    assert.ok(!rulerAfter.equals(rulerBefore), 'the overview ruler shows a mark');
    await wb.screenshotEditor('02-example-scored');
  });

  it('hovering the wrong step shows the checker, its verdict and reason', async () => {
    const text = await wb.hover(ex.wrong.claim, { expect: 'checker' });
    assert.match(text, /incorrect/);
    assert.ok(
      text.includes(String(ex.wrong.correct)),
      `the reason gives the correct product ${ex.wrong.correct}: ${text}`,
    );
    assert.match(text, new RegExp(`step ${ex.wrongStep + 1} of ${ex.steps.length}`));
    await wb.screenshotEditor('03-hover-wrong-step');
    await wb.dismissHover();
  });

  it('the Problems panel lists the first error at the wrong step', async () => {
    const rows = await wb.problems({ waitFor: 'First error (checker)' });
    const row = rows.find((r) => r.aria.includes('First error (checker)'));
    assert.ok(row, `no "First error (checker)" problem: ${JSON.stringify(rows)}`);
    assert.match(row.aria, /PRM Lens/);
    assert.match(row.aria, new RegExp(`at line ${ex.wrongStepLine} and character 1`));
    assert.ok(
      rows.some((r) => r.aria.includes(EXAMPLE)),
      'the problem is filed under the example',
    );
    await wb.screenshot('04-problems-panel');
    await wb.closePanel();
  });

  it('typing removes the marks at once and they come back after a pause', async () => {
    const box = await wb.textBox(ex.wrong.claim);
    await wb.page.mouse.click(box.x + box.width + 200, box.y + box.height / 2); // end of that line
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type(' ');
    await wb.waitForNoDecorations(1_000); // the first keystroke removes the stale marks
    await wb.page.keyboard.type('Indeed.');
    const typedAt = Date.now();
    await wb.screenshotEditor('05-edited-marks-gone');
    await wb.waitForDecorations(ex.steps.length, 10_000);
    const pause = Date.now() - typedAt;
    assert.ok(pause >= 1_000, `re-scoring should wait for the configured pause (1500 ms), came after ${pause} ms`);
    const wrongLine = await wb.lineDecorations(ex.wrong.claim);
    assert.ok(
      wrongLine.some((d) => d.borderStyle === 'solid'),
      're-scored: the first error is marked again',
    );
  });

  it('Clear Step Marks removes the marks, the problem and the status', async () => {
    await wb.runCommand(CLEAR);
    await wb.waitForNoDecorations();
    const rows = await wb.problems();
    assert.ok(
      !rows.some((r) => r.aria.includes('First error')),
      `no PRM Lens problem after clearing: ${JSON.stringify(rows)}`,
    );
    await wb.closePanel();
    const status = await wb.statusBarTexts();
    assert.ok(
      !status.some((t) => /\d+ steps? ·/.test(t)),
      `no PRM Lens status after clearing: ${JSON.stringify(status)}`,
    );
    await wb.screenshotEditor('06-cleared');
  });

  it('marks show in both halves of a split editor and come back when switching tabs', async () => {
    await wb.runCommand(SCORE);
    await wb.waitForDecorations(ex.steps.length);
    await wb.runCommand('View: Split Editor Right');
    const perEditor = async () =>
      wb.page.evaluate(() =>
        [...document.querySelectorAll('.editor-instance')].map(
          (e) => e.querySelectorAll('.view-overlays [class*="ced-"]').length,
        ),
      );
    let counts = [];
    for (let i = 0; i < 50 && !(counts.length === 2 && counts.every((n) => n >= ex.steps.length)); i++) {
      counts = await perEditor();
      await wb.page.waitForTimeout(200);
    }
    assert.equal(counts.length, 2, `two editors after splitting: ${JSON.stringify(counts)}`);
    assert.ok(
      counts.every((n) => n >= ex.steps.length),
      `both editors show every step's mark: ${JSON.stringify(counts)}`,
    );
    await wb.screenshot('07-split-editors');
    await wb.runCommand('View: Join All Editor Groups');

    await wb.quickOpen('all-correct.md');
    const other = await wb.statusBarTexts();
    assert.ok(
      !other.some((t) => /first error: step/.test(t)),
      `an unscored tab shows no verdict: ${JSON.stringify(other)}`,
    );
    await wb.quickOpen(EXAMPLE);
    await wb.waitForDecorations(ex.steps.length);
    await wb.waitForStatusBar(new RegExp(`first error: step ${ex.wrongStep + 1}`));
  });
});
