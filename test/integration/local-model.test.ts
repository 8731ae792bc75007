import * as assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { writeHfCheckpoint } from '../support/hf/checkpoint';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';
import {
  activateExtension,
  closeAllEditors,
  hoverText,
  openExample,
  PrmLensApi,
  prmDiagnostics,
  waitFor,
} from './helpers';

// "PRM Lens: Add Local Model…" in the extension host: a model folder built by the tests (a tiny Qwen2-style
// token-classification PRM) is validated, added as a critic, and scores the example in a child process.

const EXAMPLE = 'arithmetic-slip.md';

type AddResult =
  { id: string; family: string; label: string; segmentation?: string } | { problems: string[] } | undefined;

describe('Local ONNX models in the extension host', () => {
  let api: PrmLensApi;
  const tmp = tempDir('local-model-it');
  let saved: { critics: unknown; active: unknown; strategy: unknown };

  before(async () => {
    api = await activateExtension();
    const config = vscode.workspace.getConfiguration('prmLens');
    saved = {
      critics: config.inspect('critics')?.globalValue,
      active: config.inspect('activeCritics')?.globalValue,
      strategy: config.inspect('segmentation.strategy')?.globalValue,
    };
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  after(async () => {
    try {
      const config = vscode.workspace.getConfiguration('prmLens');
      await config.update('critics', saved.critics, vscode.ConfigurationTarget.Global);
      await config.update('activeCritics', saved.active, vscode.ConfigurationTarget.Global);
      await config.update('segmentation.strategy', saved.strategy, vscode.ConfigurationTarget.Global);
    } finally {
      tmp.remove();
    }
  });

  it('refuses a folder with a missing weights file and says which file', async () => {
    const dir = buildModelFolder(path.join(tmp.dir, 'broken'), { family: 'token-classification' });
    rmSync(path.join(dir, 'model.onnx.data'));
    const before_ = vscode.workspace.getConfiguration('prmLens').inspect('critics')?.globalValue;
    const result = (await vscode.commands.executeCommand('prmLens.addLocalModel', dir, { use: true })) as AddResult;
    assert.ok(result && 'problems' in result, `expected problems, got ${JSON.stringify(result)}`);
    assert.deepEqual(result.problems, [
      `${path.join(dir, 'model.onnx.data')}: missing (model.onnx keeps its weights there)`,
    ]);
    assert.deepEqual(
      vscode.workspace.getConfiguration('prmLens').inspect('critics')?.globalValue,
      before_,
      'a broken folder is not added',
    );
  });

  it("reports the segmentation a model's prm.json names (Skywork: newline-split)", async () => {
    const dir = buildModelFolder(path.join(tmp.dir, 'split-prm'), {
      family: 'token-classification',
      prm: { name: 'Split PRM', segmentation: 'newline-split' },
    });
    const config = () => vscode.workspace.getConfiguration('prmLens');
    const result = (await vscode.commands.executeCommand('prmLens.addLocalModel', dir, { use: false })) as AddResult;
    assert.ok(result && 'id' in result, `expected the model to be added, got ${JSON.stringify(result)}`);
    assert.equal(result.segmentation, 'newline-split');
    assert.notEqual(config().get('segmentation.strategy'), 'newline-split', 'only added: the split is unchanged');
    // Scoring with it uses its split.
    await vscode.commands.executeCommand('prmLens.addLocalModel', dir, { use: true });
    assert.equal(config().get('segmentation.strategy'), 'newline-split');
    await config().update('segmentation.strategy', saved.strategy, vscode.ConfigurationTarget.Global);
    await config().update('activeCritics', saved.active, vscode.ConfigurationTarget.Global);
  });

  it('imports a Hugging Face folder (config.json + safetensors) in a child process and adds the result', async () => {
    const source = path.join(tmp.dir, 'hf-qwen2-prm');
    writeHfCheckpoint(source, {
      family: 'qwen2',
      head: 'token-classification',
      model: { hidden: 64, intermediate: 128 },
    });
    const out = path.join(tmp.dir, 'hf-qwen2-prm-onnx');
    const result = (await vscode.commands.executeCommand('prmLens.addLocalModel', source, {
      use: false,
      importTo: out,
    })) as AddResult;
    assert.ok(result && 'id' in result, `expected the import to be added, got ${JSON.stringify(result)}`);
    assert.equal(result.family, 'token-classification');
    assert.ok(existsSync(path.join(out, 'model.onnx')) && existsSync(path.join(out, 'prm.json')));
    const critic = (
      vscode.workspace.getConfiguration('prmLens').get<{ id: string; path: string }[]>('critics') ?? []
    ).find((c) => c.id === result.id);
    assert.equal(critic?.path, out, 'the critic points at the imported folder, not the download');

    // A second import into the same, now non-empty folder is refused with the importer's reason, and adds nothing.
    const again = (await vscode.commands.executeCommand('prmLens.addLocalModel', source, {
      use: false,
      importTo: out,
    })) as AddResult;
    assert.ok(again && 'problems' in again, `expected problems, got ${JSON.stringify(again)}`);
    assert.match(again.problems[0], /not empty/);
  });

  it('adds a model folder as a critic that scores the example file and colours its steps', async () => {
    // threshold 1: every step scores below it, so the first error is step 1 whatever the random weights say.
    const dir = buildModelFolder(path.join(tmp.dir, 'tiny-prm'), {
      family: 'token-classification',
      prm: { name: 'Tiny PRM', threshold: 1 },
    });
    const result = (await vscode.commands.executeCommand('prmLens.addLocalModel', dir, { use: true })) as AddResult;
    assert.ok(result && 'id' in result, `expected the model to be added, got ${JSON.stringify(result)}`);
    assert.equal(result.id, 'tiny-prm');
    assert.equal(result.family, 'token-classification');
    assert.equal(result.segmentation, undefined, 'no segmentation named, none reported');
    const config = vscode.workspace.getConfiguration('prmLens');
    assert.deepEqual(
      (config.get<{ id: string }[]>('critics') ?? []).find((c) => c.id === 'tiny-prm'),
      { id: 'tiny-prm', type: 'onnx', path: dir, label: 'Tiny PRM' },
    );
    assert.equal(config.get<string[]>('activeCritics')?.[0], 'tiny-prm');

    // Adding the same folder again reuses its critic.
    const again = (await vscode.commands.executeCommand('prmLens.addLocalModel', dir, { use: true })) as AddResult;
    assert.ok(again && 'id' in again && again.id === 'tiny-prm');
    assert.equal((config.get<{ id: string }[]>('critics') ?? []).filter((c) => c.id.startsWith('tiny-prm')).length, 1);

    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    assert.equal(await vscode.commands.executeCommand('prmLens.scoreCurrentFile'), true);
    const snap = await waitFor(
      'an analysis with the local model',
      () => {
        const s = api.getAnalysis(doc.uri.toString());
        return s?.results.some((r) => r.criticId === 'tiny-prm') && s;
      },
      60_000,
    );
    assert.equal(snap.primaryCriticId, 'tiny-prm', 'the local model colours the steps');
    const local = snap.results.find((r) => r.criticId === 'tiny-prm');
    assert.ok(local);
    assert.equal(local.steps.length, snap.segmentation.steps.length);
    for (const s of local.steps) {
      assert.ok(typeof s.score === 'number' && s.score > 0 && s.score < 1, `score ${s.score}`);
      assert.equal(s.verdict, 'incorrect');
      assert.match(s.reason ?? '', /^P\(correct\) \d\.\d{3} at the step tag \(token \d+\), ≤ threshold 1$/);
    }
    assert.equal(local.firstError, 0);

    const diags = await waitFor('a diagnostic from the local model', () => {
      const d = prmDiagnostics(doc.uri).filter((x) => x.message.startsWith('First error (tiny-prm)'));
      return d.length > 0 && d;
    });
    const first = snap.segmentation.steps[0];
    assert.equal(diags[0].range.start.line, doc.positionAt(first.start).line);

    // Hovers are markdown: drop its escapes before reading.
    const hover = (await hoverText(doc.uri, doc.positionAt(first.start + 1))).replace(/\\/g, '');
    assert.ok(hover.includes('tiny-prm'), `the hover names the local critic: ${hover}`);
    assert.match(hover, /P\(correct\) \d\.\d{3}/);
  });
});
