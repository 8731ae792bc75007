import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bonCurves, type BonReport, type CurveOptions } from '../src/core/bon/curves';
import { prepareBon, type PreparedBon } from '../src/core/bon/prepare';
import { aggregatedScores, lowestStep } from '../src/core/bon/aggregate';
import type { BonProblem } from '../src/core/bon/types';
import { seededRandom } from '../src/core/util/random';

/**
 * Best-of-N at PRM800K's scale: 500 problems × 1,860 scored samples (~930k lines) through `prm-lens bon` in a child
 * process capped at a 1 GB heap (time and peak RSS), and re-aggregating 500 × 64 step-scored samples in memory
 * (prepared once; every aggregation of one critic: the work of a panel changing n, N or the aggregation).
 */
export async function bonBenchmark(root: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-bench-bon-'));
  try {
    const file = path.join(dir, 'scored.jsonl');
    await writeScoredSamples(file, 500, 1860);
    const hook = path.join(dir, 'maxrss.js');
    const report = 'process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`)';
    writeFileSync(hook, `process.on('exit', () => ${report});`);
    const cli = path.join(root, 'dist', 'cli.js');
    const t0 = performance.now();
    const run = spawnSync(process.execPath, ['--max-old-space-size=1024', '-r', hook, cli, 'bon', file, '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const seconds = (performance.now() - t0) / 1000;
    const rss = /maxrss (\d+)/.exec(run.stderr)?.[1];
    const lines = [
      `Best-of-N, 500 problems × 1,860 samples (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB), prm-lens bon:`,
      run.status === 0
        ? `  ${seconds.toFixed(1)} s, peak RSS ${rss ? (Number(rss) / 1024).toFixed(0) : '?'} MiB (heap capped: 1 GiB)`
        : `  FAILED (exit ${run.status}): ${run.stderr.slice(0, 300)}`,
    ];
    const problems = stepScoredProblems(500, 64);
    const t1 = performance.now();
    const prepared = prepareBon(problems);
    const prepareMs = performance.now() - t1;
    const all = timeCurves(prepared, {});
    const cold = `first call ${all.first.toFixed(0)} ms`;
    const one = timeCurves(prepared, { scores: ['prm/min'], baselines: false });
    const tight = timeCurves(prepared, { targetStandardError: 0.1 });
    const ci = timeCurves(prepared, { ci: {} });
    const goal = (t: Timing) =>
      `${t.wall.toFixed(0)} ms (CPU ${t.cpu.toFixed(0)} ms; goal < 200 ms: ${t.wall < 200 ? 'met' : 'NOT met'})`;
    lines.push(
      `  re-aggregating 500 × 64 step-scored samples at n = 1, 2, 4, … 64 (median of 5 warm; prepareBon once):`,
    );
    lines.push(`    prepareBon (answer classes, ranks), once: ${prepareMs.toFixed(0)} ms`);
    lines.push(
      `    every selector, 5 aggregations: ${goal(all)}; vote standard error ≤ ${all.se.toFixed(2)} points; ${cold}`,
    );
    lines.push(`    one aggregation (best + weighted vote, as a panel switching it): ${goal(one)}`);
    lines.push(
      `    every selector at the earlier 0.1-point vote target: ${goal(tight)}; error ≤ ${tight.se.toFixed(2)}`,
    );
    lines.push(`    every selector with 1,000-resample bootstrap intervals: ${goal(ci)}`);
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ANSWERS = ['17', '\\frac{1}{2}', '0.5', '3\\sqrt{2}', '(1, 2)', '42', 'x+1'];

/** PRM800K's scored-samples layout, written line by line (the file is ~300 MB). */
async function writeScoredSamples(file: string, problems: number, samples: number): Promise<void> {
  const random = seededRandom(12);
  const out = createWriteStream(file);
  for (let p = 0; p < problems; p++) {
    let chunk = '';
    const problem = `Problem ${p}: compute the value of the expression given in the statement.`;
    for (let s = 0; s < samples; s++) {
      const given = random() < 0.05 ? null : ANSWERS[Math.floor(random() * ANSWERS.length)];
      const correct = given === '17';
      const prm = Math.min(1, random() * 0.8 + (correct ? 0.2 : 0));
      const scores = { prm_score: prm, orm_score: random() };
      chunk += `${JSON.stringify({ problem, answer: '17', given_answer: given, is_correct: correct, ...scores })}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface Timing {
  wall: number;
  cpu: number;
  /** The first call's wall time (the code not yet optimised by the JIT). */
  first: number;
  /** The largest standard error of a vote (percentage points). */
  se: number;
}

/** Median wall and CPU time of bonCurves over 5 runs after 3 warm-ups (the machine may be shared: CPU time too). */
function timeCurves(prepared: PreparedBon, opts: CurveOptions): Timing {
  const t0 = performance.now();
  let report: BonReport = bonCurves(prepared, opts);
  const first = performance.now() - t0;
  for (let i = 0; i < 2; i++) bonCurves(prepared, opts);
  const runs: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const [t, c] = [performance.now(), process.cpuUsage()];
    report = bonCurves(prepared, opts);
    const used = process.cpuUsage(c);
    runs.push({ wall: performance.now() - t, cpu: (used.user + used.system) / 1000 });
  }
  const median = (key: 'wall' | 'cpu') => runs.map((r) => r[key]).sort((a, b) => a - b)[2];
  const se = Math.max(0, ...Object.values(report.standard_error).flat());
  return { wall: median('wall'), cpu: median('cpu'), first, se };
}

/** Problems whose samples carry one critic's step scores, every aggregation of them. */
function stepScoredProblems(count: number, samples: number): BonProblem[] {
  const random = seededRandom(5);
  return Array.from({ length: count }, (_, p) => ({
    id: `p${p}`,
    subset: 'bench',
    samples: Array.from({ length: samples }, () => {
      const steps = Array.from({ length: 3 + Math.floor(random() * 8) }, () => random());
      const answer = ANSWERS[Math.floor(random() * ANSWERS.length)];
      return {
        answer,
        correct: answer === '17',
        scores: aggregatedScores('prm', steps),
        lowestStep: { prm: lowestStep(steps) },
        processError: { prm: steps.some((s) => s < 0.5) },
      };
    }),
  }));
}
