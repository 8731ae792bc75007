import { CriticResult, StepJudgement, Verdict } from '../critics/types';
import { Analysis } from './analyze';
import type { Step } from '../segment/types';

const VERDICT_LABEL: Record<Verdict, string> = {
  correct: '✓ correct',
  incorrect: '✗ incorrect',
  unknown: '· no verdict',
};

export function formatScore(judgement: StepJudgement | undefined): string {
  return judgement?.score == null ? '—' : judgement.score.toFixed(3);
}

export function verdictLabel(judgement: StepJudgement | undefined): string {
  return judgement ? VERDICT_LABEL[judgement.verdict] : '· not scored';
}

/** Steps are numbered from 1 for people; JSON and dataset labels keep ProcessBench's 0-based indices. */
export function firstErrorLabel(result: CriticResult): string {
  if (result.firstError === null) return 'no prediction';
  if (result.firstError < 0) return 'no error found';
  return `first error: step ${result.firstError + 1}`;
}

/** Latency and, where the critic reports them, tokens and requests: "1.2 s · 350 + 80 tokens · 2 requests". */
export function costLabel(result: CriticResult): string {
  const ms = result.timing.durationMs;
  const parts = [ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`];
  const u = result.usage;
  // Local models read tokens but generate none: "440 tokens" rather than "440 + 0 tokens".
  if (u?.completionTokens !== undefined) parts.push(`${u.promptTokens ?? 0} + ${u.completionTokens} tokens`);
  else if (u?.promptTokens !== undefined) parts.push(`${u.promptTokens} tokens`);
  if (u?.requests) parts.push(`${u.requests} request${u.requests === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** Escapes text for a markdown table cell: model text must never become markup. */
export function markdownCell(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~$-]/g, '\\$&').replace(/\r?\n/g, ' ');
}

/** The hover of one step: every critic's score, verdict and reason. */
export function stepHoverMarkdown(analysis: Analysis, stepIndex: number): string {
  const total = analysis.segmentation.steps.length;
  const lines = [
    `**PRM Lens · step ${stepIndex + 1} of ${total}**`,
    '',
    '| critic | score | verdict | reason |',
    '|---|---|---|---|',
  ];
  for (const result of analysis.results) {
    const judgement = result.steps[stepIndex];
    const flag = result.firstError === stepIndex ? ' ⚑' : '';
    lines.push(
      `| ${markdownCell(result.criticId)}${flag} | ${formatScore(judgement)} | ${verdictLabel(judgement)} | ${markdownCell(judgement?.reason ?? '')} |`,
    );
  }
  for (const failure of analysis.failures) {
    lines.push(
      `| ${markdownCell(failure.criticId)} | — | ${failure.cancelled ? 'cancelled' : 'failed'} | ${markdownCell(failure.message)} |`,
    );
  }
  const flaggedBy = analysis.results.filter((r) => r.firstError === stepIndex).map((r) => r.criticId);
  if (flaggedBy.length > 0) lines.push('', `⚑ first error according to ${flaggedBy.map(markdownCell).join(', ')}`);
  lines.push('', analysis.results.map((r) => `${markdownCell(r.criticId)}: ${costLabel(r)}`).join(' · '));
  return lines.join('\n');
}

/** A readable markdown report of a whole analysis (the details view until the webviews exist). */
export function analysisReportMarkdown(analysis: Analysis, title: string): string {
  const { segmentation, document, results, failures } = analysis;
  const out: string[] = [`# PRM Lens: ${title}`, ''];
  out.push(
    `${segmentation.steps.length} steps · segmentation \`${segmentation.strategy}\` (${segmentation.reason})`,
    '',
  );
  out.push('| critic | verdict on the solution | cost |', '|---|---|---|');
  for (const r of results) out.push(`| ${markdownCell(r.criticId)} | ${firstErrorLabel(r)} | ${costLabel(r)} |`);
  for (const f of failures)
    out.push(
      `| ${markdownCell(f.criticId)} | ${f.cancelled ? 'cancelled before it finished' : `failed: ${markdownCell(f.message)}`} | |`,
    );
  out.push('');
  if (document.problem.trim()) out.push('## Problem', '', fenced(document.problem), '');
  out.push('## Steps', '');
  for (const step of segmentation.steps) out.push(...stepSection(`Step ${step.index + 1}`, step, results));
  return out.join('\n');
}

/** A step's heading, its text fenced, and a row per critic: score, verdict (⚑ on its first error) and reason. */
export function stepSection(heading: string, step: Step, results: readonly CriticResult[]): string[] {
  const out = [
    `### ${heading}`,
    '',
    fenced(step.text),
    '',
    '| critic | score | verdict | reason |',
    '|---|---|---|---|',
  ];
  for (const r of results) {
    const j = r.steps[step.index];
    const flag = r.firstError === step.index ? ' ⚑ first error' : '';
    out.push(
      `| ${markdownCell(r.criticId)} | ${formatScore(j)} | ${verdictLabel(j)}${flag} | ${markdownCell(j?.reason ?? '')} |`,
    );
  }
  out.push('');
  return out;
}

/** Fences text so that whatever it contains is shown literally. */
export function fenced(text: string): string {
  // A loop, not Math.max(...runs): a text with 120,000+ backtick runs would overflow the stack.
  let longest = 2;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
