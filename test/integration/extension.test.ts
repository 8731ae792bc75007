import * as assert from 'node:assert/strict';
import { afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import {
  activateExtension,
  closeAllEditors,
  findWrongProduct,
  hoverText,
  openExample,
  openUntitled,
  PrmLensApi,
  prmDiagnostics,
  solutionLines,
  solutionParagraphs,
  waitFor,
} from './helpers';

const EXAMPLE = 'arithmetic-slip.md';
const COMMANDS = [
  'prmLens.scoreCurrentFile',
  'prmLens.clearMarks',
  'prmLens.chooseSegmentation',
  'prmLens.showDetails',
];

/** Scores the active editor's document through the command, as a person would, and returns its snapshot. */
async function scoreActive(api: PrmLensApi, editor: vscode.TextEditor) {
  const ok = await vscode.commands.executeCommand('prmLens.scoreCurrentFile');
  assert.equal(ok, true, 'prmLens.scoreCurrentFile should report success');
  const snap = api.getAnalysis(editor.document.uri.toString());
  assert.ok(snap, 'no analysis snapshot after scoring');
  return snap;
}

/** Index of the step whose span holds `offset`. */
function stepIndexAt(snap: { segmentation: { steps: { start: number; end: number }[] } }, offset: number): number {
  return snap.segmentation.steps.findIndex((s) => s.start <= offset && offset < s.end);
}

describe('PRM Lens in the extension host', () => {
  let api: PrmLensApi;

  before(async () => {
    api = await activateExtension();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('registers its commands and activates with the getAnalysis API', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of COMMANDS) assert.ok(all.includes(c), `command ${c} is not registered`);
    const ext = vscode.extensions.getExtension('prm-lens.prm-lens');
    assert.ok(ext?.isActive);
    assert.equal(api.getAnalysis('file:///nowhere/never-scored.md'), undefined, 'an unscored document has no analysis');
  });

  it('scores the example: snapshot with the expected steps and first error at the wrong product', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    const text = doc.getText();
    const wrong = findWrongProduct(text);
    const snap = await scoreActive(api, editor);

    assert.equal(snap.uri, doc.uri.toString());
    assert.equal(snap.version, doc.version, 'snapshot should be of the current document version');
    const steps = snap.segmentation.steps;
    const expected = solutionParagraphs(text);
    assert.equal(
      steps.length,
      expected.length,
      `expected one step per solution paragraph (${expected.length}), got ${steps.length} (${snap.segmentation.strategy})`,
    );
    steps.forEach((s, i) => {
      assert.equal(s.index, i);
      assert.equal(text.slice(s.start, s.end), s.text, `step ${i} text must equal the document text at its offsets`);
      assert.equal(s.text, expected[i]);
    });

    assert.equal(snap.primaryCriticId, 'checker');
    const checker = snap.results.find((r) => r.criticId === 'checker');
    assert.ok(checker, 'no result from the checker critic');
    assert.equal(checker.steps.length, steps.length, 'one judgement per step');
    const wrongStep = stepIndexAt(snap, wrong.offset);
    assert.ok(wrongStep >= 0, `no step covers the wrong claim "${wrong.claim}"`);
    assert.equal(checker.firstError, wrongStep, `first error should be step ${wrongStep} ("${wrong.claim}")`);
    assert.equal(checker.steps[wrongStep].verdict, 'incorrect');
    assert.match(
      checker.steps[wrongStep].reason ?? '',
      new RegExp(String(wrong.correct)),
      'the reason should give the correct product',
    );
    for (let i = 0; i < wrongStep; i++)
      assert.notEqual(checker.steps[i].verdict, 'incorrect', `step ${i} before the slip is not wrong`);
  });

  it('puts one diagnostic on the first wrong step, with its range', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    const wrong = findWrongProduct(doc.getText());
    const snap = await scoreActive(api, editor);
    const step = snap.segmentation.steps[stepIndexAt(snap, wrong.offset)];

    const diags = await waitFor('a PRM Lens diagnostic', () => {
      const d = prmDiagnostics(doc.uri);
      return d.length > 0 && d;
    });
    assert.equal(
      diags.length,
      1,
      `one first error per critic (only the checker runs): ${diags.map((d) => d.message).join(' | ')}`,
    );
    const d = diags[0];
    assert.ok(d.message.startsWith('First error (checker):'), `message: ${d.message}`);
    assert.ok(d.message.includes(String(wrong.correct)), `message should say the correct product: ${d.message}`);
    assert.deepEqual(
      [d.range.start.line, d.range.start.character],
      [doc.positionAt(step.start).line, doc.positionAt(step.start).character],
    );
    assert.deepEqual(
      [d.range.end.line, d.range.end.character],
      [doc.positionAt(step.end).line, doc.positionAt(step.end).character],
    );
    assert.ok(d.range.contains(doc.positionAt(wrong.offset)));
  });

  it('hovering a scored step lists the checker with its verdict and reason', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    const wrong = findWrongProduct(doc.getText());
    await vscode.commands.executeCommand('prmLens.clearMarks'); // an earlier test may have scored this document
    const unscored = await hoverText(doc.uri, doc.positionAt(wrong.offset + 1));
    assert.ok(!unscored.includes('checker'), `no PRM Lens hover before scoring, got: ${unscored}`);

    const snap = await scoreActive(api, editor);
    const text = await hoverText(doc.uri, doc.positionAt(wrong.offset + 1));
    assert.ok(text.includes('checker'), `hover should name the checker: ${text}`);
    assert.match(text, /incorrect/, `hover should give the verdict: ${text}`);
    assert.ok(text.includes(String(wrong.correct)), `hover should give the reason with the correct product: ${text}`);

    // A correct step before the slip reads differently.
    const firstStep = snap.segmentation.steps[0];
    const okText = await hoverText(doc.uri, doc.positionAt(firstStep.start + 1));
    assert.ok(okText.includes('checker'), `hover on step 1 should name the checker: ${okText}`);
    assert.doesNotMatch(okText, /✗ incorrect/);
  });

  it('editing clears stale results at once and re-scores the new text after the pause', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    const first = await scoreActive(api, editor);
    const oldFirstError = first.results[0].firstError;
    assert.ok(typeof oldFirstError === 'number' && oldFirstError >= 0);
    await waitFor('the diagnostic', () => prmDiagnostics(doc.uri).length > 0);

    // Insert a new correct step before the first step: every later step moves down by one.
    const insertAt = doc.positionAt(first.segmentation.steps[0].start);
    const editedAt = Date.now();
    assert.ok(
      await editor.edit((b) => b.insert(insertAt, 'We read the numbers carefully: 2 × 3 = 6 is a warm-up.\n\n')),
    );
    const stale = api.getAnalysis(doc.uri.toString());
    assert.ok(
      stale === undefined || stale.version !== doc.version,
      'an analysis of the old text must not claim the new version',
    );
    await waitFor('stale diagnostics to go', () => prmDiagnostics(doc.uri).length === 0, 500, 10);

    const rescored = await waitFor(
      're-scoring after the edit',
      () => {
        const s = api.getAnalysis(doc.uri.toString());
        return s && s.version === doc.version && s;
      },
      15_000,
    );
    const waited = Date.now() - editedAt;
    assert.equal(
      rescored.segmentation.steps.length,
      first.segmentation.steps.length + 1,
      'the inserted paragraph is a new step',
    );
    assert.equal(rescored.results[0].firstError, oldFirstError + 1, 'the first error moves down by one step');
    const wrong = findWrongProduct(doc.getText());
    assert.equal(stepIndexAt(rescored, wrong.offset), oldFirstError + 1);
    const diags = await waitFor('the new diagnostic', () => {
      const d = prmDiagnostics(doc.uri);
      return d.length > 0 && d;
    });
    assert.ok(diags[0].range.contains(doc.positionAt(wrong.offset)), 'the new diagnostic is at the moved step');
    assert.ok(waited >= 100, `re-scoring should wait for a pause in typing, came after ${waited} ms`);
  });

  it('clear marks removes the diagnostics and the analysis', async () => {
    const editor = await openExample(EXAMPLE);
    const doc = editor.document;
    await scoreActive(api, editor);
    await waitFor('the diagnostic', () => prmDiagnostics(doc.uri).length > 0);
    await vscode.commands.executeCommand('prmLens.clearMarks');
    await waitFor('diagnostics to be cleared', () => prmDiagnostics(doc.uri).length === 0, 2_000);
    assert.equal(api.getAnalysis(doc.uri.toString()), undefined, 'no analysis after clearing');
    const text = await hoverText(doc.uri, doc.positionAt(findWrongProduct(doc.getText()).offset + 1));
    assert.ok(!text.includes('checker'), `no PRM Lens hover after clearing: ${text}`);
  });

  it('scores an untitled markdown document', async () => {
    const content = [
      '## Problem',
      '',
      'What is 6 × 7, doubled?',
      '',
      '## Solution',
      '',
      'First, 6 × 7 = 42.',
      '',
      'Doubling it gives 42 × 2 = 86.',
      '',
      'So the answer is 86.',
      '',
    ].join('\n');
    const editor = await openUntitled(content);
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'untitled');
    const snap = await scoreActive(api, editor);
    assert.equal(snap.segmentation.steps.length, 3);
    assert.equal(snap.results[0].firstError, 1);
    const diags = await waitFor('a diagnostic on the untitled document', () => {
      const d = prmDiagnostics(doc.uri);
      return d.length > 0 && d;
    });
    assert.equal(diags[0].range.start.line, doc.positionAt(snap.segmentation.steps[1].start).line);
  });

  it('choosing the "lines" segmentation (command argument) re-scores with one step per line', async () => {
    const content = [
      '## Problem',
      '',
      'What is 6 × 7, doubled?',
      '',
      '## Solution',
      '',
      'First we multiply: 6 × 7 = 42.',
      'Then we double it: 42 × 2 = 86.',
      '',
      'So the answer is 86.',
      '',
    ].join('\n');
    const editor = await openUntitled(content);
    const doc = editor.document;
    const byParagraph = await scoreActive(api, editor);
    assert.equal(byParagraph.segmentation.steps.length, solutionParagraphs(content).length);
    assert.equal(byParagraph.results[0].firstError, 0, 'as paragraphs, the slip is in step 1');

    await vscode.commands.executeCommand('prmLens.chooseSegmentation', 'lines');
    const byLine = await waitFor(
      'a "lines" analysis',
      () => {
        const s = api.getAnalysis(doc.uri.toString());
        return s && s.segmentation.strategy === 'lines' && s;
      },
      5_000,
    );
    assert.equal(byLine.segmentation.steps.length, solutionLines(content).length);
    assert.equal(byLine.results[0].firstError, 1, 'as lines, the slip is in step 2');
    assert.equal(byLine.segmentation.steps[1].text, 'Then we double it: 42 × 2 = 86.');
  });

  it('show details opens the step inspector on the scored file', async () => {
    const editor = await openExample(EXAMPLE);
    await scoreActive(api, editor);
    await vscode.commands.executeCommand('prmLens.showDetails');
    const tab = await waitFor('the inspector tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('prmLens.inspector')),
    );
    assert.match(tab.label, new RegExp(`Steps: ${EXAMPLE.replace('.', '\\.')}`));
  });

  it('a report of a scored file is not itself scored', async () => {
    const editor = await openExample(EXAMPLE);
    await scoreActive(api, editor);
    const source = editor.document.uri;
    const report = await vscode.workspace.openTextDocument(
      vscode.Uri.from({ scheme: 'prm-lens-report', path: '/report.md', query: source.toString() }),
    );
    await vscode.window.showTextDocument(report);
    assert.match(report.getText(), /first error: step \d+/, 'the report describes the scored file');
    const ok = await vscode.commands.executeCommand('prmLens.scoreCurrentFile');
    assert.notEqual(ok, true, 'the report is refused');
    assert.equal(api.getAnalysis(report.uri.toString()), undefined);
  });

  it('the scoring commands ignore a non-text language without throwing', async () => {
    await openUntitled('{"steps": ["1 + 1 = 3"]}', 'json');
    const ok = await vscode.commands.executeCommand('prmLens.scoreCurrentFile');
    assert.notEqual(ok, true, 'a JSON document is not scored');
  });
});
