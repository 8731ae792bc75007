import { ResultRecord } from '../datasets/types';

/** How often two critics predict the same first-error index on the items both judged. */
export interface PairAgreement {
  a: string;
  b: string;
  /** Items judged by both (matched by subset and id). */
  n: number;
  /** Percentage of those with the same prediction ("no prediction" counts as one more answer). */
  agreement: number | null;
  /** Cohen's kappa over the predicted indices: agreement beyond what the two critics' answer rates give by chance. */
  kappa: number | null;
}

/** Every pair of critics, in the order they first appear in the records. */
export function pairwiseAgreement(records: readonly ResultRecord[]): PairAgreement[] {
  const byCritic = new Map<string, Map<string, number | null>>();
  for (const r of records) {
    let m = byCritic.get(r.critic);
    if (!m) byCritic.set(r.critic, (m = new Map()));
    m.set(`${r.subset}\u0000${r.id}`, r.prediction);
  }
  const ids = [...byCritic.keys()];
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++)
      pairs.push(agreementOf(ids[i], ids[j], byCritic.get(ids[i])!, byCritic.get(ids[j])!));
  }
  return pairs;
}

function agreementOf(
  a: string,
  b: string,
  pa: Map<string, number | null>,
  pb: Map<string, number | null>,
): PairAgreement {
  let n = 0;
  let same = 0;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  for (const [key, x] of pa) {
    if (!pb.has(key)) continue;
    const y = pb.get(key) ?? null;
    n += 1;
    if (x === y) same += 1;
    countA.set(String(x), (countA.get(String(x)) ?? 0) + 1);
    countB.set(String(y), (countB.get(String(y)) ?? 0) + 1);
  }
  if (n === 0) return { a, b, n, agreement: null, kappa: null };
  const observed = same / n;
  let chance = 0;
  for (const [answer, k] of countA) chance += (k / n) * ((countB.get(answer) ?? 0) / n);
  // Both critics always giving the same single answer: agreement is total but kappa is undefined.
  const kappa = chance >= 1 ? null : (observed - chance) / (1 - chance);
  return { a, b, n, agreement: 100 * observed, kappa };
}
