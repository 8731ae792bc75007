import * as vscode from 'vscode';
import type { AnalysisSource, CriticProvider, Scorer, SettingsSource, ShowInspector } from '../ports';
import { DatasetEditorProvider } from './datasetEditor';
import { DatasetSessions, ITEM_SCHEME, ItemDocuments, openDatasetItem } from './datasets';
import { exportStepLabels } from './exportLabels';
import { HumanLabelStore } from './humanLabels';
import { Inspector } from './inspectorPanel';
import { MetricsPanels } from './metricsPanel';

export interface WebviewWiring {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  analyses: AnalysisSource;
  scorer: Scorer;
  critics: CriticProvider;
  settings: SettingsSource;
}

/**
 * Registers the webviews: the step inspector and the metrics panel (each with a serializer, so they come back after a
 * reload), the dataset custom editor with its read-only item documents, and the exports. Nothing heavy happens
 * here: the webview bundles load only when a panel opens, and a dataset is read only when it is opened. Returns the
 * inspector, which the editor's commands open too.
 */
export function registerWebviews(w: WebviewWiring): { inspector: Inspector; disposables: vscode.Disposable[] } {
  const { context, log } = w;
  const extensionUri = context.extensionUri;
  const labels = new HumanLabelStore(context.workspaceState);
  const sessions = new DatasetSessions(context.globalStorageUri, log);
  const items = new ItemDocuments(sessions);
  const inspector = new Inspector({
    extensionUri,
    analyses: w.analyses,
    scorer: w.scorer,
    settings: w.settings,
    labels,
    log,
    itemContext: (uri) => items.context(uri),
  });
  const showInspector: ShowInspector = (uri, column) => inspector.show(uri, column);
  const openItem = (dataset: vscode.Uri, i: number, column: vscode.ViewColumn) =>
    openDatasetItem({ sessions, scorer: w.scorer, showInspector }, dataset, i, column);
  const metrics = new MetricsPanels({ extensionUri, settings: w.settings, sessions, log, openItem });
  const datasets = new DatasetEditorProvider({
    extensionUri,
    settings: w.settings,
    critics: w.critics,
    sessions,
    log,
    openItem,
    showMetrics: (uri) => metrics.show(uri),
  });
  const disposables = [
    labels,
    sessions,
    items,
    inspector,
    metrics,
    vscode.workspace.registerTextDocumentContentProvider(ITEM_SCHEME, items),
    vscode.window.registerWebviewPanelSerializer(Inspector.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => inspector.revive(panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(MetricsPanels.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => metrics.revive(panel, state),
    }),
    vscode.window.registerCustomEditorProvider(DatasetEditorProvider.viewType, datasets, {
      // The list of a large dataset is expensive to rebuild: keep the webview while its tab is in the background.
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('prmLens.openDataset', (uri?: unknown) => openDataset(uri)),
    // Item `i` of a dataset, as the dataset view opens it (for links, keybindings and tests).
    vscode.commands.registerCommand('prmLens.openDatasetItem', (dataset: unknown, i: unknown) => {
      if (!(dataset instanceof vscode.Uri) || typeof i !== 'number' || !Number.isInteger(i) || i < 0) {
        throw new Error('prmLens.openDatasetItem takes a dataset URI and an item index');
      }
      return openItem(dataset, i, vscode.ViewColumn.One);
    }),
    vscode.commands.registerCommand('prmLens.showMetrics', (uri?: unknown) => showMetricsFor(metrics, uri)),
    vscode.commands.registerCommand('prmLens.exportStepLabels', (target?: unknown, neutralAsCorrect?: unknown) =>
      exportStepLabels(labels, target, neutralAsCorrect),
    ),
  ];
  return { inspector, disposables };
}

/**
 * `prmLens.openDataset [uri]`: opens a dataset file in the dataset view: the argument (explorer menu), else the
 * active editor's .jsonl/.json file, else one the user picks. The view takes the place of the file's text tab
 * (unless it has unsaved changes), so two tabs of the same name are not left side by side.
 */
async function openDataset(arg: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (!uri && active && /\.jsonl?$/i.test(active.path) && active.scheme !== 'untitled') uri = active;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: 'PRM Lens: open a step-labelled dataset',
      canSelectMany: false,
      filters: { 'Datasets (JSON lines or a JSON array)': ['jsonl', 'json'] },
    });
    uri = picked?.[0];
  }
  if (!uri) return;
  const key = uri.toString();
  const textTabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key && !t.isDirty);
  const column = textTabs.find((t) => t.group.isActive)?.group.viewColumn;
  await vscode.commands.executeCommand('vscode.openWith', uri, DatasetEditorProvider.viewType, column);
  if (textTabs.length > 0) await vscode.window.tabGroups.close(textTabs, true);
}

/** `prmLens.showMetrics [uri]`: the metrics of a dataset (the active dataset view's without an argument). */
async function showMetricsFor(metrics: MetricsPanels, arg: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!uri && tab instanceof vscode.TabInputCustom && tab.viewType === DatasetEditorProvider.viewType) uri = tab.uri;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: 'PRM Lens: metrics of which dataset?',
      canSelectMany: false,
      filters: { Datasets: ['jsonl', 'json'] },
    });
    uri = picked?.[0];
  }
  if (uri) metrics.show(uri);
}
