// What the UI tests expect of an example file, read from the file itself so that its exact wording can change.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/setup.mjs';

const PRODUCT = /(\d+(?:\.\d+)?)\s*[×x*·]\s*(\d+(?:\.\d+)?)\s*=\s*(\d+(?:\.\d+)?)/g;
const EQUATION = /(\d+(?:\.\d+)?)\s*([-+×x*·])\s*(\d+(?:\.\d+)?)\s*=\s*(\d+(?:\.\d+)?)/g;

function value(a, op, b) {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    default:
      return a * b;
  }
}

/** Facts about an example: its steps (solution paragraphs), the first wrong product and where it is. */
export function describeExample(name) {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8');
  const heading = /^#{1,6}\s*Solution\b.*$/im.exec(text);
  const solutionStart = heading ? heading.index + heading[0].length : 0;
  const paragraphs = [];
  const re = /\S(?:[\s\S]*?)(?=\r?\n[ \t]*\r?\n|\s*$)/g;
  re.lastIndex = solutionStart;
  for (let m = re.exec(text); m; m = re.exec(text)) paragraphs.push({ text: m[0], start: m.index });
  let wrong = null;
  for (const m of text.matchAll(PRODUCT)) {
    const correct = Number(m[1]) * Number(m[2]);
    if (m.index >= solutionStart && Math.abs(correct - Number(m[3])) > 1e-9) {
      wrong = { claim: m[0], offset: m.index, correct };
      break;
    }
  }
  if (!wrong) throw new Error(`${name} holds no wrong product in its solution`);
  const wrongStep = paragraphs.findIndex((p) => p.start <= wrong.offset && wrong.offset < p.start + p.text.length);
  const lineOf = (offset) => text.slice(0, offset).split('\n').length; // 1-based
  // A later step whose every equation is right: the checker should not mark it bad.
  const goodStep = paragraphs.findIndex((p, i) => {
    if (i <= wrongStep) return false;
    const eqs = [...p.text.matchAll(EQUATION)];
    return eqs.length > 0 && eqs.every((m) => Math.abs(value(Number(m[1]), m[2], Number(m[3])) - Number(m[4])) < 1e-9);
  });
  return {
    text,
    steps: paragraphs.map((p) => p.text),
    wrong,
    wrongStep,
    wrongStepLine: lineOf(paragraphs[wrongStep].start),
    goodStep,
    /** A snippet of the good step's first line, to find it on screen. */
    goodStepSnippet: goodStep >= 0 ? paragraphs[goodStep].text.split('\n')[0].slice(0, 30) : null,
  };
}
