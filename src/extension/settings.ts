import * as vscode from 'vscode';
import { CriticConfig } from '../core/critics/types';
import { parseCriticConfigs, withBuiltins } from '../core/critics/registry';
import { ScoreThresholds } from '../core/analysis/marks';
import { SegmentOptions } from '../core/segment/types';
import { Config } from './config';

/** The settings as the editor uses them. */
export interface Settings {
  critics: CriticConfig[];
  /** Problems in `prmLens.critics`, shown once to the user. */
  criticErrors: string[];
  activeCritics: string[];
  segmentation: SegmentOptions;
  autoRescore: boolean;
  rescoreDelayMs: number;
  thresholds: ScoreThresholds;
  severity: vscode.DiagnosticSeverity;
  /** Remote critics read and fill the result cache. */
  cacheEnabled: boolean;
  /** What the result cache is pruned to in the background after runs (0: no limit). */
  cacheLimits: { maxSizeMB: number; maxAgeDays: number };
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
} as const;

export function editorSettings(config: Config): Settings {
  const values = config.values();
  const { configs, errors } = parseCriticConfigs(values.critics, 'Setting prmLens.critics');
  return {
    critics: withBuiltins(configs),
    criticErrors: errors,
    activeCritics: values.activeCritics.length > 0 ? values.activeCritics : ['checker'],
    segmentation: {
      strategy: values['segmentation.strategy'],
      // Empty means the strategy's own default.
      tag: values['segmentation.tag'] || undefined,
      regex: values['segmentation.regex'] || undefined,
    },
    autoRescore: values.autoRescore,
    rescoreDelayMs: values.rescoreDelay,
    thresholds: { good: values['thresholds.good'], bad: values['thresholds.bad'] },
    severity: SEVERITY[values.diagnosticSeverity],
    cacheEnabled: values['cache.enabled'],
    cacheLimits: { maxSizeMB: values['cache.maxSizeMB'], maxAgeDays: values['cache.maxAgeDays'] },
  };
}
