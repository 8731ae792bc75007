import { answerKey } from '../core/answers/equivalent';
import type { BonCluster, BonProblemView, BonSolutionView } from '../protocol/messages';
import type { BonData } from './bonData';
import { scoreNames, selectorKind } from './bonCurves';

/** The selectors a problem can be ranked by: majority, then best and weighted per score of the dataset. */
export function problemSelectors(data: BonData): string[] {
  return ['majority', ...scoreNames(data.problems).flatMap((s) => [`best:${s}`, `weighted:${s}`])];
}

/**
 * One problem's solutions ranked by a selector over all its samples, with the answers clustered by equivalence
 * (the voting's answer key): `best:<score>` ranks solutions by score and picks the highest (every tied one is
 * marked); `majority` and `weighted:<score>` rank the clusters by count or summed score, pick the top cluster, and
 * list solutions cluster by cluster. A solution without an answer is never picked and comes last. The texts of the
 * problem and solutions are the dataset's: withSolutionTexts (bonProblemText.ts) adds them where they are kept.
 */
export function problemView(data: BonData, problemId: string, selector: string): BonProblemView {
  const at = data.problems.findIndex((p) => p.id === problemId);
  if (at < 0) throw new Error(`no problem "${problemId}" in this best-of-N dataset`);
  const selectors = problemSelectors(data);
  if (!selectors.includes(selector)) {
    throw new Error(`cannot rank by "${selector}": this dataset's selectors are ${selectors.join(', ')}`);
  }
  const problem = data.problems[at];
  const ids = data.ids[at];
  const kind = selectorKind(selector);
  const score = kind === 'majority' ? null : selector.slice(selector.indexOf(':') + 1);
  const scoreOf = (k: number): number | null => {
    const v = score === null ? undefined : problem.samples[k].scores[score];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };

  const keys = new Map<string, number>();
  const members: number[][] = [];
  const clusterOf = problem.samples.map((s, k) => {
    if (s.answer === null) return null;
    const key = answerKey(s.answer);
    let c = keys.get(key);
    if (c === undefined) {
      keys.set(key, (c = members.length));
      members.push([]);
    }
    members[c].push(k);
    return c;
  });
  const clusters = members.map((ks) => {
    const scored = ks.map(scoreOf).filter((v): v is number => v !== null);
    return {
      answer: problem.samples[ks[0]].answer!,
      count: ks.length,
      weight: scored.length === 0 ? null : scored.reduce((a, b) => a + b, 0),
      top: scored.length === 0 ? -Infinity : Math.max(...scored),
      correct: ks.some((k) => problem.samples[k].correct),
      members: ks,
    };
  });
  // In a weighted vote only samples with the score vote.
  const strength = (c: (typeof clusters)[number]): number =>
    kind === 'majority' ? c.count : kind === 'weighted' ? (c.weight ?? -Infinity) : c.top;
  const order = clusters.map((_, c) => c).sort((a, b) => strength(clusters[b]) - strength(clusters[a]) || a - b);
  const rankOfCluster = new Map(order.map((c, r) => [c, r]));
  const bestStrength = order.length === 0 ? -Infinity : strength(clusters[order[0]]);
  const pickedCluster = (c: number): boolean =>
    kind !== 'best' && Number.isFinite(bestStrength) && strength(clusters[c]) === bestStrength;
  const topScore = Math.max(
    -Infinity,
    ...problem.samples.map((s, k) => (s.answer === null ? null : scoreOf(k))).filter((v): v is number => v !== null),
  );

  const sortKey = (k: number): [number, number, number] => {
    const c = clusterOf[k];
    const s = scoreOf(k) ?? -Infinity;
    if (c === null) return [2, 0, k];
    return kind === 'best' ? [s === -Infinity ? 1 : 0, -s, k] : [0, rankOfCluster.get(c)!, -s];
  };
  const sorted = problem.samples
    .map((_, k) => k)
    .sort((a, b) => {
      const [x, y] = [sortKey(a), sortKey(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a - b;
    });
  const solutions = sorted.map((k, r): BonSolutionView => {
    const s = problem.samples[k];
    const c = clusterOf[k];
    const pick = c !== null && (kind === 'best' ? scoreOf(k) !== null && scoreOf(k) === topScore : pickedCluster(c));
    return {
      sample: k,
      rank: r + 1,
      id: ids[k],
      answer: s.answer,
      correct: s.correct,
      score: scoreOf(k),
      cluster: c === null ? null : rankOfCluster.get(c)!,
      pick,
      openable: false,
      preview: s.answer === null ? '(no answer)' : `answer: ${s.answer}`,
    };
  });
  const picked = new Set(solutions.filter((x) => x.pick).map((x) => x.sample));
  const clusterViews = order.map((c): BonCluster => ({
    answer: clusters[c].answer,
    count: clusters[c].count,
    weight: clusters[c].weight,
    correct: clusters[c].correct,
    pick: kind === 'best' ? clusters[c].members.some((k) => picked.has(k)) : pickedCluster(c),
  }));
  return {
    id: problem.id,
    subset: problem.subset,
    problem: problem.id,
    selector,
    selectors,
    solutions,
    clusters: clusterViews,
  };
}
