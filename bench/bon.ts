import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bestOfNReport, type BonOptions } from '../src/core/bon/curves';
import { aggregatedScores, lowestStep } from '../src/core/bon/aggregate';
import type { BonProblem } from '../src/core/bon/types';
import { seededRandom } from '../src/core/util/random';

/**
 * Best-of-N at PRM800K's scale: 500 problems × 1,860 scored samples (~930k lines) through `prm-lens bon` in a child
 * process capped at a 1 GB heap (time and peak RSS), and re-aggregating 500 × 64 step-scored samples in memory
 * (every aggregation of one critic: the work of a panel changing N or the aggregation).
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
    const all = timeReport(problems, {});
    const one = timeReport(problems, { scores: ['prm/min'], baselines: false });
    lines.push(`  re-aggregating 500 × 64 step-scored samples at n = 1, 2, 4, … 64 (median of 5):`);
    lines.push(`    every selector, 5 aggregations: ${all.toFixed(0)} ms`);
    lines.push(`    one aggregation (best + weighted vote, as a panel switching it): ${one.toFixed(0)} ms`);
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

function timeReport(problems: BonProblem[], opts: BonOptions): number {
  bestOfNReport(problems, opts);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    bestOfNReport(problems, opts);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2];
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
