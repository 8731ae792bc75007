import * as vscode from 'vscode';
import { readSettingValues, RESTRICTED_SETTINGS, SECTION, SettingKey, SettingValues } from '../core/config/settings';

/**
 * The one reader and writer of the `prmLens.*` settings (a lint rule keeps `getConfiguration` out of every other
 * file). Values come typed and checked against the settings table in src/core/config; an untrusted workspace gets
 * only the user's own values of the restricted settings (critics can name endpoints and commands).
 */
export class Config implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a `prmLens` setting changes, or when the workspace becomes trusted (restricted values then count). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private reported = '';

  constructor(private readonly log?: vscode.LogOutputChannel) {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    ];
  }

  /** The current values, read afresh: a value that does not fit its setting is replaced by the default and logged. */
  values(): SettingValues {
    const section = vscode.workspace.getConfiguration(SECTION);
    const trusted = vscode.workspace.isTrusted;
    const { values, problems } = readSettingValues((key) =>
      !trusted && RESTRICTED_SETTINGS.includes(key) ? section.inspect(key)?.globalValue : section.get(key),
    );
    const report = problems.join('\n');
    if (report && report !== this.reported) this.log?.warn(report);
    this.reported = report;
    return values;
  }

  /** The value in the user's settings (not the workspace's), undefined when the user has not set it. */
  userValue(key: SettingKey): unknown {
    return vscode.workspace.getConfiguration(SECTION).inspect(key)?.globalValue;
  }

  /** The value in the workspace's settings, undefined when the workspace has not set it. */
  workspaceValue(key: SettingKey): unknown {
    return vscode.workspace.getConfiguration(SECTION).inspect(key)?.workspaceValue;
  }

  /** Whether the workspace sets a value of its own. */
  hasWorkspaceValue(key: SettingKey): boolean {
    return vscode.workspace.getConfiguration(SECTION).inspect(key)?.workspaceValue !== undefined;
  }

  async update<K extends SettingKey>(key: K, value: SettingValues[K], target: 'user' | 'workspace'): Promise<void> {
    const where = target === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration(SECTION).update(key, value, where);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
