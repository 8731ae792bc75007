// UI test of a long reasoning trace: scored in the editor (thinking border, section markers, folding), then in the
// step inspector (section groups, the answer apart, first errors per part, the trajectory chart selecting steps).
// Screenshots go to test-results/screenshots/trace-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const EXAMPLE = 'long-trace.md';
/** A long trace: 2,000 thinking paragraphs, a "Wait, …" every 8th, so 251 sections (the first one, then one per "Wait"). */
const LONG = 'many-sections.md';
const LONG_STEPS = 2000;
const longTrace = () => {
  const paras = Array.from(
    { length: LONG_STEPS },
    (_, i) => `${i % 8 === 7 ? 'Wait, check: ' : 'Then '}${i} + 1 = ${i + 1}.`,
  );
  return `## Problem\n\nCount to ${LONG_STEPS}.\n\n<think>\n${paras.join('\n\n')}\n</think>\n\nThe answer is ${LONG_STEPS}.\n`;
};

describe('Long reasoning trace UI', function () {
  this.timeout(90_000);
  let ws;
  let wb;
  let frame;

  const currentStep = () =>
    frame.evaluate(() => document.querySelector('.row.step.current')?.getAttribute('data-step') ?? null);
  /** The number of steps as the inspector's header states it. */
  const stepCount = async () =>
    Number((await frame.$eval('header .meta', (e) => e.textContent)).match(/^(\d+) steps?/)[1]);
  /** Rows of the list in the DOM (group heads and steps; not the column heads). */
  const rowsInDom = () => frame.$$eval('.steps > .row:not(.head)', (els) => els.length);
  /** The grid's row count for assistive technology: every row of the list, rendered or not, plus the column heads. */
  const rowCount = () => frame.$eval('.steps', (e) => Number(e.getAttribute('aria-rowcount')));
  /** Whether the step's row is in the DOM and inside the webview's viewport (not under the sticky heads). */
  const stepInView = (step) =>
    frame.evaluate((i) => {
      const cell = document.querySelector(`.row.step[data-step="${i}"] .text`);
      if (!cell) return false;
      const r = cell.getBoundingClientRect();
      const heads = document.querySelector('.steps .head > *').getBoundingClientRect().bottom;
      return r.top >= heads - 1 && r.top < innerHeight;
    }, step);
  /** Waits two animation frames in the webview (a scroll's repaint of the list runs in the next one). */
  const frames = () => frame.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-trace-ws');
    fs.writeFileSync(path.join(ws.dir, LONG), longTrace());
    // A dark theme: the trace's colours (thinking border, section markers, chart) must read on it too.
    wb = await Workbench.start({
      name: 'ui-trace',
      folder: ws.dir,
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    });
  });

  after(async () => {
    await wb?.close();
    ws?.cleanup();
  });

  it('scores the trace: section markers after section heads; the thinking folds to its tag line', async () => {
    await wb.openFromExplorer(EXAMPLE);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForDecorations(10);
    const marker = await until('a section marker', () =>
      wb.page.evaluate(() =>
        [...document.querySelectorAll('.view-lines [class*="ced-"]')]
          .map((e) => getComputedStyle(e, '::after').content)
          .find((c) => /attempt/.test(c)),
      ),
    );
    assert.match(marker, /attempt .*[✓✗·]/);
    await wb.screenshotEditor('trace-01-editor-unfolded');
    // Fold the thinking block from its tag line (Fold All would also fold the markdown heading above it).
    const tag = await until('the <think> line', () => wb.textBox('<think>'));
    await wb.page.mouse.click(tag.x + 2, tag.y + tag.height / 2);
    await wb.page.keyboard.press('Control+Shift+BracketLeft');
    const visible = () =>
      wb.page.evaluate(() =>
        [...document.querySelectorAll('.view-lines .view-line')].map((l) => l.textContent.replace(/\u00a0/g, ' ')),
      );
    await until('the thinking folded', async () => {
      const lines = await visible();
      return (
        lines.some((l) => l.includes('<think>')) &&
        lines.some((l) => l.includes('The path is the outer rectangle')) &&
        !lines.some((l) => l.includes('Likewise the outer width'))
      );
    });
    await wb.screenshotEditor('trace-02-editor-folded');
    await wb.runCommand('Unfold All');
  });

  it('the inspector groups steps by section, shows the answer apart and both first errors', async () => {
    await wb.runCommand('PRM Lens: Open Step Inspector');
    frame = await webviewFrame(wb.page, 'inspector', { ready: '.row.group' });
    const groups = await frame.$$eval('.row.group.section', (els) => els.map((e) => e.textContent));
    assert.ok(groups.length >= 3, `only ${groups.length} section groups`);
    assert.match(groups[0], /Section 1 · attempt/);
    assert.ok(groups.some((g) => /verification/.test(g)));
    assert.equal(await frame.$$eval('.row.group.answer', (els) => els.length), 1);
    const meta = await frame.$eval('header .meta', (e) => e.textContent);
    const firstError = Number(meta.match(/first error in the thinking: step (\d+)/)?.[1]);
    assert.ok(firstError > 0, meta);
    assert.match(meta, /first error in the answer: none/);
    // The first error is a link to its step.
    await frame.click('header .meta .step-link');
    await until(
      `step ${firstError} selected from the header`,
      async () => (await currentStep()) === String(firstError - 1),
    );
    // A few sections: open by default; collapsing one removes its rows.
    const before = await frame.$$eval('.row.step', (els) => els.length);
    await frame.click('.row.group.section[data-section="0"] .group-toggle');
    const after = await until('section 1 collapsed', async () => {
      const n = await frame.$$eval('.row.step', (els) => els.length);
      return n < before && n;
    });
    assert.ok(after < before);
    // The top of the panel: header, critics, problem, the trajectory chart and the first section groups.
    await frame.evaluate(() => scrollTo(0, 0));
    await frames();
    await screenshotWebview(wb.page, frame, 'trace-03-inspector');
  });

  it('clicking the trajectory chart selects the step under the pointer, opening its section', async () => {
    const box = await frame.$eval('.trajectory', (e) => {
      const r = e.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    // Step 1 (index 0) is in the collapsed first section: clicking its x opens the section and selects it.
    await frame.click('.trajectory', { position: { x: 2, y: box.height / 2 } });
    await until(
      'step 0 selected',
      async () =>
        (await frame.evaluate(() => document.querySelector('.row.step.current')?.getAttribute('data-step'))) === '0',
    );
    await frame.click('.trajectory', { position: { x: box.width - 2, y: box.height / 2 } });
    const last = await until('another step selected', async () => {
      const step = await frame.evaluate(() => document.querySelector('.row.step.current')?.getAttribute('data-step'));
      return step !== '0' && step;
    });
    assert.equal(last, String((await stepCount()) - 1));
    await screenshotWebview(wb.page, frame, 'trace-04-inspector-chart-click');
  });

  it('a trace of 2,000 steps opens with its 251 sections collapsed, only the rows near the viewport in the DOM', async () => {
    await wb.openFromExplorer(LONG);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForStatusBar(new RegExp(`${LONG_STEPS + 1} steps`), 30_000);
    await wb.runCommand('PRM Lens: Open Step Inspector');
    frame = await webviewFrame(wb.page, 'inspector', { ready: '.row.group' });
    await until('the long trace in the inspector', async () => (await stepCount()) === LONG_STEPS + 1);
    assert.equal(await frame.$eval('.groups .open-count', (e) => e.textContent), '251 sections, 0 open');
    // Column heads + 251 section heads + the answer head + the answer's step.
    assert.equal(await rowCount(), 1 + 251 + 1 + 1);
    assert.deepEqual(
      await frame.$$eval('.group-toggle', (els) => [...new Set(els.map((e) => e.getAttribute('aria-expanded')))]),
      ['false'],
    );
    const heads = await frame.$$eval('.row.group.section', (els) => els.length);
    assert.ok(heads > 5 && heads < 251, `${heads} of the 251 section heads in the DOM`);
    const box = await frame.$eval('.trajectory', (e) => e.getBoundingClientRect().toJSON());
    // The middle of the chart: a step of section ~125, whose 8 rows are built when the click opens it.
    await frame.click('.trajectory', { position: { x: box.width / 2, y: box.height / 2 } });
    const step = Number(await until('a step selected', currentStep));
    assert.ok(Math.abs(step - LONG_STEPS / 2) < 20, `step ${step} is not near the middle`);
    assert.ok(await stepInView(step), `step ${step} is scrolled into view`);
    const section = Math.floor((step + 1) / 8);
    const built = await frame.$$eval('.row.step', (els) => els.map((e) => Number(e.getAttribute('data-step'))));
    assert.deepEqual(
      built,
      Array.from({ length: 8 }, (_, k) => section * 8 - 1 + k),
      'only the opened section’s steps are built',
    );
    assert.equal(await rowCount(), 1 + 251 + 1 + 1 + 8);
    await screenshotWebview(wb.page, frame, 'trace-05-inspector-long');
  });

  it('all 251 sections open: scrolling through 2,254 rows keeps a few hundred in the DOM and reaches the last step', async () => {
    await frame.click('.groups vscode-button:has-text("Expand all")');
    await until('every section open', async () => (await rowCount()) === 1 + 251 + 1 + LONG_STEPS + 1);
    assert.equal(await frame.$eval('.groups .open-count', (e) => e.textContent), '251 sections, all open');
    // Through the whole list in ten jumps: at each, a row (never a spacer) under the viewport's middle.
    let most = 0;
    for (let k = 1; k <= 10; k++) {
      await frame.evaluate((f) => scrollTo(0, f * (document.scrollingElement.scrollHeight - innerHeight)), k / 10);
      await frames();
      most = Math.max(most, await rowsInDom());
      const under = await frame.evaluate(
        () => document.elementFromPoint(innerWidth / 3, innerHeight / 2)?.closest('.row, .spacer')?.className,
      );
      assert.match(under ?? '', /\brow\b/, `at ${k * 10}% of the list the viewport's middle shows ${under}`);
    }
    assert.ok(most > 10 && most <= 300, `${most} rows in the DOM at most`);
    // The end: the answer's step (the last one) is in view; measuring rows may move the end, so scroll again.
    await until('the last step in view at the end of the list', async () => {
      await frame.evaluate(() => scrollTo(0, document.scrollingElement.scrollHeight));
      await frames();
      return stepInView(LONG_STEPS);
    });
    assert.ok(await frame.$('.row.group.answer'), 'the answer head is above the last step');
    await screenshotWebview(wb.page, frame, 'trace-06-inspector-long-end');
    // Keyboard: Home goes to the first step, j to the next, End back to the last, each scrolled into view.
    await frame.focus('.row.step .text');
    await frame.press('body', 'Home');
    await until('step 1 current and in view', async () => (await currentStep()) === '0' && stepInView(0));
    await frame.press('body', 'j');
    await until('step 2 current and in view', async () => (await currentStep()) === '1' && stepInView(1));
    await frame.press('body', 'End');
    await until(
      'the last step current and in view',
      async () => (await currentStep()) === String(LONG_STEPS) && stepInView(LONG_STEPS),
    );
  });

  it('collapsing a section of the open list removes its rows, expanding brings them back', async () => {
    await frame.evaluate(() => scrollTo(0, document.scrollingElement.scrollHeight / 2));
    await frames();
    const section = await frame.$eval('.row.group.section', (e) => e.getAttribute('data-section'));
    const head = `.row.group.section[data-section="${section}"] .group-toggle`;
    const first = Number(section) * 8 - 1;
    const open = await rowCount();
    await frame.click(head);
    await until('the section collapsed', async () => (await rowCount()) === open - 8);
    assert.equal(await frame.$eval(head, (e) => e.getAttribute('aria-expanded')), 'false');
    assert.equal(await frame.$(`.row.step[data-step="${first + 1}"]`), null);
    await frame.click(head);
    await until('the section open again', async () => (await rowCount()) === open);
    assert.ok(await frame.$(`.row.step[data-step="${first + 1}"]`));
    await frame.click('.groups vscode-button:has-text("Collapse all")');
    await until('every section collapsed', async () => (await rowCount()) === 1 + 251 + 1 + 1);
  });
});
