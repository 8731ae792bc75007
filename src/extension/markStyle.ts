import type { Analysis } from '../core/analysis/analyze';

/** `prmLens.diagnosticSeverity`: how loud a predicted first error is, in the Problems panel and everywhere else. */
export type SeverityName = 'error' | 'warning' | 'information';

/**
 * The icon of a first error (media/…): the gutter and the inspector's tab use the icon of the diagnostic's
 * severity, so a "warning" first error never shows a red error icon.
 */
export function firstErrorIcon(severity: SeverityName): string {
  return severity === 'error' ? 'first-error.svg' : `first-error-${severity}.svg`;
}

/** What the step inspector's tab says at a glance about the document it shows. */
export type InspectorIconState = 'firstError' | 'noError' | 'neutral';

/**
 * `firstError` when some critic predicts an erroneous step; `noError` when every critic ran and all found none;
 * otherwise (not scored, no prediction, a critic failed or was cancelled) `neutral`.
 */
export function inspectorIconState(analysis: Pick<Analysis, 'results' | 'failures'> | undefined): InspectorIconState {
  if (!analysis) return 'neutral';
  if (analysis.results.some((r) => r.firstError !== null && r.firstError >= 0)) return 'firstError';
  const { results, failures } = analysis;
  const allClear = results.length > 0 && failures.length === 0 && results.every((r) => r.firstError === -1);
  return allClear ? 'noError' : 'neutral';
}

export function inspectorIcon(state: InspectorIconState, severity: SeverityName): string {
  switch (state) {
    case 'firstError':
      return firstErrorIcon(severity);
    case 'noError':
      return 'inspector-no-error.svg';
    case 'neutral':
      return 'inspector.svg';
  }
}
