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

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-trace-ws');
    fs.writeFileSync(path.join(ws.dir, LONG), longTrace());
    wb = await Workbench.start({ name: 'ui-trace', folder: ws.dir });
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
    assert.match(meta, /first error in the thinking: step \d+/);
    assert.match(meta, /first error in the answer: none/);
    // A few sections: open by default; collapsing one removes its rows.
    const before = await frame.$$eval('.row.step', (els) => els.length);
    await frame.click('.row.group.section[data-section="0"] .group-toggle');
    const after = await until('section 1 collapsed', async () => {
      const n = await frame.$$eval('.row.step', (els) => els.length);
      return n < before && n;
    });
    assert.ok(after < before);
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
    const count = await frame.$$eval('.row.step', (els) => els.length);
    assert.equal(last, String(count - 1));
    await screenshotWebview(wb.page, frame, 'trace-04-inspector-chart-click');
  });

  it('a trace of 2,000 steps opens with its 251 sections collapsed, rows built only for an opened section', async () => {
    await wb.openFromExplorer(LONG);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForStatusBar(new RegExp(`${LONG_STEPS + 1} steps`), 30_000);
    await wb.runCommand('PRM Lens: Open Step Inspector');
    frame = await webviewFrame(wb.page, 'inspector', { ready: '.row.group' });
    await until(
      'the long trace in the inspector',
      async () => (await frame.$$eval('.row.group.section', (els) => els.length)) === 251,
    );
    assert.deepEqual(
      await frame.$$eval('.group-toggle', (els) => [...new Set(els.map((e) => e.getAttribute('aria-expanded')))]),
      ['false'],
    );
    assert.equal(await frame.$$eval('.row.step', (els) => els.length), 1, 'only the answer step is built');
    const box = await frame.$eval('.trajectory', (e) => e.getBoundingClientRect().toJSON());
    // The middle of the chart: a step of section ~125, whose 8 rows are built when the click opens it.
    await frame.click('.trajectory', { position: { x: box.width / 2, y: box.height / 2 } });
    const step = Number(
      await until('a step selected', () =>
        frame.evaluate(() => document.querySelector('.row.step.current')?.getAttribute('data-step')),
      ),
    );
    assert.ok(Math.abs(step - LONG_STEPS / 2) < 20, `step ${step} is not near the middle`);
    assert.equal(await frame.$$eval('.row.step', (els) => els.length), 8 + 1);
    await screenshotWebview(wb.page, frame, 'trace-05-inspector-long');
  });
});
