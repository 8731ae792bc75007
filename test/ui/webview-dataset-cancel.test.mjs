// UI tests: a run of a remote critic over a dataset is cancelled from the dataset view and resumed, then its results
// are exported through the save dialog. A local OpenAI-compatible server answers the first requests and then holds
// the next one, so the run is surely in progress when Cancel is pressed; the second run asks only for the items the
// first did not finish. Screenshots: test-results/screenshots/webview-dataset-cancel-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { REPO_ROOT } from '../harness/setup.mjs';
import { compiled } from '../harness/compiled.mjs';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const { ScriptedServer } = compiled('fixtures/servers/http');
const { fakeOpenAI } = compiled('fixtures/servers/openai');

const DATASET = 'ui-dataset.jsonl';
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'webview', DATASET);
/** Requests answered before the server starts holding them. */
const ANSWERED = 5;

describe('Cancelling and resuming a dataset run', function () {
  this.timeout(90_000);
  const records = fs
    .readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const r = JSON.parse(line);
        return Array.isArray(r.steps) && r.steps.length > 0 && Number.isInteger(r.label) ? [r] : [];
      } catch {
        return [];
      }
    });
  const items = records.length;
  const answer = fakeOpenAI({
    answer: () => ({
      content: '+',
      top: [
        { token: '+', logprob: Math.log(0.9) },
        { token: '-', logprob: Math.log(0.1) },
      ],
    }),
  });
  let server;
  let ws;
  let wb;
  let ds;

  const progressText = () => ds.$eval('.progress-text', (e) => e.textContent);

  before(async function () {
    this.timeout(180_000);
    server = await ScriptedServer.start((req, index) => (index < ANSWERED ? answer(req, index) : { hang: true }));
    ws = makeWorkspace('ui-dataset-cancel-ws');
    fs.copyFileSync(FIXTURE, path.join(ws.dir, DATASET));
    wb = await Workbench.start({
      name: 'ui-dataset-cancel',
      folder: ws.dir,
      settings: {
        'prmLens.critics': [
          {
            id: 'slow-prm',
            type: 'chat-prm',
            baseURL: `${server.origin}/v1`,
            model: 'slow-model',
            concurrency: 1,
            retries: 0,
          },
        ],
        'prmLens.activeCritics': ['slow-prm'],
      },
    });
  });

  after(async () => {
    if (wb) await wb.screenshot('webview-dataset-cancel-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
    await server?.close();
  });

  it('Cancel stops the run at once and keeps the finished items; Run again asks only for the rest', async () => {
    await wb.openFromExplorer(DATASET);
    await wb.runCommand('PRM Lens: Open Dataset');
    ds = await webviewFrame(wb.page, 'dataset', { ready: '.rows .row' });
    await until('all items read', async () => /read in/.test(await ds.$eval('.meta', (e) => e.textContent)));
    assert.equal(
      await ds.$$eval('vscode-checkbox.run-critic', (boxes) =>
        boxes
          .filter((b) => b.checked)
          .map((b) => b.value)
          .join(','),
      ),
      'slow-prm',
    );

    await ds.click('vscode-button:has-text("Run")');
    await until('the server holds a request', async () => server.requests.length === ANSWERED + 1, 30_000);
    assert.match(await progressText(), new RegExp(`^Running: \\d+ / ${items} items`));
    await ds.click('vscode-button:has-text("Cancel")');
    const stopped = await until('the run stops', async () =>
      /^Done: .*cancelled after (\d+) of/.exec(await progressText()),
    );
    const finished = Number(/cancelled after (\d+) of/.exec(stopped[0])[1]);
    assert.ok(finished >= 1 && finished < items, `some items finished before Cancel: ${stopped.input}`);
    assert.match(stopped.input, new RegExp(`cancelled after ${finished} of ${items} items; run again to resume`));
    await until('the request in flight is abandoned', async () => server.abandoned === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(server.requests.length, ANSWERED + 1, 'no request after Cancel');
    const finishedIds = await ds.$$eval('.rows .row', (rows) =>
      rows
        .filter((r) => /^[✓✗] /.test(r.querySelector('.cell.pred')?.textContent ?? ''))
        .map((r) => r.querySelector('.cell.id').textContent),
    );
    assert.equal(finishedIds.length, finished, 'the finished items show their predictions');
    await screenshotWebview(wb.page, ds, 'webview-dataset-cancel-01-cancelled');

    // The server answers everything now: the second run starts from the cached items.
    server.handler = answer;
    const asked = server.requests.length;
    await ds.click('vscode-button:has-text("Run")');
    const done = await until(
      'the second run is done',
      async () => {
        const text = await progressText();
        return /^Done: /.test(text) && !/cancelled/.test(text) && text;
      },
      30_000,
    );
    assert.match(done, new RegExp(`^Done: ${items} / ${items} items · ${finished} from cache · 0 failed`));
    // One request per step of the items that had not finished: the finished ones come from the cache.
    const expected = records.filter((r) => !finishedIds.includes(r.id)).reduce((n, r) => n + r.steps.length, 0);
    assert.equal(server.requests.length - asked, expected);
    await screenshotWebview(wb.page, ds, 'webview-dataset-cancel-02-resumed');
  });

  it('Export results… saves them in the CLI’s results format where the save dialog says', async () => {
    const target = path.join(ws.dir, 'ui-dataset.results.jsonl');
    await ds.click('vscode-button:has-text("Export results…")');
    // code-server's save dialog is a quick input holding the path; it proposes the dataset's name with .results.jsonl.
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await until('the dialog proposes the results file', async () =>
      (await input.inputValue()).endsWith('/ui-dataset.results.jsonl'),
    );
    await wb.screenshot('webview-dataset-cancel-03-save-dialog');
    await wb.page.keyboard.press('Enter');
    await until('the results file is written', async () => fs.existsSync(target));
    const lines = fs
      .readFileSync(target, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, items);
    assert.deepEqual(Object.keys(lines[0]), ['id', 'subset', 'label', 'prediction', 'critic', 'scores']);
    assert.deepEqual(
      lines.map((l) => l.id),
      records.map((r) => r.id),
      'dataset order',
    );
    assert.ok(
      lines.every(
        (l) =>
          l.critic === 'slow-prm' &&
          Array.isArray(l.scores) &&
          l.scores.length === records.find((r) => r.id === l.id).steps.length,
      ),
    );
    assert.ok(
      lines.every((l) => l.prediction === -1),
      'every step scored 0.9 > 0.5: no error found',
    );
    const written = await wb.notification(`wrote ${items} result lines`);
    assert.match(await written.innerText(), /ui-dataset\.results\.jsonl/);
  });
});
