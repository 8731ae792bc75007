import * as vscode from 'vscode';
import type { SeverityName } from './markStyle';
import type { SettingsSource } from './ports';
import type { Config } from './config';
import { editorSettings, Settings } from './settings';

/**
 * The settings every part of the editor integration reads: read once at activation and again whenever the Config
 * changes (a `prmLens.*` setting or the workspace trust), before `onDidChange` fires (so listeners see new values).
 */
export class LiveSettings implements SettingsSource, vscode.Disposable {
  private value: Settings;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(private readonly config: Config) {
    this.value = editorSettings(config);
    this.subscriptions = [config.onDidChange(() => this.reload())];
  }

  get current(): Settings {
    return this.value;
  }

  private reload(): void {
    this.value = editorSettings(this.config);
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
