import * as vscode from 'vscode';
import type { SeverityName } from './markStyle';
import type { SettingsSource } from './ports';
import { readSettings, Settings } from './settings';

/**
 * The settings every part of the editor integration reads: read once at activation and again whenever a
 * `prmLens.*` setting or the workspace trust changes, before `onDidChange` fires (so listeners see new values).
 */
export class LiveSettings implements SettingsSource, vscode.Disposable {
  private value: Settings = readSettings();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('prmLens') && this.reload()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
    ];
  }

  get current(): Settings {
    return this.value;
  }

  private reload(): void {
    this.value = readSettings();
    this.changed.fire();
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}

/** The name of a diagnostic severity, as `prmLens.diagnosticSeverity` spells it. */
export function severityName(severity: vscode.DiagnosticSeverity): SeverityName {
  if (severity === vscode.DiagnosticSeverity.Error) return 'error';
  return severity === vscode.DiagnosticSeverity.Warning ? 'warning' : 'information';
}
