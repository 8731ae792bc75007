import * as vscode from 'vscode';
import { CriticConfig } from '../core/critics/types';
import { parseCriticConfigs, withBuiltins } from '../core/critics/registry';
import { ScoreThresholds } from '../core/analysis/marks';
import { SegmentOptions, SegmentStrategy } from '../core/segment/types';

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
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('prmLens');
  // Critics can name endpoints and commands: an untrusted workspace must not configure them.
  const rawCritics = vscode.workspace.isTrusted ? config.get<unknown>('critics', []) : (config.inspect<unknown>('critics')?.globalValue ?? []);
  const { configs, errors } = parseCriticConfigs(rawCritics, 'Setting prmLens.critics');
  const active = config.get<string[]>('activeCritics', ['checker']).filter((id) => typeof id === 'string');
  return {
    critics: withBuiltins(configs),
    criticErrors: errors,
    activeCritics: active.length > 0 ? active : ['checker'],
    segmentation: {
      strategy: config.get<SegmentStrategy>('segmentation.strategy', 'auto'),
      tag: config.get<string>('segmentation.tag') || undefined,
      regex: config.get<string>('segmentation.regex') || undefined,
    },
    autoRescore: config.get<boolean>('autoRescore', true),
    rescoreDelayMs: Math.max(0, config.get<number>('rescoreDelay', 600)),
    thresholds: { good: config.get<number>('thresholds.good', 0.7), bad: config.get<number>('thresholds.bad', 0.3) },
    severity: SEVERITY[config.get<string>('diagnosticSeverity', 'warning')] ?? vscode.DiagnosticSeverity.Warning,
  };
}
