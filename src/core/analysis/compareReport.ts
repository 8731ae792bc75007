import { Analysis } from './analyze';
import { fenced, firstErrorLabel, markdownCell, stepSection } from './describe';
import { firstErrorsDiffer, stepDisagreements, type StepDisagreement } from './disagreement';
import { CriticResult, StepJudgement } from '../critics/types';
import { clip } from '../util/text';

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
  out.push(
    `${steps.length} steps · segmentation \`${segmentation.strategy}\` · ${results.length + failures.length} critics`,
    '',
  );

  out.push(
    '## Verdicts on the solution',
    '',
    '| critic | verdict | time | tokens (prompt + completion) | requests |',
    '|---|---|---|---|---|',
  );
  for (const r of results) {
    const cached = extras.isCached?.(r) ?? false;
    const u = r.usage;
    const tokens =
      u?.promptTokens !== undefined || u?.completionTokens !== undefined
        ? `${u?.promptTokens ?? 0} + ${u?.completionTokens ?? 0}`
        : '—';
    out.push(
      `| ${markdownCell(r.criticId)} | ${firstErrorLabel(r)} | ${cached ? 'cached' : `${Math.round(r.timing.durationMs)} ms`} | ${tokens} | ${u?.requests ?? '—'} |`,
    );
  }
  for (const f of failures)
    out.push(
      `| ${markdownCell(f.criticId)} | ${f.cancelled ? 'cancelled before it finished' : `failed: ${markdownCell(f.message)}`} | | | |`,
    );
  out.push('');
  out.push(summaryLine(results), '');

  out.push(
    '## Steps',
    '',
    `| step | ${results.map((r) => markdownCell(r.criticId)).join(' | ')} | disagreement | text |`,
    `|---|${results.map(() => '---|').join('')}---|---|`,
  );
  for (const step of steps) {
    const d = disagree[step.index];
    const cells = results.map((r) => verdictCell(r.steps[step.index], r.firstError === step.index));
    out.push(
      `| ${step.index + 1} | ${cells.join(' | ')} | ${disagreementLabel(d)} | ${markdownCell(clip(step.text, 80))} |`,
    );
  }
  out.push(
    '',
    '✓ correct · ✗ incorrect · · no verdict · ⚑ first error · numbers are scores (probability the step is correct)',
    '',
  );

  const contested = steps.filter((s) => disagree[s.index].verdict || disagree[s.index].firstError);
  if (contested.length > 0) {
    out.push('## Where the critics disagree', '');
    for (const step of contested) {
      const heading = `⚠ Step ${step.index + 1} (${disagreementLabel(disagree[step.index])})`;
      out.push(...stepSection(heading, step, results));
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
  if (!firstErrorsDiffer(predicting.map((r) => r.firstError))) {
    return `**The critics agree:** ${firstErrorLabel(predicting[0])}.`;
  }
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
