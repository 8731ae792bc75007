import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  findWrongProduct,
  hoverText,
  openExample,
  PrmLensApi,
  prmDiagnostics,
  waitFor,
} from './helpers';
import { ScriptedServer } from '../fixtures/servers/http';
import { fakeOpenAI, promptParagraphs } from '../fixtures/servers/openai';
import { fakeVllmPooling, pooledSteps } from '../fixtures/servers/vllm';

const EXAMPLE = 'arithmetic-slip.md';
const KEY = 'sk-ext-host-test-9b7e3a51';

/** Every file under `dir` (skipping unreadable ones), for the "no key on disk" check. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

// The extension host runs on this machine: servers started here on 127.0.0.1 are what the critics talk to.
describe('Compare Critics against local servers', () => {
  let api: PrmLensApi;
  let chat: ScriptedServer;
  let pooling: ScriptedServer;
  const config = vscode.workspace.getConfiguration('prmLens');

  before(async () => {
    api = await activateExtension();
    // "judge" finds the paragraph with the wrong product; the pooled PRM doubts the step after it.
    chat = await ScriptedServer.start(
      fakeOpenAI({
        key: KEY,
        answer: (body) => {
          const paragraphs = promptParagraphs(body);
          const wrong = paragraphs.findIndex((p) => /=\s*74\b/.test(p) && /×/.test(p));
          return `${paragraphs.map((_, i) => `Paragraph ${i}: ${i === wrong ? '12 × 7 is 84, not 74.' : 'fine.'}`).join('\n')}\n\n\\boxed{${wrong}}`;
        },
      }),
    );
    pooling = await ScriptedServer.start(
      fakeVllmPooling({
        outputs: (body) => pooledSteps(body).map((s) => (/74 \+ 5/.test(s) ? [0.8, 0.2] : [0.1, 0.9])),
      }),
    );
    await config.update(
      'critics',
      [
        { id: 'judge', type: 'openai-critic', baseURL: `${chat.origin}/v1`, model: 'judge-model' },
        { id: 'qwen-prm', type: 'vllm-pooling', baseURL: pooling.origin, threshold: 0.5 },
      ],
      vscode.ConfigurationTarget.Global,
    );
    assert.equal(await vscode.commands.executeCommand('prmLens.setApiKey', 'judge', KEY), true);
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('prmLens.setApiKey', 'judge', '');
    await config.update('critics', undefined, vscode.ConfigurationTarget.Global);
    await chat?.close();
    await pooling?.close();
  });

  it('runs the picked critics together: every verdict in the hovers, a diagnostic per first error, the inspector and the comparison report', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    const wrong = findWrongProduct(doc.getText());
    const ok = await vscode.commands.executeCommand('prmLens.compareCritics', ['judge', 'qwen-prm', 'checker']);
    assert.equal(ok, true, 'the comparison should finish');
    assert.equal(
      chat.requests[0]?.headers.authorization,
      `Bearer ${KEY}`,
      'the key stored with Set API Key must reach the server',
    );

    const snap = api.getAnalysis(doc.uri.toString());
    assert.ok(snap, 'no analysis after comparing');
    assert.deepEqual(
      snap.results.map((r) => r.criticId),
      ['judge', 'qwen-prm', 'checker'],
    );
    const wrongStep = snap.segmentation.steps.findIndex((s) => s.start <= wrong.offset && wrong.offset < s.end);
    const byId = Object.fromEntries(snap.results.map((r) => [r.criticId, r]));
    assert.equal(byId.judge.firstError, wrongStep);
    assert.equal(byId.checker.firstError, wrongStep);
    assert.equal(byId['qwen-prm'].firstError, wrongStep + 1);
    assert.equal(byId.judge.steps[wrongStep].reason, '12 × 7 is 84, not 74.');

    const hover = await hoverText(doc.uri, doc.positionAt(wrong.offset + 1));
    for (const id of ['judge', 'qwen\\-prm', 'checker'])
      assert.ok(hover.includes(id), `hover should list ${id}: ${hover}`);
    assert.match(hover, /12 × 7 is 84, not 74\./, 'the critique of that paragraph shows in the hover');
    assert.match(hover, /0\.900/, 'the PRM score shows in the hover');

    const diags = await waitFor('diagnostics of the compared critics', () => {
      const d = prmDiagnostics(doc.uri);
      return d.length === 3 && d;
    });
    const messages = diags.map((d) => d.message).sort();
    assert.ok(
      messages.some((m) => m.startsWith(`First error (judge): step ${wrongStep + 1}: 12 × 7 is 84, not 74.`)),
      messages.join(' | '),
    );
    assert.ok(
      messages.some((m) => m.startsWith(`First error (qwen-prm): step ${wrongStep + 2}`)),
      messages.join(' | '),
    );

    // The comparison view is the step inspector beside the file; its markdown form is the comparison report.
    await waitFor('the step inspector beside the file', () =>
      vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('prmLens.inspector')),
      ),
    );
    const report = await vscode.workspace.openTextDocument(
      vscode.Uri.from({
        scheme: 'prm-lens-compare',
        path: '/arithmetic-slip.md · critics compared.md',
        query: doc.uri.toString(),
      }),
    );
    const text = report.getText();
    assert.match(text, /critics compared on arithmetic-slip\.md/);
    assert.match(text, /⚠ The critics disagree on the first error/);
    assert.match(text, new RegExp(`### ⚠ Step ${wrongStep + 1} \\(⚠ verdict, first error\\)`));
    assert.match(text, new RegExp(`### ⚠ Step ${wrongStep + 2} \\(⚠ verdict, first error\\)`));
  });

  it('re-opening and comparing again is served from the cache; no key is written to disk', async () => {
    const before = { chat: chat.requests.length, pooling: pooling.requests.length };
    await closeAllEditors();
    await openExample(EXAMPLE);
    assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge', 'qwen-prm']), true);
    assert.deepEqual(
      { chat: chat.requests.length, pooling: pooling.requests.length },
      before,
      'cached results must not call the servers again',
    );

    // The profile the harness started code-server with (its working folder holds user-data/): settings, global
    // storage with the result cache, and logs, our output channel's included, must not hold the key.
    const userData = path.join(process.cwd(), 'user-data');
    const files = filesUnder(userData);
    assert.ok(
      files.some((f) => f.includes(`${path.sep}critic-results${path.sep}`)),
      `no cache files under ${userData}`,
    );
    assert.ok(
      files.some((f) => f.endsWith('PRM Lens.log')),
      `no PRM Lens log under ${userData}`,
    );
    for (const f of files) assert.ok(!fs.readFileSync(f).includes(KEY), `${f} contains the API key`);
    const settings = JSON.stringify(vscode.workspace.getConfiguration('prmLens').inspect('critics'));
    assert.ok(!settings.includes(KEY));
  });

  it('a stored key is bound to its server: a critic redefined to point elsewhere does not send it', async () => {
    const other = await ScriptedServer.start(fakeOpenAI({ answer: () => '\\boxed{-1}' }));
    try {
      await config.update(
        'critics',
        [{ id: 'judge', type: 'openai-critic', baseURL: `${other.origin}/v1`, model: 'judge-model' }],
        vscode.ConfigurationTarget.Global,
      );
      await openExample(EXAMPLE);
      assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge']), false);
      assert.equal(other.requests.length, 0, 'nothing may reach a server the key was not stored for');
    } finally {
      await other.close();
      await config.update(
        'critics',
        [
          { id: 'judge', type: 'openai-critic', baseURL: `${chat.origin}/v1`, model: 'judge-model' },
          { id: 'qwen-prm', type: 'vllm-pooling', baseURL: pooling.origin, threshold: 0.5 },
        ],
        vscode.ConfigurationTarget.Global,
      );
    }
  });

  it("Clear Cache of one critic removes only that critic's results", async () => {
    await openExample(EXAMPLE);
    assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge', 'qwen-prm']), true);
    const cacheDir = filesUnder(path.join(process.cwd(), 'user-data'))
      .find((f) => f.endsWith(`${path.sep}critic-results${path.sep}CACHEDIR.TAG`))
      ?.replace(/[\\/]CACHEDIR\.TAG$/, '');
    assert.ok(cacheDir, "the cache folder is tagged as PRM Lens's");
    const before = { chat: chat.requests.length, pooling: pooling.requests.length };
    assert.equal(await vscode.commands.executeCommand('prmLens.clearCache', { critic: 'qwen-prm' }), true);
    assert.ok(fs.existsSync(path.join(cacheDir, 'CACHEDIR.TAG')), 'the folder keeps its tag');
    assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge', 'qwen-prm']), true);
    assert.equal(chat.requests.length, before.chat, "the judge's results are still cached");
    assert.ok(pooling.requests.length > before.pooling, 'the PRM is asked again');
  });

  it('Clear Cache empties the cache: the next comparison asks the servers again', async () => {
    const before = chat.requests.length;
    assert.equal(await vscode.commands.executeCommand('prmLens.clearCache', 'all'), true);
    await openExample(EXAMPLE);
    assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge']), true);
    // Cached results would answer without any request; a settings change from the previous test may add a
    // background re-score, so count "at least one".
    assert.ok(
      chat.requests.length > before,
      `the servers were asked again (${chat.requests.length - before} requests)`,
    );
  });
});
