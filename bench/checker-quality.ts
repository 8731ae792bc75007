import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkStep } from '../src/core/critics/checker';

/**
 * Measures the built-in checker on labelled step-error datasets (ProcessBench layout: `{id, steps, label}` with
 * label = first erroneous step or -1). The number that matters most is how often it flags a step known to be
 * correct (a step before the label): the checker must stay quiet on those.
 */

export interface FalseFlag {
  file: string;
  id: string;
  step: number;
  label: number;
  reason: string;
}

/** Counts over cases and steps. */
export interface CheckerCounts {
  cases: number;
  erroneousCases: number;
  correctCases: number;
  steps: number;
  /** Steps with at least one checked claim (any verdict but unknown). */
  checkedSteps: number;
  flags: number;
  /** Flag on the labelled first-error step. */
  truePositives: number;
  /** Flag before the label (or anywhere when label = -1): a flag on a known-correct step. */
  earlyFalseFlags: number;
  /** Flag after the label: neither right nor wrong (later steps are not labelled). */
  lateFlags: number;
  knownCorrectSteps: number;
}

export interface CheckerFileQuality extends CheckerCounts {
  /** Path relative to the data folder, e.g. "mr-ben/math.json". */
  file: string;
  /** ProcessBench metrics on firstError, in percent. */
  accError: number;
  accCorrect: number;
  f1: number;
}

export interface CheckerQuality {
  dataDir: string;
  files: CheckerFileQuality[];
  total: CheckerCounts;
  /** truePositives / (truePositives + earlyFalseFlags); late flags excluded. */
  flagPrecision: number;
  /** earlyFalseFlags / knownCorrectSteps. */
  falseFlagRate: number;
  /** Mean of per-file F1 (ProcessBench "average F1"). */
  meanF1: number;
  seconds: number;
  stepsPerSecond: number;
  /** Early false flags, up to `examples` of them, for development. */
  falseFlags: FalseFlag[];
}

export type CheckerQualityResult = CheckerQuality | { skipped: string };

interface Case {
  id: string;
  problem?: string;
  steps: string[];
  label: number;
}

const FOLDERS = ['big-bench-mistake', 'mr-ben', 'prmbench'];

export async function checkerQuality(
  dataDir: string,
  options: { examples?: number } = {},
): Promise<CheckerQualityResult> {
  if (!existsSync(dataDir)) return { skipped: `skipped: ${dataDir} not found` };
  const files: string[] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(dataDir, folder);
    if (!existsSync(dir)) continue;
    for (const name of (await fs.readdir(dir)).sort()) if (name.endsWith('.json')) files.push(path.join(folder, name));
  }
  if (files.length === 0) return { skipped: `skipped: no dataset files under ${dataDir}` };

  const results: CheckerFileQuality[] = [];
  const falseFlags: FalseFlag[] = [];
  let busy = 0;
  for (const file of files) {
    const cases = readCases(JSON.parse(await fs.readFile(path.join(dataDir, file), 'utf8')));
    const q: CheckerFileQuality = { file, ...emptyCounts(), accError: 0, accCorrect: 0, f1: 0 };
    let errorHits = 0;
    let correctHits = 0;
    for (const c of cases) {
      const t0 = performance.now();
      const verdicts = c.steps.map((s) => checkStep(s, { problem: c.problem }));
      busy += performance.now() - t0;
      q.cases++;
      q.steps += c.steps.length;
      q.knownCorrectSteps += c.label === -1 ? c.steps.length : Math.min(c.label, c.steps.length);
      verdicts.forEach((v, i) => {
        if (v.verdict !== 'unknown') q.checkedSteps++;
        if (v.verdict !== 'incorrect') return;
        q.flags++;
        if (i === c.label) q.truePositives++;
        else if (c.label === -1 || i < c.label) {
          q.earlyFalseFlags++;
          if (falseFlags.length < (options.examples ?? 0)) {
            falseFlags.push({ file, id: c.id, step: i, label: c.label, reason: v.reason ?? '' });
          }
        } else q.lateFlags++;
      });
      const predicted = verdicts.findIndex((v) => v.verdict === 'incorrect');
      if (c.label === -1) {
        q.correctCases++;
        if (predicted === -1) correctHits++;
      } else {
        q.erroneousCases++;
        if (predicted === c.label) errorHits++;
      }
    }
    q.accError = percent(errorHits, q.erroneousCases);
    q.accCorrect = percent(correctHits, q.correctCases);
    q.f1 = q.accError + q.accCorrect === 0 ? 0 : (2 * q.accError * q.accCorrect) / (q.accError + q.accCorrect);
    results.push(q);
  }

  const total = emptyCounts();
  for (const r of results) {
    for (const key of COUNT_KEYS) total[key] += r[key];
  }
  const seconds = busy / 1000;
  return {
    dataDir,
    files: results,
    total,
    flagPrecision: ratio(total.truePositives, total.truePositives + total.earlyFalseFlags),
    falseFlagRate: ratio(total.earlyFalseFlags, total.knownCorrectSteps),
    meanF1: results.reduce((s, r) => s + r.f1, 0) / results.length,
    seconds,
    stepsPerSecond: seconds > 0 ? total.steps / seconds : 0,
    falseFlags,
  };
}

const COUNT_KEYS = [
  'cases',
  'erroneousCases',
  'correctCases',
  'steps',
  'checkedSteps',
  'flags',
  'truePositives',
  'earlyFalseFlags',
  'lateFlags',
  'knownCorrectSteps',
] as const;

function emptyCounts(): CheckerCounts {
  return {
    cases: 0,
    erroneousCases: 0,
    correctCases: 0,
    steps: 0,
    checkedSteps: 0,
    flags: 0,
    truePositives: 0,
    earlyFalseFlags: 0,
    lateFlags: 0,
    knownCorrectSteps: 0,
  };
}

function readCases(raw: unknown): Case[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (c): c is Case =>
      typeof c === 'object' &&
      c !== null &&
      Array.isArray(c.steps) &&
      c.steps.every((s: unknown) => typeof s === 'string') &&
      Number.isInteger(c.label),
  );
}

function percent(n: number, d: number): number {
  return d === 0 ? 0 : (100 * n) / d;
}

function ratio(n: number, d: number): number {
  return d === 0 ? 0 : n / d;
}

export function formatCheckerQuality(result: CheckerQualityResult): string {
  if ('skipped' in result) return result.skipped;
  const lines = [
    `checker quality on ${result.dataDir}: ${result.total.steps} steps in ${result.seconds.toFixed(2)} s ` +
      `(${Math.round(result.stepsPerSecond)} steps/s)`,
    'file | cases | steps | checked | flags | TP | early false | late | false/known-correct | acc_err | acc_cor | F1',
  ];
  for (const r of result.files) {
    lines.push(
      [
        r.file,
        r.cases,
        r.steps,
        r.checkedSteps,
        r.flags,
        r.truePositives,
        r.earlyFalseFlags,
        r.lateFlags,
        `${r.earlyFalseFlags}/${r.knownCorrectSteps}`,
        r.accError.toFixed(1),
        r.accCorrect.toFixed(1),
        r.f1.toFixed(1),
      ].join(' | '),
    );
  }
  const t = result.total;
  lines.push(
    `total: ${t.flags} flags, ${t.truePositives} on the first error, ${t.earlyFalseFlags} early false, ` +
      `${t.lateFlags} late; flag precision ${(100 * result.flagPrecision).toFixed(1)}%; ` +
      `false flags per known-correct step ${(100 * result.falseFlagRate).toFixed(3)}% ` +
      `(${t.earlyFalseFlags}/${t.knownCorrectSteps}); mean F1 ${result.meanF1.toFixed(1)}`,
  );
  for (const f of result.falseFlags)
    lines.push(`  false flag ${f.file} ${f.id} step ${f.step} (label ${f.label}): ${f.reason}`);
  return lines.join('\n');
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join('..', 'shared', 'data');
  const examples = Number(process.argv[3] ?? 0);
  checkerQuality(dir, { examples }).then(
    (r) => console.log(formatCheckerQuality(r)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
