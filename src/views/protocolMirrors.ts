import type { CriticFailure } from '../core/analysis/analyze';
import type { StepMarkKind } from '../core/analysis/marks';
import type { CriticResult, StepJudgement, Verdict } from '../core/critics/types';
import type { InputIssue, ResultRecord } from '../core/datasets/types';
import type { Interval, SubsetIntervals } from '../core/metrics/bootstrap';
import type * as Wire from '../protocol/messages';

// src/protocol may import nothing (the webviews bundle it; see eslint.config.mjs), so it re-declares the core types
// that cross the wire. src/views is the one layer that sees both: these compile-time checks fail `tsc` as soon as a
// mirror and its original differ, instead of a webview silently receiving a shape it does not expect.

/** True only when A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;

export type ProtocolMirrors = [
  Holds<Same<Wire.Verdict, Verdict>>,
  Holds<Same<Wire.MarkKind, StepMarkKind>>,
  Holds<Same<Omit<Wire.InspectorJudgement, 'kind'>, StepJudgement>>,
  Holds<Same<Wire.InspectorCritic['firstError'], CriticResult['firstError']>>,
  Holds<Same<Wire.InspectorModel['failures'][number], CriticFailure>>,
  Holds<Same<Wire.ItemPrediction, Pick<ResultRecord, 'critic' | 'prediction' | 'scores'>>>,
  Holds<Same<Wire.IssueSummary, Omit<InputIssue, 'file'>>>,
  Holds<Same<Wire.Interval, Interval>>,
  Holds<Same<Wire.RowIntervals, SubsetIntervals>>,
];
