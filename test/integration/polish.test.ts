import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  EXTENSION_ID,
  openExample,
  PrmLensApi,
  prmDiagnostics,
  waitFor,
  workspaceDir,
} from './helpers';
import { ScriptedServer } from '../fixtures/servers/http';
import { fakeOpenAI } from '../fixtures/servers/openai';

const EXAMPLE = 'arithmetic-slip.md';
const CLEAN_EXAMPLE = 'all-correct.md';
const KEY = 'sk-add-critic-test-5d1c2e07';

const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
/** The open document of dataset item `i`. */
const itemDocument = (i: number) =>
  vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === 'prm-lens-item' && new URLSearchParams(d.uri.query).get('i') === String(i),
  );
const config = () => vscode.workspace.getConfiguration('prmLens');

async function scoreActive(): Promise<void> {
  const ok = await vscode.commands.executeCommand('prmLens.scoreCurrentFile');
  assert.equal(ok, true, 'prmLens.scoreCurrentFile should report success');
}

describe('Editor polish: marks, inspector icon, dataset items, Add Critic', () => {
  let api: PrmLensApi;
  let media: string;

  before(async () => {
    api = await activateExtension();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    media = path.join(ext.extensionPath, 'media');
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('the gutter icon of the first error follows prmLens.diagnosticSeverity, as the diagnostic does', async () => {
    const editor = await openExample(EXAMPLE);
    const uri = editor.document.uri;
    await scoreActive();
    type Severity = 'error' | 'warning' | 'information';
    const expect = async (severity: Severity, diagnostic: vscode.DiagnosticSeverity, icon: string) => {
      const marks = await waitFor(`marks drawn as ${severity}`, () => {
        const m = api.getMarks(uri.toString());
        return m?.severity === severity && m;
      });
      assert.ok(marks.firstError, 'the first error is marked');
      assert.equal(marks.firstError.gutterIcon, icon);
      assert.ok(fs.existsSync(path.join(media, icon)), `media/${icon} is packaged`);
      const diags = await waitFor(`${severity} diagnostics`, () => {
        const d = prmDiagnostics(uri);
        return d.length > 0 && d.every((x) => x.severity === diagnostic) && d;
      });
      const line = diags[0].range.start.line;
      assert.equal(marks.firstError.line, line, 'the gutter icon sits on the first line of the diagnostic');
    };
    await expect('warning', vscode.DiagnosticSeverity.Warning, 'first-error-warning.svg');
    try {
      await config().update('diagnosticSeverity', 'error', vscode.ConfigurationTarget.Global);
      await expect('error', vscode.DiagnosticSeverity.Error, 'first-error.svg');
      await config().update('diagnosticSeverity', 'information', vscode.ConfigurationTarget.Global);
      await expect('information', vscode.DiagnosticSeverity.Information, 'first-error-information.svg');
    } finally {
      await config().update('diagnosticSeverity', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it("the inspector tab's icon is the first-error icon only while the document shown has an error", async () => {
    const wrong = await openExample(EXAMPLE);
    await scoreActive();
    await vscode.commands.executeCommand('prmLens.showDetails');
    const flagged = await waitFor('the inspector on the wrong example', () => {
      const i = api.getInspector();
      return i?.uri === wrong.document.uri.toString() && i;
    });
    assert.equal(flagged.icon, 'first-error-warning.svg', 'an error shows in the severity of its diagnostic');

    await vscode.commands.executeCommand('prmLens.clearMarks');
    const cleared = await waitFor('the icon after clearing the marks', () => {
      const i = api.getInspector();
      return i?.icon !== flagged.icon && i;
    });
    assert.equal(cleared.icon, 'inspector.svg', 'nothing scored: a neutral icon');

    const clean = await openExample(CLEAN_EXAMPLE);
    await scoreActive();
    const noError = await waitFor('the inspector following the clean example', () => {
      const i = api.getInspector();
      return i?.uri === clean.document.uri.toString() && api.getAnalysis(i.uri) && i;
    });
    const verdict = api.getAnalysis(clean.document.uri.toString())?.results[0].firstError;
    assert.equal(verdict, -1, 'the checker finds no error in the clean example');
    assert.equal(noError.icon, 'inspector-no-error.svg');
    for (const icon of [flagged.icon, cleared.icon, noError.icon]) {
      assert.ok(fs.existsSync(path.join(media, icon)), `media/${icon}`);
    }
  });

  describe('dataset items', () => {
    const ITEMS = 30;
    let dataset: vscode.Uri;

    before(async () => {
      // The second step spans two lines: split into lines it would be two steps, so the item's own steps show only
      // when the item document carries its segmentation.
      const lines = Array.from({ length: ITEMS }, (_, i) => {
        const steps = [`We add one to ${i}.`, `${i} + 1 = ${i + 1}\nwhich checks out.`, `The answer is ${i + 1}.`];
        return JSON.stringify({ id: `item-${i}`, subset: 'demo', problem: `What is ${i} + 1?`, steps, label: -1 });
      });
      const file = path.join(workspaceDir(), 'many-items.jsonl');
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      dataset = vscode.Uri.file(file);
    });

    after(async () => {
      fs.rmSync(dataset.fsPath, { force: true });
    });

    it('opening many items shows each with its own steps and stores nothing per item', async () => {
      const settingsBefore = JSON.stringify(config());
      const stateBefore = api.getWorkspaceStateSizes();
      await config().update('segmentation.strategy', 'lines', vscode.ConfigurationTarget.Global);
      try {
        for (let i = 0; i < ITEMS; i++) {
          await vscode.commands.executeCommand('prmLens.openDatasetItem', dataset, i);
          const doc = await waitFor(`item ${i} open`, () => itemDocument(i));
          const snap = api.getAnalysis(doc.uri.toString());
          assert.ok(snap, `item ${i} is scored`);
          assert.equal(snap.segmentation.strategy, 'paragraphs', `item ${i} is split as the dataset's steps`);
          const firstLines = snap.segmentation.steps.map((s) => s.text.split('\n')[0]);
          assert.deepEqual(firstLines, [`We add one to ${i}.`, `${i} + 1 = ${i + 1}`, `The answer is ${i + 1}.`]);
        }
      } finally {
        await config().update('segmentation.strategy', undefined, vscode.ConfigurationTarget.Global);
      }
      assert.deepEqual(api.getWorkspaceStateSizes(), stateBefore, 'the workspace state holds no entry per item');
      assert.equal(JSON.stringify(config()), settingsBefore, 'the settings are unchanged');
    });

    it('"Choose Step Segmentation" leaves an item document alone', async () => {
      await vscode.commands.executeCommand('prmLens.openDatasetItem', dataset, 0);
      const doc = await waitFor('item 0 open', () => itemDocument(0));
      await vscode.window.showTextDocument(doc);
      const stateBefore = api.getWorkspaceStateSizes();
      await vscode.commands.executeCommand('prmLens.chooseSegmentation', 'lines');
      assert.equal(api.getAnalysis(doc.uri.toString())?.segmentation.strategy, 'paragraphs');
      assert.deepEqual(api.getWorkspaceStateSizes(), stateBefore);
    });

    it('Open Dataset on an open dataset file replaces its text tab: no two tabs of the same name', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dataset), { preview: false });
      await vscode.commands.executeCommand('prmLens.openDataset');
      const isView = (t: vscode.Tab) =>
        t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === dataset.toString();
      await waitFor('the dataset view', () => tabs().some(isView));
      const named = await waitFor('one tab named like the dataset', () => {
        const same = tabs().filter((t) => t.label === 'many-items.jsonl');
        return same.length === 1 && same;
      });
      assert.ok(named[0].input instanceof vscode.TabInputCustom, 'the remaining tab is the dataset view');
    });
  });

  describe('Add Critic', () => {
    let server: ScriptedServer;

    before(async () => {
      server = await ScriptedServer.start(fakeOpenAI({ key: KEY, answer: () => '\\boxed{-1}' }));
    });

    after(async () => {
      await vscode.commands.executeCommand('prmLens.setApiKey', 'judge-model', '');
      await config().update('critics', undefined, vscode.ConfigurationTarget.Global);
      await server?.close();
    });

    it('Compare Critics with only the checker says how to add a critic instead of a one-item pick', async () => {
      await config().update('critics', undefined, vscode.ConfigurationTarget.Global);
      await openExample(EXAMPLE);
      // A quick pick would wait for a person; the command must resolve at once.
      const waiting = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000));
      const outcome = await Promise.race([vscode.commands.executeCommand('prmLens.compareCritics'), waiting]);
      assert.equal(outcome, false);
    });

    it('adds an API critic to prmLens.critics with its key in SecretStorage, ready to compare', async () => {
      const baseURL = `${server.origin}/v1`;
      const args = { type: 'openai-critic', baseURL: `${baseURL}/`, model: 'judge-model', apiKey: KEY };
      const id = await vscode.commands.executeCommand('prmLens.addCritic', args);
      assert.equal(id, 'judge-model');
      const critics = config().inspect<unknown[]>('critics')?.globalValue;
      assert.deepEqual(critics, [{ id: 'judge-model', type: 'openai-critic', baseURL, model: 'judge-model' }]);
      assert.ok(!JSON.stringify(config().inspect('critics')).includes(KEY), 'the key is not in the settings');

      await openExample(EXAMPLE);
      assert.equal(await vscode.commands.executeCommand('prmLens.compareCritics', ['judge-model', 'checker']), true);
      assert.equal(server.requests[0]?.headers.authorization, `Bearer ${KEY}`, 'the stored key reaches the server');

      const sameModel = { type: 'openai-critic', baseURL, model: 'judge-model' };
      const again = await vscode.commands.executeCommand('prmLens.addCritic', sameModel);
      assert.equal(again, 'judge-model-2', 'a second critic of the same model gets its own id');
      assert.equal(config().inspect<unknown[]>('critics')?.globalValue?.length, 2);
    });

    it('refuses an unusable critic and writes nothing', async () => {
      const before = JSON.stringify(config().inspect('critics')?.globalValue);
      const unusable = { type: 'chat-prm', baseURL: 'not a url', model: '' };
      assert.equal(await vscode.commands.executeCommand('prmLens.addCritic', unusable), undefined);
      assert.equal(await vscode.commands.executeCommand('prmLens.addCritic', { type: 'checker' }), undefined);
      assert.equal(JSON.stringify(config().inspect('critics')?.globalValue), before);
    });
  });
});
