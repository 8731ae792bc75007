// Model outputs and dataset text that try to run script, load remote resources or break the layout: <script>,
// <img onerror>, javascript: links, KaTeX \href/\url/\htmlClass/\includegraphics, enormous and deeply nested
// formulas. They must render inertly in the inspector and the dataset view: no script runs, nothing is requested
// (a canary HTTP server on 127.0.0.1, started here, counts requests), no CSP violation, the page does not overflow.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { REPO_ROOT } from '../harness/setup.mjs';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'webview');

/** Everything in a frame that shows script ran or could run, or that something was loaded or broke out. */
function inspectFrame(frame) {
  return frame.evaluate(() => {
    const found = [];
    if (window.__pwned !== undefined) found.push(`script ran: ${window.__pwned}`);
    if (window.parent !== window && window.parent.__pwned !== undefined)
      found.push(`script ran in the host frame: ${window.parent.__pwned}`);
    for (const el of document.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      for (const attr of el.attributes) {
        if (attr.name.startsWith('on')) found.push(`${tag}[${attr.name}]`);
        const ownAsset = (tag === 'script' || tag === 'link') && /\/(dist\/webview|media)\//.test(attr.value);
        if (/^(href|src|action|formaction|srcset|xlink:href)$/.test(attr.name) && !ownAsset)
          found.push(`${tag}[${attr.name}=${attr.value}]`);
      }
      if (['iframe', 'object', 'embed', 'img', 'a', 'form', 'video', 'audio'].includes(tag)) found.push(`<${tag}>`);
      if (tag === 'style' && !el.closest('head')) found.push('<style> in the body');
    }
    // Allowed: the panel's bundle and the script VS Code itself injects to provide acquireVsCodeApi.
    const scripts = [...document.scripts].filter(
      (s) =>
        !/\/dist\/webview\/\w+\.js/.test(s.src) &&
        !(s.src === '' && s.textContent.includes('globalThis.acquireVsCodeApi') && !s.closest('#app')),
    );
    for (const s of scripts) found.push(`unexpected <script src="${s.src}">${s.textContent.slice(0, 120)}`);
    if (document.querySelector('.pwn-class')) found.push('\\htmlClass applied a class');
    const page = document.scrollingElement;
    if (page && page.scrollWidth > page.clientWidth + 2)
      found.push(`the page overflows horizontally: ${page.scrollWidth} > ${page.clientWidth}`);
    if (getComputedStyle(document.body).display === 'none') found.push('a <style> from the text hid the page');
    return found;
  });
}

describe('Webviews render hostile text inertly', function () {
  this.timeout(120_000);
  let ws;
  let wb;
  let canary;
  const requests = [];

  before(async function () {
    this.timeout(180_000);
    canary = http.createServer((req, res) => {
      requests.push(req.url);
      res.writeHead(404).end();
    });
    await new Promise((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${canary.address().port}`;
    ws = makeWorkspace('ui-security-ws');
    for (const name of ['malicious.jsonl', 'malicious.md']) {
      const text = fs.readFileSync(path.join(FIXTURES, `${name}.template`), 'utf8').replaceAll('{{CANARY}}', base);
      fs.writeFileSync(path.join(ws.dir, name), text);
    }
    wb = await Workbench.start({ name: 'ui-webview-security', folder: ws.dir });
  });

  after(async () => {
    if (wb) await wb.screenshot('webview-security-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
    await new Promise((resolve) => canary?.close(resolve));
  });

  it('the inspector shows a hostile solution file as text: no script, no request, no violation, no overflow', async () => {
    await wb.openFromExplorer('malicious.md');
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    await wb.waitForDecorations(3, 30_000);
    await wb.runCommand('PRM Lens: Open Step Inspector');
    const frame = await webviewFrame(wb.page, 'inspector', { ready: '.row.step', timeout: 60_000 });
    // Watch for CSP violations, then render everything again under watch.
    await frame.evaluate(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await frame.click('vscode-button:has-text("Re-run critics")');
    await frame.waitForSelector('.row.step', { timeout: 60_000 });
    await wb.page.waitForTimeout(1500);
    const problem = await frame.$eval('.problem-text', (e) => e.textContent);
    assert.match(problem, /<script>window\.__pwned = "problem-script"/, 'the script tag is shown as text');
    assert.match(problem, /<img src="http:\/\/127\.0\.0\.1:\d+\/problem-img\.png" onerror=/);
    const url = frame.url();
    const steps = await frame.$$eval('.row.step .step-text', (els) => els.map((e) => e.textContent));
    assert.ok(
      steps.some((t) => t.includes('\\href')),
      'KaTeX shows \\href as an error, not a link',
    );
    assert.ok(await frame.$('.math-source[title*="not rendered"]'), 'the enormous formula is shown as source');
    for (const link of await frame.$$('.md-link')) await link.click();
    await wb.page.waitForTimeout(500);
    assert.deepEqual(await inspectFrame(frame), []);
    assert.deepEqual(await frame.evaluate(() => window.__violations), []);
    assert.equal(frame.url(), url, 'clicking the links did not navigate');
    assert.deepEqual(requests, [], 'nothing was requested from the canary server');
    await screenshotWebview(wb.page, frame, 'webview-security-01-inspector');
    await frame.$eval('.row.step[data-step="4"] .text', (e) => e.scrollIntoView());
    await screenshotWebview(wb.page, frame, 'webview-security-01b-formulas');
  });

  it('the dataset view and an opened item stay inert too', async () => {
    await wb.openFromExplorer('malicious.jsonl');
    await wb.runCommand('PRM Lens: Open Dataset');
    const ds = await webviewFrame(wb.page, 'dataset', { ready: '.rows .row' });
    const id = await ds.$eval('.rows .row .cell.id', (e) => e.textContent);
    assert.match(id, /^<script>window\.__pwned='id'<\/script>$/);
    assert.deepEqual(await inspectFrame(ds), []);
    await screenshotWebview(wb.page, ds, 'webview-security-02-dataset');
    await ds.click('.rows .row');
    await until(
      'the inspector shows the item',
      async () => {
        const inspector = await webviewFrame(wb.page, 'inspector', { ready: '.row.step' });
        return /__pwned='id'/.test(await inspector.$eval('h1', (e) => e.textContent)) && inspector;
      },
      60_000,
    );
    const inspector = await webviewFrame(wb.page, 'inspector', { ready: '.row.step' });
    await wb.page.waitForTimeout(1000);
    assert.deepEqual(await inspectFrame(inspector), []);
    assert.deepEqual(await inspectFrame(ds), []);
    assert.deepEqual(requests, [], 'nothing was requested from the canary server');
    const top = await wb.page.evaluate(() => window.__pwned);
    assert.equal(top, undefined, 'no script ran in the workbench');
    await screenshotWebview(wb.page, inspector, 'webview-security-03-item-inspector');
  });
});
