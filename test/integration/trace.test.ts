import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, findWrongProduct, openExample, PrmLensApi, waitFor } from './helpers';

const EXAMPLE = 'long-trace.md';
const SECTION_NAME = /^\d+\. (attempt|verification|strategy-shift|conclusion)$/;

const lineOf = (doc: vscode.TextDocument, needle: string) => doc.positionAt(doc.getText().indexOf(needle)).line;
const cursorLine = (editor: vscode.TextEditor) => editor.selection.active.line;

async function symbols(doc: vscode.TextDocument): Promise<vscode.DocumentSymbol[]> {
  const found = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
    'vscode.executeDocumentSymbolProvider',
    doc.uri,
  );
  return found ?? [];
}

describe('Long reasoning traces in the editor', () => {
  let api: PrmLensApi;
  let editor: vscode.TextEditor;

  before(async () => {
    api = await activateExtension();
    await closeAllEditors();
    editor = await openExample(EXAMPLE);
  });
  after(() => closeAllEditors());

  it('folds the whole thinking block from its tag and each section, before any scoring', async () => {
    const doc = editor.document;
    const ranges = await vscode.commands.executeCommand<vscode.FoldingRange[]>(
      'vscode.executeFoldingRangeProvider',
      doc.uri,
    );
    const thinkLine = lineOf(doc, '<think>');
    const closeLine = lineOf(doc, '</think>');
    assert.ok(
      ranges.some((r) => r.start === thinkLine && r.end === closeLine - 1),
      `no fold of the thinking block ${thinkLine}-${closeLine - 1}`,
    );
    const thinking = (await symbols(doc)).find((s) => s.name === 'Thinking');
    assert.ok(thinking, 'no Thinking symbol');
    const multiLine = thinking.children.filter((s) => s.range.end.line > s.range.start.line);
    assert.ok(multiLine.length >= 2, 'the example should have sections spanning several lines');
    for (const s of multiLine) {
      assert.ok(
        ranges.some((r) => r.start === s.range.start.line && r.end === s.range.end.line),
        `no fold for section ${s.name} (${s.range.start.line}-${s.range.end.line})`,
      );
    }
  });

  it('outlines the thinking block with its sections (nothing finer) and the answer part', async () => {
    const doc = editor.document;
    const all = await symbols(doc);
    const thinking = all.find((s) => s.name === 'Thinking');
    const answer = all.find((s) => s.name === 'Answer');
    assert.ok(thinking && answer, `symbols: ${all.map((s) => s.name).join(', ')}`);
    assert.ok(thinking.children.length >= 3, `only ${thinking.children.length} sections`);
    for (const s of thinking.children) {
      assert.match(s.name, SECTION_NAME);
      assert.equal(s.children.length, 0);
    }
    assert.ok(
      thinking.children.some((s) => s.name.endsWith('verification')),
      'no verification section',
    );
    assert.equal(answer.range.start.line, lineOf(doc, 'The path is the outer rectangle'));
    assert.ok(!doc.getText(thinking.range).includes('<think>'), 'the tag is not part of the thinking');
  });

  it('moves between sections and low-scoring steps once the file is scored', async () => {
    const doc = editor.document;
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('prmLens.nextSection'), false, 'no analysis yet: no move');

    assert.equal(await vscode.commands.executeCommand('prmLens.scoreCurrentFile'), true);
    const analysis = await waitFor('an analysis', () => api.getAnalysis(doc.uri.toString()));
    assert.ok(!analysis.segmentation.steps.some((s) => s.text.includes('<think>') || s.text.includes('</think>')));
    const sections = (await symbols(doc)).find((s) => s.name === 'Thinking')?.children ?? [];

    // A marker after the last line of each section's first step: kind, worst score (the checker has none), verdict.
    const markers = await waitFor('section markers', () => api.getMarks(doc.uri.toString())?.sectionMarkers);
    const heads = sections.map((s) => {
      const head = analysis.segmentation.steps.find((step) => step.start >= doc.offsetAt(s.range.start));
      assert.ok(head, `a first step in ${s.name}`);
      return head;
    });
    assert.deepEqual(
      markers.map((m) => m.line),
      heads.map((h) => doc.positionAt(h.end).line),
    );
    // A two-line head paragraph gets its marker on its second line, where there is room.
    assert.ok(heads.some((h, i) => doc.positionAt(h.end).line > sections[i].range.start.line));
    markers.forEach((m, i) => assert.equal(m.text.split(' ')[0], sections[i].name.split(' ')[1]));
    const slip = doc.positionAt(findWrongProduct(doc.getText()).offset);
    const slipSection = sections.findIndex((s) => s.range.contains(slip));
    assert.match(markers[slipSection].text, /✗$/);

    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('prmLens.nextSection'), true);
    assert.equal(cursorLine(editor), sections[0].range.start.line);
    assert.equal(await vscode.commands.executeCommand('prmLens.nextSection'), true);
    assert.equal(cursorLine(editor), sections[1].range.start.line);
    assert.equal(await vscode.commands.executeCommand('prmLens.previousSection'), true);
    assert.equal(cursorLine(editor), sections[0].range.start.line);

    // The checker flags the slip 28 × 19 = 522 first.
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('prmLens.nextLowScoringStep'), true);
    const slipLine = doc.positionAt(findWrongProduct(doc.getText()).offset).line;
    assert.equal(cursorLine(editor), slipLine);
    assert.equal(await vscode.commands.executeCommand('prmLens.previousLowScoringStep'), false);
    assert.equal(cursorLine(editor), slipLine);
  });
});
