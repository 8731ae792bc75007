import { Analysis } from '../core/analysis/analyze';
import { firstErrorLabel, markdownCell } from '../core/analysis/describe';
import { CriticResult, StepJudgement } from '../core/critics/types';
import { clip } from '../core/util/text';

/** Why critics disagree on a step: opposite verdicts, and/or some call it the first error while others do not. */
export interface StepDisagreement {
  verdict: boolean;
  firstError: boolean;
}

/**
 * Per step, whether the critics disagree. Verdicts: at least one says correct and one incorrect (no verdict
 * abstains). First error: at least one critic predicts this step and at least one other critic made a different
 * prediction (no prediction abstains).
 */
export function stepDisagreements(results: readonly CriticResult[], stepCount: number): StepDisagreement[] {
  const predicting = results.filter((r) => r.firstError !== null);
  return Array.from({ length: stepCount }, (_, i) => {
    const verdicts = new Set(results.map((r) => r.steps[i]?.verdict).filter((v) => v === 'correct' || v === 'incorrect'));
    const flagged = predicting.filter((r) => r.firstError === i).length;
    return { verdict: verdicts.size > 1, firstError: flagged > 0 && flagged < predicting.length };
  });
}

export interface ComparisonExtras {
  /** True for results served from the result cache. */
  isCached?: (result: CriticResult) => boolean;
}

/** A readable markdown comparison of every critic's verdicts on one file, with the disagreements marked ⚠. */
export function comparisonMarkdown(analysis: Analysis, title: string, extras: ComparisonExtras = {}): string {
  const { segmentation, results, failures } = analysis;
  const steps = segmentation.steps;
  const disagree = stepDisagreements(results, steps.length);
  const out: string[] = [`# PRM Lens: critics compared on ${title}`, ''];
  out.push(`${steps.length} steps · segmentation \`${segmentation.strategy}\` · ${results.length + failures.length} critics`, '');

  out.push('## Verdicts on the solution', '', '| critic | verdict | time | tokens (prompt + completion) | requests |', '|---|---|---|---|---|');
  for (const r of results) {
    const cached = extras.isCached?.(r) ?? false;
    const u = r.usage;
    const tokens = u?.promptTokens !== undefined || u?.completionTokens !== undefined ? `${u?.promptTokens ?? 0} + ${u?.completionTokens ?? 0}` : '—';
    out.push(`| ${markdownCell(r.criticId)} | ${firstErrorLabel(r)} | ${cached ? 'cached' : `${Math.round(r.timing.durationMs)} ms`} | ${tokens} | ${u?.requests ?? '—'} |`);
  }
  for (const f of failures) out.push(`| ${markdownCell(f.criticId)} | ${f.cancelled ? 'cancelled before it finished' : `failed: ${markdownCell(f.message)}`} | | | |`);
  out.push('');
  out.push(summaryLine(results), '');

  out.push('## Steps', '', `| step | ${results.map((r) => markdownCell(r.criticId)).join(' | ')} | disagreement | text |`, `|---|${results.map(() => '---|').join('')}---|---|`);
  for (const step of steps) {
    const d = disagree[step.index];
    const cells = results.map((r) => verdictCell(r.steps[step.index], r.firstError === step.index));
    out.push(`| ${step.index + 1} | ${cells.join(' | ')} | ${disagreementLabel(d)} | ${markdownCell(clip(step.text, 80))} |`);
  }
  out.push('', '✓ correct · ✗ incorrect · · no verdict · ⚑ first error · numbers are scores (probability the step is correct)', '');

  const contested = steps.filter((s) => disagree[s.index].verdict || disagree[s.index].firstError);
  if (contested.length > 0) {
    out.push('## Where the critics disagree', '');
    for (const step of contested) {
      out.push(`### ⚠ Step ${step.index + 1} (${disagreementLabel(disagree[step.index])})`, '', fenced(step.text), '', '| critic | score | verdict | reason |', '|---|---|---|---|');
      for (const r of results) {
        const j = r.steps[step.index];
        out.push(`| ${markdownCell(r.criticId)}${r.firstError === step.index ? ' ⚑' : ''} | ${j?.score == null ? '—' : j.score.toFixed(3)} | ${j?.verdict ?? '—'} | ${markdownCell(j?.reason ?? '')} |`);
      }
      out.push('');
    }
  }

  const critiques = results.filter((r) => r.rationale?.trim());
  if (critiques.length > 0) {
    out.push('## Critiques', '');
    for (const r of critiques) out.push(`### ${markdownCell(r.criticId)}`, '', fenced(r.rationale as string), '');
  }
  return out.join('\n');
}

function summaryLine(results: readonly CriticResult[]): string {
  const predicting = results.filter((r) => r.firstError !== null);
  if (predicting.length < 2) return 'Fewer than two critics made a prediction: nothing to compare on the first error.';
  const answers = new Set(predicting.map((r) => r.firstError));
  if (answers.size === 1) return `**The critics agree:** ${firstErrorLabel(predicting[0])}.`;
  return `**⚠ The critics disagree on the first error:** ${predicting.map((r) => `${markdownCell(r.criticId)}: ${firstErrorLabel(r)}`).join('; ')}.`;
}

function verdictCell(j: StepJudgement | undefined, firstError: boolean): string {
  if (!j) return '—';
  const mark = j.verdict === 'correct' ? '✓' : j.verdict === 'incorrect' ? '✗' : '·';
  return `${mark}${j.score === null ? '' : ` ${j.score.toFixed(2)}`}${firstError ? ' ⚑' : ''}`;
}

function disagreementLabel(d: StepDisagreement): string {
  const what = [d.verdict ? 'verdict' : '', d.firstError ? 'first error' : ''].filter(Boolean);
  return what.length > 0 ? `⚠ ${what.join(', ')}` : '';
}

/** Fences text so that whatever it contains is shown literally. */
function fenced(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
