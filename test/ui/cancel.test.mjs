// UI test: a slow remote critic is cancelled from VS Code's progress notification. No new request reaches the server
// after Cancel, and the critics that had finished (the checker) stay on screen, with the cancelled one named.
// Screenshot: test-results/screenshots/cancel-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { compiled } from '../harness/compiled.mjs';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { until } from './webview-frames.mjs';
import { describeExample } from './example.mjs';

const { ScriptedServer } = compiled('fixtures/servers/http');
const { fakeOpenAI } = compiled('fixtures/servers/openai');

const EXAMPLE = 'arithmetic-slip.md';
const WAIT_MS = 1500;

describe('Cancelling from the progress notification', function () {
  this.timeout(90_000);
  const ex = describeExample(EXAMPLE);
  let ws;
  let wb;
  let server;

  before(async function () {
    this.timeout(180_000);
    // The first step is answered; the second never is, so the run is surely in progress when Cancel is clicked
    // (and no answer can arrive meanwhile to start a third request).
    const answer = fakeOpenAI({
      answer: () => ({
        content: '+',
        top: [
          { token: '+', logprob: Math.log(0.9) },
          { token: '-', logprob: Math.log(0.1) },
        ],
      }),
    });
    server = await ScriptedServer.start((req, index) => (index === 0 ? answer(req, index) : { hang: true }));
    ws = makeWorkspace('ui-cancel-ws');
    wb = await Workbench.start({
      name: 'ui-cancel',
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
        'prmLens.activeCritics': ['checker', 'slow-prm'],
        'prmLens.cache.enabled': false,
      },
    });
  });

  after(async () => {
    if (wb) await wb.screenshot('cancel-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
    await server?.close();
  });

  it('Cancel stops the requests at once and keeps the critics that finished', async () => {
    await wb.openFromExplorer(EXAMPLE);
    await wb.runCommand('PRM Lens: Score Steps in Current File');
    // The progress notification (a toast for a person; the smoke-test driver keeps toasts in the center).
    const progress = await wb.notification('PRM Lens: scoring steps');
    await until('the slow critic waits for its second step', async () => server.requests.length === 2);
    await wb.screenshot('cancel-01-progress');
    await progress.getByRole('button', { name: 'Cancel' }).click();

    const message = await until('the cancellation is reported', async () =>
      (await wb.notifications()).find((t) => /scoring cancelled/.test(t)),
    );
    assert.match(message, /PRM Lens: scoring cancelled\. Showing checker; not finished: slow-prm\./);
    await wb.screenshot('cancel-02-reported');
    await wb.hideNotifications();
    // The checker had finished: its marks are painted and the status bar names it, with a warning for the rest.
    await wb.waitForDecorations(ex.steps.length);
    const status = await wb.waitForStatusBar(/\d+ steps?/);
    assert.match(status, new RegExp(`${ex.steps.length} steps · first error: step ${ex.wrongStep + 1} \\(checker\\)`));
    const hover = await wb.hover(ex.wrong.claim, { expect: 'slow-prm' });
    assert.match(hover, /slow-prm\s+—\s+cancelled/, `the hover names the cancelled critic: ${hover}`);
    await wb.dismissHover();
    await wb.screenshot('cancel-03-cancelled');

    // The request in flight was dropped by the client, and no request was started after Cancel.
    await until('the request in flight is abandoned', async () => server.abandoned === 1);
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    assert.equal(server.requests.length, 2, `no request after Cancel (${ex.steps.length} steps)`);
  });
});
