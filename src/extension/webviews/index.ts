import * as vscode from 'vscode';
import type { ScoreController } from '../controller';
import { DatasetEditorProvider, type DatasetDeps } from './datasetEditor';
import { DatasetSessions, ITEM_SCHEME, ItemDocuments } from './datasets';
import { exportStepLabels } from './exportLabels';
import { HumanLabelStore } from './humanLabels';
import { InspectorPanel, type InspectorDeps } from './inspectorPanel';
import { MetricsPanel, type MetricsDeps } from './metricsPanel';

let inspectorDeps: InspectorDeps | undefined;

/**
 * Registers the webviews: the step inspector and the metrics panel (each with a serializer, so they come back after a
 * reload), the dataset custom editor with its read-only item documents, and the exports. Nothing heavy happens
 * here: the webview bundles load only when a panel opens, and a dataset is read only when it is opened.
 */
export function registerWebviews(context: vscode.ExtensionContext, controller: ScoreController, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const labels = new HumanLabelStore(context.workspaceState);
  const sessions = new DatasetSessions(context.globalStorageUri, log);
  const items = new ItemDocuments(sessions);
  const deps: InspectorDeps = { context, controller, labels, log, itemContext: (uri) => items.context(uri) };
  inspectorDeps = deps;
  const metricsDeps: MetricsDeps = { context, controller, sessions, log };
  const datasetDeps: DatasetDeps = {
    context,
    controller,
    sessions,
    log,
    showInspector: (uri, column) => InspectorPanel.show(deps, uri, column),
    showMetrics: (_session, uri) => MetricsPanel.show(metricsDeps, uri),
  };
  return [
    labels,
    sessions,
    items,
    vscode.workspace.registerTextDocumentContentProvider(ITEM_SCHEME, items),
    vscode.window.registerWebviewPanelSerializer(InspectorPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        InspectorPanel.revive(deps, panel, state);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(MetricsPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        MetricsPanel.revive(metricsDeps, panel, state);
      },
    }),
    vscode.window.registerCustomEditorProvider(DatasetEditorProvider.viewType, new DatasetEditorProvider(datasetDeps), {
      // The list of a large dataset is expensive to rebuild: keep the webview while its tab is in the background.
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.commands.registerCommand('prmLens.openDataset', (uri?: unknown) => openDataset(uri)),
    vscode.commands.registerCommand('prmLens.showMetrics', (uri?: unknown) => showMetricsFor(metricsDeps, uri)),
    vscode.commands.registerCommand('prmLens.exportStepLabels', (target?: unknown, neutralAsCorrect?: unknown) => exportStepLabels(labels, target, neutralAsCorrect)),
    { dispose: () => InspectorPanel.instance?.dispose() },
  ];
}

/** Opens the step inspector on a document (the status bar's and hover's "details"). */
export function showInspector(uri: vscode.Uri): void {
  if (!inspectorDeps) throw new Error('PRM Lens: the webviews are not registered');
  InspectorPanel.show(inspectorDeps, uri);
}

/**
 * `prmLens.openDataset [uri]`: opens a dataset file in the dataset view: the argument (explorer menu), else the
 * active editor's .jsonl/.json file, else one the user picks.
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
  if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, DatasetEditorProvider.viewType);
}

/** `prmLens.showMetrics [uri]`: the metrics of a dataset (the active dataset view's without an argument). */
async function showMetricsFor(deps: MetricsDeps, arg: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!uri && tab instanceof vscode.TabInputCustom && tab.viewType === DatasetEditorProvider.viewType) uri = tab.uri;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({ title: 'PRM Lens: metrics of which dataset?', canSelectMany: false, filters: { Datasets: ['jsonl', 'json'] } });
    uri = picked?.[0];
  }
  if (uri) MetricsPanel.show(deps, uri);
}
